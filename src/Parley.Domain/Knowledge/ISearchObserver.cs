namespace Parley.Domain.Knowledge;

/// <summary>One search as the monitoring side records it.</summary>
public sealed record SearchObservation(DateTimeOffset At, double SearchMs, double EmbedMs, double TotalMs, bool EmbeddingCached, string Strategy, int Results);

/// <summary>Told about every search (knowledge API, CLI, phone turns), for the durable per-search records and alerts.</summary>
public interface ISearchObserver
{
    void Searched(AccountId account, SearchObservation observation);
}
