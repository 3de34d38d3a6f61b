using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.Audio;
using Parley.Calls.CallLog;
using Parley.Calls.Providers;
using Parley.IntegrationTests.Transactional;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// Audio turns with the local providers: the default passthrough refuses them; pocketsphinx hears them;
/// espeak-ng speaks the answer in either of its modes.
/// </summary>
public sealed class LocalSpeechTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_text_only_server_refuses_audio_turns_with_400()
    {
        var a = await api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(a.Client, folder: Path.Combine(Knowledge.KnowledgeApiTests.RepoRoot(), "docs"));
        var call = await CallTests.StartCallAsync(a.Client, agent);

        var response = await AudioTurnTests.PostAudioAsync(a.Client, call, SpeechServer.Tone(16000, 0.5));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("passthrough", problem.GetProperty("errors").GetProperty("audio")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pocketsphinx_hears_an_espeak_recording_and_the_turn_is_logged()
    {
        // The bootstrap installs pocketsphinx and its model (scripts/bootstrap.sh): missing, this test fails
        // instead of passing without having heard anything. (Configured but not installed is refused at
        // start by the options' validation, CallsHostingExtensions.)
        Assert.True(PocketsphinxSpeechToText.Available, "pocketsphinx is not installed: run scripts/bootstrap.sh (Debian's pocketsphinx and pocketsphinx-en-us)");
        Assert.True(Parley.Calls.Providers.EspeakTextToSpeech.Available, "espeak-ng is not installed: run scripts/bootstrap.sh");
        // Budgets generous (the model loads on the first turn, on a machine busy with the rest of the suite):
        // this test checks what is heard, not how fast.
        var settings = new Dictionary<string, string?>
        {
            ["Parley:Asr:Provider"] = "pocketsphinx", ["Parley:Calls:AsrBudgetMs"] = "20000", ["Parley:Calls:SearchBudgetMs"] = "5000",
            ["Parley:Calls:LlmBudgetMs"] = "5000", ["Parley:Calls:TurnBudgetMs"] = "40000",
        };
        await using var app = new ParleyAppFactory(api.ConnectionString, settings);
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var account = await (await admin.PostAsJsonAsync("/v1/accounts", new { name = "local speech" })).Content.ReadFromJsonAsync<JsonElement>();
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", account.GetProperty("apiKey").GetString());
        var agent = await CallTests.SetUpAsync(client);
        var call = await CallTests.StartCallAsync(client, agent);

        var response = await AudioTurnTests.PostAudioAsync(client, call, await SpeechServer.SpeakAsync("Is there parking near the restaurant?"));

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var turn = await response.Content.ReadFromJsonAsync<JsonElement>();
        // pocketsphinx's small model mishears espeak's voice; only that it heard words is asserted.
        var transcript = turn.GetProperty("transcript").GetString();
        Assert.False(string.IsNullOrWhiteSpace(transcript), turn.ToString());
        Assert.DoesNotContain("asr", turn.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
        Assert.True(turn.GetProperty("timings").GetProperty("asrMs").GetDouble() > 0);
        await app.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        var logged = Assert.Single((await client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}")).GetProperty("turns").EnumerateArray());
        Assert.Equal(transcript, logged.GetProperty("transcript").GetString());
        Assert.Equal(turn.GetProperty("answer").GetString(), logged.GetProperty("answer").GetString());
    }

    [Theory]
    [InlineData("library")]
    [InlineData("process")]
    public async Task Either_espeak_mode_speaks_the_answer_as_16_kHz_wav_as_long_as_the_espeak_program_does(string mode)
    {
        Assert.True(EspeakTextToSpeech.Available && EspeakLibraryTextToSpeech.Available, "espeak-ng is not installed: run scripts/bootstrap.sh");
        // Budgets generous: this checks what is spoken, not how fast.
        var settings = new Dictionary<string, string?>
        {
            ["Parley:Tts:EspeakMode"] = mode, ["Parley:Calls:TtsBudgetMs"] = "10000", ["Parley:Calls:SearchBudgetMs"] = "5000",
            ["Parley:Calls:LlmBudgetMs"] = "5000", ["Parley:Calls:TurnBudgetMs"] = "40000",
        };
        await using var app = new ParleyAppFactory(api.ConnectionString, settings);
        Assert.IsType(mode == "library" ? typeof(EspeakLibraryTextToSpeech) : typeof(EspeakTextToSpeech), app.Services.GetRequiredService<ITextToSpeech>());
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var account = await (await admin.PostAsJsonAsync("/v1/accounts", new { name = $"espeak {mode}" })).Content.ReadFromJsonAsync<JsonElement>();
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", account.GetProperty("apiKey").GetString());
        var call = await CallTests.StartCallAsync(client, await CallTests.SetUpAsync(client));

        var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=true", new { transcript = "Is there parking near the restaurant?" });

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var turn = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotContain("tts", turn.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
        var wav = Convert.FromBase64String(turn.GetProperty("audio").GetProperty("base64").GetString()!);
        Assert.Equal(16000, WavAudio.SampleRateOf(wav));
        var samples = WavAudio.ToPcm16(wav, 16000);
        Assert.True(Math.Sqrt(samples.Average(x => (double)x * x)) > 500, "the answer's audio is nearly silent");
        // The espeak-ng program, run here for the answer the turn gave: the turn's audio is that speech.
        var answer = turn.GetProperty("answer").GetString()!;
        var program = WavAudio.ToPcm16(await new EspeakTextToSpeech(Microsoft.Extensions.Options.Options.Create(new TtsOptions())).SpeakAsync(answer, "", CancellationToken.None), 16000);
        Assert.InRange(samples.Length, (program.Length * 0.97) - 2400, (program.Length * 1.03) + 2400);
    }

    [Fact]
    public void An_unknown_espeak_mode_is_refused_at_start_with_the_setting_named()
    {
        using var app = new ParleyAppFactory(api.ConnectionString, new Dictionary<string, string?> { ["Parley:Tts:EspeakMode"] = "daemon" });
        var e = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => app.Server);
        Assert.Contains("Parley:Tts:EspeakMode", e.Message, StringComparison.Ordinal);
    }
}
