using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Domain;

namespace Parley.Transactional.ApiKeys;

/// <summary>
/// Keeps <see cref="ApiKeyAuthenticator"/> true on every process: one dedicated connection LISTENs on
/// <see cref="Channel"/>, which the <c>api_keys</c> trigger notifies on commit with <c>+prefix</c>
/// for a new key and <c>-sha256hex</c> for a key revoked, re-scoped, re-dated or deleted (migration
/// <c>ApiKeyExpiryAndNotify</c>). After LISTEN it reads every prefix, so no key created in between
/// is missed. A lost connection makes the authenticator distrust its caches until the listener is
/// back. The connection is its own (no pool): a listening session must outlive every request. It is
/// the owner's (platform-wide work: the prefixes of every account), as the platform pool's are.
/// </summary>
public sealed partial class ApiKeyChangeListener : BackgroundService
{
    public const string Channel = "parley_api_keys";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ApiKeyAuthenticator _keys;
    private readonly TimeProvider _time;
    private readonly ILogger<ApiKeyChangeListener> _logger;

    public ApiKeyChangeListener(IOptions<DatabaseOptions> options, ApiKeyAuthenticator keys, TimeProvider time, ILogger<ApiKeyChangeListener> logger)
    {
        var csb = new NpgsqlConnectionStringBuilder(options.Value.PlatformConnectionString)
        {
            ApplicationName = "parley-listen",
            Pooling = false,
            // A keepalive while waiting notices a dead server (or a cut network) within seconds.
            KeepAlive = 5,
            Timeout = options.Value.ConnectTimeoutSeconds,
        };
        _dataSource = new NpgsqlDataSourceBuilder(csb.ConnectionString) { Name = "parley-listen" }.Build();
        _keys = keys;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _keys.Deaf();
                ListenerLost(_logger, e);
                await Task.Delay(backoff, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5_000));
            }
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        // Every account's keys (the prefix set spans tenants): a platform connection, session-level scope.
        await using var connection = await _dataSource.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        connection.Notification += (_, e) => Apply(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }
        var prefixes = new List<string>();
        await using (var read = new NpgsqlCommand("SELECT prefix FROM api_keys", connection))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                prefixes.Add(reader.GetString(0));
            }
        }
        _keys.Listen(prefixes);
        Listening(_logger, prefixes.Count);
        try
        {
            while (true)
            {
                await connection.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            _keys.Deaf();
        }
    }

    private void Apply(string payload)
    {
        if (payload.StartsWith('+'))
        {
            _keys.Created(payload[1..]);
        }
        else if (payload.StartsWith('-'))
        {
            _keys.Forget(payload[1..]);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _dataSource.Dispose();
    }

    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Listening for API key changes ({Prefixes} keys known)")]
    private static partial void Listening(ILogger logger, int prefixes);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Lost the API key change listener; cached keys are re-read until it is back")]
    private static partial void ListenerLost(ILogger logger, Exception exception);
}
