using System.Net.Http.Json;
using System.Text.Json;
using Parley.Testing;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// The server in process with OpenAI-compatible speech on both ends (ASR and TTS) served by a
/// <see cref="SpeechServer"/> on loopback, with short budgets, and one tenant loaded with the demo
/// knowledge base.
/// </summary>
public sealed class SpeechFixture : DatabaseFixture
{
    public const int AsrBudgetMs = 600;
    public const int TtsBudgetMs = 400;

    public SpeechServer Speech { get; private set; } = null!;
    public ParleyAppFactory App { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public Guid Agent { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Speech = await SpeechServer.StartAsync();
        App = new ParleyAppFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Asr:Provider"] = "openai",
            ["Parley:Asr:BaseUrl"] = Speech.BaseUrl.ToString(),
            ["Parley:Asr:ApiKey"] = "sk-test",
            ["Parley:Asr:Model"] = "whisper-test",
            ["Parley:Tts:Provider"] = "openai",
            ["Parley:Tts:BaseUrl"] = Speech.BaseUrl.ToString(),
            ["Parley:Tts:ApiKey"] = "sk-test",
            ["Parley:Tts:Voice"] = "nova",
            ["Parley:Tts:SampleRate"] = "16000",
            ["Parley:Calls:AsrBudgetMs"] = AsrBudgetMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Parley:Calls:TtsBudgetMs"] = TtsBudgetMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Long beside the stage budgets, so that a stage cut off in time was cut by its own budget.
            ["Parley:Calls:TurnBudgetMs"] = "30000",
        });
        var admin = App.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var account = await (await admin.PostAsJsonAsync("/v1/accounts", new { name = "Speech" })).Content.ReadFromJsonAsync<JsonElement>();
        Client = App.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new("Bearer", account.GetProperty("apiKey").GetString());
        Agent = await CallTests.SetUpAsync(Client);
        // The first turn of a process loads the embedding model (warm-up is off in tests).
        var warm = await Client.PostAsJsonAsync($"/v1/calls/{await CallTests.StartCallAsync(Client, Agent)}/turns?speak=false", new { transcript = "warm up" });
        warm.EnsureSuccessStatusCode();
        // The first audio turn compiles the OpenAI audio clients: on a loaded machine that alone outlasts
        // the short budgets below, so it is paid here rather than by whichever test runs first.
        Speech.Transcript = "warm up";
        (await AudioTurnTests.PostAudioAsync(Client, await CallTests.StartCallAsync(Client, Agent), SpeechServer.Tone(16000, 1))).EnsureSuccessStatusCode();
    }

    public override async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Speech.DisposeAsync();
        await base.DisposeAsync();
    }
}
