using System.Collections.Concurrent;

namespace Parley.Calls.Pipeline;

/// <summary>The last turns of each live call, for the LLM's context (in process; a call lives on one server).</summary>
public sealed class CallHistory
{
    private readonly ConcurrentDictionary<Guid, List<(string Q, string A)>> _calls = new();

    public IReadOnlyList<(string Question, string Answer)> Recent(Guid callId, int count)
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
    public int Add(Guid callId, string question, string answer)
    {
        var turns = _calls.GetOrAdd(callId, _ => []);
        lock (turns)
        {
            turns.Add((question, answer));
            return turns.Count - 1;
        }
    }

    public void End(Guid callId) => _calls.TryRemove(callId, out _);
}
