using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>The server with a static limit of two active calls and the adaptive limit off (its figures depend on the machine).</summary>
public sealed class AdmissionFixture : DatabaseFixture
{
    public const int MaxActiveCalls = 2;

    public ParleyAppFactory App { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public Guid Agent { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        App = new ParleyAppFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Calls:MaxActiveCalls"] = MaxActiveCalls.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Parley:Calls:MaxModelQueueWaitMs"] = "0",
            ["Parley:Calls:RetryAfterSeconds"] = "7",
        });
        Admin = App.CreateClient();
        Admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var account = await (await Admin.PostAsJsonAsync("/v1/accounts", new { name = "Busy node" })).Content.ReadFromJsonAsync<JsonElement>();
        Client = App.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new("Bearer", account.GetProperty("apiKey").GetString());
        var agent = await Client.PostAsJsonAsync("/v1/agents", new { name = "Receptionist" });
        Agent = (await agent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public override async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await base.DisposeAsync();
    }
}

public sealed class AdmissionTests(AdmissionFixture f) : IClassFixture<AdmissionFixture>
{
    private Task<HttpResponseMessage> StartAsync() =>
        f.Client.PostAsJsonAsync("/v1/calls", new { agentId = f.Agent, contact = new { phone = "+15550100123" }, direction = "in" });

    [Fact]
    public async Task A_full_node_answers_503_with_Retry_After_and_a_problem_at_call_setup_and_admits_again_once_a_call_ends()
    {
        var first = await CallTests.StartCallAsync(f.Client, f.Agent);
        await CallTests.StartCallAsync(f.Client, f.Agent);
        var calls = (await (await f.Client.GetAsync("/v1/calls")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength();

        var refused = await StartAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("max_active_calls", problem.GetProperty("reason").GetString());
        // Nothing was written for the refused call.
        Assert.Equal(calls, (await (await f.Client.GetAsync("/v1/calls")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength());

        // Calls already admitted keep going.
        var turn = await f.Client.PostAsJsonAsync($"/v1/calls/{first}/turns?speak=false", new { transcript = "What time do you open?" });
        Assert.True(turn.IsSuccessStatusCode, await turn.Content.ReadAsStringAsync());

        var node = await (await f.Admin.GetAsync("/v1/metrics/node")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(AdmissionFixture.MaxActiveCalls, node.GetProperty("activeCalls").GetInt32());
        Assert.True(node.GetProperty("refusedCalls").GetInt64() >= 1);

        (await f.Client.PostAsync($"/v1/calls/{first}/end", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await StartAsync()).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await StartAsync()).StatusCode);
    }
}
