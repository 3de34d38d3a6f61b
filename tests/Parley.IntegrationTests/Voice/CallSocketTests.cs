using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Parley.Calls;
using Parley.Calls.CallLog;
using Parley.Calls.Interim;
using Parley.IntegrationTests.Calls;
using Xunit;

namespace Parley.IntegrationTests.Voice;

/// <summary>
/// <c>GET /v1/calls/{id}/stream</c>, the call's WebSocket, against the real server on a loopback port with
/// .NET's own <see cref="ClientWebSocket"/>: interims and finals in, the streamed turn's events out.
/// </summary>
public sealed class CallSocketTests(VoicePlatformFixture api) : IClassFixture<VoicePlatformFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private Uri SocketUri(Guid call, string query = "") =>
        new UriBuilder(api.BaseUrl) { Scheme = "ws", Path = $"/v1/calls/{call}/stream", Query = query }.Uri;

    private async Task<ClientWebSocket> ConnectAsync(string? key, Guid call, string query = "")
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (key is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        }
        using var deadline = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(SocketUri(call, query), deadline.Token);
        return socket;
    }

    /// <summary>The status the server answered an upgrade it refused.</summary>
    private async Task<HttpStatusCode> RefusedAsync(string? key, Guid call, string query = "")
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (key is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        }
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(SocketUri(call, query), CancellationToken.None));
        return socket.HttpStatusCode;
    }

    private static Task SendAsync(ClientWebSocket socket, object message) => SendRawAsync(socket, JsonSerializer.SerializeToUtf8Bytes(message));

    private static async Task SendRawAsync(ClientWebSocket socket, byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        using var deadline = new CancellationTokenSource(Patience);
        await socket.SendAsync(bytes, type, endOfMessage: true, deadline.Token);
    }

    /// <summary>The next message, whole; null when the server closed the socket.</summary>
    private static async Task<JsonElement?> ReceiveAsync(ClientWebSocket socket)
    {
        using var deadline = new CancellationTokenSource(Patience);
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, deadline.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            Assert.Equal(WebSocketMessageType.Text, received.MessageType);
            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            }
        }
    }

    private static async Task<JsonElement> NextAsync(ClientWebSocket socket) =>
        await ReceiveAsync(socket) ?? throw new Xunit.Sdk.XunitException($"the socket closed: {socket.CloseStatus} {socket.CloseStatusDescription}");

    /// <summary>The messages of one final, up to and including its <c>done</c>; among them a refused second final's 409.</summary>
    private static async Task<List<JsonElement>> TurnAsync(ClientWebSocket socket)
    {
        var messages = new List<JsonElement>();
        while (messages.Count == 0 || Type(messages[^1]) != "done")
        {
            var message = await NextAsync(socket);
            Assert.False(Type(message) == "error" && message.GetProperty("status").GetInt32() != 409, message.ToString());
            messages.Add(message);
        }
        return messages;
    }

    private static string Type(JsonElement message) => message.GetProperty("type").GetString()!;

    private async Task<(Guid Id, string Key, HttpClient Client, Guid Call)> CallAsync(string name)
    {
        var tenant = await api.NewTenantAsync(name);
        var agent = await CallTests.SetUpAsync(tenant.Client);
        return (tenant.Id, tenant.Key, tenant.Client, await CallTests.StartCallAsync(tenant.Client, agent));
    }

    private async Task<JsonElement> LoggedTurnsAsync(HttpClient client, Guid call)
    {
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        return (await client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}")).GetProperty("turns");
    }

    /// <summary>Waits, with a deadline, until no prefetch of this server runs or waits.</summary>
    private async Task SettledAsync()
    {
        var prefetches = api.App.Services.GetRequiredService<InterimPrefetches>();
        var deadline = DateTime.UtcNow + Patience;
        while (prefetches.Running > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "prefetches still running");
            await Task.Delay(20);
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task Interims_then_a_final_give_the_turns_events_in_order_from_the_prefetch_and_the_turn_is_logged_with_it()
    {
        Assert.True(Parley.Calls.Providers.EspeakTextToSpeech.Available, "espeak-ng is not installed: run scripts/bootstrap.sh");
        var (_, key, client, call) = await CallAsync("Socket interims");
        using var socket = await ConnectAsync(key, call);

        await SendAsync(socket, new { type = "interim", text = "is there parking" });
        var first = await NextAsync(socket);
        Assert.Equal("interim", Type(first));
        Assert.True(first.GetProperty("started").GetBoolean(), first.ToString());
        await SendAsync(socket, new { type = "interim", text = "is there parking near the restaurant" });
        Assert.True((await NextAsync(socket)).GetProperty("started").GetBoolean());
        await SettledAsync();
        await SendAsync(socket, new { type = "final", text = "Is there parking near the restaurant?" });
        var messages = await TurnAsync(socket);

        var types = messages.Select(Type).ToList();
        Assert.Equal("transcript", types[0]);
        Assert.Equal("Is there parking near the restaurant?", messages[0].GetProperty("transcript").GetString());
        Assert.Equal("sources", types[1]);
        Assert.Equal("Location and parking", messages[1].GetProperty("sources")[0].GetProperty("title").GetString());
        Assert.Equal("done", types[^1]);
        Assert.All(types.Skip(2).SkipLast(1), t => Assert.Contains(t, new[] { "answer", "audio" }));
        Assert.True(types.IndexOf("answer") < types.IndexOf("audio"), string.Join(",", types));
        var done = messages[^1];
        var answer = done.GetProperty("answer").GetString()!;
        Assert.Contains("Pier Road", answer);
        Assert.Equal(answer, string.Concat(messages.Where(m => Type(m) == "answer").Select(m => m.GetProperty("delta").GetString())));
        var audio = messages.First(m => Type(m) == "audio");
        Assert.Equal("RIFF", Encoding.ASCII.GetString(Convert.FromBase64String(audio.GetProperty("base64").GetString()!), 0, 4));
        Assert.True(done.GetProperty("prefetched").GetBoolean(), done.ToString());
        Assert.Equal("exact", done.GetProperty("prefetchMatch").GetString());
        Assert.Equal(2, done.GetProperty("interims").GetInt32());
        var timings = done.GetProperty("timings");
        Assert.Equal(0, timings.GetProperty("searchMs").GetDouble());
        Assert.InRange(timings.GetProperty("firstTokenMs").GetDouble(), 0.001, timings.GetProperty("firstAudioMs").GetDouble());

        var turn = Assert.Single((await LoggedTurnsAsync(client, call)).EnumerateArray());
        Assert.Equal("Is there parking near the restaurant?", turn.GetProperty("transcript").GetString());
        Assert.Equal("Location and parking", turn.GetProperty("sources")[0].GetProperty("title").GetString());
        Assert.Equal(2, turn.GetProperty("interims").GetInt32());
        Assert.Equal("exact", turn.GetProperty("prefetchMatch").GetString());
        Assert.Equal("is there parking near the restaurant", turn.GetProperty("prefetchTranscript").GetString());
        Assert.True(turn.GetProperty("timings").GetProperty("prefetchMs").GetDouble() > 0, turn.ToString());
        Assert.Equal(done.GetProperty("knowledgeVersion").GetInt64(), turn.GetProperty("knowledgeVersion").GetInt64());

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_wrong_key_another_tenants_call_an_ended_call_or_a_key_in_the_query_string_are_refused_before_the_upgrade()
    {
        var (_, key, client, call) = await CallAsync("Socket owner");
        var stranger = await api.NewTenantAsync("Socket stranger");

        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedAsync(null, call));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedAsync("pk_not_a_key", call));
        // Access logs keep query strings: a key there is not a key.
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedAsync(null, call, $"access_token={key}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedAsync(null, call, $"key={key}"));
        Assert.Equal(HttpStatusCode.NotFound, await RefusedAsync(stranger.Key, call));
        Assert.Equal(HttpStatusCode.NotFound, await RefusedAsync(key, Guid.CreateVersion7()));
        var plain = await client.GetAsync($"/v1/calls/{call}/stream");
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Equal("application/problem+json", plain.Content.Headers.ContentType?.MediaType);

        (await client.PostAsync($"/v1/calls/{call}/end", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Conflict, await RefusedAsync(key, call));
        Assert.Empty((await LoggedTurnsAsync(client, call)).EnumerateArray());
    }

    [Fact(Timeout = 240_000)]
    public async Task Bad_messages_get_an_error_message_each_and_the_next_good_final_still_works()
    {
        var (_, key, _, call) = await CallAsync("Socket bad input");
        using var socket = await ConnectAsync(key, call, "speak=false");

        async Task<JsonElement> ErrorAsync(byte[] bytes, int status, WebSocketMessageType type = WebSocketMessageType.Text)
        {
            await SendRawAsync(socket, bytes, type);
            var error = await NextAsync(socket);
            Assert.Equal("error", Type(error));
            Assert.Equal(status, error.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("title").GetString()));
            return error;
        }
        static byte[] Json(object o) => JsonSerializer.SerializeToUtf8Bytes(o);

        await ErrorAsync("not json"u8.ToArray(), 400);
        await ErrorAsync("[1,2]"u8.ToArray(), 400);
        await ErrorAsync(Json(new { type = "shout", text = "hello" }), 400);
        await ErrorAsync(Json(new { text = "no type" }), 400);
        await ErrorAsync(Json(new { type = "final", text = "binary" }), 400, WebSocketMessageType.Binary);
        Assert.Contains("4000", (await ErrorAsync(Json(new { type = "final", text = new string('a', 4001) }), 400)).GetProperty("detail").GetString());
        await ErrorAsync(Json(new { type = "interim", text = new string('a', 4001) }), 400);
        await ErrorAsync(Json(new { type = "final", text = "  " }), 400);
        Assert.Contains("U+0000", (await ErrorAsync(Json(new { type = "final", text = "null\u0000byte" }), 400)).GetProperty("detail").GetString());

        // One final at a time: the second, sent while the first is answered, is refused; the first is not disturbed.
        await SendAsync(socket, new { type = "final", text = "How much is the corkage fee?", speak = true });
        await SendAsync(socket, new { type = "final", text = "Can I bring my dog?" });
        var messages = await TurnAsync(socket);
        var refusal = Assert.Single(messages, m => Type(m) == "error");
        Assert.Equal(409, refusal.GetProperty("status").GetInt32());
        Assert.Equal("done", Type(messages[^1]));
        Assert.Contains("$25", messages[^1].GetProperty("answer").GetString());

        await SendAsync(socket, new { type = "final", text = "Can I bring my dog?" });
        var next = await TurnAsync(socket);
        Assert.Equal("done", Type(next[^1]));
        Assert.DoesNotContain(next, m => Type(m) == "audio");
        Assert.Equal("Terrace and dogs", next[^1].GetProperty("sources")[0].GetProperty("title").GetString());
    }

    [Fact(Timeout = 240_000)]
    public async Task An_oversize_message_closes_the_socket_with_1009_and_another_tenants_turn_still_works_and_is_stored()
    {
        var (_, key, _, call) = await CallAsync("Socket oversize");
        var (_, otherKey, otherClient, otherCall) = await CallAsync("Socket neighbour");
        using var socket = await ConnectAsync(key, call);

        await SendRawAsync(socket, JsonSerializer.SerializeToUtf8Bytes(new { type = "final", text = new string('x', 70 * 1024) }));
        var error = await NextAsync(socket);
        Assert.Equal("error", Type(error));
        Assert.Equal(413, error.GetProperty("status").GetInt32());
        Assert.Null(await ReceiveAsync(socket));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);

        using var other = await ConnectAsync(otherKey, otherCall, "speak=false");
        await SendAsync(other, new { type = "final", text = "What time do you open on Sunday?" });
        var messages = await TurnAsync(other);
        Assert.Equal("done", Type(messages[^1]));
        var turn = Assert.Single((await LoggedTurnsAsync(otherClient, otherCall)).EnumerateArray());
        Assert.Equal("What time do you open on Sunday?", turn.GetProperty("transcript").GetString());
        Assert.NotEmpty(turn.GetProperty("sources").EnumerateArray());
        // No interim came before it: none counted, no prefetch named.
        Assert.Equal(0, turn.GetProperty("interims").GetInt32());
        Assert.False(turn.TryGetProperty("prefetchMatch", out _));
        Assert.False(messages[^1].GetProperty("prefetched").GetBoolean());
    }

    [Fact(Timeout = 240_000)]
    public async Task A_client_that_drops_the_connection_mid_turn_leaves_the_server_healthy_and_the_next_turn_works()
    {
        var (_, key, client, call) = await CallAsync("Socket dropped");
        using var sockets = new MetricCollector<long>(api.App.Services.GetRequiredService<IMeterFactory>(), CallMetrics.MeterName, "parley.calls.sockets");
        var socket = await ConnectAsync(key, call);
        await SendAsync(socket, new { type = "final", text = "Is there parking near the restaurant?" });
        Assert.Equal("transcript", Type(await NextAsync(socket)));
        // Gone without a close: the TCP connection is reset mid-turn, speech still to come.
        socket.Abort();
        socket.Dispose();
        // The server let go of it: the turn was cancelled and the session ended (open sockets back to none).
        var deadline = DateTime.UtcNow + Patience;
        while (sockets.GetMeasurementSnapshot().Sum(m => m.Value) != 0 || sockets.GetMeasurementSnapshot().Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the dropped socket's session never ended");
            await Task.Delay(20);
        }

        using var again = await ConnectAsync(key, call, "speak=false");
        await SendAsync(again, new { type = "interim", text = "how much is the corkage" });
        Assert.Equal("interim", Type(await NextAsync(again)));
        await SendAsync(again, new { type = "final", text = "How much is the corkage fee?" });
        var messages = await TurnAsync(again);
        Assert.Equal("done", Type(messages[^1]));
        Assert.Contains("$25", messages[^1].GetProperty("answer").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        var turns = await LoggedTurnsAsync(client, call);
        Assert.Contains(turns.EnumerateArray(), t => t.GetProperty("transcript").GetString() == "How much is the corkage fee?");
    }
}
