namespace Parley.Domain;

/// <summary>
/// The caller is known but may not do this (answered 403); <see cref="MissingScope"/> names the API-key
/// scope it lacks, when a scope is what is missing.
/// </summary>
public sealed class ForbiddenException(string message, string? missingScope = null) : Exception(message)
{
    public string? MissingScope { get; } = missingScope;
}
