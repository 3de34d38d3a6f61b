using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Xunit;

namespace Parley.UnitTests.Data;

/// <summary>Read-your-writes is a window of time: moved with a fake clock, not waited for.</summary>
public sealed class ReadRoutingTests : IAsyncDisposable
{
    // Data sources do not connect until asked for a connection: routing is decided without a server.
    private readonly NpgsqlDataSource _primary = NpgsqlDataSource.Create("Host=primary.invalid;Username=p");
    private readonly NpgsqlDataSource _standby = NpgsqlDataSource.Create("Host=standby.invalid;Username=p");
    private readonly FakeTimeProvider _clock = new();

    private ReadRouting Routing(int seconds) =>
        new(_primary, _standby, Options.Create(new DatabaseOptions { ReadYourWritesSeconds = seconds }), _clock);

    [Fact]
    public void An_account_that_just_wrote_reads_from_the_primary_for_the_window_and_then_from_the_standby()
    {
        var routing = Routing(seconds: 2);
        var writer = AccountId.New();
        var other = AccountId.New();
        Assert.Same(_standby, routing.For(writer));

        routing.MarkWritten(writer);
        Assert.Same(_primary, routing.For(writer));
        Assert.Same(_standby, routing.For(other));

        _clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Same(_primary, routing.For(writer));
        _clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Same(_standby, routing.For(writer));

        // A new write opens a new window.
        routing.MarkWritten(writer);
        Assert.Same(_primary, routing.For(writer));
    }

    [Fact]
    public void Without_standbys_every_read_goes_to_the_primary()
    {
        var routing = new ReadRouting(_primary, _primary, Options.Create(new DatabaseOptions()), _clock);
        Assert.False(routing.HasReplicas);
        Assert.Same(_primary, routing.For(AccountId.New()));
    }

    [Fact]
    public void The_window_ends_exactly_when_its_seconds_have_passed()
    {
        var routing = Routing(seconds: 2);
        var writer = AccountId.New();
        Assert.True(routing.HasReplicas);
        routing.MarkWritten(writer);

        _clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.Same(_primary, routing.For(writer));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Same(_standby, routing.For(writer));
    }

    public async ValueTask DisposeAsync()
    {
        await _primary.DisposeAsync();
        await _standby.DisposeAsync();
    }
}
