using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Parley.IntegrationTests.Hostile;

/// <summary>
/// The hostile-file section of the bad-input catalogue, against a server running as a child
/// process. After each file: the same server process answers (same pid, never restarted), its peak
/// resident memory since the file was sent stayed under <see cref="PeakBoundMegabytes"/>, and
/// another tenant's turn and search still work, its turn logged. Every file is built by a
/// generator in <see cref="HostileFiles"/>.
/// </summary>
public sealed class HostileFileTests(HostileServer host, ITestOutputHelper output) : IClassFixture<HostileServer>
{
    /// <summary>
    /// The server's peak resident set while a hostile file is handled. Its own footprint (runtime,
    /// ASP.NET Core, pools, caches) is ~200–300 MB here; before the extractor sandbox a 2 MB Flate
    /// bomb alone took it to 5.7 GB.
    /// </summary>
    public const double PeakBoundMegabytes = 450;

    /// <summary>What a hostile file must come to: a 4xx now, a job that ends (succeeded or failed with a reason), or a document created.</summary>
    public enum Outcome
    {
        Refused,
        JobFailed,
        JobSucceeded,
        Created,
    }

    public sealed record HostileCase(Func<HostileServer, HttpContent> Body, string Path, Outcome Expected, string? Reason = null,
        HttpStatusCode Status = HttpStatusCode.BadRequest);

    private static MultipartFormDataContent File(byte[] bytes, string name) => new() { { new ByteArrayContent(bytes), "file", name } };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static MultipartFormDataContent Audio(byte[] wav) => new() { { new ByteArrayContent(wav), "audio", "turn.wav" } };

    public static readonly IReadOnlyDictionary<string, HostileCase> Cases = new Dictionary<string, HostileCase>
    {
        ["pdf: Type 4 function nested 20 000 deep (stack overflow in PdfPig)"] =
            new(_ => File(HostileFiles.Type4Pdf(20_000), "spot.pdf"), "/v1/knowledge/documents", Outcome.Refused, "nests too deeply"),
        ["pdf: Flate bomb, 2 GiB of zeros in 2 MB"] =
            new(_ => File(HostileFiles.FlateBombPdf(2048), "bomb.pdf"), "/v1/knowledge/documents", Outcome.JobFailed),
        ["pdf: page tree of 100 000 pages"] =
            new(_ => File(HostileFiles.PageTreePdf(100_000), "pages.pdf"), "/v1/knowledge/documents", Outcome.JobFailed),
        ["pdf: a page tree node that is its own kid"] =
            new(_ => File(HostileFiles.SelfReferencingPdf(), "loop.pdf"), "/v1/knowledge/documents", Outcome.Refused),
        ["html: nested 100 000 deep"] =
            new(_ => File(Encoding.UTF8.GetBytes(HostileFiles.NestedHtml(100_000, "The lighthouse keeper rings the bell at dusk.")), "deep.html"),
                "/v1/knowledge/documents?async=false", Outcome.Created),
        ["wav: 1 Hz"] =
            new(_ => Audio(HostileFiles.Wav(1, 20)), "/v1/calls/{call}/turns?speak=false", Outcome.Refused, "sample rate is 1 Hz"),
        ["wav: header claiming 4 GB"] =
            new(_ => Audio(HostileFiles.Wav(16_000, 1, riffSize: uint.MaxValue, dataSize: uint.MaxValue - 36)), "/v1/calls/{call}/turns?speak=false",
                Outcome.Refused, "declares 4294967303 bytes"),
        ["json: 1 MB of document metadata"] =
            new(_ => Json($$$"""{"title":"Meta","text":"A short text.","metadata":{"blob":"{{{new string('m', 1024 * 1024)}}}"}}"""),
                "/v1/knowledge/documents", Outcome.Refused, "metadata is larger than"),
        ["json: 1 MB of contact metadata"] =
            new(_ => Json($$$"""{"phone":"+15550100777","metadata":{"blob":"{{{new string('m', 1024 * 1024)}}}"}}"""),
                "/v1/contacts", Outcome.Refused, "at most 262144 bytes", HttpStatusCode.RequestEntityTooLarge),
        ["text: 1 MB of Chinese without spaces"] =
            new(_ => File(Encoding.UTF8.GetBytes(HostileFiles.ChineseText(1024 * 1024 + 4096)), "zh.txt"), "/v1/knowledge/documents", Outcome.JobSucceeded),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task A_hostile_file_fails_alone_the_server_keeps_its_pid_and_its_memory_bound_and_another_tenant_is_served(string name)
    {
        var c = Cases[name];
        host.ResetPeakMemory();
        var path = c.Path.Replace("{call}", host.AttackerCall.ToString(), StringComparison.Ordinal);
        using var response = await host.Attacker.PostAsync(new Uri(path, UriKind.Relative), c.Body(host));
        var text = await response.Content.ReadAsStringAsync();
        switch (c.Expected)
        {
            case Outcome.Refused:
                Assert.True(c.Status == response.StatusCode, $"{name}: expected {(int)c.Status}, got {(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains(c.Reason ?? "", text, StringComparison.Ordinal);
                break;
            case Outcome.Created:
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"{name}: {(int)response.StatusCode} {text}");
                Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("chunks").GetInt32() >= 1);
                break;
            default:
                Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{name}: {(int)response.StatusCode} {text}");
                var job = await host.FinishedJobAsync(host.Attacker, JsonDocument.Parse(text).RootElement.GetProperty("jobId").GetGuid(), TimeSpan.FromMinutes(3));
                if (c.Expected == Outcome.JobFailed)
                {
                    Assert.Equal("failed", job.GetProperty("status").GetString());
                    Assert.False(string.IsNullOrWhiteSpace(job.GetProperty("error").GetString()));
                    // A document's own fault is not retried: one attempt.
                    Assert.Equal(1, job.GetProperty("attempts").GetInt32());
                }
                else
                {
                    Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());
                    Assert.True(job.GetProperty("chunks").GetInt32() > 1000, job.ToString());
                }
                text = job.ToString();
                break;
        }
        var peak = host.PeakMegabytes();
        output.WriteLine($"{name}: {(int)response.StatusCode}; server peak RSS {peak:F0} MB; {text[..Math.Min(text.Length, 300)]}");

        Assert.False(host.Server.HasExited, $"the server died:\n{host.Server.Output}");
        Assert.Equal(host.Pid, host.Server.ProcessId);
        Assert.True(peak < PeakBoundMegabytes, $"{name}: the server's peak resident memory was {peak:F0} MB (bound {PeakBoundMegabytes} MB)");
        await host.VictimIsServedAsync();
        using var health = await host.Victim.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_real_small_pdf_is_still_ingested_and_found_in_the_same_server()
    {
        var pdf = HostileFiles.SmallPdf("The ferry to Port Ellery leaves at seven.", "Bicycles travel free on the upper deck.");
        using var created = await host.Victim.PostAsync(new Uri("/v1/knowledge/documents", UriKind.Relative), File(pdf, "ferry.pdf"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var search = await (await host.Victim.PostAsJsonAsync("/v1/knowledge/search", new { query = "bicycles upper deck ferry", mode = "hybrid" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var hit = search.GetProperty("results")[0];
        Assert.Equal("ferry", hit.GetProperty("title").GetString());
        Assert.Contains("Bicycles travel free on the upper deck.", hit.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal(host.Pid, host.Server.ProcessId);
    }
}
