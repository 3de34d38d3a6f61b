namespace Parley.Calls.Interim;

/// <summary>One interim of a call: its text, and its prefetch, running or done (null when it failed or was cut off).</summary>
internal sealed class InterimEntry(string text, long startedAt)
{
    public string Text { get; } = text;

    /// <summary>When it was offered (<see cref="TimeProvider.GetTimestamp"/>): entries older than the TTL are not used.</summary>
    public long StartedAt { get; } = startedAt;

    public TaskCompletionSource<Prefetched?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Whether two transcripts are the same words: case, surrounding spaces and end punctuation aside
    /// (a recogniser's last interim and its final often differ only by a capital and a question mark).
    /// </summary>
    public static bool SameText(string a, string b) => Core(a).Equals(Core(b), StringComparison.OrdinalIgnoreCase);

    private static ReadOnlySpan<char> Core(string text) => text.AsSpan().Trim().TrimEnd("?.!,").TrimEnd();
}
