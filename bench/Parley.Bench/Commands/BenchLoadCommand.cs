using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Parley.Cli;
using Parley.Data;
using Spectre.Console.Cli;

namespace Parley.Bench.Commands;

/// <summary>
/// <c>parley bench load [--calls N] [--seconds S] [--turns N] [--think-ms MS] [--no-speak] [--unique] [--stream]
/// [--url URL (--key KEY --agent ID | --admin-key KEY)] [--json FILE]</c>: concurrent simulated calls over
/// HTTP against a real server on loopback, started here (on the private cluster, with its standbys) unless
/// <c>--url</c> names one.
/// </summary>
internal sealed class BenchLoadCommand : AsyncCommand<BenchLoadCommand.Settings>
{
    internal sealed class Settings : BenchSettings
    {
        [CommandOption("--calls <N>")]
        public int Calls { get; init; } = 200;

        [CommandOption("--seconds <S>")]
        public int Seconds { get; init; } = 60;

        [CommandOption("--turns <N>")]
        public int Turns { get; init; } = 4;

        [CommandOption("--think-ms <MS>")]
        public int ThinkMs { get; init; }

        [CommandOption("--no-speak")]
        public bool NoSpeak { get; init; }

        [CommandOption("--unique")]
        public bool Unique { get; init; }

        /// <summary>Streamed turns (<c>Accept: text/event-stream</c>): adds the time to the first piece and to the first audio.</summary>
        [CommandOption("--stream")]
        public bool Stream { get; init; }

        [CommandOption("--url <URL>")]
        public string? Url { get; init; }

        [CommandOption("--key <KEY>")]
        public string? Key { get; init; }

        [CommandOption("--agent <ID>")]
        public string? Agent { get; init; }

        [CommandOption("--admin-key <KEY>")]
        public string? AdminKey { get; init; }

        /// <summary>Requests a second with made-up keys sent beside the calls (0: none).</summary>
        [CommandOption("--flood <N>")]
        public int Flood { get; init; }


        public override Spectre.Console.ValidationResult Validate() =>
            Calls is < 1 or > 5000 ? Spectre.Console.ValidationResult.Error("--calls must be between 1 and 5 000")
            : Seconds is < 1 or > 3600 ? Spectre.Console.ValidationResult.Error("--seconds must be between 1 and 3 600")
            : Turns is < 1 or > 100 ? Spectre.Console.ValidationResult.Error("--turns must be between 1 and 100")
            : ThinkMs is < 0 or > 60_000 ? Spectre.Console.ValidationResult.Error("--think-ms must be between 0 and 60 000")
            : Flood is < 0 or > 100_000 ? Spectre.Console.ValidationResult.Error("--flood must be between 0 and 100 000")
            : (Key is null) != (Agent is null) ? Spectre.Console.ValidationResult.Error("--key and --agent go together")
            : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var agent = Guid.Empty;
        if (settings.Agent is not null && !Guid.TryParse(settings.Agent, out agent))
        {
            throw new CliException("--agent must be an agent id.");
        }
        ServerProcess? server = null;
        int? replicas = null;
        Uri url;
        var adminKey = settings.AdminKey ?? Environment.GetEnvironmentVariable("Parley__AdminKey") ?? ReadAdminKeyFile();
        if (settings.Url is not null)
        {
            url = LoopbackOnly(settings.Url);
        }
        else
        {
            adminKey ??= "padm_bench_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            (server, replicas) = await StartServerAsync(adminKey, cancellationToken);
            url = server.BaseUrl;
        }
        try
        {
            BenchTenant tenant;
            if (settings.Key is not null)
            {
                tenant = new BenchTenant(Guid.Empty, settings.Key, agent);
            }
            else
            {
                if (adminKey is null)
                {
                    throw new CliException("bench load --url needs --key and --agent, or --admin-key to create its bench tenant.");
                }
                Console.Error.WriteLine("parley: preparing the bench tenant (demo knowledge base, one agent)");
                tenant = await LoadTenant.EnsureAsync(url, adminKey, Path.Combine(ParleyHome.Path, "bench-load.json"), DemoKnowledgeFolder(), cancellationToken);
            }
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Calls + 8, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = url,
                Timeout = TimeSpan.FromSeconds(30),
            };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.ApiKey);
            var options = new LoadOptions(settings.Calls, TimeSpan.FromSeconds(settings.Seconds), settings.Turns, TimeSpan.FromMilliseconds(settings.ThinkMs), !settings.NoSpeak, settings.Unique,
                settings.Stream);
            // One short call first, not counted: the first turn of a process loads the model and the speech engine.
            await new LoadBenchmark(http, tenant.AgentId, options with { Calls = 1, Duration = TimeSpan.FromSeconds(1), TurnsPerCall = 2, Think = TimeSpan.Zero }).RunAsync(null, cancellationToken);

