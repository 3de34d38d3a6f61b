using Microsoft.Extensions.Configuration;
using Npgsql;
using Parley.Data;
using Xunit;

namespace Parley.UnitTests.Data;

/// <summary>The owner's connection and the corners of <c>postgres://</c> URLs: what reaches Npgsql, and what is ignored.</summary>
public sealed class OwnerConnectionStringTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void The_owner_url_wins_over_the_owner_connection_string_and_neither_means_none()
    {
        const string keywords = "Host=owner-keywords;Database=d";
        Assert.Equal("owner-url", new NpgsqlConnectionStringBuilder(ConnectionStrings.ResolveOwner(Settings(
            (ConnectionStrings.OwnerUrlVariable, "postgres://owner-url/d"), ("ConnectionStrings:ParleyOwner", keywords)))).Host);
        Assert.Equal(keywords, ConnectionStrings.ResolveOwner(Settings(("ConnectionStrings:ParleyOwner", keywords))));
        Assert.Null(ConnectionStrings.ResolveOwner(Settings(("ConnectionStrings:ParleyOwner", ""))));
        Assert.Null(ConnectionStrings.ResolveOwner(Settings(("ConnectionStrings:Parley", keywords))));
    }

    [Fact]
    public void A_blank_url_counts_as_no_url()
    {
        Assert.Equal("from-connection-string", new NpgsqlConnectionStringBuilder(ConnectionStrings.Resolve(Settings(
            (ConnectionStrings.UrlVariable, "  "), ("ConnectionStrings:Parley", "Host=from-connection-string")))).Host);
        Assert.Equal("owner-keywords", new NpgsqlConnectionStringBuilder(ConnectionStrings.ResolveOwner(Settings(
            (ConnectionStrings.OwnerUrlVariable, " "), ("ConnectionStrings:ParleyOwner", "Host=owner-keywords")))).Host);
        Assert.Null(ConnectionStrings.Resolve(Settings()));
    }

    [Fact]
    public void A_password_without_a_user_is_kept_and_no_user_is_invented()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionStrings.FromUrl("postgres://:s3cret@db/parley"));
        Assert.Null(b.Username);
        Assert.Equal("s3cret", b.Password);
    }

    [Theory]
    [InlineData("postgres://db/parley?SSLMODE=disable&application_name=x", SslMode.Disable)]
    [InlineData("postgres://db/parley?application_name=x&sslmode=prefer", SslMode.Prefer)]
    [InlineData("postgres://db/parley?sslmode", SslMode.Prefer)]
    [InlineData("postgres://db/parley?sslmode-x=require", SslMode.Prefer)]
    public void Sslmode_is_read_whatever_its_case_and_position_and_other_parameters_are_ignored(string url, SslMode expected)
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionStrings.FromUrl(url));
        Assert.Equal(expected, b.SslMode);
        Assert.Equal(("db", "parley"), (b.Host, b.Database));
    }

    [Theory]
    [InlineData("postgres://db:0/parley")]
    [InlineData("postgres://db/parley")]
    public void A_url_with_no_port_or_port_zero_gets_the_default_port(string url) =>
        Assert.Equal(5432, new NpgsqlConnectionStringBuilder(ConnectionStrings.FromUrl(url)).Port);
}
