using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Parley.Transactional.Persistence;

/// <summary>
/// Parley kept its Data Protection keys as files (one set per process) before they moved to the
/// database. At start, key files left there are copied into <c>data_protection_keys</c> once (by
/// their key id), so integration secrets encrypted with them stay readable after the upgrade.
/// </summary>
public sealed partial class LegacyDataProtectionKeys(DataProtectionKeyContext db, IConfiguration configuration, ILogger<LegacyDataProtectionKeys> logger)
{
    /// <summary>Where the files were: <c>Parley:DataProtection:KeysPath</c>, else <c>PARLEY_HOME/keys</c>, else <c>/tmp/parley/keys</c>.</summary>
    public string Folder =>
        configuration["Parley:DataProtection:KeysPath"]
        ?? Path.Combine(Environment.GetEnvironmentVariable("PARLEY_HOME") is { Length: > 0 } home ? home : Path.Combine(Path.GetTempPath(), "parley"), "keys");

    /// <summary>Imports what is new; a database that fails meanwhile is logged, and the next start tries again.</summary>
    public async Task<int> ImportAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Folder) || !Directory.EnumerateFiles(Folder, "key-*.xml").Any())
        {
            return 0;
        }
        try
        {
            return await CopyAsync(cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or DbUpdateException)
        {
            LogImportFailed(logger, Folder, e);
            return 0;
        }
    }

    private async Task<int> CopyAsync(CancellationToken cancellationToken)
    {
        var known = (await db.DataProtectionKeys.AsNoTracking().Select(k => k.FriendlyName).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var imported = 0;
        foreach (var file in Directory.EnumerateFiles(Folder, "key-*.xml"))
        {
            // The file repository names a key's file after its friendly name, as the database repository stores it.
            var name = Path.GetFileNameWithoutExtension(file);
            if (known.Contains(name))
            {
                continue;
            }
            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = name, Xml = await File.ReadAllTextAsync(file, cancellationToken) });
            imported++;
        }
        if (imported > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            LogImported(logger, imported, Folder);
        }
        return imported;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not import the Data Protection key files of {Folder}; the next start tries again")]
    private static partial void LogImportFailed(ILogger logger, string folder, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported {Count} Data Protection keys from {Folder} into the database")]
    private static partial void LogImported(ILogger logger, int count, string folder);
}
