namespace Parley.Knowledge.Jobs;

/// <summary>
/// A file uploaded for a background job, kept as sent until the worker extracts it.
/// <paramref name="Title"/> is the title the upload gave, if any (else the file's own, or its name).
/// </summary>
public sealed record JobFile(string Name, string? ContentType, string? Title, byte[] Bytes)
{
    /// <summary>What the job is listed as until the file is read: the given title, or the file name without extension.</summary>
    public string DisplayTitle => Title ?? Path.GetFileNameWithoutExtension(Name);
}
