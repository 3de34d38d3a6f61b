using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Transactional.Persistence;

namespace Parley.Transactional;

public static class TransactionalHostingExtensions
{
    /// <summary>EF Core on the transactional pool, with the tenant interceptor, the migrator and the status reader.</summary>
    public static IHostApplicationBuilder AddParleyTransactional(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDbContext<ParleyDbContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Transactional))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(new TenantConnectionInterceptor(sp.GetRequiredService<ITenantContext>())));
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddSingleton<DatabaseStatus>();
        builder.Services.AddScoped<Demo.DemoSeeder>();
        return builder;
    }
}
