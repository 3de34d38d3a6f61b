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
            .PostConfigure<IConfiguration>((o, config) => o.ConnectionString ??= ConnectionStrings.Resolve(config))
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString),
                $"No database configured: set {ConnectionStrings.UrlVariable} or ConnectionStrings:Parley (./parley sets it for the private cluster).")
            .ValidateOnStart();

        builder.Services.AddKeyedSingleton(DataSourceKeys.Transactional, (sp, _) => Build(sp, "parley-tx", vector: false));
        builder.Services.AddKeyedSingleton(DataSourceKeys.Vector, (sp, _) => Build(sp, "parley-vector", vector: true));
        builder.Services.AddKeyedSingleton(DataSourceKeys.VectorRead, (sp, _) =>
            string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ReadConnectionString)
                ? sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Vector)
                : BuildRead(sp));
        builder.Services.AddSingleton<ReadRouting>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<DataMetrics>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(DataMetrics.MeterName));
        builder.Services.AddSingleton<DeadLetterStore>();
        builder.Services.AddScoped<ITenantContext, TenantContext>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
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
        var builder = new NpgsqlDataSourceBuilder(csb.ConnectionString) { Name = "parley-vector-read" };
        builder.UseLoggerFactory(sp.GetService<ILoggerFactory>());
        builder.UseVector();
        return builder.BuildMultiHost().WithTargetSession(TargetSessionAttributes.PreferStandby);
    }

    private static NpgsqlDataSource Build(IServiceProvider sp, string applicationName, bool vector)
    {
        var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var csb = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            ApplicationName = applicationName,
            MaxPoolSize = options.MaxPoolSize,
            ConnectionIdleLifetime = options.IdleLifetimeSeconds,
            Timeout = options.ConnectTimeoutSeconds,
            CommandTimeout = options.CommandTimeoutSeconds,
        };
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
