namespace Parley.Knowledge.Extraction;

/// <summary>
/// Every extractor child stayed busy for the whole timeout: not the document's fault, so an upload
/// is told to come back (503) and a background job is retried later.
/// </summary>
public sealed class ExtractorBusyException(string message) : Exception(message);
