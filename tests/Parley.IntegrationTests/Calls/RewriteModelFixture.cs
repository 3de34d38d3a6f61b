using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Parley.Testing;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// Two servers on one database and one OpenAI-compatible chat model on loopback: <see cref="On"/> rewrites
/// follow-ups with the model (<c>Parley:Calls:LlmRewrite</c>), <see cref="Off"/> does not. The model tells a
/// rewrite request (non-streamed, the rewrite's instruction) from an answer request (streamed) and answers
/// the rewrite as <see cref="Rewrite"/> says: a question, or slowly, or with a 500, garbage, a refusal.
/// </summary>
public sealed class RewriteModelFixture : DatabaseFixture
{
    public const string Answer = "Here is what the passages say.";

    /// <summary>Words of the rewrite's system prompt: how the model tells a rewrite from an answer.</summary>
    public const string RewriteMark = "as one standalone question";

    /// <summary>The tokens a rewrite reply reports, billed with the turn.</summary>
    public const int RewriteTokens = 77;

    /// <summary>The LLM rewrite's budget in these tests: generous for a machine busy with the rest of the suite; the slow model outlasts it anyway.</summary>
    public const int RewriteBudgetMs = 2000;

    public enum Mode
    {
        Reply,
        Slow,
        ServerError,
        Garbage,
        Refusal,
        Empty,
    }

    private int _rewrites;
    private int _answers;
    private int _abortedRewrites;

    public Mode Rewrite { get; set; }

    /// <summary>What the model replies to a rewrite request in <see cref="Mode.Reply"/>.</summary>
    public string RewriteReply { get; set; } = "";

    /// <summary>The last rewrite request's messages' text, joined.</summary>
    public string LastRewritePrompt { get; private set; } = "";

    public int Rewrites => Volatile.Read(ref _rewrites);
    public int Answers => Volatile.Read(ref _answers);

    /// <summary>Rewrite requests whose client went away before the model answered (the budget cut them off).</summary>
    public int AbortedRewrites => Volatile.Read(ref _abortedRewrites);

    public LoopbackServer Llm { get; private set; } = null!;
    public ParleyAppFactory On { get; private set; } = null!;
    public ParleyAppFactory Off { get; private set; } = null!;
    public string Key { get; private set; } = "";
    public Guid Agent { get; private set; }

    public HttpClient Client(ParleyAppFactory app)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Key);
        return client;
    }

    private Dictionary<string, string?> Settings(bool llmRewrite) => new()
    {
        ["Parley:Llm:Provider"] = "openai",
        ["Parley:Llm:BaseUrl"] = new Uri(Llm.BaseUrl, "v1").ToString(),
        ["Parley:Llm:ApiKey"] = "sk-test",
        ["Parley:Calls:LlmRewrite"] = llmRewrite ? "true" : "false",
        ["Parley:Calls:RewriteBudgetMs"] = RewriteBudgetMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Parley:Calls:SearchBudgetMs"] = "3000",
        ["Parley:Calls:LlmBudgetMs"] = "5000",
        ["Parley:Calls:TurnBudgetMs"] = "15000",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Llm = await LoopbackServer.StartAsync(app => app.MapPost("/v1/chat/completions", ChatAsync));
        On = new ParleyAppFactory(ConnectionString, Settings(llmRewrite: true));
        Off = new ParleyAppFactory(ConnectionString, Settings(llmRewrite: false));
        var admin = On.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var account = await (await admin.PostAsJsonAsync("/v1/accounts", new { name = "Rewritten" })).Content.ReadFromJsonAsync<JsonElement>();
        Key = account.GetProperty("apiKey").GetString()!;
        Agent = await CallTests.SetUpAsync(Client(On));
        // The first request of each process compiles the OpenAI client: a follow-up of its own takes that cost.
        Rewrite = Mode.Reply;
        RewriteReply = "Is the restaurant open?";
        foreach (var app in new[] { On, Off })
        {
            var client = Client(app);
            var call = await CallTests.StartCallAsync(client, Agent);
            (await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = "When do you open?" })).EnsureSuccessStatusCode();
            (await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = "And on Sundays?" })).EnsureSuccessStatusCode();
        }
    }

    private static string Text(JsonElement request) => string.Join("\n", request.GetProperty("messages").EnumerateArray().Select(m =>
        m.GetProperty("content") is { ValueKind: JsonValueKind.String } text
            ? text.GetString()!
            : string.Join("", m.GetProperty("content").EnumerateArray().Select(p => p.GetProperty("text").GetString()))));

    private async Task ChatAsync(HttpContext context)
    {
        var request = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body, cancellationToken: context.RequestAborted);
        var prompt = Text(request);
        if (prompt.Contains(RewriteMark, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _rewrites);
            LastRewritePrompt = prompt;
            await RewriteAsync(context);
            return;
        }
        Interlocked.Increment(ref _answers);
        context.Response.ContentType = "text/event-stream";
        string Chunk(string delta, string? finish) => JsonSerializer.Serialize(new
        {
            id = "chatcmpl-1", @object = "chat.completion.chunk", created = 1, model = "test-model",
            choices = new[] { new { index = 0, delta = new { role = "assistant", content = delta }, finish_reason = finish } },
        });
        foreach (var e in new[] { Chunk(Answer[..10], null), Chunk(Answer[10..], "stop"), "[DONE]" })
        {
            await context.Response.WriteAsync($"data: {e}\n\n", context.RequestAborted);
        }
    }

    private async Task RewriteAsync(HttpContext context)
    {
        switch (Rewrite)
        {
            case Mode.Slow:
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref _abortedRewrites);
                }
                return;
            case Mode.ServerError:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { error = new { message = "The model is overloaded.", type = "server_error" } });
                return;
            case Mode.Garbage:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("<html><body>502 Bad Gateway</body></html>");
                return;
        }
        var content = Rewrite switch
        {
            Mode.Refusal => "I'm sorry, but I can't help with rewriting that.",
            Mode.Empty => "",
            _ => RewriteReply,
        };
        await context.Response.WriteAsJsonAsync(new
        {
            id = "chatcmpl-r", @object = "chat.completion", created = 1, model = "test-model",
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
            usage = new { prompt_tokens = RewriteTokens - 7, completion_tokens = 7, total_tokens = RewriteTokens },
        });
    }

    public override async Task DisposeAsync()
    {
        await On.DisposeAsync();
        await Off.DisposeAsync();
        await Llm.DisposeAsync();
        await base.DisposeAsync();
    }
}
