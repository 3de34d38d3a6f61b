using System.Text;
using System.Threading.Channels;
using Parley.Calls.Pipeline.Stages;
using Parley.Calls.Providers;

namespace Parley.Calls.Pipeline;

/// <summary>
/// What a streamed turn does beside its own flow: the answer's pieces go out as the answer stage makes
/// them (a pump reading the stage's channel), cut into sentences that <see cref="StreamedSpeechStage"/>
/// speaks one after another while the rest is still generated. The pump and the speaker never write the
/// turn (<see cref="TurnContext"/> has no locks): they publish events, and keep here what they measured,
/// which the turn's flow reads only after awaiting them.
/// </summary>
internal sealed class TurnStream(ChannelWriter<TurnEvent> events) : IDisposable
{
    private readonly Channel<string> _deltas = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<string> _sentences =
        Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly StringBuilder _streamed = new();
    private readonly StringBuilder _pending = new();
    private Task? _pump;
    private Task<SpokenAnswer>? _speaker;

    /// <summary>Where the answer stage writes its pieces. A channel, because a stage cut off at its budget may still write after the turn moved on.</summary>
    public ChannelWriter<string> AnswerDeltas => _deltas.Writer;

    /// <summary>When the first piece of the answer went out, in milliseconds from the turn's start.</summary>
    public double? FirstTokenMs { get; private set; }

    /// <summary>When the first sentence's audio went out; null when nothing was spoken. Read once speech is done.</summary>
    public double? FirstAudioMs { get; private set; }

    /// <summary>What speech left, once it finished; null before, or when the turn does not speak.</summary>
    public SpokenAnswer? Spoken => _speaker is { IsCompletedSuccessfully: true } done ? done.Result : null;

    /// <summary>Starts the pump, and the speaker when the turn speaks. The turn's <see cref="TurnContext.Stream"/> is this.</summary>
    public void Start(TurnContext turn, StreamedSpeechStage speech, CancellationToken cancellationToken)
    {
        _pump = Task.Run(() => PumpAsync(turn), CancellationToken.None);
        if (speech.Applies(turn))
        {
            _speaker = speech.SpeakAsync(turn, _sentences.Reader, (index, text, wav) =>
            {
                // On the speaker's flow; the turn's flow reads it only after awaiting the speaker.
                FirstAudioMs ??= turn.ElapsedMs;
                events.TryWrite(new TurnEvent.Audio(index, text, wav));
            }, cancellationToken);
        }
    }

    public void Transcript(TurnContext turn) => events.TryWrite(new TurnEvent.Transcript(turn.Transcript, turn.QueryRewritten ? turn.Query : null, turn.Rewrite));

    public void Sources(TurnContext turn) => events.TryWrite(new TurnEvent.Sources(turn.Sources(), turn.Cached is not null));

    /// <summary>
    /// The answer is settled: pieces the stage still writes are refused, what it holds beyond what was
    /// streamed (all of it when it came whole, from the answer cache or a fallback) goes out word by word,
    /// and the last sentence goes to speech.
    /// </summary>
    public async Task CompleteAnswerAsync(TurnContext turn)
    {
        _deltas.Writer.TryComplete();
        if (_pump is not null)
        {
            await _pump;
        }
        foreach (var piece in ExtractiveAnswerGenerator.WordPieces(StreamedAnswer.Remainder(_streamed.ToString(), turn.Answer!)))
        {
            Publish(turn, piece);
        }
        var last = _pending.ToString().Trim();
        _pending.Clear();
        if (last.Length > 0)
        {
            _sentences.Writer.TryWrite(last);
        }
        _sentences.Writer.TryComplete();
    }

    /// <summary>Speech of every sentence, once the last is spoken.</summary>
    public Task<SpokenAnswer> SpokenAsync() => _speaker ?? Task.FromResult(SpokenAnswer.Nothing);

    private async Task PumpAsync(TurnContext turn)
    {
        // Ends when the answer is settled (CompleteAnswerAsync) or the turn is disposed.
        await foreach (var delta in _deltas.Reader.ReadAllAsync(CancellationToken.None))
        {
            Publish(turn, delta);
        }
    }

    /// <summary>On the pump while the answer streams, then on the turn's flow once the pump is done: never both at once.</summary>
    private void Publish(TurnContext turn, string delta)
    {
        FirstTokenMs ??= turn.ElapsedMs;
        _streamed.Append(delta);
        events.TryWrite(new TurnEvent.AnswerDelta(delta));
        _pending.Append(delta);
        while (StreamedAnswer.TakeSentence(_pending) is { } sentence)
        {
            _sentences.Writer.TryWrite(sentence);
        }
    }

    public void Dispose()
    {
        _deltas.Writer.TryComplete();
        _sentences.Writer.TryComplete();
    }
}
