using System.Text.RegularExpressions;

namespace Parley.Domain;

/// <summary>Collects field errors and throws them together, so a client sees every problem at once.</summary>
public sealed partial class Validation
{
    private readonly Dictionary<string, string[]> _errors = [];

    public Validation Require(bool condition, string field, string message)
    {
        if (!condition)
        {
            _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        }
        return this;
    }

    public Validation Text(string? value, string field, int maxLength, bool required = true)
    {
        if (required && string.IsNullOrWhiteSpace(value))
        {
            return Require(false, field, $"{field} is required.");
        }
        return Require(value is null || value.Length <= maxLength, field, $"{field} is longer than {maxLength} characters.");
    }

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new InvalidRequestException(_errors);
        }
    }

    /// <summary>E.164: a plus, a country code not starting with 0, at most 15 digits in all.</summary>
    public static bool IsE164(string? phone) => phone is not null && E164().IsMatch(phone);

    [GeneratedRegex(@"^\+[1-9]\d{6,14}$")]
    private static partial Regex E164();
}
