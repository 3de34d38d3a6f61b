using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Parley.Data;
using Parley.Embeddings;

namespace Parley.IntegrationTests.Embeddings;

/// <summary>A host with only the data and embedding sides, configured like the server's.</summary>
internal static class EmbeddingHost
{
    public static IHost Build(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Parley"] = connectionString,
            ["Parley:Embeddings:WarmUp"] = "false",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.AddParleyData();
        builder.AddParleyEmbeddings();
        return builder.Build();
    }
}
