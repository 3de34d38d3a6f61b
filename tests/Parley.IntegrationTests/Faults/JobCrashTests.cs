using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Parley.IntegrationTests.Knowledge;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Faults;

[Collection(FaultCollection.Name)]
public sealed class JobCrashTests(FaultCluster faults) : IDisposable
{
    private const string AdminKey = "padm_job_crash_test_key_000000";
    private readonly string _home = Directory.CreateTempSubdirectory("parley-crash-").FullName;

    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__Parley"] = faults.ConnectionString,
        ["Parley__AdminKey"] = AdminKey,
        ["PARLEY_HOME"] = _home,
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Parley__Knowledge__Jobs__LeaseSeconds"] = "3",
        ["Parley__Knowledge__Jobs__HeartbeatMilliseconds"] = "250",
        ["Parley__Knowledge__Jobs__PollMilliseconds"] = "200",
    };

    private async Task<(string Status, int Done, int Total)> JobRowAsync(Guid id)
    {
        await using var su = faults.Own.Superuser();
        await using var cmd = su.CreateCommand("SELECT status, progress_done, progress_total FROM knowledge_jobs WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2));
    }

    [Fact]
    public async Task An_ingestion_job_whose_server_is_killed_half_way_finishes_after_a_restart_with_every_chunk_once()
    {
        var dll = ServerProcess.FindServerDll() ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        const string title = "Port Ellery almanac";
        var text = IngestionJobTests.Text(360, seed: 77);
        var expected = new Chunker(200, 40).Split(TextExtractor.FromMarkdown(text, title)).Count;
        Assert.InRange(expected, 120, 260);

        Guid account, job;
        var first = await ServerProcess.StartAsync(dll, Environment(), TimeSpan.FromSeconds(60), CancellationToken.None);
        try
        {
            using var http = new HttpClient { BaseAddress = first.BaseUrl };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            var created = await (await http.PostAsJsonAsync("/v1/accounts", new { name = "Crash" })).Content.ReadFromJsonAsync<JsonElement>();
            account = created.GetProperty("account").GetProperty("id").GetGuid();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("apiKey").GetString());
            var accepted = await http.PostAsJsonAsync("/v1/knowledge/documents?async=true", new { title, text });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
            job = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetGuid();

            // Kill the server once the job is well under way (its progress is recorded by heartbeats).
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var row = await JobRowAsync(job);
                Assert.NotEqual("succeeded", row.Status);
                if (row.Status == "running" && row.Done >= 32 && row.Done < row.Total)
                {
                    first.Kill();
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, $"the job never got going: {row}");
                await Task.Delay(50);
            }
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Killed half-way: nothing of the document is visible, the job still says it is running.
        await using (var su = faults.Own.Superuser())
        await using (var cmd = su.CreateCommand("SELECT count(*) FROM knowledge_documents WHERE account_id = $1"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = account });
            Assert.Equal(0L, await cmd.ExecuteScalarAsync());
        }
        Assert.Equal("running", (await JobRowAsync(job)).Status);

        await using var second = await ServerProcess.StartAsync(dll, Environment(), TimeSpan.FromSeconds(60), CancellationToken.None);
        using var admin = new HttpClient { BaseAddress = second.BaseUrl };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        admin.DefaultRequestHeaders.Add("X-Parley-Account", account.ToString());
        JsonElement done;
        var until = DateTime.UtcNow.AddSeconds(90);
        do
        {
            await Task.Delay(250);
            done = await admin.GetFromJsonAsync<JsonElement>($"/v1/knowledge/jobs/{job}");
            Assert.True(DateTime.UtcNow < until, $"the job did not finish after the restart: {done}\n{second.Output}");
        }
        while (done.GetProperty("status").GetString() is "queued" or "running");

        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal("created", done.GetProperty("result").GetString());
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.Equal(expected, done.GetProperty("chunks").GetInt32());
        await using var db = faults.Own.Superuser();
        await using var check = db.CreateCommand("""
            SELECT count(*), count(DISTINCT ordinal), min(ordinal), max(ordinal), count(DISTINCT document_id),
                   (SELECT count(*) FROM knowledge_documents WHERE account_id = $1)
            FROM knowledge_chunks WHERE account_id = $1
            """);
        check.Parameters.Add(new NpgsqlParameter { Value = account });
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((long)expected, reader.GetInt64(0));
        Assert.Equal((long)expected, reader.GetInt64(1));
        Assert.Equal(0, reader.GetInt32(2));
        Assert.Equal(expected - 1, reader.GetInt32(3));
        Assert.Equal(1L, reader.GetInt64(4));
        Assert.Equal(1L, reader.GetInt64(5));
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
