using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Xunit;

namespace Parley.IntegrationTests.Knowledge;

public sealed class IngestionJobTests(JobsFixture jobs) : IClassFixture<JobsFixture>
{
    /// <summary>Text of <paramref name="paragraphs"/> distinct paragraphs (~60 words each), unique per <paramref name="seed"/>.</summary>
    internal static string Text(int paragraphs, int seed)
    {
        string[] words = ["harbor", "lantern", "oyster", "terrace", "booking", "saffron", "ferry", "tide", "chowder", "pier", "menu", "sunset", "gallery", "bakery", "market", "violin"];
        var random = new Random(seed);
        var sb = new StringBuilder();
        for (var p = 0; p < paragraphs; p++)
        {
            sb.Append(CultureInfo($"Paragraph {p} of set {seed}:"));
            for (var w = 0; w < 60; w++)
            {
                sb.Append(' ').Append(words[random.Next(words.Length)]);
                if (w % 12 == 11)
                {
                    sb.Append(CultureInfo($" {random.Next(100_000)}."));
                }
            }
            sb.Append("\n\n");
        }
        return sb.ToString();
    }

    private static string CultureInfo(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<Guid> PostAsync(HttpClient client, object body, string query = "", HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        var response = await client.PostAsJsonAsync("/v1/knowledge/documents" + query, body);
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = json.GetProperty("jobId").GetGuid();
        Assert.Equal($"/v1/knowledge/jobs/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    private static async Task<JsonElement> JobAsync(HttpClient client, Guid id) =>
        await client.GetFromJsonAsync<JsonElement>($"/v1/knowledge/jobs/{id}");

    private async Task<(long Chunks, long Ordinals, long Documents)> StoredAsync(Guid account, string source)
    {
        await using var su = jobs.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("""
            SELECT count(c.id), count(DISTINCT c.ordinal), (SELECT count(*) FROM knowledge_documents WHERE account_id = $1 AND source = $2)
            FROM knowledge_documents d LEFT JOIN knowledge_chunks c ON c.account_id = d.account_id AND c.document_id = d.id
            WHERE d.account_id = $1 AND d.source = $2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = account });
        cmd.Parameters.Add(new NpgsqlParameter { Value = source });
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    [Fact]
    public async Task A_large_upload_answers_202_and_its_job_writes_the_whole_document_with_progress()
    {
        var a = await jobs.NewTenantAsync();
        var text = Text(12, seed: 1);
        var id = await PostAsync(a.Client, new { title = "Harbor guide", text });
        var queued = await JobAsync(a.Client, id);
        Assert.Equal("queued", queued.GetProperty("status").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount(text), queued.GetProperty("bytes").GetInt64());

        Assert.True(await jobs.Worker.RunOnceAsync(CancellationToken.None));
        var done = await JobAsync(a.Client, id);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal("created", done.GetProperty("result").GetString());
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
        var chunks = done.GetProperty("chunks").GetInt32();
        Assert.True(chunks > 1, $"{chunks} chunks");
        Assert.Equal(chunks, done.GetProperty("progress").GetProperty("done").GetInt32());
        Assert.Equal(chunks, done.GetProperty("progress").GetProperty("total").GetInt32());
        Assert.Equal(100, done.GetProperty("progress").GetProperty("percent").GetDouble());

        var stored = await StoredAsync(a.Id, "Harbor guide");
        Assert.Equal((chunks, chunks, 1L), stored);
        var search = await (await a.Client.PostAsJsonAsync("/v1/knowledge/search", new { query = "Paragraph 7 of set 1", topK = 3, mode = "hybrid" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(done.GetProperty("documentId").GetGuid(), search.GetProperty("results")[0].GetProperty("documentId").GetGuid());
        var list = await a.Client.GetFromJsonAsync<JsonElement>("/v1/knowledge/jobs");
        Assert.Equal(id, list.GetProperty("items")[0].GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task The_same_upload_queued_twice_is_one_job_and_running_it_again_later_writes_nothing()
    {
        var a = await jobs.NewTenantAsync();
        var body = new { title = "Ferry times", text = "The ferry leaves the pier at nine and returns at five." };
        var first = await PostAsync(a.Client, body, "?async=true");
        var second = await PostAsync(a.Client, body, "?async=true");
        Assert.Equal(first, second);
        Assert.True(await jobs.Worker.RunOnceAsync(CancellationToken.None));
        Assert.False(await jobs.Worker.RunOnceAsync(CancellationToken.None));
        var before = await StoredAsync(a.Id, "Ferry times");

        var again = await PostAsync(a.Client, body, "?async=true");
        Assert.NotEqual(first, again);
        Assert.True(await jobs.Worker.RunOnceAsync(CancellationToken.None));
        var rerun = await JobAsync(a.Client, again);
        Assert.Equal("succeeded", rerun.GetProperty("status").GetString());
        Assert.Equal("unchanged", rerun.GetProperty("result").GetString());
        Assert.Equal(before, await StoredAsync(a.Id, "Ferry times"));
    }

    [Fact]
    public async Task A_job_whose_worker_died_is_claimed_again_after_its_lease_and_finishes_exactly_once()
    {
        var a = await jobs.NewTenantAsync();
        var id = await PostAsync(a.Client, new { title = "Tides", text = Text(8, seed: 3) });
        // A worker claims the job and dies at once: no heartbeat, no result.
        var dead = await jobs.Store.ClaimAsync("dead-worker", CancellationToken.None);
        Assert.Equal(id, dead!.Id);
        Assert.False(await jobs.Worker.RunOnceAsync(CancellationToken.None));
        Assert.Equal("running", (await JobAsync(a.Client, id)).GetProperty("status").GetString());

        // Leases are judged by the database's clock (every worker shares it), so this waits for the lease to run out.
        await ClaimedWithinAsync(TimeSpan.FromSeconds(30));
        var done = await JobAsync(a.Client, id);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        var chunks = done.GetProperty("chunks").GetInt32();
        Assert.Equal((chunks, chunks, 1L), await StoredAsync(a.Id, "Tides"));

        // The dead worker's lease is gone: should it wake up, it can no longer touch the job.
        Assert.False(await jobs.Store.HeartbeatAsync(dead, "embedding", 1, 2, CancellationToken.None));
        Assert.False(await jobs.Store.FailAsync(dead, "late", null, CancellationToken.None));
        Assert.Equal("succeeded", (await JobAsync(a.Client, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_failing_job_is_retried_after_a_backoff_and_then_succeeds()
    {
        var a = await jobs.NewTenantAsync();
        var id = await PostAsync(a.Client, new { title = "Chowder", text = Text(4, seed: 4) }, "?async=true");
        jobs.Flaky.FailNext = 1;
        Assert.True(await jobs.Worker.RunOnceAsync(CancellationToken.None));
        var waiting = await JobAsync(a.Client, id);
        Assert.Equal("queued", waiting.GetProperty("status").GetString());
        Assert.Equal("waiting to retry", waiting.GetProperty("stage").GetString());
        Assert.Contains("provider is down", waiting.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(waiting.GetProperty("runAfter").GetDateTimeOffset() > waiting.GetProperty("createdAt").GetDateTimeOffset());

        await ClaimedWithinAsync(TimeSpan.FromSeconds(30));
        var done = await JobAsync(a.Client, id);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task A_job_that_keeps_failing_is_marked_failed_after_its_last_attempt_and_writes_nothing()
    {
        var a = await jobs.NewTenantAsync();
        var id = await PostAsync(a.Client, new { title = "Violin", text = Text(3, seed: 5) }, "?async=true");
        jobs.Flaky.FailNext = 1000;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((await JobAsync(a.Client, id)).GetProperty("status").GetString() != "failed" && DateTime.UtcNow < deadline)
            {
                await jobs.Worker.RunOnceAsync(CancellationToken.None);
                await Task.Delay(100);
            }
        }
        finally
        {
            jobs.Flaky.FailNext = 0;
        }
        var failed = await JobAsync(a.Client, id);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(3, failed.GetProperty("attempts").GetInt32());
        Assert.NotNull(failed.GetProperty("finishedAt").GetString());
        Assert.Equal((0L, 0L, 0L), await StoredAsync(a.Id, "Violin"));
    }

    [Fact]
    public async Task Bad_input_is_refused_before_anything_is_queued_and_another_tenant_sees_no_job()
    {
        var a = await jobs.NewTenantAsync();
        var b = await jobs.NewTenantAsync();
        var bad = await a.Client.PostAsJsonAsync("/v1/knowledge/documents?async=true", new { title = "Empty", text = "   " });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.PostAsJsonAsync("/v1/knowledge/documents?async=maybe", new { title = "T", text = "x" })).StatusCode);
        Assert.Equal(0, (await a.Client.GetFromJsonAsync<JsonElement>("/v1/knowledge/jobs")).GetProperty("items").GetArrayLength());

        var id = await PostAsync(a.Client, new { title = "Private", text = "Tenant A's private notes about the gallery." }, "?async=true");
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.GetAsync($"/v1/knowledge/jobs/{id}")).StatusCode);
        Assert.Equal(0, (await b.Client.GetFromJsonAsync<JsonElement>("/v1/knowledge/jobs")).GetProperty("items").GetArrayLength());
        Assert.True(await jobs.Worker.RunOnceAsync(CancellationToken.None));
    }

    /// <summary>Runs the worker until it takes a job (a lease or a backoff ran out), failing with a name after <paramref name="deadline"/>.</summary>
    private async Task ClaimedWithinAsync(TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (!await jobs.Worker.RunOnceAsync(CancellationToken.None))
        {
            Assert.True(DateTime.UtcNow < until, $"no job could be claimed within {deadline.TotalSeconds} s");
            await Task.Delay(50);
        }
    }
}
