using Parley.LocalPostgres;

namespace Parley.Cli;

/// <summary>The private state folder (<c>.parley/</c> at the repository root; <c>PARLEY_HOME</c> overrides).</summary>
internal static class ParleyHome
{
    public static string Path => Environment.GetEnvironmentVariable("PARLEY_HOME") is { Length: > 0 } home
        ? home
        : System.IO.Path.Combine(Directory.GetCurrentDirectory(), ".parley");

    public static LocalCluster Cluster => new(System.IO.Path.Combine(Path, "cluster"));
}
