using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Parley.Data;
using Parley.Embeddings;
using Parley.Knowledge;
using Parley.Transactional;

namespace Parley.Cli;

/// <summary>The same composition as the server, minus HTTP: the CLI calls the very services the API does.</summary>
internal static class CliHost
{
    /// <param name="configure">Extra registrations of one command.</param>
    /// <param name="requireDatabase">False for commands that can work without one (embed): tier 2 of the embedding cache is then off.</param>
    public static IHost Build(Action<HostApplicationBuilder>? configure = null, bool requireDatabase = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = false, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        // Commands embed on demand; warming the model up front would only delay them.
        builder.Configuration.AddInMemoryCollection([new("Parley:Embeddings:WarmUp", "false")]);
        if (ConnectionStrings.Resolve(builder.Configuration) is null)
        {
            var cluster = ParleyHome.Cluster;
            if (cluster.Exists)
            {
                builder.Configuration.AddInMemoryCollection([
                    new("ConnectionStrings:Parley", cluster.Info.AppConnectionString),
                    new("ConnectionStrings:ParleyOwner", cluster.Info.OwnerConnectionString),
                ]);
            }
            else if (requireDatabase)
            {
                throw new CliException("No database: run ./parley up (or ./parley db start), or set PARLEY_DATABASE_URL.", CliApp.Failed);
            }
            else
            {
                builder.Configuration.AddInMemoryCollection([new("Parley:Embeddings:PersistentCache", "false"), new("ConnectionStrings:Parley", "Host=unused")]);
            }
        }
        builder.AddParleyData();
        builder.AddParleyEmbeddings();
        builder.AddParleyTransactional();
        builder.AddParleyKnowledge(maintainIndexes: false);
        configure?.Invoke(builder);
        return builder.Build();
    }
}
