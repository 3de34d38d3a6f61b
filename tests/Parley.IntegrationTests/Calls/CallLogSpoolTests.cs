using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Calls;
using Parley.Calls.CallLog;
using Parley.Data;
using Parley.Data.Writers;
using Parley.Domain;
using Parley.IntegrationTests.Transactional;
using Parley.Transactional.Calls;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>The call log's local spool: what an earlier process left is written once, and what does not fit in memory waits there.</summary>
public sealed class CallLogSpoolTests(ApiFixture api) : IClassFixture<ApiFixture>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-spool-").FullName;

    private string Folder => RecordSpool.DirectoryFor(_root, api.ConnectionString);

    private CallLogWriter NewWriter(int capacity = 100_000)
    {
        var sp = api.App.Services;
        return new CallLogWriter(sp.GetRequiredService<CallLogStore>(), Options.Create(new CallOptions { SpoolPath = _root, CallLogCapacity = capacity }),
            sp.GetRequiredService<IOptions<DatabaseOptions>>(), sp.GetRequiredService<DeadLetterStore>(), sp.GetRequiredService<DataMetrics>(),
            sp.GetRequiredService<IMeterFactory>(), TimeProvider.System, sp.GetRequiredService<ILogger<CallLogWriter>>());
    }

    private async Task<(AccountId Account, Guid Call)> CallAsync()
    {
        var a = await api.NewTenantAsync("Spool");
        var agent = (await (await a.Client.PostAsJsonAsync("/v1/agents", new { name = "Log" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var call = (await (await a.Client.PostAsJsonAsync("/v1/calls", new { agentId = agent })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return (new AccountId(a.Id), call);
    }

    private static CallTurn Turn(AccountId account, Guid call, int ordinal) =>
        new() { AccountId = account, Id = Guid.CreateVersion7(), CallId = call, Ordinal = ordinal, Transcript = $"q{ordinal}", Answer = "a", CreatedAt = DateTimeOffset.UtcNow };

    private static string Line(CallTurn turn) => JsonSerializer.Serialize(new CallLogRecord(turn, null), JsonSerializerOptions.Web) + "\n";

    private async Task<long> TurnsAsync(Guid call)
    {
        await using var su = api.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT count(*) FROM call_turns WHERE call_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = call });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task RunAsync(CallLogWriter writer)
    {
        await writer.StartAsync(CancellationToken.None);
        using (var flush = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            try
            {
                await writer.FlushAsync(flush.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the writer did not drain: backlog {writer.Backlog}, its loop {writer.ExecuteTask?.Status}: {writer.ExecuteTask?.Exception}");
            }
        }
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Records_a_stopped_process_left_in_the_spool_are_written_once_by_the_next_start_and_a_segment_held_by_a_live_one_is_left_alone()
    {
        var (account, call) = await CallAsync();
        var turns = Enumerable.Range(0, 5).Select(i => Turn(account, call, i)).ToList();
        // The first turn reached the database before its process died; the others did not.
        await api.App.Services.GetRequiredService<CallLogStore>().AppendAsync([turns[0]], [], CancellationToken.None);
        Directory.CreateDirectory(Folder);
        var left = Path.Combine(Folder, $"calllog-{Guid.CreateVersion7():N}.spool");
        // A kill mid-write can tear the last line (only a crash of the host can; the writer writes a line in one go).
        await File.WriteAllTextAsync(left, string.Concat(turns.Take(4).Select(Line)) + Line(turns[4])[..40]);
        var live = Path.Combine(Folder, $"calllog-{Guid.CreateVersion7():N}.spool");
        var other = Turn(account, call, 9);
        await File.WriteAllTextAsync(live, Line(other));
        using var replayed = new MetricCollector<long>(api.App.Services.GetRequiredService<IMeterFactory>(), DataMetrics.MeterName, "parley.spool.replayed");

        // Another process still holds its segment (an exclusive lock, as every writer holds its own).
        using (File.OpenHandle(live, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            await RunAsync(NewWriter());
        }

        Assert.Equal(4L, await TurnsAsync(call));
        Assert.False(File.Exists(left), "the replayed segment is still there");
        Assert.True(File.Exists(live), "a segment held by a live process was taken");
        Assert.Equal(4, replayed.GetMeasurementSnapshot().Sum(m => m.Value));

        // Its owner gone (the lock is released), the next start writes it.
        await RunAsync(NewWriter());
        Assert.Equal(5L, await TurnsAsync(call));
        Assert.False(File.Exists(live));
        // And after a clean stop nothing is left behind.
        Assert.Empty(Directory.EnumerateFiles(Folder, "*.spool"));
    }

    [Fact]
    public async Task Records_beyond_the_in_memory_queue_wait_in_the_spool_instead_of_being_dropped()
    {
        var (account, call) = await CallAsync();
        var writer = NewWriter(capacity: 100);
        for (var i = 0; i < 350; i++)
        {
            writer.Enqueue(Turn(account, call, i), []);
        }
        Assert.Equal(350, writer.Backlog);
        Assert.True(writer.SpoolBytes > 0);

        await RunAsync(writer);

        Assert.Equal(0, writer.Dropped);
        Assert.Equal(0, writer.Backlog);
        Assert.Equal(350L, await TurnsAsync(call));
        Assert.Empty(Directory.EnumerateFiles(Folder, "*.spool"));
    }

    [Fact]
    public async Task A_record_read_back_from_the_spool_is_the_record_that_was_queued()
    {
        var (account, call) = await CallAsync();
        var writer = NewWriter(capacity: 100);
        for (var i = 0; i < 100; i++)
        {
            writer.Enqueue(Turn(account, call, i), []);
        }
        // The queue is full: this one is in the spool only, and reaches the database from there.
        var turn = Turn(account, call, 100);
        turn.Transcript = "tab\t, line\nfeed, \"quotes\", caf\u00e9, \u65e5\u672c";
        turn.Sources = """[{"chunkId":"x","title":"Menu","similarity":0.5}]""";
        turn.Degraded = ["llm", "tts"];
        turn.ChunkIds = [Guid.CreateVersion7(), Guid.CreateVersion7()];
        turn.LlmMs = 12.345;
        turn.Cached = true;
        writer.Enqueue(turn, []);
        await RunAsync(writer);

        await using var su = api.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT transcript, sources::text, degraded, chunk_ids, llm_ms, cached, ordinal FROM call_turns WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = turn.Id });
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(turn.Transcript, reader.GetString(0));
        Assert.Equal(JsonDocument.Parse(turn.Sources).RootElement.GetArrayLength(), JsonDocument.Parse(reader.GetString(1)).RootElement.GetArrayLength());
        Assert.Equal(turn.Degraded, reader.GetFieldValue<string[]>(2));
        Assert.Equal(turn.ChunkIds, reader.GetFieldValue<Guid[]>(3));
        Assert.Equal(turn.LlmMs, reader.GetDouble(4));
        Assert.True(reader.GetBoolean(5));
        Assert.Equal(100, reader.GetInt32(6));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
