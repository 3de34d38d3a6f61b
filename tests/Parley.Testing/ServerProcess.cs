using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Parley.Testing;

/// <summary>
/// A real Parley server as a child process on a free loopback port: what the load benchmark drives
/// and what the fault tests kill. Its output is kept (the last lines) to explain a failed start.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>The server's process id: a test checks that a hostile request left the same process running (and reads its memory under <c>/proc</c>).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has ended (crashed, killed or stopped).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the server wrote (stdout and stderr).</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Finds <c>Parley.Server.dll</c>: <c>PARLEY_SERVER_DLL</c> (set by <c>./parley</c>), beside this
    /// assembly (test output folders hold it), or the Release build under the repository root.
    /// </summary>
    public static string? FindServerDll()
    {
        if (Environment.GetEnvironmentVariable("PARLEY_SERVER_DLL") is { Length: > 0 } configured && File.Exists(configured))
        {
            return configured;
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "Parley.Server.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "Parley.Server.runtimeconfig.json")))
        {
            return beside;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Parley.Server", "bin", "Release", "net10.0", "Parley.Server.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Starts the server with these settings (environment variables) and waits until <c>/health</c> answers 200.</summary>
    public static async Task<ServerProcess> StartAsync(string serverDll, IReadOnlyDictionary<string, string> environment, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(serverDll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(url.ToString().TrimEnd('/'));
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the Parley server.");
        var server = new ServerProcess(process, url);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitHealthyAsync(startTimeout, cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} while starting:\n{Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("health", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow to answer while it warms up.
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException($"The server did not become healthy within {timeout.TotalSeconds:F0} s:\n{Output}");
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown hooks, no flushing, as a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>Asks the server to stop (SIGTERM, so it flushes what it holds) and waits; kills it after the timeout.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }
        // .NET has no API to send SIGTERM to another process; kill(1) does it.
        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            await term!.WaitForExitAsync();
        }
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
