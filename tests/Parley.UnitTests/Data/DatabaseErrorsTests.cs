using System.Net.Sockets;
using Npgsql;
using Parley.Data;
using Xunit;

namespace Parley.UnitTests.Data;

/// <summary>
/// Which errors the writers retry, which they set aside as refused records, and which mean the server went away:
/// a wrong answer here either loses records (a retryable error dead-lettered) or retries a refused record forever.
/// </summary>
public sealed class DatabaseErrorsTests
{
    private static PostgresException Server(string sqlState) => new("message", "ERROR", "ERROR", sqlState);

    [Theory]
    [InlineData("57P01")] // admin_shutdown: the server is stopping
    [InlineData("57P02")] // crash_shutdown
    [InlineData("08006")] // connection_failure
    [InlineData("08P01")] // protocol_violation
    public void A_server_going_away_is_a_connection_loss(string sqlState)
    {
        Assert.True(DatabaseErrors.IsConnectionLoss(Server(sqlState)));
        Assert.True(DatabaseErrors.IsRetryable(Server(sqlState)));
    }

    [Theory]
    [InlineData("57014")] // query_canceled: class 57, but the statement's, not the server's
    [InlineData("23505")]
    [InlineData("42601")]
    [InlineData("40001")]
    public void A_statement_error_is_not_a_connection_loss(string sqlState) =>
        Assert.False(DatabaseErrors.IsConnectionLoss(Server(sqlState)));

    [Fact]
    public void A_driver_error_is_a_connection_loss_only_when_transient()
    {
        Assert.True(DatabaseErrors.IsConnectionLoss(new NpgsqlException("reset", new IOException("connection reset"))));
        Assert.False(DatabaseErrors.IsConnectionLoss(new NpgsqlException("bad")));
    }

    [Theory]
    [InlineData("57014")] // query_canceled: a statement timeout
    [InlineData("25006")] // read_only_sql_transaction: a standby promoted a moment late
    [InlineData("40001")] // serialization_failure
    [InlineData("40P01")] // deadlock_detected
    [InlineData("53300")] // too_many_connections
    public void A_statement_that_could_succeed_later_unchanged_is_retryable(string sqlState) =>
        Assert.True(DatabaseErrors.IsRetryable(Server(sqlState)));

    [Theory]
    [InlineData("23505")]
    [InlineData("22021")]
    [InlineData("42P01")]
    public void A_statement_that_fails_the_same_way_every_time_is_not_retryable(string sqlState) =>
        Assert.False(DatabaseErrors.IsRetryable(Server(sqlState)));

    [Fact]
    public void Timeouts_and_network_errors_are_retryable_and_the_inner_chain_is_searched()
    {
        Assert.True(DatabaseErrors.IsRetryable(new TimeoutException()));
        Assert.True(DatabaseErrors.IsRetryable(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.True(DatabaseErrors.IsRetryable(new IOException("broken pipe")));
        Assert.True(DatabaseErrors.IsRetryable(new NpgsqlException("reset", new IOException("connection reset"))));
        // EF Core wraps the driver's error.
        Assert.True(DatabaseErrors.IsRetryable(new InvalidOperationException("wrapped", new InvalidOperationException("again", Server("40001")))));
        Assert.False(DatabaseErrors.IsRetryable(new InvalidOperationException("wrapped", Server("23505"))));
        Assert.False(DatabaseErrors.IsRetryable(new InvalidOperationException("a bug of ours")));
        Assert.False(DatabaseErrors.IsRetryable(new NpgsqlException("bad")));
        Assert.False(DatabaseErrors.IsRetryable(null));
    }

    [Theory]
    [InlineData("22021")] // a NUL in a text
    [InlineData("22003")] // a number out of range
    [InlineData("23503")] // the row's call is gone
    [InlineData("23505")]
    [InlineData("54000")] // a value too big for an index
    public void A_value_the_database_refuses_is_a_refused_value(string sqlState)
    {
        Assert.True(DatabaseErrors.IsRefusedValue(Server(sqlState)));
        Assert.True(DatabaseErrors.IsRefusedValue(new InvalidOperationException("wrapped", Server(sqlState))));
    }

    [Theory]
    [InlineData("40001")]
    [InlineData("57P01")]
    [InlineData("42601")]
    [InlineData("2F000")]
    [InlineData("25006")]
    [InlineData("53300")]
    public void An_error_of_the_server_or_of_the_statement_is_not_a_refused_value(string sqlState) =>
        Assert.False(DatabaseErrors.IsRefusedValue(Server(sqlState)));

    [Fact]
    public void A_value_the_driver_cannot_encode_is_refused_and_other_errors_are_not()
    {
        Assert.True(DatabaseErrors.IsRefusedValue(new InvalidCastException()));
        Assert.True(DatabaseErrors.IsRefusedValue(new ArgumentException("lone surrogate")));
        Assert.True(DatabaseErrors.IsRefusedValue(new OverflowException()));
        Assert.True(DatabaseErrors.IsRefusedValue(new FormatException()));
        Assert.True(DatabaseErrors.IsRefusedValue(new InvalidOperationException("wrapped", new InvalidCastException())));
        Assert.False(DatabaseErrors.IsRefusedValue(new InvalidOperationException("a bug of ours")));
        Assert.False(DatabaseErrors.IsRefusedValue(new TimeoutException()));
        Assert.False(DatabaseErrors.IsRefusedValue(null));
    }
}
