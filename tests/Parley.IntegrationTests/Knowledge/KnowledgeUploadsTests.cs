using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Parley.Domain;
using Parley.Knowledge;
using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Jobs;
using Xunit;

namespace Parley.IntegrationTests.Knowledge;

/// <summary>
/// The upload decision, made by the knowledge library itself rather than by an endpoint: the fixture
/// queues above 2 000 bytes and runs no worker, so a queued job stays queued for the test to see.
/// </summary>
public sealed class KnowledgeUploadsTests(JobsFixture jobs) : IClassFixture<JobsFixture>
{
    private KnowledgeUploads Uploads => jobs.App.Services.GetRequiredService<KnowledgeUploads>();

    private async Task<AccountId> AccountAsync() => new((await jobs.NewTenantAsync()).Id);

    [Fact]
    public async Task A_small_text_is_ingested_while_the_caller_waits_and_the_same_again_is_unchanged()
    {
        var account = await AccountAsync();
        var text = new TextUpload("Hours", "We open at nine and close at ten.", null, null);
        var first = await Uploads.UploadTextAsync(account, text, background: null, CancellationToken.None);
        Assert.Null(first.Job);
        Assert.Equal(IngestStatus.Created, first.Document!.Status);
        Assert.True(first.Document.Chunks >= 1);
        var again = await Uploads.UploadTextAsync(account, text, background: null, CancellationToken.None);
        Assert.Equal((IngestStatus.Unchanged, first.Document.DocumentId), (again.Document!.Status, again.Document.DocumentId));
    }

    [Fact]
    public async Task A_text_over_the_threshold_or_sent_to_the_background_is_queued_not_ingested()
    {
        var account = await AccountAsync();
        var large = await Uploads.UploadTextAsync(account, new TextUpload("Large", IngestionJobTests.Text(8, 1), null, null),
            background: null, CancellationToken.None);
        var asked = await Uploads.UploadTextAsync(account, new TextUpload("Small", "A short note.", null, null),
            background: true, CancellationToken.None);
        foreach (var result in new[] { large, asked })
        {
            Assert.Null(result.Document);
            Assert.Equal(JobStatus.Queued, result.Job!.Status);
            Assert.Equal(JobStatus.Queued, (await jobs.Store.GetAsync(account, result.Job.Id, CancellationToken.None)).Status);
        }
        // And the other way: a large text the caller wants now is ingested now.
        var now = await Uploads.UploadTextAsync(account, new TextUpload("Large now", IngestionJobTests.Text(8, 2), null, null),
            background: false, CancellationToken.None);
        Assert.Equal(IngestStatus.Created, now.Document!.Status);
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_before_a_byte_of_it_is_read()
    {
        var account = await AccountAsync();
        var limit = jobs.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KnowledgeOptions>>().Value.MaxDocumentBytes;
        await using var unreadable = new UnreadableStream();
        var e = await Assert.ThrowsAsync<InvalidRequestException>(() => Uploads.UploadFileAsync(account,
            new FileUpload("big.md", "text/markdown", limit + 1L, unreadable, null, null, null), null, CancellationToken.None));
        Assert.Contains("file", e.Errors.Keys);
        Assert.False(unreadable.Touched);
    }

    [Fact]
    public async Task A_file_takes_its_title_from_its_heading_and_its_metadata_from_the_form_field()
    {
        var account = await AccountAsync();
        await using var content = new MemoryStream(Encoding.UTF8.GetBytes("# Terrace\n\nDogs are welcome on the terrace."));
        var result = await Uploads.UploadFileAsync(account, new FileUpload("dogs.md", "text/markdown", content.Length, content,
            null, null, "{\"floor\": 1}"), null, CancellationToken.None);
        var document = await jobs.App.Services.GetRequiredService<KnowledgeDocuments>()
            .GetAsync(account, result.Document!.DocumentId, CancellationToken.None);
        Assert.Equal(("Terrace", "dogs.md"), (document.Title, document.Source));
        Assert.Equal(1, document.Metadata.GetProperty("floor").GetInt32());

        await using var again = new MemoryStream(Encoding.UTF8.GetBytes("text"));
        var bad = await Assert.ThrowsAsync<InvalidRequestException>(() => Uploads.UploadFileAsync(account,
            new FileUpload("x.md", null, again.Length, again, null, null, "{not json"), null, CancellationToken.None));
        Assert.Contains("metadata", bad.Errors.Keys);
    }

    private sealed class UnreadableStream : MemoryStream
    {
        public bool Touched { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => throw Touch();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw Touch();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw Touch();

        private InvalidOperationException Touch()
        {
            Touched = true;
            return new InvalidOperationException("read");
        }
    }
}
