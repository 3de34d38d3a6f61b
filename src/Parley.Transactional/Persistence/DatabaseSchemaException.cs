namespace Parley.Transactional.Persistence;

/// <summary>The database does not fit this deployment; the message names what differs.</summary>
public sealed class DatabaseSchemaException(string message) : Exception(message);
