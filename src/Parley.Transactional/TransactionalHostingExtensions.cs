using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Transactional.Health;
using Parley.Transactional.Persistence;

namespace Parley.Transactional;

public static class TransactionalHostingExtensions
{
    /// <summary>
    /// EF Core on the transactional pool, with the tenant interceptor, the migrator and the status reader;
    /// the readiness checks <c>database</c> (reachable, migrated) and <c>pgvector</c> (installed, recent enough).
    /// </summary>
    public static IHostApplicationBuilder AddParleyTransactional(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDbContext<ParleyDbContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Transactional))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(new TenantConnectionInterceptor(
                sp.GetRequiredService<ITenantContext>(), sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Platform))));
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddSingleton<DatabaseRoleCheck>();
        builder.Services.AddSingleton<DatabaseStatus>();
        builder.Services.AddSingleton<DatabaseReading>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthTags.Ready], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<PgvectorHealthCheck>("pgvector", tags: [HealthTags.Ready], timeout: TimeSpan.FromSeconds(5));
        builder.Services.AddScoped<Demo.DemoSeeder>();
        builder.Services.AddScoped<Accounts.AccountService>();
        builder.Services.AddScoped<ApiKeys.ApiKeyService>();
        builder.Services.AddSingleton<ApiKeys.ApiKeyAuthenticator>();
        builder.Services.AddHostedService<ApiKeys.ApiKeyChangeListener>();
        builder.Services.AddScoped<Agents.AgentService>();
        builder.Services.AddScoped<Contacts.ContactService>();
        builder.Services.AddScoped<Users.UserService>();
        builder.Services.AddScoped<Integrations.IntegrationService>();
        builder.Services.AddSingleton<Integrations.IntegrationCredentialLookup>();
        builder.Services.AddScoped<Calls.CallService>();
        builder.Services.AddSingleton<Calls.CallLogStore>();
        builder.Services.AddScoped<Billing.BillingService>();
        builder.Services.AddMemoryCache();
        // The key ring in the database, shared by every server process (a secret one process encrypts,
        // another decrypts). Keys an older Parley kept as files are imported at start (LegacyDataProtectionKeys).
        builder.Services.AddDbContext<DataProtectionKeyContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Transactional))
            .UseSnakeCaseNamingConvention());
        builder.Services.AddScoped<LegacyDataProtectionKeys>();
        builder.Services.AddDataProtection()
            .PersistKeysToDbContext<DataProtectionKeyContext>()
            .SetApplicationName("parley");
        return builder;
    }
}
