using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Parley.Data;
using Parley.Embeddings;
using Parley.Transactional;

namespace Parley.Cli;

/// <summary>The same composition as the server, minus HTTP: the CLI calls the very services the API does.</summary>
internal static class CliHost
{
    public static IHost Build(Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = false, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        if (ConnectionStrings.Resolve(builder.Configuration) is null)
        {
            var cluster = ParleyHome.Cluster;
            if (!cluster.Exists)
            {
                throw new CliException("No database: run ./parley up (or ./parley db start), or set PARLEY_DATABASE_URL.", CliApp.Failed);
            }
            builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:Parley", cluster.Info.AppConnectionString)]);
        }
        builder.AddParleyData();
        builder.AddParleyEmbeddings();
        builder.AddParleyTransactional();
        configure?.Invoke(builder);
        return builder.Build();
    }
}
