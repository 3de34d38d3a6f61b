using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.CallLog;
using Parley.IntegrationTests.Calls;
using Parley.IntegrationTests.Knowledge;
using Xunit;

namespace Parley.IntegrationTests.Voice;

/// <summary>
/// The official <c>openai</c> npm package (installed under <c>.parley/npm</c> by <c>scripts/bootstrap.sh test</c>)
/// as the client of <c>/v1/openai</c>, run by node against the server on loopback: what a voice
/// platform's custom-LLM caller does.
/// </summary>
public sealed class OpenAiClientTests(VoicePlatformFixture api) : IClassFixture<VoicePlatformFixture>
{
    private const string Script = """
        import OpenAI from 'openai';
        const client = new OpenAI({ baseURL: process.env.BASE, apiKey: process.env.KEY, maxRetries: 0 });
        const ask = [{ role: 'system', content: 'You are a voice agent.' }, { role: 'user', content: process.env.Q }];
        const models = (await client.models.list()).data.map(m => m.id);
        const plain = await client.chat.completions.create({ model: process.env.MODEL, messages: ask, user: 'platform-call-7' });
        const stream = await client.chat.completions.create({ model: process.env.MODEL_NAME, messages: ask, stream: true, user: 'platform-call-7' });
        let streamed = '', chunks = 0, finish = null, turn = null;
        for await (const chunk of stream) {
          chunks++;
          streamed += chunk.choices[0]?.delta?.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
          turn = chunk.parley ?? turn;
        }
        const failure = async f => { try { await f(); return null; } catch (e) { return { status: e.status, type: e.type, code: e.code, param: e.param }; } };
        const unknownModel = await failure(() => client.chat.completions.create({ model: 'no-such-agent', messages: ask }));
        const wrongKey = await failure(() => new OpenAI({ baseURL: process.env.BASE, apiKey: 'pk_wrong', maxRetries: 0 }).models.list());
        console.log(JSON.stringify({ models, plain: plain.choices[0].message.content, plainObject: plain.object, plainCall: plain.parley.callId,
          streamed, chunks, finish, streamCall: turn?.callId, streamSources: turn?.sources?.map(s => s.title), unknownModel, wrongKey }));
        """;

    [Fact]
    public async Task The_openai_npm_client_gets_a_grounded_answer_streamed_and_not_and_both_turns_are_logged_in_one_call()
    {
        var tenant = await api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(tenant.Client);
        var result = await RunNodeAsync(new Dictionary<string, string>
        {
            ["BASE"] = new Uri(api.BaseUrl, "v1/openai").ToString(),
            ["KEY"] = tenant.Key,
            ["MODEL"] = agent.ToString(),
            ["MODEL_NAME"] = "Receptionist",
            ["Q"] = "Is there parking near the restaurant?",
        });

        Assert.Contains(agent.ToString(), result.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("chat.completion", result.GetProperty("plainObject").GetString());
        Assert.Contains("Pier Road", result.GetProperty("plain").GetString());
        var streamed = result.GetProperty("streamed").GetString()!;
        Assert.Contains("Pier Road", streamed);
        Assert.Equal(result.GetProperty("plain").GetString(), streamed);
        // Word by word: the role chunk, a chunk per word, the finish chunk.
        Assert.True(result.GetProperty("chunks").GetInt32() > 5, $"{result.GetProperty("chunks")} chunks");
        Assert.Equal("stop", result.GetProperty("finish").GetString());
        Assert.Equal("Location and parking", result.GetProperty("streamSources")[0].GetString());
        Assert.Equal(404, result.GetProperty("unknownModel").GetProperty("status").GetInt32());
        Assert.Equal("model_not_found", result.GetProperty("unknownModel").GetProperty("code").GetString());
        Assert.Equal(401, result.GetProperty("wrongKey").GetProperty("status").GetInt32());
        Assert.Equal("invalid_api_key", result.GetProperty("wrongKey").GetProperty("code").GetString());

        // The platform's call id (`user`) named one call: made on the first request, found on the second.
        var call = result.GetProperty("plainCall").GetGuid();
        Assert.Equal(call, result.GetProperty("streamCall").GetGuid());
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        var logged = await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}");
        var turns = logged.GetProperty("turns");
        Assert.Equal(2, turns.GetArrayLength());
        foreach (var turn in turns.EnumerateArray())
        {
            Assert.Equal("Is there parking near the restaurant?", turn.GetProperty("transcript").GetString());
            Assert.Contains("Pier Road", turn.GetProperty("answer").GetString());
            Assert.Equal("Location and parking", turn.GetProperty("sources")[0].GetProperty("title").GetString());
        }
        // The first turn searched; the second, the same question, may be served by the answer cache.
        Assert.True(turns[0].GetProperty("timings").GetProperty("searchMs").GetDouble() > 0);
    }

