using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Parley.Domain;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Jobs;

namespace Parley.Knowledge;

/// <summary>
/// A document as uploaded, from either door (a file, or JSON text), and the one decision about it:
/// small documents are ingested while the caller waits; larger ones than
/// <c>Parley:Knowledge:Jobs:AsyncAboveBytes</c>, or any the caller asks to run in the background, are
/// queued as a durable job. Every document is extracted in the extractor sandbox (a child process),
/// never in this process: JSON text and a waited-for file now (a bad one is refused at once), a
/// queued file by the worker (a bad one fails its job, with the reason).
/// </summary>
public sealed class KnowledgeUploads(
    KnowledgeIngestion ingestion,
    IngestionJobStore jobs,
    IngestionJobWorker worker,
    ExtractionSandbox extraction,
    IOptions<KnowledgeOptions> options,
    IOptions<IngestionJobOptions> jobOptions)
{
    /// <param name="background">True or false forces the choice; null leaves it to the document's size.</param>
    public async Task<UploadResult> UploadFileAsync(AccountId account, FileUpload file, bool? background,
        CancellationToken cancellationToken)
    {
        var max = options.Value.MaxDocumentBytes;
        if (file.Length > max)
        {
            // Refused before a byte is buffered: the length is the form's own.
            throw new InvalidRequestException("file", $"The file is {file.Length} bytes; the limit is {max}.");
        }
        using var buffer = new MemoryStream();
        await file.Content.CopyToAsync(buffer, cancellationToken);
        JsonElement? metadata = file.Metadata is { Length: > 0 } m ? ParseMetadata(m) : null;
        var source = file.Source ?? file.FileName;
        if (background ?? file.Length > jobOptions.Value.AsyncAboveBytes)
        {
            var (job, _) = await jobs.EnqueueFileAsync(account, source,
                new JobFile(file.FileName, file.ContentType, file.Title, buffer.ToArray()), metadata, cancellationToken);
            worker.Wake();
            return UploadResult.Queued(job);
        }
        var extracted = await extraction.ExtractAsync(file.FileName, file.ContentType, buffer.ToArray(), file.Title, cancellationToken);
        var request = new IngestRequest(source, extracted.Title ?? Path.GetFileNameWithoutExtension(file.FileName), extracted, metadata);
        return UploadResult.Ingested(await ingestion.IngestAsync(account, request, null, cancellationToken));
    }

    /// <param name="background">True or false forces the choice; null leaves it to the text's size.</param>
    public async Task<UploadResult> UploadTextAsync(AccountId account, TextUpload text, bool? background,
        CancellationToken cancellationToken)
    {
        new Validation()
            .Text(text.Title, "title", 500)
            .Text(text.Text, "text", options.Value.MaxDocumentBytes)
            .ThrowIfInvalid();
        var utf8 = Encoding.UTF8.GetBytes(text.Text!);
        var extracted = await extraction.ExtractAsync("text.md", "text/markdown", utf8, text.Title, cancellationToken);
        var request = new IngestRequest(text.Source ?? text.Title!, text.Title!, extracted, text.Metadata);
        var bytes = utf8.Length;
        return await SubmitAsync(account, request, bytes, background, cancellationToken);
    }

    private async Task<UploadResult> SubmitAsync(AccountId account, IngestRequest request, long bytes, bool? background,
        CancellationToken cancellationToken)
    {
        if (background ?? bytes > jobOptions.Value.AsyncAboveBytes)
        {
            var (job, _) = await jobs.EnqueueAsync(account, request, bytes, cancellationToken);
            // This process's worker starts at once rather than at its next poll.
            worker.Wake();
            return UploadResult.Queued(job);
        }
        return UploadResult.Ingested(await ingestion.IngestAsync(account, request, null, cancellationToken));
    }

    private static JsonElement ParseMetadata(string json)
    {
        try
        {
            return JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException)
        {
            throw new InvalidRequestException("metadata", "metadata must be a JSON object.");
        }
    }
}
