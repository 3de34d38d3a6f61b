using System.Text;
using System.Threading.Channels;
using Parley.Calls.Providers;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>llm</c>: the answer from the passages and the conversation so far, with the tokens it cost.
/// Cut off, failed or empty, the turn gets the extractive answer built from the same passages. A clean
/// answer (vector search, nothing degraded) is remembered by the answer cache.
/// </summary>
internal sealed class AnswerStage(IAnswerGenerator llm, SemanticAnswerCache cache) : TurnStage
{
    public const string StageName = "llm";

    public override string Name => StageName;

    public override TimeSpan? Budget(CallOptions options) => TimeSpan.FromMilliseconds(options.LlmBudgetMs);

    public override bool Applies(TurnContext turn) => !turn.Answered;

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var context = Context(turn);
        var answer = turn.AnswerDeltas is { } deltas
            ? await StreamAsync(context, deltas, cancellationToken)
            : await llm.AnswerAsync(context, cancellationToken);
        if (string.IsNullOrWhiteSpace(answer.Text))
        {
            return StageResult.Retryable("empty answer");
        }
        return StageResult.Succeeded(t =>
        {
            t.Answer = answer.Text;
            t.Usage = answer.Usage;
            if (t.Vector is { } vector && !t.IsDegraded(SearchStage.StageName))
            {
                var shapedByHistory = llm.UsesHistory && t.History.Count > 0;
                cache.Add(t.Agent.Id, new CachedAnswer(t.Query!, vector, answer.Text, t.Passages, t.KnowledgeVersion, t.QueryRewritten || shapedByHistory,
                    t.Agent.UpdatedAt));
            }
        });
    }

    /// <summary>
    /// The answer piece by piece into the turn's stream, and whole for the turn. A stream carries no
    /// usage of its own here, so a model's tokens are estimated from the prompt and the reply.
    /// </summary>
    private async Task<GeneratedAnswer> StreamAsync(AnswerContext context, ChannelWriter<string> deltas, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        await foreach (var delta in llm.StreamAsync(context, cancellationToken))
        {
            text.Append(delta);
            deltas.TryWrite(delta);
        }
        var answer = text.ToString().Trim();
        var prompt = context.SystemPrompt.Length + context.Question.Length + context.Passages.Sum(p => p.Content.Length)
            + context.History.Sum(h => h.Question.Length + h.Answer.Length);
        return new GeneratedAnswer(answer, llm is ExtractiveAnswerGenerator ? null : AnswerUsage.Estimate(prompt, answer.Length));
    }

    public override void FallBack(TurnContext turn) => turn.Answer = ExtractiveAnswerGenerator.Compose(Context(turn));

    private static List<(string Question, string Answer)> Recent(TurnContext turn) =>
        turn.History.TakeLast(turn.Options.HistoryTurns).Select(h => (h.Question, h.Answer)).ToList();

    private static AnswerContext Context(TurnContext turn) =>
        new(turn.Agent.SystemPrompt, turn.Query!, turn.Passages, Recent(turn), turn.RelevanceFloor);
}
