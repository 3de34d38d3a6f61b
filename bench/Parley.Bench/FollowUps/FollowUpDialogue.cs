using System.Text.Json;

namespace Parley.Bench.FollowUps;

/// <summary>
/// A two-turn dialogue of the follow-up benchmark: a first question, a follow-up that only makes sense
/// after it, and the title of the document that answers the follow-up.
/// </summary>
internal sealed record FollowUpDialogue(string First, string FollowUp, string Answer)
{
    /// <summary>The knowledge base it is asked of: <c>demo</c> or <c>debianReference</c> (set on load, not in the files).</summary>
    public string Corpus { get; init; } = "";

    public static IReadOnlyList<FollowUpDialogue> Load(string file, string corpus)
    {
        var dialogues = JsonSerializer.Deserialize<List<FollowUpDialogue>>(File.ReadAllText(file), JsonSerializerOptions.Web)
            ?? throw new InvalidDataException($"{file}: no dialogues.");
        foreach (var d in dialogues)
        {
            if (string.IsNullOrWhiteSpace(d.First) || string.IsNullOrWhiteSpace(d.FollowUp) || string.IsNullOrWhiteSpace(d.Answer))
            {
                throw new InvalidDataException($"{file}: every dialogue needs first, followUp and answer.");
            }
        }
        return dialogues.Select(d => d with { Corpus = corpus }).ToList();
    }

    /// <summary>The first <paramref name="count"/> dialogues taking the sets in turn, so a short run still asks every corpus.</summary>
    public static IReadOnlyList<FollowUpDialogue> Interleave(IReadOnlyList<IReadOnlyList<FollowUpDialogue>> sets, int count)
    {
        var taken = new List<FollowUpDialogue>();
        for (var i = 0; taken.Count < count && sets.Any(s => i < s.Count); i++)
        {
            taken.AddRange(sets.Where(s => i < s.Count).Select(s => s[i]).Take(count - taken.Count));
        }
        return taken;
    }
}
