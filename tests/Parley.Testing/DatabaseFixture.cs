using Npgsql;
using Xunit;

namespace Parley.Testing;

/// <summary>A class fixture: one cloned database for the test class.</summary>
public class DatabaseFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";
    public TestPostgres Server { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Server = await TestPostgres.GetAsync();
        ConnectionString = await Server.CreateDatabaseAsync(GetType().Name);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    public NpgsqlDataSource CreateSuperuserDataSource() => NpgsqlDataSource.Create(Server.Superuser(ConnectionString));
}
