using Parley.Domain.Knowledge;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>search</c>: the agent's top-k passages, by the query's vector (or hybrid), or by full text alone
/// when the embed stage fell back. Cut off, the turn answers without passages.
/// </summary>
internal sealed class SearchStage(IKnowledgeSearch search) : TurnStage
{
    public const string StageName = "search";

    public override string Name => StageName;

    public override TimeSpan? Budget(CallOptions options) => TimeSpan.FromMilliseconds(options.SearchBudgetMs);

    /// <remarks>Stands aside when <c>prefetch</c> gave the turn an interim's passages.</remarks>
    public override bool Applies(TurnContext turn) => !turn.Answered && turn.PrefetchMatch is null;

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var agent = turn.Agent;
        var vector = turn.Vector;
        var mode = vector is null ? SearchMode.FullText : agent.Hybrid ? SearchMode.Hybrid : SearchMode.Vector;
        var request = new SearchRequest(turn.Query!, agent.TopK, null, null, mode);
        var response = vector is null
            ? await search.SearchAsync(turn.Account, request, cancellationToken)
            : await search.SearchAsync(turn.Account, request, vector, cancellationToken);
        return StageResult.Succeeded(t =>
        {
            t.Passages = response.Results;
            if (vector is null)
            {
                // A full-text rank is no cosine: the agent's similarity threshold does not apply to it,
                // and matching the question's words is what let the passage in.
                t.RelevanceFloor = 0;
            }
        });
    }
}
