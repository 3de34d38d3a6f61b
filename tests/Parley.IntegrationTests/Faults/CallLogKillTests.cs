using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Parley.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Parley.IntegrationTests.Faults;

/// <summary>
/// A turn answered is a turn logged, even when the server is killed (SIGKILL: no shutdown, no flush) and
/// the database had not written the turns yet. The turns' table is locked for the second half of the
/// run, so the answered turns pile up unwritten; the server is killed; the next start writes them.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class CallLogKillTests(FaultCluster faults, ITestOutputHelper output) : IDisposable
{
    private const string AdminKey = "padm_call_log_kill_test_key_0000";
    private readonly string _home = Directory.CreateTempSubdirectory("parley-kill-").FullName;

    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__Parley"] = faults.ConnectionString,
        ["Parley__AdminKey"] = AdminKey,
        ["PARLEY_HOME"] = _home,
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Parley__Calls__TurnBudgetMs"] = "5000",
    };

    private async Task<long> StoredAsync(IReadOnlyCollection<Guid> ids)
    {
        await using var su = faults.Own.Superuser();
        await using var cmd = su.CreateCommand("SELECT count(*) FROM call_turns WHERE id = ANY($1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Every_turn_a_client_saw_answered_is_in_call_turns_after_the_server_is_killed_and_started_again()
    {
        var dll = ServerProcess.FindServerDll() ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        var answered = new ConcurrentBag<Guid>();
        long beforeKill;
        var first = await ServerProcess.StartAsync(dll, Environment(), TimeSpan.FromSeconds(90), CancellationToken.None);
        try
        {
            using var http = new HttpClient { BaseAddress = first.BaseUrl };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            var (_, tenant) = await FaultCluster.NewTenantAsync(http, () => new HttpClient { BaseAddress = first.BaseUrl }, "Killed");
            var agent = (await (await tenant.PostAsJsonAsync("/v1/agents", new { name = "Host" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var calls = new List<Guid>();
            for (var i = 0; i < 4; i++)
            {
                calls.Add((await (await tenant.PostAsJsonAsync("/v1/calls", new { agentId = agent })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
            }

            using var stop = new CancellationTokenSource();
            async Task TurnsAsync(Guid call)
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    try
                    {
                        var response = await tenant.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = $"Question {n} on {call}" });
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            answered.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                    {
                        // The server was killed under this request: the client never saw it answered.
                    }
                }
            }
            var load = calls.Select(TurnsAsync).ToList();
            // Some turns written the ordinary way first (a deadline, not a sleep).
            using (var warm = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while (answered.Count < 10)
                {
                    Assert.False(warm.IsCancellationRequested, $"only {answered.Count} turns answered within 60 s before the lock");
                    await Task.Delay(20, CancellationToken.None);
                }
            }

            // Hold every INSERT into call_turns back (reads of calls and agents still pass), then kill the server with turns unwritten.
            await using var su = faults.Own.Superuser();
            await using var locker = await su.OpenConnectionAsync();
            await using var tx = await locker.BeginTransactionAsync();
            await using (var lockCmd = new NpgsqlCommand("LOCK TABLE call_turns IN EXCLUSIVE MODE", locker, tx))
            {
                await lockCmd.ExecuteNonQueryAsync();
            }
            var atLock = answered.Count;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (answered.Count < atLock + 20 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, CancellationToken.None);
            }
            first.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(load);
            beforeKill = await StoredAsync(answered.ToArray());
            await tx.RollbackAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }
        var ids = answered.ToArray();
        Assert.True(ids.Length - beforeKill >= 20, $"only {ids.Length - beforeKill} of {ids.Length} answered turns were unwritten at the kill: the test did not test the spool");

        await using var second = await ServerProcess.StartAsync(dll, Environment(), TimeSpan.FromSeconds(90), CancellationToken.None);
        var until = DateTime.UtcNow.AddSeconds(60);
        long stored;
        while ((stored = await StoredAsync(ids)) < ids.Length && DateTime.UtcNow < until)
        {
            await Task.Delay(50, CancellationToken.None);
        }
        Assert.True(stored == ids.Length, $"{stored} of {ids.Length} answered turns stored after the restart ({beforeKill} before the kill)\n{second.Output}");
        output.WriteLine($"{ids.Length} turns answered, {ids.Length - beforeKill} of them not yet in call_turns when the server was killed; {stored} stored after the restart");
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
