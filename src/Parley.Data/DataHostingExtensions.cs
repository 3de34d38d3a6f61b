using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using Parley.Data.Writers;
using Parley.Domain;

namespace Parley.Data;

public static class DataHostingExtensions
{
    /// <summary>Registers both pools as keyed <see cref="NpgsqlDataSource"/> singletons, the tenant context and the writers' dead-letter store.</summary>
    public static IHostApplicationBuilder AddParleyData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .PostConfigure<IConfiguration>((o, config) =>
            {
                o.ConnectionString ??= ConnectionStrings.Resolve(config);
                o.OwnerConnectionString ??= ConnectionStrings.ResolveOwner(config);
            })
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString),
                $"No database configured: set {ConnectionStrings.UrlVariable} or ConnectionStrings:Parley (./parley sets it for the private cluster).")
            .ValidateOnStart();

        builder.Services.AddKeyedSingleton(DataSourceKeys.Platform, (sp, _) =>
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value is { HasOwner: true } o
                ? Build(sp, "parley-platform", vector: true, o.PlatformConnectionString, o.PlatformMaxPoolSize)
                : sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Transactional));
        builder.Services.AddKeyedSingleton(DataSourceKeys.Transactional, (sp, _) => Paired(sp, Build(sp, "parley-tx", vector: false)));
        builder.Services.AddKeyedSingleton(DataSourceKeys.Vector, (sp, _) => Paired(sp, Build(sp, "parley-vector", vector: true)));
        builder.Services.AddKeyedSingleton(DataSourceKeys.VectorRead, (sp, _) =>
            string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ReadConnectionString)
                ? sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Vector)
                : Paired(sp, BuildRead(sp)));
        builder.Services.AddSingleton<ReadRouting>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<DataMetrics>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(DataMetrics.MeterName));
        builder.Services.AddSingleton<DeadLetterStore>();
        builder.Services.AddScoped<ITenantContext, TenantContext>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>The platform scope of <paramref name="pool"/>'s work goes to the owner's pool, when there is one.</summary>
    private static NpgsqlDataSource Paired(IServiceProvider sp, NpgsqlDataSource pool)
    {
        if (sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.HasOwner)
        {
            PlatformDataSources.Pair(pool, sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Platform));
        }
        return pool;
    }

    /// <summary>Npgsql's multi-host support: prefer a standby, fall back to the primary when none answers.</summary>
    private static NpgsqlDataSource BuildRead(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var csb = new NpgsqlConnectionStringBuilder(options.ReadConnectionString)
        {
            ApplicationName = "parley-vector-read",
            MaxPoolSize = options.MaxPoolSize,
            ConnectionIdleLifetime = options.IdleLifetimeSeconds,
            Timeout = options.ConnectTimeoutSeconds,
            CommandTimeout = options.CommandTimeoutSeconds,
            LoadBalanceHosts = true,
            // A standby that stopped is skipped for this long before it is tried again.
            HostRecheckSeconds = 5,
        };
        ForSearches(csb);
        var builder = new NpgsqlDataSourceBuilder(csb.ConnectionString) { Name = "parley-vector-read" };
        builder.UseLoggerFactory(sp.GetService<ILoggerFactory>());
        builder.UseVector();
        return builder.BuildMultiHost().WithTargetSession(TargetSessionAttributes.PreferStandby);
    }

    /// <summary>
    /// The vector pools run a few short statements over and over (docs/scaling.md). Auto-preparation
    /// parses and plans each once per connection. JIT compiling costs 10-100 ms, more than such a
    /// statement runs, and its cost model fires on the exact scan of a large tenant; parallel workers
    /// only add start-up cost on two cores shared by many concurrent searches. Both are off for the
    /// pool's sessions (startup options: no statement per search, and no role to alter on a database
    /// Parley does not own).
    /// </summary>
    private static void ForSearches(NpgsqlConnectionStringBuilder csb)
    {
        AutoPrepare(csb);
        csb.Options = $"{csb.Options} -c jit=off -c max_parallel_workers_per_gather=0".Trim();
    }

    /// <summary>
    /// Every pool runs the same few statements over and over: a phone turn's first round trip, its history
    /// update, the call log's inserts, EF Core's lookups. Unprepared, PostgreSQL parses and plans each one
    /// every time (a profile under <c>bench load</c> found its parser near the top of the database's CPU).
    /// </summary>
    private static void AutoPrepare(NpgsqlConnectionStringBuilder csb)
    {
        csb.MaxAutoPrepare = Math.Max(csb.MaxAutoPrepare, 64);
        csb.AutoPrepareMinUsages = 2;
    }

    private static NpgsqlDataSource Build(IServiceProvider sp, string applicationName, bool vector, string? connectionString = null, int? maxPoolSize = null)
    {
        var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var csb = new NpgsqlConnectionStringBuilder(connectionString ?? options.ConnectionString)
        {
            ApplicationName = applicationName,
            MaxPoolSize = maxPoolSize ?? options.MaxPoolSize,
            ConnectionIdleLifetime = options.IdleLifetimeSeconds,
            Timeout = options.ConnectTimeoutSeconds,
            CommandTimeout = options.CommandTimeoutSeconds,
        };
        if (vector)
        {
            ForSearches(csb);
        }
        else
        {
            AutoPrepare(csb);
        }
        var builder = new NpgsqlDataSourceBuilder(csb.ConnectionString)
        {
            Name = applicationName,
        };
        builder.UseLoggerFactory(sp.GetService<ILoggerFactory>());
        if (vector)
        {
            builder.UseVector();
        }
        return builder.Build();
    }
}
