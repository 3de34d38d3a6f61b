namespace Parley.Domain.Knowledge;

/// <summary>Told about every completed search (knowledge API, CLI, phone turns), for the durable per-search records and alerts.</summary>
public interface ISearchObserver
{
    /// <summary>Called on the search's own thread: implementations must only queue, never block.</summary>
    void Searched(AccountId account, SearchObservation observation);
}