            Console.Error.WriteLine($"parley: {settings.Calls} concurrent calls for {settings.Seconds} s against {url}");
            using var stopFlood = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var flood = settings.Flood > 0 ? new FloodGenerator(url, settings.Flood).RunAsync(stopFlood.Token) : null;
            var result = await new LoadBenchmark(http, tenant.AgentId, options).RunAsync(new ProgressLine(), cancellationToken) with { Replicas = replicas };
            if (flood is not null)
            {
                await stopFlood.CancelAsync();
                result = result with { Flood = await flood };
            }
            await settings.ReportAsync(Markdown(result), result, cancellationToken);
            return CliApp.Ok;
        }
        finally
        {
            if (server is not null)
            {
                // A graceful stop with room for the call-log flush; disposing after it finds the process gone.
                await server.StopAsync(TimeSpan.FromSeconds(20));
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Prints progress on the reporting thread (Progress&lt;T&gt; would post it, and a line could land after the table).</summary>
    private sealed class ProgressLine : IProgress<LoadProgress>
    {
        public void Report(LoadProgress p) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  [{p.Elapsed.TotalSeconds,4:F0} s] {p.Turns} turns ({p.TurnsPerSecond:F1}/s), {p.Errors} errors, {p.CallsCompleted} calls done, p95 {p.P95Ms:F0} ms (last 5 s)"));
    }

    internal static Uri LoopbackOnly(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"--url must be an http URL, not '{url}'.");
        }
        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        if (!loopback)
        {
            throw new CliException($"bench load drives servers on this machine only (127.0.0.1, ::1, localhost), not {uri.Host}.");
        }
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <summary>A server process on the database this CLI uses (the private cluster and its standbys unless configured otherwise).</summary>
    /// <remarks><paramref name="settings"/> are added to the server's environment (<c>bench followups</c> turns the rewrite off with one).</remarks>
    internal static async Task<(ServerProcess Server, int? Replicas)> StartServerAsync(
        string adminKey, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = ServerProcess.FindServerDll() ?? throw new CliException("Parley.Server.dll not found: run ./parley bench load (it builds), or set PARLEY_SERVER_DLL.", CliApp.Failed);
        var environment = new Dictionary<string, string>
        {
            ["Parley__AdminKey"] = adminKey,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        int? replicas = null;
        // The same resolution the server makes (URL, ConnectionStrings:Parley, Parley:Database:ConnectionString).
        var external = ConnectionStrings.Resolve(new ConfigurationBuilder().AddEnvironmentVariables().Build()) is not null;
        if (!external)
        {
            var cluster = ParleyHome.Cluster;
            if (!cluster.Exists)
            {
                throw new CliException("No database: run ./parley up (or ./parley db start), or set PARLEY_DATABASE_URL.", CliApp.Failed);
            }
            await cluster.EnsureStartedAsync(cancellationToken);
            environment["ConnectionStrings__Parley"] = cluster.Info.AppConnectionString;
            environment["ConnectionStrings__ParleyOwner"] = cluster.Info.OwnerConnectionString;
            replicas = cluster.Replicas.Count;
            if (replicas > 0)
            {
                environment["Parley__Database__ReadConnectionString"] = cluster.ReadConnectionString();
            }
        }
        else
        {
            // The server inherits this environment: its read pool lists the standbys, then the primary.
            replicas = Environment.GetEnvironmentVariable("Parley__Database__ReadConnectionString") is { Length: > 0 } read
                ? new Npgsql.NpgsqlConnectionStringBuilder(read).Host!.Split(',').Length - 1
                : 0;
        }
        Console.Error.WriteLine($"parley: starting a server ({dll})");
        return (await ServerProcess.StartAsync(dll, environment, TimeSpan.FromMinutes(2), cancellationToken), replicas);
    }

    internal static string? ReadAdminKeyFile()
    {
        var file = Path.Combine(ParleyHome.Path, "admin.key");
        return File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } key ? key : null;
    }

    internal static string DemoKnowledgeFolder() => RepositoryFolder(Path.Combine("demo", "knowledge"));

    /// <summary>A folder of the repository (relative path), found from the working folder or the executable's up.</summary>
    internal static string RepositoryFolder(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var folder = Path.Combine(dir.FullName, relative);
                if (Directory.Exists(folder))
                {
                    return folder;
                }
            }
        }
        throw new CliException($"{relative} not found: run from the repository.", CliApp.Failed);
    }

    private static string Markdown(LoadResult r)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"\n## Load: {r.Calls} concurrent calls, {r.Seconds:F0} s, {r.TurnsPerCall} turns a call, speech {(r.Speak ? "on" : "off")}{(r.Unique ? ", varied questions" : "")}{(r.FirstAudioMs is null ? "" : ", streamed")}{(r.Replicas is { } n ? $", {n} read replica(s)" : "")}\n");
        sb.AppendLine("| figure | value |");
        sb.AppendLine("|---|---|");
        sb.AppendLine(inv, $"| turns answered | {r.Turns} in {r.ElapsedSeconds:F1} s: **{r.TurnsPerSecond:F1} turns/s** |");
        sb.AppendLine(inv, $"| calls started / completed | {r.CallsStarted} / {r.CallsCompleted} |");
        sb.AppendLine(inv, $"| errors | {r.Errors}{(r.Errors > 0 ? " (" + string.Join(", ", r.ErrorsByKind.Select(e => $"{e.Key}: {e.Value}")) + ")" : "")} |");
        sb.AppendLine(inv, $"| refused calls (503, node full) | {r.RefusedCalls} |");
        sb.AppendLine(inv, $"| load generator CPU | {r.BenchCpuSeconds:F1} s, {r.BenchCpuShare:P0} of {Environment.ProcessorCount} cores |");
        sb.AppendLine(inv, $"| answered from the answer cache | {r.CachedRatio:P1} |");
        sb.AppendLine(inv, $"| degraded (a stage over budget) | {r.DegradedRatio:P1} |");
        if (r.Flood is { } f)
        {
            sb.AppendLine(inv, $"| made-up-key flood | {f.Sent} sent, **{f.AchievedPerSecond:F0}/s** of {f.TargetPerSecond}/s asked; {f.Unauthorized} × 401, {f.Other} other, {f.Failed} failed, {f.Skipped} skipped; p99 {f.P99Ms:F1} ms |");
        }
        sb.AppendLine();
        sb.AppendLine("| stage | p50 ms | p95 ms | p99 ms | mean ms |");
        sb.AppendLine("|---|---|---|---|---|");
        (string Name, LatencySummary S)[] rows =
        [
            ("embed", r.Stages["embedMs"]), ("search", r.Stages["searchMs"]), ("answer (llm)", r.Stages["llmMs"]), ("speech (tts)", r.Stages["ttsMs"]),
            ("turn, at the server", r.Stages["totalMs"]), ("turn, end to end (client)", r.EndToEndMs), ("call setup (client)", r.CallSetupMs),
        ];
        if (r.FirstTokenMs is { } token && r.FirstAudioMs is { } audio)
        {
            rows = [.. rows, ("first piece of the answer (client, streamed)", token), ("**first audio (client, streamed)**", audio)];
        }
        foreach (var (name, s) in rows)
        {
            sb.AppendLine(inv, $"| {name} | {s.P50Ms:F1} | {s.P95Ms:F1} | {s.P99Ms:F1} | {s.MeanMs:F1} |");
        }
        return sb.ToString();
    }
}
