using System.Diagnostics;
using System.Reflection;

namespace Parley.IntegrationTests.Bench;

/// <summary>
/// The benchmarks' executable (<c>Parley.Bench.dll</c>, what <c>./parley bench …</c> runs) as a child
/// process: exit code, standard output and standard error as a shell sees them. The tests do not link
/// the benchmarks; the project builds them first and records where the dll lands.
/// </summary>
internal static class BenchExecutable
{
    public sealed record Run(int ExitCode, string Out, string Err);

    public static string Dll { get; } = typeof(BenchExecutable).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ParleyBenchDll").Value!;

    /// <summary>
    /// Runs <c>dotnet Parley.Bench.dll bench ARGS</c> (the words <c>./parley bench ARGS</c> passes on) with
    /// these extra environment variables; kills it after the timeout.
    /// </summary>
    public static async Task<Run> RunAsync(
        IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        if (!File.Exists(Dll))
        {
            throw new FileNotFoundException($"{Dll} is missing: build the solution (dotnet build Parley.slnx).", Dll);
        }
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        start.ArgumentList.Add("bench");
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["NO_COLOR"] = "1";
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var err = await stderr;
            throw new TimeoutException($"parley bench {string.Join(' ', args)} did not finish in {timeout.TotalSeconds:F0} s:\n{err}");
        }
        return new Run(process.ExitCode, await stdout, await stderr);
    }
}
