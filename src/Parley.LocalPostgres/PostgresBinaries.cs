namespace Parley.LocalPostgres;

/// <summary>Where the server's programs are: <c>PARLEY_PG_BIN</c>, else the newest Debian install.</summary>
public sealed record PostgresBinaries(string Directory)
{
    public string InitDb => Path.Combine(Directory, "initdb");
    public string PgCtl => Path.Combine(Directory, "pg_ctl");
    public string PgBaseBackup => Path.Combine(Directory, "pg_basebackup");

    public static PostgresBinaries Find()
    {
        var configured = Environment.GetEnvironmentVariable("PARLEY_PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return new PostgresBinaries(configured);
        }
        const string debianRoot = "/usr/lib/postgresql";
        var newest = System.IO.Directory.Exists(debianRoot)
            ? System.IO.Directory.GetDirectories(debianRoot)
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return newest is null
            ? throw new LocalClusterException("PostgreSQL server binaries not found under /usr/lib/postgresql; run ./parley up to install them.")
            : new PostgresBinaries(Path.Combine(newest, "bin"));
    }
}
