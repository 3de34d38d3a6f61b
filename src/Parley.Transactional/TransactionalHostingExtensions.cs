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
            .AddInterceptors(new TenantConnectionInterceptor(sp.GetRequiredService<ITenantContext>())));
        builder.Services.AddSingleton<DatabaseMigrator>();
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
        builder.Services.AddDataProtection()
            .PersistKeysToFileSystem(new DirectoryInfo(DataProtectionKeysPath(builder)))
            .SetApplicationName("parley");
        return builder;
    }

    /// <summary>Integration secrets are encrypted with keys kept beside the private cluster unless configured.</summary>
    private static string DataProtectionKeysPath(IHostApplicationBuilder builder) =>
        builder.Configuration["Parley:DataProtection:KeysPath"]
        ?? Path.Combine(Environment.GetEnvironmentVariable("PARLEY_HOME") is { Length: > 0 } home ? home : Path.Combine(Path.GetTempPath(), "parley"), "keys");
}