    [Fact]
    public async Task Bad_requests_answer_in_openai_error_shape_and_a_named_parley_call_takes_the_turn()
    {
        var tenant = await api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(tenant.Client);
        var missing = await tenant.Client.PostAsJsonAsync("/v1/openai/chat/completions", new { model = agent, messages = Array.Empty<object>() });
        Assert.Equal(400, (int)missing.StatusCode);
        var error = (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("code").ValueKind);

        var unauthorized = await api.Client(null).GetAsync("/v1/openai/models");
        Assert.Equal(401, (int)unauthorized.StatusCode);
        Assert.Equal("invalid_api_key", (await unauthorized.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());

        var call = await CallTests.StartCallAsync(tenant.Client, agent);
        using var named = new HttpRequestMessage(HttpMethod.Post, "/v1/openai/chat/completions")
        {
            Content = JsonContent.Create(new { model = "Receptionist", messages = new[] { new { role = "user", content = new[] { new { type = "text", text = "How much is the corkage fee?" } } } } }),
        };
        named.Headers.Add("X-Parley-Call-Id", call.ToString());
        var answered = await tenant.Client.SendAsync(named);
        Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());
        var body = await answered.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(call, body.GetProperty("parley").GetProperty("callId").GetGuid());
        Assert.Contains("$25", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        await tenant.Client.PostAsync($"/v1/calls/{call}/end", null);
        using var ended = new HttpRequestMessage(HttpMethod.Post, "/v1/openai/chat/completions")
        {
            Content = JsonContent.Create(new { model = agent, stream = true, messages = new[] { new { role = "user", content = "hello" } } }),
        };
        ended.Headers.Add("X-Parley-Call-Id", call.ToString());
        var refused = await tenant.Client.SendAsync(ended);
        Assert.Equal(409, (int)refused.StatusCode);
        Assert.Equal("conflict", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
    }

    private static async Task<JsonElement> RunNodeAsync(IReadOnlyDictionary<string, string> environment)
    {
        var folder = Path.Combine(KnowledgeApiTests.RepoRoot(), ".parley", "npm");
        Assert.True(File.Exists(Path.Combine(folder, "node_modules", "openai", "package.json")),
            "the openai npm package is missing: run scripts/bootstrap.sh test (./parley test does)");
        // Beside node_modules, so that `import 'openai'` resolves.
        var script = Path.Combine(folder, $"openai-test-{Guid.NewGuid():N}.mjs");
        await File.WriteAllTextAsync(script, Script);
        try
        {
            var psi = new ProcessStartInfo("node", script) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
            using var node = Process.Start(psi)!;
            var stdout = node.StandardOutput.ReadToEndAsync();
            var stderr = node.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await node.WaitForExitAsync(timeout.Token);
            Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await stderr}");
            return JsonDocument.Parse((await stdout).Trim().Split('\n')[^1]).RootElement.Clone();
        }
        finally
        {
            File.Delete(script);
        }
    }
}
