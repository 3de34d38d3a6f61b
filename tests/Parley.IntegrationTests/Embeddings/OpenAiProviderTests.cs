using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Embeddings;

/// <summary>The OpenAI-compatible provider against a real HTTP server on loopback that speaks /v1/embeddings.</summary>
public sealed class OpenAiProviderTests
{
    private static object EmbeddingsResponse(int count, int dims, string model) => new
    {
        @object = "list",
        data = Enumerable.Range(0, count).Select(i => new { @object = "embedding", index = i, embedding = Enumerable.Range(0, dims).Select(d => (float)(i + 1) / (d + 1)).ToArray() }),
        model,
        usage = new { prompt_tokens = 3 * count, total_tokens = 3 * count },
    };

    private static Dictionary<string, string?> Settings(Uri baseUrl, int timeoutSeconds = 5) => new()
    {
        ["Parley:Embeddings:Provider"] = "openai",
        ["Parley:Embeddings:BaseUrl"] = new Uri(baseUrl, "v1").ToString(),
        ["Parley:Embeddings:ApiKey"] = "sk-test",
        ["Parley:Embeddings:Dimensions"] = "8",
        ["Parley:Embeddings:Model"] = "text-embedding-3-small",
        ["Parley:Embeddings:PersistentCache"] = "false",
        ["Parley:Embeddings:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Parley:Embeddings:MaxRetries"] = "3",
    };

    [Fact]
    public async Task A_429_is_retried_and_the_model_and_dimensions_are_passed_through()
    {
        var calls = 0;
        JsonElement lastBody = default;
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/v1/embeddings", async (HttpContext ctx) =>
        {
            lastBody = await JsonSerializer.DeserializeAsync<JsonElement>(ctx.Request.Body);
            if (Interlocked.Increment(ref calls) == 1)
            {
                ctx.Response.Headers.RetryAfter = "0";
                return Results.Json(new { error = new { message = "rate limited" } }, statusCode: 429);
            }
            return Results.Json(EmbeddingsResponse(lastBody.GetProperty("input").GetArrayLength(), 8, "text-embedding-3-small"));
        }));
        using var host = EmbeddingHost.Build("Host=unused", Settings(server.BaseUrl));
        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var result = await generator.GenerateAsync(["hello", "world"]);
        Assert.Equal(2, calls);
        Assert.Equal(2, result.Count);
        Assert.Equal(8, result[0].Vector.Length);
        Assert.Equal(0.5f, result[1].Vector.Span[3], 3);
        Assert.Equal("text-embedding-3-small", lastBody.GetProperty("model").GetString());
        Assert.Equal(8, lastBody.GetProperty("dimensions").GetInt32());
    }

    [Fact]
    public async Task A_server_slower_than_the_timeout_fails_within_the_bound()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/v1/embeddings", async (HttpContext ctx) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ctx.RequestAborted);
            return Results.Ok();
        }));
        var settings = Settings(server.BaseUrl, timeoutSeconds: 1);
        settings["Parley:Embeddings:MaxRetries"] = "0";
        using var host = EmbeddingHost.Build("Host=unused", settings);
        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => generator.GenerateAsync(["slow"]));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }
}
