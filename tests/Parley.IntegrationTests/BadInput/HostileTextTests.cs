using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parley.Domain;
using Parley.IntegrationTests.Calls;
using Xunit;

namespace Parley.IntegrationTests.BadInput;

/// <summary>
/// The hostile-input section for text: control characters in every text field of the API get a 400
/// naming the field, and in what a provider returns they are removed. After each, the same server
/// process serves another tenant's turn and search, and their records reach the database.
/// </summary>
public sealed class HostileTextTests(HostileTextFixture f) : IClassFixture<HostileTextFixture>
{
    private const string Poison = "a\u0000b";

    public static TheoryData<string> Names => new(HostileTextCases.Cases.Keys);

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: expected 400 naming {field}, got {(int)response.StatusCode}: {text[..Math.Min(500, text.Length)]}");
        var body = JsonDocument.Parse(text).RootElement;
        if (response.RequestMessage!.RequestUri!.AbsolutePath.StartsWith("/v1/openai", StringComparison.Ordinal))
        {
            // The OpenAI-compatible endpoints answer in OpenAI's error shape: the field is its param.
            var error = body.GetProperty("error");
            Assert.Equal(field, error.GetProperty("param").GetString());
            Assert.Contains("control character", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            return;
        }
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = body.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"{what}: the problem names {string.Join(", ", errors.EnumerateObject().Select(p => p.Name))}, not {field}");
        Assert.Contains("control character", messages[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task A_control_character_in_a_text_is_refused_naming_the_field_and_disturbs_nobody(string name)
    {
        var c = HostileTextCases.Cases[name];
        using var request = new HttpRequestMessage(new HttpMethod(c.Method), c.Path.Replace("{callA}", f.CallA.ToString(), StringComparison.Ordinal)) { Content = c.Body() };
        using var response = await f.A.SendAsync(request);
        await AssertRefusedAsync(response, c.Field, name);
        await f.AssertUndisturbedAsync(name);
    }

    /// <summary>
    /// Every string a typed JSON body can carry, found in the server's own OpenAPI document (so a field
    /// added later is covered without this test changing): nested objects, arrays, and free-form JSON.
    /// </summary>
    [Fact]
    public async Task Every_string_of_every_json_body_in_the_openapi_document_is_refused_with_a_control_character_naming_its_field()
    {
        var doc = await f.A.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var tried = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "post" or "patch" or "put"))
            {
                if (!operation.Value.TryGetProperty("requestBody", out var body)
                    || !body.GetProperty("content").TryGetProperty("application/json", out var json))
                {
                    continue;
                }
                var url = path.Name.Replace("{id}", Guid.CreateVersion7().ToString(), StringComparison.Ordinal);
                var client = path.Name.StartsWith("/v1/accounts", StringComparison.Ordinal) ? f.Admin : f.A;
                // Only the platform records payments: the admin key, acting as A.
                var payment = path.Name.EndsWith("/payments", StringComparison.Ordinal);
                client = payment ? f.Admin : client;
                foreach (var steps in Leaves(json.GetProperty("schema"), schemas, [], 0))
                {
                    var field = Field(steps);
                    using var request = new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), url)
                    {
                        Content = new StringContent(Build(steps).ToJsonString(), Encoding.UTF8, "application/json"),
                    };
                    if (payment)
                    {
                        request.Headers.Add("X-Parley-Account", f.AccountA.ToString());
                    }
                    using var response = await client.SendAsync(request);
                    await AssertRefusedAsync(response, field, $"{operation.Name.ToUpperInvariant()} {path.Name} {field}");
                    tried.Add($"{path.Name} {field}");
                }
            }
        }
        // Agents, contacts, users, integrations, keys, accounts, calls, payments, search: dozens of fields.
        Assert.True(tried.Count >= 40, $"only {tried.Count} fields found in the OpenAPI document: {string.Join("; ", tried)}");
        Assert.Contains(tried, t => t.EndsWith(" contact.phone", StringComparison.Ordinal));
        Assert.Contains(tried, t => t.EndsWith(" scopes[0]", StringComparison.Ordinal));
        Assert.Contains(tried, t => t.EndsWith(" metadata.note", StringComparison.Ordinal));
        await f.AssertUndisturbedAsync("the OpenAPI walk");
    }

    /// <summary>The ways into each string of a schema: property names and array indexes, down to the leaf.</summary>
    private static IEnumerable<List<object>> Leaves(JsonElement schema, JsonElement schemas, List<object> steps, int depth)
    {
        if (depth > 6)
        {
            yield break;
        }
        if (schema.TryGetProperty("$ref", out var reference))
        {
            schema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        }
        if (schema.TryGetProperty("oneOf", out var alternatives) || schema.TryGetProperty("anyOf", out alternatives))
        {
            foreach (var alternative in alternatives.EnumerateArray().Where(a => !(a.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null")))
            {
                foreach (var leaf in Leaves(alternative, schemas, steps, depth))
                {
                    yield return leaf;
                }
            }
            yield break;
        }
        var types = !schema.TryGetProperty("type", out var type) ? []
            : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var p in properties.EnumerateObject())
            {
                foreach (var leaf in Leaves(p.Value, schemas, [.. steps, p.Name], depth + 1))
                {
                    yield return leaf;
                }
            }
        }
        else if (types.Contains("array") && schema.TryGetProperty("items", out var items))
        {
            foreach (var leaf in Leaves(items, schemas, [.. steps, 0], depth + 1))
            {
                yield return leaf;
            }
        }
        else if (types.Contains("string"))
        {
            yield return steps;
        }
        else if (types.Count == 0)
        {
            // Free-form JSON (metadata, settings, a filter): any key, any value.
            yield return [.. steps, "note"];
        }
    }

    private static JsonNode Build(List<object> steps)
    {
        JsonNode node = JsonValue.Create(Poison)!;
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            node = steps[i] is string name ? new JsonObject { [name] = node } : new JsonArray(node);
        }
        return node;
    }

    private static string Field(List<object> steps) =>
        string.Concat(steps.Select((s, i) => s is string name ? (i == 0 ? name : "." + name) : $"[{s}]"));

    [Fact]
    public async Task Tab_line_feed_and_carriage_return_are_text_and_pass()
    {
        const string transcript = "First line\nsecond\tcolumn\r\nthird line";
        var turn = await f.A.PostAsJsonAsync($"/v1/calls/{f.CallA}/turns?speak=false", new { transcript });
        Assert.Equal(HttpStatusCode.OK, turn.StatusCode);
        var id = (await turn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await f.AssertUndisturbedAsync("a turn with tabs and newlines");
        Assert.Equal(transcript, (await WaitStoredAsync(id)).Transcript);
    }

    [Fact]
    public async Task Control_characters_in_what_the_llm_and_the_recogniser_return_are_removed_and_the_turns_are_logged()
    {
        var text = await f.A.PostAsJsonAsync($"/v1/calls/{f.CallA}/turns?speak=false", new { transcript = "Is there any poison in the soup?" });
        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
        var answered = await text.Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotContain("llm", answered.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
        var expected = ControlCharacters.Strip(string.Concat(HostileTextFixture.PoisonedAnswer)).Trim();
        Assert.Equal("We open at noon on Sundays[0m.", expected);
        Assert.Equal(expected, answered.GetProperty("answer").GetString());

        using var form = new MultipartFormDataContent { { new ByteArrayContent(SpeechServer.Tone(16000, 0.5)), "audio", "turn.wav" } };
        var audio = await f.A.PostAsync(new Uri($"/v1/calls/{f.CallA}/turns?speak=false", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
        var heard = await audio.Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotContain("asr", heard.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("Is there poison parking?", heard.GetProperty("transcript").GetString());

        await f.AssertUndisturbedAsync("provider output with control characters");
        var stored = await WaitStoredAsync(answered.GetProperty("id").GetGuid());
        Assert.Equal(expected, stored.Answer);
        var storedAudio = await WaitStoredAsync(heard.GetProperty("id").GetGuid());
        Assert.Equal("Is there poison parking?", storedAudio.Transcript);
        Assert.False(ControlCharacters.Contains(storedAudio.Answer));
    }

    private async Task<(string Transcript, string Answer)> WaitStoredAsync(Guid id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await f.StoredTurnAsync(id) is { } stored)
            {
                return stored;
            }
            Assert.True(DateTime.UtcNow < deadline, $"turn {id} never reached call_turns");
            await Task.Delay(100);
        }
    }
}
