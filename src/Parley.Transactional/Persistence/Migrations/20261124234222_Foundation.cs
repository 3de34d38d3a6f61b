using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Parley.Transactional.Persistence;

#nullable disable

namespace Parley.Transactional.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Foundation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(FoundationSql.ExtensionsAndSettings);

            migrationBuilder.CreateTable(
                name: "accounts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    plan = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    language = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_accounts", x => x.id);
                });

            migrationBuilder.EnableTenantIsolation("accounts", column: "id");
            migrationBuilder.Sql(FoundationSql.Knowledge);
            migrationBuilder.EnableTenantIsolation("knowledge_documents");
            migrationBuilder.EnableTenantIsolation("knowledge_chunks");
            migrationBuilder.Sql(FoundationSql.EmbeddingCache);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(FoundationSql.Down);
            migrationBuilder.DropTable(
                name: "accounts");
        }
    }
}
