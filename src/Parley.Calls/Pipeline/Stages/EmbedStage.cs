using Microsoft.Extensions.AI;
using Parley.Domain;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>embed</c>: the query's vector, computed once for the answer cache and the search. Under load the
/// time goes to waiting for a model session behind other turns, searches and ingestion, so it has a
/// budget of its own. On a miss the turn has no vector: the answer cache then matches the exact text
/// and the search runs on full text alone.
/// </summary>
internal sealed class EmbedStage(IEmbeddingGenerator<string, Embedding<float>> embeddings) : TurnStage
{
    public const string StageName = "embed";

    public override string Name => StageName;

    public override TimeSpan? Budget(CallOptions options) => TimeSpan.FromMilliseconds(options.EmbedBudgetMs);

    /// <remarks>A vector is already there when <c>prefetch</c> found an interim of the very same words.</remarks>
    public override bool Applies(TurnContext turn) => !turn.Answered && turn.Vector is null;

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var generation = new EmbeddingGenerationOptions { AdditionalProperties = new()
        {
            [EmbeddingProperties.Account] = turn.Account.ToString(),
            [EmbeddingProperties.Priority] = EmbeddingPriority.Turn,
        } };
        var vector = (await embeddings.GenerateVectorAsync(turn.Query!, generation, cancellationToken)).ToArray();
        return StageResult.Succeeded(t => t.Vector = vector);
    }
}
