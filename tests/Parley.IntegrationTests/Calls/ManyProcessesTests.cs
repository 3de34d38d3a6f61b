using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Calls.CallLog;
using Parley.IntegrationTests.Voice;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// Two server processes on one database, as behind a load balancer with no affinity: the in-process
/// host of <see cref="CallFixture"/> and a child process running <c>Parley.Server.dll</c>.
/// </summary>
public sealed class TwoProcessFixture : Xunit.IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-two-").FullName;

    public CallFixture Api { get; } = new();

    public ServerProcess Other { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        var dll = ServerProcess.FindServerDll() ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        Other = await ServerProcess.StartAsync(dll, new Dictionary<string, string>
        {
            ["ConnectionStrings__Parley"] = Api.ConnectionString,
            ["Parley__AdminKey"] = ParleyAppFactory.AdminKey,
            ["PARLEY_HOME"] = _home,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Parley__Calls__EmbedBudgetMs"] = "10000",
            ["Parley__Calls__SearchBudgetMs"] = "3000",
            ["Parley__Calls__LlmBudgetMs"] = "3000",
            ["Parley__Calls__TurnBudgetMs"] = "10000",
        }, TimeSpan.FromSeconds(90), CancellationToken.None);
    }

    public HttpClient OtherClient(string key)
    {
        var client = new HttpClient { BaseAddress = Other.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async Task DisposeAsync()
    {
        await Other.DisposeAsync();
        await Api.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }
}

public sealed class ManyProcessesTests(TwoProcessFixture two) : IClassFixture<TwoProcessFixture>
{
    private static async Task<JsonElement> TurnAsync(HttpClient client, Guid call, string text)
    {
        var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = text });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The call's turns as logged, once both processes' call-log writers have written them (the child's asynchronously).</summary>
    private async Task<List<(int Ordinal, string Transcript)>> LoggedTurnsAsync(Guid call, int expected)
    {
        await two.Api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        await using var su = two.Api.CreateSuperuserDataSource();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var turns = new List<(int, string)>();
            await using (var cmd = su.CreateCommand("SELECT ordinal, transcript FROM call_turns WHERE call_id = $1 ORDER BY ordinal"))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = call });
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    turns.Add((reader.GetInt32(0), reader.GetString(1)));
                }
            }
            if (turns.Count >= expected || DateTime.UtcNow > deadline)
            {
                return turns;
            }
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_calls_turns_alternating_between_two_processes_share_its_history_and_take_ordinals_from_the_database()
    {
        var a = await two.Api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(a.Client);
        using var other = two.OtherClient(a.Key);
        var call = await CallTests.StartCallAsync(a.Client, agent);

        // Turn 0 here, turn 1 (a follow-up leaning on turn 0) there, turn 2 here leaning on turn 1, turn 3 there.
        var first = await TurnAsync(a.Client, call, "When do you serve brunch?");
        Assert.Contains(first.GetProperty("sources").EnumerateArray(), s => s.GetProperty("title").GetString() is "Weekend brunch" or "Opening hours");
        var second = await TurnAsync(other, call, "And what about on Sundays?");
        Assert.Contains("brunch", second.GetProperty("standaloneQuery").GetString(), StringComparison.Ordinal);
        var third = await TurnAsync(a.Client, call, "Can I bring my dog?");
        Assert.Equal("Terrace and dogs", third.GetProperty("sources")[0].GetProperty("title").GetString());
        var fourth = await TurnAsync(other, call, "And what about on Sundays?");
        Assert.Contains("dog", fourth.GetProperty("standaloneQuery").GetString(), StringComparison.Ordinal);

        var turns = await LoggedTurnsAsync(call, 4);
        Assert.Equal([0, 1, 2, 3], turns.Select(t => t.Ordinal));
        Assert.Equal("And what about on Sundays?", turns[1].Transcript);
        Assert.Equal("Can I bring my dog?", turns[2].Transcript);
    }

    [Fact]
    public async Task Turns_of_one_call_sent_to_both_processes_at_once_never_share_an_ordinal()
    {
        var a = await two.Api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(a.Client);
        using var other = two.OtherClient(a.Key);
        var call = await CallTests.StartCallAsync(a.Client, agent);

        var sent = Enumerable.Range(0, 12).Select(i => TurnAsync(i % 2 == 0 ? a.Client : other, call, $"Is there parking near the restaurant? ({i})"));
        await Task.WhenAll(sent);

        var turns = await LoggedTurnsAsync(call, 12);
        Assert.Equal(Enumerable.Range(0, 12), turns.Select(t => t.Ordinal).Order());
    }

    [Fact]
    public async Task A_unique_index_refuses_a_second_turn_with_the_same_ordinal()
    {
        await using var su = two.Api.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("""
            SELECT i.indisunique FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relname = 'ix_call_turns_account_id_call_id_ordinal'
            """);
        Assert.Equal(true, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task An_ended_call_keeps_no_history_on_its_row()
    {
        var a = await two.Api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(a.Client);
        var call = await CallTests.StartCallAsync(a.Client, agent);
        await TurnAsync(a.Client, call, "Is there parking near the restaurant?");
        await using var su = two.Api.CreateSuperuserDataSource();
        async Task<long> KeptAsync()
        {
            await using var cmd = su.CreateCommand("SELECT jsonb_array_length(recent_turns) FROM calls WHERE id = $1");
            cmd.Parameters.Add(new NpgsqlParameter { Value = call });
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
        Assert.Equal(1, await KeptAsync());

        (await a.Client.PostAsync($"/v1/calls/{call}/end", null)).EnsureSuccessStatusCode();

        Assert.Equal(0, await KeptAsync());
        using var other = two.OtherClient(a.Key);
        var late = await other.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = "Hello?" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
    }

    [Fact]
    public async Task An_integration_secret_written_through_one_process_is_read_by_the_other()
    {
        const string secret = "two-process-vapi-secret-42";
        var a = await two.Api.NewTenantAsync();
        await CallTests.SetUpAsync(a.Client);
        var integration = await VapiKnowledgeBaseTests.CreateIntegrationAsync(a.Client, secret);
        var body = VapiKnowledgeBaseTests.Body("knowledge-base-request", "Is there parking near the restaurant?");

        using var anonymous = new HttpClient { BaseAddress = two.Other.BaseUrl };
        async Task<HttpStatusCode> AskOtherAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/integrations/vapi/{integration}/knowledge-base")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Vapi-Secret", key);
            return (await anonymous.SendAsync(request)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await AskOtherAsync(secret));
        Assert.Equal(HttpStatusCode.Unauthorized, await AskOtherAsync("not-the-secret"));

        await using var su = two.Api.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT count(*) FROM data_protection_keys");
        Assert.True((long)(await cmd.ExecuteScalarAsync())! >= 1);
    }
}
