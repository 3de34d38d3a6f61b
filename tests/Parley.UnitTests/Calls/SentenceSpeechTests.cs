using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Parley.Calls;
using Parley.Calls.Audio;
using Parley.Calls.Pipeline;
using Parley.Calls.Pipeline.Stages;
using Parley.Calls.Providers;
using Parley.Domain;
using Parley.Transactional.Agents;
using Xunit;

namespace Parley.UnitTests.Calls;

/// <summary>A JSON turn's answer is spoken sentence by sentence through the speech cache, cut as a stream is cut.</summary>
public sealed class SentenceSpeechTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly SpeechCache _cache;
    private readonly CountingSpeech _tts = new();

    public SentenceSpeechTests() =>
        _cache = new SpeechCache(Options.Create(new CallOptions()), new CallMetrics(_services.GetRequiredService<IMeterFactory>()));

    public void Dispose()
    {
        _cache.Dispose();
        _services.Dispose();
    }

    [Theory]
    [InlineData("One sentence only, no stop", new[] { "One sentence only, no stop" })]
    [InlineData("We open at noon on Sundays. Dogs are welcome on the terrace!", new[] { "We open at noon on Sundays.", "Dogs are welcome on the terrace!" })]
    [InlineData("Ask for Dr. Ruiz at the desk. He is in until six", new[] { "Ask for Dr. Ruiz at the desk.", "He is in until six" })]
    [InlineData("Is it \"open\"? Yes, until late…", new[] { "Is it \"open\"?", "Yes, until late…" })]
    [InlineData("   ", new string[0])]
    public void An_answer_is_cut_into_the_sentences_a_stream_of_it_would_speak(string answer, string[] expected) =>
        Assert.Equal(expected, StreamedAnswer.Sentences(answer));

    [Fact]
    public async Task A_new_answer_made_of_sentences_already_spoken_is_not_spoken_again_and_its_audio_is_theirs_in_order()
    {
        const string A = "We open at noon on Sundays.";
        const string B = "Dogs are welcome on the terrace.";
        const string C = "The car park is on Calle Mayor.";
        var stage = new SpeakStage([_tts], _cache);

        var first = await SpeakAsync(stage, $"{A} {B}");
        Assert.Equal([A, B], _tts.Spoken);
        var second = await SpeakAsync(stage, $"{B} {C}");
        Assert.Equal([A, B, C], _tts.Spoken);
        var third = await SpeakAsync(stage, $"{C} {A}");
        Assert.Equal([A, B, C], _tts.Spoken);

        Assert.Equal(Samples(A).Concat(Samples(B)), Pcm(first));
        Assert.Equal(Samples(B).Concat(Samples(C)), Pcm(second));
        Assert.Equal(Samples(C).Concat(Samples(A)), Pcm(third));
        // The whole answer is kept too, for the speech-cache stage's one lookup.
        Assert.True(_cache.TryGet(_tts.Name, "en-us", $"{C} {A}", out var whole));
        Assert.Equal(third, whole);
    }

    [Fact]
    public async Task A_sentence_spoken_before_the_budget_ran_out_is_kept_for_the_next_turn()
    {
        const string A = "We open at noon on Sundays.";
        const string B = "Dogs are welcome on the terrace.";
        var stage = new SpeakStage([_tts], _cache);
        using var cut = new CancellationTokenSource();
        _tts.Before = text =>
        {
            if (text == B)
            {
                cut.Cancel();
                cut.Token.ThrowIfCancellationRequested();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SpeakAsync(stage, $"{A} {B}", cut.Token));
        _tts.Before = null;
        await SpeakAsync(stage, $"{A} {B}");

        Assert.Equal([A, B, B], _tts.Spoken);
    }

    private async Task<byte[]> SpeakAsync(SpeakStage stage, string answer, CancellationToken cancellationToken = default)
    {
        using var turn = new TurnContext(Guid.NewGuid(), new AccountId(Guid.NewGuid()), new Agent { Name = "test" }, new CallOptions(),
            speak: true, _time.GetTimestamp(), _time)
        {
            Transcript = "q",
        };
        turn.Answer = answer;
        var result = await stage.RunAsync(turn, cancellationToken);
        Assert.Equal(StageOutcome.Succeeded, result.Outcome);
        result.Apply!(turn);
        return turn.Audio!;
    }

    /// <summary>The samples exactly as written (decoding through floats would round them).</summary>
    internal static short[] Pcm(byte[] wav) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(wav.AsSpan(wav.AsSpan().IndexOf("data"u8) + 8)).ToArray();

    /// <summary>A distinct, deterministic signal per text, so joined audio can be checked sample by sample.</summary>
    private static short[] Samples(string text) =>
        Enumerable.Range(0, 40 + text.Length).Select(i => (short)((text.GetHashCode(StringComparison.Ordinal) ^ i) % 20000)).ToArray();

    private sealed class CountingSpeech : ITextToSpeech
    {
        public const int Rate = 16000;
        private readonly ConcurrentQueue<string> _spoken = new();

        public string Name => "counting";

        public Action<string>? Before { get; set; }

        public string[] Spoken => _spoken.ToArray();

        public Task<byte[]> SpeakAsync(string text, string voice, CancellationToken cancellationToken)
        {
            _spoken.Enqueue(text);
            Before?.Invoke(text);
            return Task.FromResult(WavAudio.ToWav(Samples(text), Rate));
        }
    }
}
