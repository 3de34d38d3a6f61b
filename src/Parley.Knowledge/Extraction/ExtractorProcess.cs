using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Parley.Knowledge.Extraction;

/// <summary>
/// One extractor child: started with its heap limit in the environment and its address-space and
/// core-dump limits set by the shell that execs it, then fed one document at a time. Any way it can end
/// (stack overflow, SIGXCPU, heap exhausted, killed at the timeout) becomes an
/// <see cref="ArgumentException"/> that names the limit, because it was the document's doing.
/// </summary>
internal sealed class ExtractorProcess : IDisposable
{
    /// <summary>Address space the runtime itself needs besides the heap (reservations, code, stacks); 1 GiB in all was too little.</summary>
    private const long RuntimeAddressSpace = 2L * 1024 * 1024 * 1024;

    private const int KeptStderr = 4096;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private readonly ExtractionOptions _options;
    private bool _killed;

    private ExtractorProcess(Process process, ExtractionOptions options)
    {
        _process = process;
        _options = options;
        _stderrPump = PumpStderrAsync();
    }

    public int Id => _process.Id;

    /// <summary>Documents sent to this child.</summary>
    public int Documents { get; private set; }

    /// <summary>Fit for another document: running, and not killed by a timeout or a cancelled caller.</summary>
    public bool Healthy => !_killed && !_process.HasExited;

    /// <summary>Resident memory now, to retire a child that kept a large document's garbage.</summary>
    public long ResidentBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    public static ExtractorProcess Start(string executable, ExtractionOptions options)
    {
        var viaHost = executable.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var program = viaHost ? DotnetHost() : executable;
        var heap = (long)options.MaxMemoryMegabytes * 1024 * 1024;
        var psi = new ProcessStartInfo(OperatingSystem.IsLinux() ? "/bin/sh" : program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(executable))!,
        };
        if (OperatingSystem.IsLinux())
        {
            // The address-space limit must hold before the runtime starts. Set on the running child it
            // lands below what the runtime has already reserved (~3.6 GB idle), so every later mapping
            // fails, an assembly load or a JIT code page as much as a bomb's: a flaky "out of memory" on
            // a small page. Limited from its start the runtime reserves less (~1.9 GB idle). The shell
            // execs, so the child's pid stays the one started here.
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"ulimit -c 0 && ulimit -v {(heap + RuntimeAddressSpace) / 1024} && exec \"$0\" \"$@\"");
            psi.ArgumentList.Add(program);
        }
        if (viaHost)
        {
            psi.ArgumentList.Add(executable);
        }
        psi.Environment["DOTNET_GCHeapHardLimit"] = heap.ToString("X", CultureInfo.InvariantCulture);
        psi.Environment["DOTNET_gcServer"] = "0";
        psi.Environment["DOTNET_gcConcurrent"] = "0";
        // No diagnostics IPC socket, no dump on a crash, no PGO instrumentation for a short-lived process.
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        psi.Environment["DOTNET_TieredPGO"] = "0";
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start the extractor {executable}.");
        return new ExtractorProcess(process, options);
    }

    /// <summary>
    /// Sends one document and waits for the answer. The CPU limit is set to what the child has used
    /// so far plus this document's allowance; the timeout kills the child.
    /// </summary>
    public async Task<ExtractionAnswer> RunAsync(ExtractionHeader header, byte[] file, TimeProvider time, CancellationToken cancellationToken)
    {
        Documents++;
        var used = (long)Math.Ceiling(_process.TotalProcessorTime.TotalSeconds);
        NativeLimits.CpuSeconds(_process.Id, used + _options.CpuSeconds);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TimeoutSeconds), time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        // Pipe reads do not always observe a token: killing the child ends them for sure.
        await using var stop = either.Token.Register(Kill);
        byte[]? answer = null;
        try
        {
            var stdin = _process.StandardInput.BaseStream;
            var request = JsonSerializer.SerializeToUtf8Bytes(header, ExtractionProtocol.Json.ExtractionHeader);
            await ExtractionProtocol.WriteAsync(stdin, request, either.Token);
            await ExtractionProtocol.WriteAsync(stdin, file, either.Token);
            await stdin.FlushAsync(either.Token);
            // The answer is at most the text limit, JSON-escaped (six bytes for a control character).
            var maxAnswer = (int)Math.Min(int.MaxValue, (6L * header.MaxTextBytes) + (1024 * 1024));
            answer = await ExtractionProtocol.ReadAsync(_process.StandardOutput.BaseStream, maxAnswer, either.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The child died under us (a broken pipe), or the timeout killed it: explained below.
        }
        catch (InvalidDataException)
        {
            Kill();
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (answer is not null)
        {
            var parsed = JsonSerializer.Deserialize(answer, ExtractionProtocol.Json.ExtractionAnswer);
            if (parsed is { Kind: "memory" })
            {
                throw new ArgumentException(MemoryReason());
            }
            return parsed ?? throw new ArgumentException("The extractor gave an empty answer.");
        }
        throw new ArgumentException(await DeathReasonAsync(timeout.IsCancellationRequested));
    }

    public void Kill()
    {
        try
        {
            _killed = true;
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try
            {
                // Closing stdin lets an idle child end by itself; kill it if it does not at once.
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It is dying anyway.
            }
            if (!_process.WaitForExit(200))
            {
                Kill();
            }
        }
        _process.Dispose();
    }

    private string MemoryReason() => $"Reading the document needed more than {_options.MaxMemoryMegabytes} MB of memory; it was stopped.";

    /// <summary>Why the child is gone, from how it ended and the first lines it wrote to stderr.</summary>
    private async Task<string> DeathReasonAsync(bool timedOut)
    {
        if (timedOut)
        {
            Kill();
            return $"Reading the document took longer than {_options.TimeoutSeconds} s; it was stopped.";
        }
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            await _stderrPump.WaitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            return "The extractor stopped answering; it was stopped.";
        }
        string stderr;
        lock (_stderr)
        {
            stderr = _stderr.ToString();
        }
        var code = _process.ExitCode;
        if (stderr.Contains("Stack overflow", StringComparison.Ordinal))
        {
            return "The document could not be read: it nests too deeply for the parser (the extractor ran out of stack).";
        }
        if (code == 128 + 24)
        {
            return $"Reading the document took more than {_options.CpuSeconds} s of CPU; it was stopped.";
        }
        if (code == ExtractionChild.ExitOutOfMemory || stderr.Contains("OutOfMemory", StringComparison.Ordinal)
            || stderr.Contains("Out of memory", StringComparison.OrdinalIgnoreCase) || (code == 128 + 9 && !_killed))
        {
            return MemoryReason();
        }
        return $"The document could not be read: the extractor stopped (exit code {code}).";
    }

    private async Task PumpStderrAsync()
    {
        var buffer = new char[1024];
        try
        {
            var reader = _process.StandardError;
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (_stderr)
                {
                    if (_stderr.Length < KeptStderr)
                    {
                        _stderr.Append(buffer, 0, Math.Min(read, KeptStderr - _stderr.Length));
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The child is being disposed: nothing more to keep.
        }
    }

    /// <summary>The <c>dotnet</c> host: the one running this process when it is one, else the SDK's, else the PATH's.</summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }
}
