using Npgsql;
using Xunit;

namespace Parley.Testing;

/// <summary>A class fixture: one cloned database for the test class.</summary>
public class DatabaseFixture : IAsyncLifetime
{
    /// <summary>The application role's (the server's): owns nothing, bound by row-level security.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The schema owner's, on the same database: migrations, DDL, platform-wide work.</summary>
    public string OwnerConnectionString => TestPostgres.Owner(ConnectionString);
    public TestPostgres Server { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Server = await TestPostgres.GetAsync();
        ConnectionString = await Server.CreateDatabaseAsync(GetType().Name);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    public NpgsqlDataSource CreateSuperuserDataSource() => NpgsqlDataSource.Create(Server.Superuser(ConnectionString));
}
