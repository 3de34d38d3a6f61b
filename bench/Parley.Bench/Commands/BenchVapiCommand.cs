using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Parley.Cli;
using Spectre.Console.Cli;

namespace Parley.Bench.Commands;

/// <summary>
/// <c>parley bench vapi [--requests N] [--concurrency N] [--repeat] [--url URL (--key KEY | --admin-key KEY)] [--json FILE]</c>:
/// signed Vapi knowledge-base requests over HTTP against a real server on loopback (started here unless
/// <c>--url</c> names one), p50/p95/p99 at the client.
/// </summary>
internal sealed class BenchVapiCommand : AsyncCommand<BenchVapiCommand.Settings>
{
    internal sealed class Settings : BenchSettings
    {
        [CommandOption("--requests <N>")]
        public int Requests { get; init; } = 2000;

        [CommandOption("--concurrency <N>")]
        public int Concurrency { get; init; } = 8;

        /// <summary>Ask the same 16 questions over and over (their embeddings cached) instead of a new question each time.</summary>
        [CommandOption("--repeat")]
        public bool Repeat { get; init; }

        [CommandOption("--url <URL>")]
        public string? Url { get; init; }

        /// <summary>A tenant's API key to create the Vapi integration with (else the bench tenant, made with the admin key).</summary>
        [CommandOption("--key <KEY>")]
        public string? Key { get; init; }

        [CommandOption("--admin-key <KEY>")]
        public string? AdminKey { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            Requests is < 1 or > 1_000_000 ? Spectre.Console.ValidationResult.Error("--requests must be between 1 and 1 000 000")
            : Concurrency is < 1 or > 1024 ? Spectre.Console.ValidationResult.Error("--concurrency must be between 1 and 1024")
            : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ServerProcess? server = null;
        Uri url;
        var adminKey = settings.AdminKey ?? Environment.GetEnvironmentVariable("Parley__AdminKey") ?? BenchLoadCommand.ReadAdminKeyFile();
        if (settings.Url is not null)
        {
            url = BenchLoadCommand.LoopbackOnly(settings.Url);
        }
        else
        {
            adminKey ??= "padm_bench_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            (server, _) = await BenchLoadCommand.StartServerAsync(adminKey, cancellationToken);
            url = server.BaseUrl;
        }
        try
        {
            var key = settings.Key;
            if (key is null)
            {
                if (adminKey is null)
                {
                    throw new CliException("bench vapi --url needs --key, or --admin-key to create its bench tenant.");
                }
                Console.Error.WriteLine("parley: preparing the bench tenant (demo knowledge base, one agent)");
                key = (await LoadTenant.EnsureAsync(url, adminKey, Path.Combine(ParleyHome.Path, "bench-load.json"),
                    BenchLoadCommand.DemoKnowledgeFolder(), cancellationToken)).ApiKey;
            }
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency + 4 })
            {
                BaseAddress = url,
                Timeout = TimeSpan.FromSeconds(30),
            };
            var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var integration = await CreateIntegrationAsync(http, key, secret, cancellationToken);
            try
            {
                // Not counted: the first requests of a process load the model and open the pools.
                await new VapiBenchmark(http, integration, secret).RunAsync(Math.Min(50, settings.Requests), settings.Concurrency, unique: true, cancellationToken);
                Console.Error.WriteLine($"parley: {settings.Requests} signed knowledge-base requests at concurrency {settings.Concurrency} against {url}");
                var result = await new VapiBenchmark(http, integration, secret).RunAsync(settings.Requests, settings.Concurrency, !settings.Repeat, cancellationToken);
                await settings.ReportAsync(Markdown(result), result, cancellationToken);
            }
            finally
            {
                using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/v1/integrations/{integration}");
                delete.Headers.Authorization = new("Bearer", key);
                using var _ = await http.SendAsync(delete, CancellationToken.None);
            }
            return CliApp.Ok;
        }
        finally
        {
            if (server is not null)
            {
                await server.StopAsync(TimeSpan.FromSeconds(20));
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>A Vapi integration of the tenant holding a fresh secret, deleted when the run ends.</summary>
    private static async Task<Guid> CreateIntegrationAsync(HttpClient http, string key, string secret, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/integrations")
        {
            Content = JsonContent.Create(new { kind = "vapi", name = "bench vapi", settings = new { topK = 3 }, secrets = new { secret } }),
        };
        request.Headers.Authorization = new("Bearer", key);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"Could not create the Vapi integration: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}",
                CliApp.Failed);
        }
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
    }

    private static string Markdown(VapiResult r)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"\n## Vapi knowledge base: {r.Requests} signed requests at concurrency {r.Concurrency}, {(r.Unique ? "a new question each" : "16 questions repeated")}\n");
        sb.AppendLine("| figure | value |");
        sb.AppendLine("|---|---|");
        sb.AppendLine(inv, $"| answered | {r.Answered}: **{r.RequestsPerSecond:F1} requests/s** |");
        sb.AppendLine(inv, $"| errors | {r.Errors}{(r.Errors > 0 ? " (" + string.Join(", ", r.ErrorsByKind.Select(e => $"{e.Key}: {e.Value}")) + ")" : "")} |");
        sb.AppendLine(inv, $"| documents an answer | {r.DocumentsPerAnswer:F2} |");
        sb.AppendLine();
        sb.AppendLine("| latency (client) | p50 ms | p95 ms | p99 ms | mean ms |");
        sb.AppendLine("|---|---|---|---|---|");
        var s = r.LatencyMs;
        sb.AppendLine(inv, $"| request to documents | {s.P50Ms:F1} | {s.P95Ms:F1} | **{s.P99Ms:F1}** | {s.MeanMs:F1} |");
        return sb.ToString();
    }
}
