using System.Collections.Concurrent;

namespace Parley.Calls.Pipeline;

/// <summary>One exchange of a call as the next turns need it: what was said, what retrieval ran on, what was answered.</summary>
public sealed record HistoryTurn(string Question, string Query, string Answer);

/// <summary>The last turns of each live call, for the LLM's context and the follow-up rewrite (in process; a call lives on one server).</summary>
public sealed class CallHistory
{
    private readonly ConcurrentDictionary<Guid, List<HistoryTurn>> _calls = new();

    public IReadOnlyList<(string Question, string Answer)> Recent(Guid callId, int count) =>
        Turns(callId, count).Select(t => (t.Question, t.Answer)).ToList();

    /// <summary>The standalone queries of the call's last turns, oldest first.</summary>
    public IReadOnlyList<string> RecentQueries(Guid callId, int count) =>
        Turns(callId, count).Select(t => t.Query).ToList();

    private List<HistoryTurn> Turns(Guid callId, int count)
    {
        if (!_calls.TryGetValue(callId, out var turns))
        {
            return [];
        }
        lock (turns)
        {
            return turns.Skip(Math.Max(0, turns.Count - count)).ToList();
        }
    }

    /// <summary>Adds a turn; returns its ordinal within the call.</summary>
    public int Add(Guid callId, string question, string answer, string? query = null)
    {
        var turns = _calls.GetOrAdd(callId, _ => []);
        lock (turns)
        {
            turns.Add(new HistoryTurn(question, query ?? question, answer));
            return turns.Count - 1;
        }
    }

    public void End(Guid callId) => _calls.TryRemove(callId, out _);
}
