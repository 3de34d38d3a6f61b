using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.CallLog;
using Parley.Embeddings;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// The server with the demo knowledge base and an embedding model that can be made late
/// (<see cref="SlowEmbeddings"/>); every other stage has a generous budget, the embed stage the default.
/// </summary>
public sealed class EmbedBudgetFixture : DatabaseFixture
{
    // Short beside the stalled embeddings (60 s), long beside a real one on a machine busy with the rest of the suite.
    public const int EmbedBudgetMs = 1000;

    public ParleyAppFactory App { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public SlowEmbeddings Embeddings => App.Services.GetRequiredService<SlowEmbeddings>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        App = new ParleyAppFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Calls:EmbedBudgetMs"] = EmbedBudgetMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Parley:Calls:SearchBudgetMs"] = "3000",
            ["Parley:Calls:LlmBudgetMs"] = "3000",
            ["Parley:Calls:TurnBudgetMs"] = "10000",
        }, services =>
        {
            services.AddSingleton(sp => new SlowEmbeddings(
                sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(EmbeddingsHostingExtensions.UncachedKey)));
            services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<SlowEmbeddings>());
        });
        var admin = App.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var account = await (await admin.PostAsJsonAsync("/v1/accounts", new { name = "Late embeddings" })).Content.ReadFromJsonAsync<JsonElement>();
        Client = App.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new("Bearer", account.GetProperty("apiKey").GetString());
        await CallTests.SetUpAsync(Client);
    }

    public override async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await base.DisposeAsync();
    }
}

public sealed class EmbedBudgetTests(EmbedBudgetFixture f) : IClassFixture<EmbedBudgetFixture>
{
    /// <summary>A call on an agent of its own, warmed up (the first turn of a process loads the model): no answer cached by another test.</summary>
    private async Task<Guid> NewCallAsync()
    {
        f.Embeddings.Delay = TimeSpan.Zero;
        var agent = await f.Client.PostAsJsonAsync("/v1/agents", new { name = "Receptionist", topK = 3, minSimilarity = 0.25 });
        var call = await CallTests.StartCallAsync(f.Client, (await agent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        await TurnAsync(call, "warm up");
        return call;
    }

    private async Task<JsonElement> TurnAsync(Guid call, string text)
    {
        var response = await f.Client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = text });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string[] Degraded(JsonElement turn) => turn.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()!).ToArray();

    [Fact]
    public async Task A_turn_whose_embedding_misses_its_budget_searches_full_text_still_answers_from_the_knowledge_base_and_says_embed_degraded()
    {
        var call = await NewCallAsync();
        // Far longer than any bound below: an embedding cut off under it was cut by its budget.
        f.Embeddings.Delay = TimeSpan.FromSeconds(60);
        var cancelled = f.Embeddings.Cancelled;

        var turn = await TurnAsync(call, "Is there parking near the restaurant?");

        Assert.Equal(["embed"], Degraded(turn));
        Assert.False(turn.GetProperty("cached").GetBoolean());
        Assert.Equal("Location and parking", turn.GetProperty("sources")[0].GetProperty("title").GetString());
        Assert.Contains("park", turn.GetProperty("answer").GetString(), StringComparison.OrdinalIgnoreCase);
        // Cut off at its budget, not when the late embedding would have come, and the model's work was cancelled too.
        // No tight upper bound (a busy machine may be late to cut, never early): under the 10 s turn budget, only the embed budget cut it.
        Assert.InRange(turn.GetProperty("timings").GetProperty("embedMs").GetDouble(), EmbedBudgetFixture.EmbedBudgetMs - 10, 8_000);
        Assert.True(turn.GetProperty("timings").GetProperty("searchMs").GetDouble() > 0);
        // The cancellation reaches the model's side on its own callback: wait for it, by a deadline.
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (f.Embeddings.Cancelled == cancelled && !deadline.IsCancellationRequested)
            {
                await Task.Delay(20, CancellationToken.None);
            }
        }
        Assert.Equal(cancelled + 1, f.Embeddings.Cancelled);

        await f.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        var logged = (await f.Client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}")).GetProperty("turns");
        var last = logged[logged.GetArrayLength() - 1];
        Assert.Equal(["embed"], Degraded(last));
        Assert.NotEmpty(last.GetProperty("chunkIds").EnumerateArray());
    }

    [Fact]
    public async Task Without_an_embedding_a_question_already_answered_is_served_by_its_exact_text_and_a_paraphrase_by_full_text()
    {
        var call = await NewCallAsync();
        var first = await TurnAsync(call, "How much is the corkage fee?");
        Assert.False(first.GetProperty("cached").GetBoolean());
        Assert.Empty(Degraded(first));

        f.Embeddings.Delay = TimeSpan.FromSeconds(60);
        var again = await TurnAsync(call, "how much is the corkage fee");
        Assert.True(again.GetProperty("cached").GetBoolean());
        Assert.Equal(first.GetProperty("answer").GetString(), again.GetProperty("answer").GetString());
        Assert.Equal(["embed"], Degraded(again));

        // A close paraphrase would be a semantic hit with a vector; without one it is a full-text search.
        var paraphrase = await TurnAsync(call, "What is the corkage fee?");
        Assert.False(paraphrase.GetProperty("cached").GetBoolean());
        Assert.Equal(["embed"], Degraded(paraphrase));
        Assert.Contains("$25", paraphrase.GetProperty("answer").GetString(), StringComparison.Ordinal);
    }
}
