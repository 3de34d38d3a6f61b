using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Parley.Domain;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;

namespace Parley.Knowledge.Jobs;

public sealed partial class IngestionJobStore
{
    /// <summary>
    /// Queues an uploaded file as sent, to be extracted by the worker in the extractor sandbox. What
    /// can be checked without reading the file (title, source, metadata) is checked now (400); what
    /// the file holds fails the job, with the reason.
    /// </summary>
    public async Task<(IngestionJob Job, bool Created)> EnqueueFileAsync(AccountId account, string source, JobFile file, JsonElement? metadata,
        CancellationToken cancellationToken)
    {
        var request = new IngestRequest(source, file.DisplayTitle, new ExtractedDocument(null, []), metadata);
        new Validation()
            .Text(request.Title, "title", 500)
            .Text(request.Source, "source", 1000)
            .Require(metadata is null || metadata.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null,
                "metadata", "metadata must be a JSON object.")
            .Require(JsonLimits.Fits(metadata, JsonLimits.MetadataBytes), "metadata", $"metadata is larger than {JsonLimits.MetadataBytes} bytes.")
            .Require(file.Bytes.Length > 0, "file", "The file is empty.")
            .ThrowIfInvalid();
        return await InsertAsync(account, request, FileHash(file, metadata), "", file.Bytes.Length, file, cancellationToken);
    }

    /// <summary>The same file with the same title and metadata, queued twice, is one job.</summary>
    private static byte[] FileHash(JobFile file, JsonElement? metadata)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var meta = metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : "{}";
        hash.AppendData(Encoding.UTF8.GetBytes($"file\n{file.Name}\n{file.Title}\n{meta}\n"));
        hash.AppendData(file.Bytes);
        return hash.GetHashAndReset();
    }
}
