using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// A file uploaded for a background job is kept as sent and extracted by the worker (in the
/// extractor sandbox), not by the request: a hostile file then fails its job with the reason,
/// and a large PDF does not hold the HTTP request while it is read. Dropped when the job ends.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261127100100_JobFiles")]
public sealed class JobFiles : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE knowledge_jobs
              ADD COLUMN file bytea, ADD COLUMN file_name text, ADD COLUMN file_type text, ADD COLUMN file_title text;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE knowledge_jobs
              DROP COLUMN file, DROP COLUMN file_name, DROP COLUMN file_type, DROP COLUMN file_title;
            """);
}
