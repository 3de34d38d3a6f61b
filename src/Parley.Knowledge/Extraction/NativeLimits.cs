using System.Runtime.InteropServices;

namespace Parley.Knowledge.Extraction;

/// <summary>
/// Resource limits of another process, through Linux's <c>prlimit(2)</c>: the kernel enforces them
/// whatever the child does. Elsewhere a no-op (the heap limit and the timeout still apply).
/// </summary>
internal static class NativeLimits
{
    private const int RlimitCpu = 0;

    /// <summary>
    /// The soft CPU limit: passing it sends SIGXCPU, which ends a .NET process (the runtime does not
    /// handle it). The hard limit stays as it is: only a privileged process could raise it again for
    /// the next document, and the wall-clock timeout backs this up anyway.
    /// </summary>
    public static void CpuSeconds(int pid, long seconds) => Set(pid, RlimitCpu, (ulong)seconds, ulong.MaxValue, keepHard: true);

    /// <param name="keepHard">Leave the hard limit as it is and set only the soft one (at most the hard one).</param>
    private static void Set(int pid, int resource, ulong soft, ulong hard, bool keepHard)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        if (keepHard)
        {
            if (prlimit(pid, resource, IntPtr.Zero, out var current) != 0)
            {
                throw new InvalidOperationException($"prlimit({pid}) could not read limit {resource}: errno {Marshal.GetLastPInvokeError()}");
            }
            hard = current.Max;
        }
        var limit = new RLimit { Current = Math.Min(soft, hard), Max = hard };
        if (prlimit(pid, resource, ref limit, IntPtr.Zero) != 0)
        {
            throw new InvalidOperationException($"prlimit({pid}) could not set limit {resource}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int prlimit(int pid, int resource, ref RLimit newLimit, IntPtr oldLimit);

    [DllImport("libc", SetLastError = true)]
    private static extern int prlimit(int pid, int resource, IntPtr newLimit, out RLimit oldLimit);
}
