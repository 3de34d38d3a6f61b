namespace Parley.Domain;

/// <summary>The request clashes with existing data (a duplicate unique value); answered 409.</summary>
public sealed class ConflictException(string message) : Exception(message);
