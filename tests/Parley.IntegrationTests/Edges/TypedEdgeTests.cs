using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.IntegrationTests.Transactional;
using Parley.Testing;
using Parley.Transactional.Persistence;
using Xunit;

namespace Parley.IntegrationTests.Edges;

/// <summary>What typed results and state enums promise: a described API, and stored values as they were.</summary>
public sealed class TypedEdgeTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task The_openapi_document_describes_every_answer_of_every_endpoint()
    {
        var document = await api.Client(null).GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "openapi.actual.json"), document.ToString());
        var undescribed = new List<string>();
        var operations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "patch" or "put" or "delete"))
            {
                operations++;
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var responses = operation.Value.GetProperty("responses").EnumerateObject().ToList();
                var success = responses.Where(r => r.Name.StartsWith('2')).ToList();
                if (success.Count == 0)
                {
                    undescribed.Add($"{name}: no success answer");
                }
                foreach (var answer in success.Where(r => r.Name != "204"))
                {
                    if (!answer.Value.TryGetProperty("content", out var content) ||
                        !content.TryGetProperty("application/json", out var json) || !json.TryGetProperty("schema", out _))
                    {
                        undescribed.Add($"{name}: {answer.Name} has no JSON schema");
                    }
                }
                // Every /v1 endpoint takes a key.
                if (path.Name.StartsWith("/v1/", StringComparison.Ordinal) && !responses.Any(r => r.Name == "401"))
                {
                    undescribed.Add($"{name}: its 401 problem is not described");
                }
            }
        }
        Assert.True(operations >= 40, $"only {operations} operations in the document");
        // The OpenAI door answers JSON or, with stream: true, server-sent chunks: both are described.
        var completion = document.GetProperty("paths").GetProperty("/v1/openai/chat/completions").GetProperty("post")
            .GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.True(completion.TryGetProperty("text/event-stream", out var events) && events.TryGetProperty("schema", out _),
            "the streamed chat completion is not described");
        // A turn answers JSON or, with Accept: text/event-stream, its events: one schema of each kind of event.
        var turn = document.GetProperty("paths").GetProperty("/v1/calls/{id}/turns").GetProperty("post")
            .GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.True(turn.TryGetProperty("application/json", out _), "the JSON turn is not described");
        Assert.True(turn.TryGetProperty("text/event-stream", out var turnEvents)
            && turnEvents.GetProperty("schema").TryGetProperty("oneOf", out var kinds) && kinds.GetArrayLength() == 6,
            "the streamed turn's events are not described");
        Assert.True(undescribed.Count == 0, string.Join("\n", undescribed));
    }

    [Fact]
    public async Task State_enums_are_described_by_their_lowercase_words()
    {
        var document = await api.Client(null).GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var schemas = document.GetProperty("components").GetProperty("schemas");
        string[] Words(string schema) => schemas.GetProperty(schema).GetProperty("enum").EnumerateArray()
            .Select(e => e.GetString()!).ToArray();
        Assert.Equal(["active", "ended"], Words("CallStatus"));
        Assert.Equal(["in", "out"], Words("CallDirection"));
        Assert.Equal(["queued", "running", "succeeded", "failed"], Words("JobStatus"));
        Assert.Equal(["created", "replaced", "unchanged"], Words("IngestStatus"));
        Assert.Equal(["open", "paid"], Words("InvoiceStatus"));
        Assert.Equal(["succeeded", "pending", "failed"], Words("PaymentStatus"));
    }

    [Fact]
    public async Task States_are_stored_as_the_lowercase_words_rows_already_hold_and_read_back_from_them()
    {
        var a = await api.NewTenantAsync();
        var agent = await (await a.Client.PostAsJsonAsync("/v1/agents", new { name = "Desk" })).Content.ReadFromJsonAsync<JsonElement>();
        var call = await (await a.Client.PostAsJsonAsync("/v1/calls", new { agentId = agent.GetProperty("id").GetGuid(), direction = "out" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var callId = call.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await a.Client.PostAsync($"/v1/calls/{callId}/end", null)).StatusCode);
        var invoice = await (await a.Client.PostAsJsonAsync("/v1/invoices",
            new { periodStart = DateTimeOffset.UtcNow.AddHours(-1), periodEnd = DateTimeOffset.UtcNow.AddHours(1) })).Content.ReadFromJsonAsync<JsonElement>();
        var invoiceId = invoice.GetProperty("id").GetGuid();
        var platform = api.Admin;
        platform.DefaultRequestHeaders.Add("X-Parley-Account", a.Id.ToString());
        Assert.Equal(HttpStatusCode.Created,
            (await platform.PostAsJsonAsync($"/v1/invoices/{invoiceId}/payments", new { amount = 100m, status = "pending" })).StatusCode);

        await using var db = api.CreateSuperuserDataSource();
        await using (var read = db.CreateCommand("""
            SELECT c.status, c.direction, i.status, p.status
            FROM calls c, invoices i JOIN payments p ON p.invoice_id = i.id
            WHERE c.id = $1 AND i.id = $2
            """))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = callId });
            read.Parameters.Add(new NpgsqlParameter { Value = invoiceId });
            await using var row = await read.ExecuteReaderAsync();
            Assert.True(await row.ReadAsync());
            Assert.Equal(["ended", "out", "open", "pending"], Enumerable.Range(0, 4).Select(row.GetString));
        }

        // A row as any earlier version wrote it reads back as the same word, and filters by it.
        await using (var reopen = db.CreateCommand("UPDATE calls SET status = 'active' WHERE id = $1"))
        {
            reopen.Parameters.Add(new NpgsqlParameter { Value = callId });
            Assert.Equal(1, await reopen.ExecuteNonQueryAsync());
        }
        var active = await a.Client.GetFromJsonAsync<JsonElement>("/v1/calls?status=active");
        Assert.Equal(callId, Assert.Single(active.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal("active", active.GetProperty("items")[0].GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.GetAsync("/v1/calls?status=Active")).StatusCode);
    }

    [Fact]
    public async Task The_model_with_its_value_conversions_needs_no_new_migration()
    {
        await using var scope = api.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
        Assert.False(db.Database.HasPendingModelChanges(), "the EF model differs from the last migration's snapshot");
    }

    [Theory]
    [InlineData("Parley:Llm:Provider", "Parley:Llm:Provider 'openai' needs")]
    [InlineData("Parley:Tts:Provider", "Parley:Tts:Provider 'openai' needs")]
    [InlineData("Parley:Asr:Provider", "Parley:Asr:Provider 'openai' needs")]
    public void A_remote_provider_without_an_address_or_key_is_refused_at_start_with_the_setting_named(string setting, string message)
    {
        // Read once, from the bound options: the server does not start rather than fail on the first turn.
        using var app = new ParleyAppFactory(api.ConnectionString, new Dictionary<string, string?> { [setting] = "openai" });
        var e = Assert.ThrowsAny<OptionsValidationException>(() => app.Server);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
