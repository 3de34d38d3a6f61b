using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Parley.Testing;

/// <summary>The real server in-process, on a cloned test database, with extra settings and services.</summary>
public class ParleyAppFactory(string connectionString, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    public const string AdminKey = "padm_test_admin_key_0123456789";

    public string ConnectionString => connectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Parley", connectionString);
        builder.UseSetting("ConnectionStrings:ParleyOwner", TestPostgres.Owner(connectionString));
        builder.UseSetting("Parley:AdminKey", AdminKey);
        // Embedding a turn's question had no budget of its own before it became a stage: the suite's
        // turns keep it that way, so that a machine busy with the rest of the suite does not send them
        // to the full-text fallback. The embed-budget tests set their own.
        builder.UseSetting("Parley:Calls:EmbedBudgetMs", "10000");
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(k, v);
        }
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        NpgsqlConnection.ClearAllPools();
    }
}
