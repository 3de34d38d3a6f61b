using Microsoft.Extensions.Configuration;
using Npgsql;
using Parley.Data;
using Xunit;

namespace Parley.UnitTests.Data;

/// <summary><c>PARLEY_DATABASE_URL</c>: a URL's every part lands in Npgsql's keywords, escapes undone; a URL wins over a connection string.</summary>
public sealed class ConnectionStringsTests
{
    [Fact]
    public void Every_part_of_a_postgres_url_reaches_the_connection_string_with_its_escapes_undone()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionStrings.FromUrl("postgres://ann%40ops:p%3As%2Fw@db.example.org:6543/my%20db?sslmode=verify-full&application_name=x"));
        Assert.Equal("db.example.org", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("my db", b.Database);
        Assert.Equal("ann@ops", b.Username);
        Assert.Equal("p:s/w", b.Password);
        Assert.Equal(SslMode.VerifyFull, b.SslMode);
    }

    [Theory]
    [InlineData("postgresql://db.example.org", "db.example.org", 5432, "postgres", null)]
    [InlineData("POSTGRES://u@10.0.0.7:5433/parley", "10.0.0.7", 5433, "parley", "u")]
    [InlineData("postgres://db/parley?sslmode=require", "db", 5432, "parley", null)]
    public void A_url_without_port_database_or_password_gets_the_defaults(string url, string host, int port, string database, string? user)
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionStrings.FromUrl(url));
        Assert.Equal((host, port, database, user), (b.Host, b.Port, b.Database, b.Username));
        Assert.Null(b.Password);
    }

    [Fact]
    public void A_keyword_string_is_taken_as_it_is()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionStrings.FromUrl("Host=h;Port=7000;Database=d;Username=u;Password=p"));
        Assert.Equal(("h", 7000, "d", "u", "p"), (b.Host, b.Port, b.Database, b.Username, b.Password));
    }

    [Fact]
    public void The_url_wins_over_the_connection_string_and_the_connection_string_over_the_database_section()
    {
        static string? Resolve(params (string Key, string Value)[] settings) => ConnectionStrings.Resolve(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());
        const string keywords = "Host=from-connection-string;Database=d";
        const string section = "Host=from-section;Database=d";

        Assert.Equal("url-host", new NpgsqlConnectionStringBuilder(Resolve(
            (ConnectionStrings.UrlVariable, "postgres://url-host/d"), ("ConnectionStrings:Parley", keywords), ("Parley:Database:ConnectionString", section))).Host);
        Assert.Equal("from-connection-string", new NpgsqlConnectionStringBuilder(Resolve(("ConnectionStrings:Parley", keywords), ("Parley:Database:ConnectionString", section))).Host);
        Assert.Equal("from-section", new NpgsqlConnectionStringBuilder(Resolve(("Parley:Database:ConnectionString", section))).Host);
    }
}
