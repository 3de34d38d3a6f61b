using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Embeddings;
using Parley.Embeddings.Local;
using Parley.Knowledge.Jobs;
using Parley.Testing;

namespace Parley.IntegrationTests.Knowledge;

/// <summary>
/// The in-process server with its own job worker switched off, so each test runs the worker one step
/// at a time (<see cref="IngestionJobWorker.RunOnceAsync"/>); short leases and backoffs; and an
/// embedding model that can be told to fail its next calls.
/// </summary>
public sealed class JobsFixture : DatabaseFixture
{
    public ParleyAppFactory App { get; private set; } = null!;
    public FlakyEmbeddings Flaky { get; } = new();

    public IngestionJobWorker Worker => App.Services.GetRequiredService<IngestionJobWorker>();
    public IngestionJobStore Store => App.Services.GetRequiredService<IngestionJobStore>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        App = new ParleyAppFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Knowledge:Jobs:Worker"] = "false",
            ["Parley:Knowledge:Jobs:AsyncAboveBytes"] = "2000",
            ["Parley:Knowledge:Jobs:LeaseSeconds"] = "1",
            ["Parley:Knowledge:Jobs:HeartbeatMilliseconds"] = "200",
            ["Parley:Knowledge:Jobs:RetryBaseSeconds"] = "0.2",
            ["Parley:Knowledge:Jobs:MaxAttempts"] = "3",
        }, services => services.AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>(EmbeddingsHostingExtensions.UncachedKey, (sp, _) =>
        {
            Flaky.Inner = new LocalMiniLmGenerator(sp.GetRequiredService<ILogger<LocalMiniLmGenerator>>());
            return Flaky;
        }));
        _ = App.Server;
    }

    public override async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await base.DisposeAsync();
    }

    public HttpClient Client(string key)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async Task<(Guid Id, HttpClient Client)> NewTenantAsync()
    {
        var response = await Client(ParleyAppFactory.AdminKey).PostAsJsonAsync("/v1/accounts", new { name = "Jobs tenant" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("account").GetProperty("id").GetGuid(), Client(body.GetProperty("apiKey").GetString()!));
    }

    /// <summary>A provider failure on demand: the next <see cref="FailNext"/> calls throw, as a remote model that is down.</summary>
    public sealed class FlakyEmbeddings : IEmbeddingGenerator<string, Embedding<float>>
    {
        private int _failNext;

        public IEmbeddingGenerator<string, Embedding<float>> Inner { get; set; } = null!;

        public int FailNext
        {
            get => Volatile.Read(ref _failNext);
            set => Volatile.Write(ref _failNext, value);
        }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Decrement(ref _failNext) >= 0)
            {
                throw new HttpRequestException("The embedding provider is down (test).");
            }
            Interlocked.Exchange(ref _failNext, 0);
            return Inner.GenerateAsync(values, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => Inner.GetService(serviceType, serviceKey);

        public void Dispose() => Inner.Dispose();
    }
}
