using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Parley.Testing;

namespace Parley.IntegrationTests.Embeddings;

/// <summary>
/// A second embedding model on loopback, OpenAI-compatible: a deterministic bag of hashed words, so
/// the same text always gets the same vector and texts sharing words are near. Not semantic, but a
/// real model id and dimension other than the local one, served over real HTTP.
/// </summary>
public static partial class FakeEmbeddingServer
{
    public const string Model = "fake-embed-v2";

    public static Task<LoopbackServer> StartAsync(int dimensions) => LoopbackServer.StartAsync(app => app.MapPost("/v1/embeddings", async (HttpContext ctx) =>
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(ctx.Request.Body);
        var inputs = body.GetProperty("input").ValueKind == JsonValueKind.Array
            ? body.GetProperty("input").EnumerateArray().Select(i => i.GetString()!).ToArray()
            : [body.GetProperty("input").GetString()!];
        return Results.Json(new
        {
            @object = "list",
            data = inputs.Select((text, i) => new { @object = "embedding", index = i, embedding = Embed(text, dimensions) }),
            model = Model,
            usage = new { prompt_tokens = inputs.Length, total_tokens = inputs.Length },
        });
    }));

    public static float[] Embed(string text, int dimensions)
    {
        var v = new float[dimensions];
        foreach (Match word in Words().Matches(text.ToLowerInvariant()))
        {
            // FNV-1a: stable across processes, unlike string.GetHashCode.
            var h = 2166136261u;
            foreach (var c in word.Value)
            {
                h = (h ^ c) * 16777619u;
            }
            v[h % (uint)dimensions] += 1;
        }
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        if (norm == 0)
        {
            v[0] = 1;
            return v;
        }
        return v.Select(x => x / norm).ToArray();
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Words();
}
