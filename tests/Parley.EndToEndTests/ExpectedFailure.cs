using System.Text.RegularExpressions;

namespace Parley.EndToEndTests;

/// <summary>
/// A failed response a scenario provokes on purpose (a 400 with field errors, say): <paramref name="Path"/> is a
/// regular expression matched against the whole path, without the query. Anything else that fails fails the
/// scenario, and an expected failure that never happens does too, so the allow-list cannot outlive its reason.
/// </summary>
public sealed record ExpectedFailure(string Method, string Path, int Status)
{
    public bool Matches(string method, string path, int status) =>
        status == Status && (method.Length == 0 || string.Equals(method, Method, StringComparison.OrdinalIgnoreCase))
        && Regex.IsMatch(path, $"^{Path}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public override string ToString() => $"{Method} {Path} → {Status}";
}
