using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Parley.Monitoring.Alerts;

/// <summary>
/// Posts an alert as JSON to <c>Parley:Monitor:WebhookUrl</c>. The HTTP client carries a resilience
/// pipeline (retries with exponential backoff on 5xx, 408, 429 and network errors, a timeout per
/// attempt); the body is signed with HMAC-SHA256 so the receiver can check it came from us.
/// </summary>
public sealed class AlertWebhook(IHttpClientFactory http, IOptions<MonitorOptions> options)
{
    public const string ClientName = "parley-alerts";

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of the exact body bytes, keyed with the UTF-8 secret.</summary>
    public const string SignatureHeader = "X-Parley-Signature";

    public bool Configured => options.Value.WebhookUrl is not null;

    /// <summary>Values of the <c>X-Parley-Event</c> header: an alert opened, or one already posted closed.</summary>
    public const string RaisedEvent = "alert.raised";
    public const string ResolvedEvent = "alert.resolved";

    /// <summary>Posts the alert; throws when the receiver has not accepted it after the retries.</summary>
    public async Task SendAsync(Alert alert, string eventName, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var url = o.WebhookUrl ?? throw new InvalidOperationException("Parley:Monitor:WebhookUrl is not set.");
        var body = JsonSerializer.SerializeToUtf8Bytes(alert, JsonSerializerOptions.Web);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-Parley-Event", eventName);
        if (!string.IsNullOrEmpty(o.WebhookSecret))
        {
            request.Headers.Add(SignatureHeader, Sign(o.WebhookSecret, body));
        }
        using var response = await http.CreateClient(ClientName).SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
