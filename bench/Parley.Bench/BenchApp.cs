using Parley.Bench.Commands;
using Parley.Cli;
using Spectre.Console.Cli;

namespace Parley.Bench;

/// <summary>
/// The benchmarks' executable: <c>./parley bench …</c> hands it the whole command line, <c>bench</c>
/// included, so the commands, the help and the exit codes (2 with one line on bad arguments) read
/// exactly as when the benchmarks were a branch of the CLI.
/// </summary>
internal static class BenchApp
{
    public static Task<int> RunAsync(string[] args) => CliApp.RunAsync(args, "parley", AddCommands);

    private static void AddCommands(IConfigurator c) => c.AddBranch<CommandSettings>("bench", b =>
    {
        b.SetDescription("Benchmarks: Markdown to stdout, JSON to --json FILE.");
        b.AddCommand<BenchSearchCommand>("search")
            .WithDescription("Recall@10 and latency per tenant-size class, Parley's plans against the naive one.");
        b.AddCommand<BenchQualityCommand>("quality")
            .WithDescription("Retrieval quality: caller questions over the Debian Reference and the demo "
                + "knowledge base, hit@1/3/5 and MRR for vector and hybrid.");
        b.AddCommand<BenchTurnCommand>("turn")
            .WithDescription("Whole phone turns in process with the configured providers against the demo "
                + "knowledge base: per-stage percentiles, cache hits, degraded stages.");
        b.AddCommand<BenchEmbedCommand>("embed")
            .WithDescription("The local embedding model: single-query latency and batch throughput, "
                + "ONNX Runtime directly vs the wrapper, cold and cached.");
        b.AddCommand<BenchFollowUpsCommand>("followups")
            .WithDescription("Two-turn dialogues as real calls over the demo knowledge and the Debian Reference: "
                + "hit@3 of the follow-up with and without the rewrite, the rewrite's p50/p99.");
        b.AddCommand<BenchVapiCommand>("vapi")
            .WithDescription("Signed Vapi knowledge-base requests over HTTP on loopback at a set concurrency: "
                + "p50/p95/p99 at the client.");
        b.AddCommand<BenchLoadCommand>("load")
            .WithDescription("Concurrent simulated calls over HTTP on loopback: throughput, errors, "
                + "p50/p95/p99 per stage.");
    });
}
