using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Transactional;

public sealed class LegacyKeysTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public void A_secret_protected_with_an_older_parleys_key_files_is_still_read_after_the_keys_moved_to_the_database()
    {
        var folder = Directory.CreateTempSubdirectory("parley-legacy-keys-").FullName;
        try
        {
            string payload;
            var services = new ServiceCollection();
            services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(folder)).SetApplicationName("parley");
            using (var old = services.BuildServiceProvider())
            {
                payload = old.GetRequiredService<IDataProtectionProvider>().CreateProtector("legacy-test").Protect("the old secret");
            }
            Assert.NotEmpty(Directory.GetFiles(folder, "key-*.xml"));

            using var app = new ParleyAppFactory(db.ConnectionString, new Dictionary<string, string?> { ["Parley:DataProtection:KeysPath"] = folder });
            var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("legacy-test");

            Assert.Equal("the old secret", protector.Unprotect(payload));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
