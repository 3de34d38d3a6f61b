using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;

namespace Parley.Transactional.Persistence;

/// <summary>
/// Applies the one migration history and checks that the database matches this deployment:
/// pgvector present and recent enough, and the embedding model and dimension the same as recorded.
/// It connects as the schema owner (<see cref="DatabaseOptions.PlatformConnectionString"/>) and, when the
/// server runs as another role, grants that role its DML (<see cref="RuntimeGrants"/>).
/// </summary>
public sealed partial class DatabaseMigrator(IOptions<DatabaseOptions> options, VectorSchema schema, ILogger<DatabaseMigrator> logger)
{
    /// <summary>The oldest pgvector Parley accepts: iterative index scans arrived in 0.8, HNSW fixes in 0.7.</summary>
    public static readonly Version MinimumPgvector = new(0, 7, 0);

    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(verifyModel: true, cancellationToken);

    /// <param name="verifyModel">False only for <c>parley reembed</c>, which runs precisely while the configured model differs.</param>
    public async Task MigrateAsync(bool verifyModel, CancellationToken cancellationToken)
    {
        var csb = new NpgsqlConnectionStringBuilder(options.Value.PlatformConnectionString)
        {
            Options = schema.ConnectionOptions,
            ApplicationName = "parley-migrator",
            Pooling = false,
            CommandTimeout = 600,
        };
        await CheckPgvectorAsync(csb.ConnectionString, cancellationToken);
        var dbOptions = new DbContextOptionsBuilder<ParleyDbContext>()
            .UseNpgsql(csb.ConnectionString)
            .UseSnakeCaseNamingConvention()
            .Options;
        await using var db = new ParleyDbContext(dbOptions);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            LogApplying(logger, pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
        if (options.Value.HasOwner)
        {
            await RuntimeGrants.ApplyAsync(csb.ConnectionString, options.Value.ConnectionString!, cancellationToken);
        }
        if (verifyModel)
        {
            await VerifyModelAsync(db, cancellationToken);
        }
    }

    private static async Task CheckPgvectorAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand(
            "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'vector'), (SELECT default_version FROM pg_available_extensions WHERE name = 'vector'))", conn);
        var version = await cmd.ExecuteScalarAsync(cancellationToken) as string;
        if (version is null)
        {
            throw new DatabaseSchemaException($"pgvector is not installed on {conn.Host}:{conn.Port}; Parley needs pgvector >= {MinimumPgvector}.");
        }
        if (ParseVersion(version) < MinimumPgvector)
        {
            throw new DatabaseSchemaException($"pgvector {version} on {conn.Host}:{conn.Port} is too old; Parley needs pgvector >= {MinimumPgvector}.");
        }
    }

    private async Task VerifyModelAsync(ParleyDbContext db, CancellationToken cancellationToken)
    {
        var settings = await db.Database
            .SqlQueryRaw<SettingRow>("SELECT key AS \"Key\", value AS \"Value\" FROM parley_settings")
            .ToDictionaryAsync(r => r.Key, r => r.Value, cancellationToken);
        var model = settings.GetValueOrDefault("embedding_model");
        var dims = settings.GetValueOrDefault("embedding_dimensions");
        if (dims != schema.Dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture) || model != schema.Model)
        {
            throw new DatabaseSchemaException(
                $"The database holds embeddings of model '{model}' ({dims} dimensions) but this deployment is configured for " +
                $"'{schema.Model}' ({schema.Dimensions} dimensions). Configure the same model, or re-embed with 'parley reembed --all'.");
        }
    }

    public static Version ParseVersion(string version) =>
        Version.TryParse(version.Split('-')[0], out var v) ? v : new Version(0, 0);

    private sealed record SettingRow(string Key, string Value);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} migrations: {Migrations}")]
    private static partial void LogApplying(ILogger logger, int count, string migrations);
}
