using System.Net.Http.Json;
using System.Text.Json;
using Parley.Testing;
using Xunit;

namespace Parley.EndToEndTests;

/// <summary>Sets up data through the public API, as a user's scripts would, before the browser looks at it.</summary>
public sealed class Seed(LiveServer server)
{
    public sealed record Tenant(Guid Id, string Name, string Key, HttpClient Client);

    public HttpClient Admin { get; } = server.CreateClient(ParleyAppFactory.AdminKey);

    public async Task<Tenant> TenantAsync(string name)
    {
        var response = await Admin.PostAsJsonAsync("/v1/accounts", new { name });
        var body = await ReadAsync(response);
        var key = body.GetProperty("apiKey").GetString()!;
        return new Tenant(body.GetProperty("account").GetProperty("id").GetGuid(), name, key, server.CreateClient(key));
    }

    public static async Task<Guid> AgentAsync(Tenant t, string name) =>
        (await ReadAsync(await t.Client.PostAsJsonAsync("/v1/agents", new { name, topK = 3, minSimilarity = 0.2 }))).GetProperty("id").GetGuid();

    public static async Task DocumentAsync(Tenant t, string title, string text) =>
        await ReadAsync(await t.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title, text }));

    public static async Task FileAsync(Tenant t, string path)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "file", Path.GetFileName(path) } };
        await ReadAsync(await t.Client.PostAsync("/v1/knowledge/documents", form));
    }

    /// <summary>Starts a call, takes its turns, and waits until the batched call log has written them all.</summary>
    public static async Task<Guid> CallAsync(Tenant t, Guid agent, params string[] transcripts) =>
        (await CallWithTurnsAsync(t, agent, transcripts)).Call;

    /// <summary>The same, with each turn's answer (<c>{answer, sources, timings, cached, degraded}</c>).</summary>
    public static async Task<(Guid Call, IReadOnlyList<JsonElement> Turns)> CallWithTurnsAsync(Tenant t, Guid agent, params string[] transcripts)
    {
        var call = (await ReadAsync(await t.Client.PostAsJsonAsync("/v1/calls", new { agentId = agent, contact = new { phone = "+15550142" }, direction = "in" }))).GetProperty("id").GetGuid();
        var turns = new List<JsonElement>();
        foreach (var transcript in transcripts)
        {
            turns.Add(await ReadAsync(await t.Client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript })));
        }
        for (var i = 0; i < 100; i++)
        {
            var logged = await t.Client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}");
            if (logged.GetProperty("turns").GetArrayLength() == transcripts.Length)
            {
                return (call, turns);
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The call log did not write the turns within 10 s.");
    }

    public static string DemoFolder
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Parley.slnx")))
            {
                dir = dir.Parent;
            }
            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "demo", "knowledge");
        }
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
