namespace Parley.Domain;

/// <summary>Input that breaks a rule; the server answers 400 problem details with these field errors.</summary>
public sealed class InvalidRequestException(IDictionary<string, string[]> errors)
    : Exception(string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    public InvalidRequestException(string field, string message) : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public IDictionary<string, string[]> Errors { get; } = errors;
}
