using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Parley.Data;
using Parley.Domain;
using Parley.Transactional.Agents;

namespace Parley.Calls.Pipeline;

/// <summary>One exchange of a call as the next turns need it: what was said, what retrieval ran on, what was answered.</summary>
public sealed record HistoryTurn(
    [property: JsonPropertyName("o")] int Ordinal,
    [property: JsonPropertyName("q")] string Question,
    [property: JsonPropertyName("r")] string Query,
    [property: JsonPropertyName("a")] string Answer);

/// <summary>
/// A turn's place in its call: its ordinal, the call's last turns before it, the call's agent (null when the
/// agent row is gone), and the tenant's knowledge version as the turn began.
/// </summary>
public sealed record TurnSlot(Guid AgentId, int Ordinal, IReadOnlyList<HistoryTurn> Recent, Agent? Agent, long KnowledgeVersion);

/// <summary>
/// The last turns of each live call and its turn ordinals, on the call's row in the database, so that
/// any server process can take the next turn of any call (behind a load balancer with no affinity) and
/// a restart neither forgets a conversation nor counts its ordinals from zero again. Nothing is held in
/// process memory: there is nothing to free when a call ends or idles out on another process, and
/// ending the call clears its row's turns (<c>CallService.EndAsync</c>).
/// </summary>
/// <remarks>
/// Cost: the turn's first round trip becomes an UPDATE of the call's row instead of a SELECT (the row
/// lock orders two processes taking turns of one call; the unique (account, call, ordinal) index is the
/// backstop), and one more small UPDATE lands the turn's words before the answer goes back, so the next
/// turn sees them wherever it runs. The call log itself stays off the answer's path (the spool).
/// </remarks>
public sealed partial class CallHistory(
    [FromKeyedServices(DataSourceKeys.Transactional)] NpgsqlDataSource dataSource, ILogger<CallHistory> logger)
{
    /// <summary>
    /// Takes the call's next ordinal and reads its last turns, its agent and the tenant's knowledge version, all
    /// in the one round trip (a turn used to pay two more, an EF query for the agent and one for the version);
    /// null when the account has no such active call.
    /// </summary>
    public async Task<TurnSlot?> BeginTurnAsync(AccountId account, Guid callId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(account).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("""
            UPDATE calls SET next_ordinal = next_ordinal + 1
            WHERE account_id = $1 AND id = $2 AND status = 'active'
            RETURNING agent_id, next_ordinal - 1, recent_turns::text
            """)
        {
            Parameters = { new() { Value = account.Value }, new() { Value = callId } },
        });
        // Only the active call's agent: an ended or unknown call reads no agent either.
        batch.Add(new NpgsqlBatchCommand($"""
            SELECT {AgentRow.Columns} FROM agents
            WHERE account_id = $1 AND id = (SELECT agent_id FROM calls WHERE account_id = $1 AND id = $2 AND status = 'active')
            """)
        {
            Parameters = { new() { Value = account.Value }, new() { Value = callId } },
        });
        batch.Add(KnowledgeVersionSql.Command(account));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var recent = JsonSerializer.Deserialize(reader.GetString(2), HistoryJson.Default.ListHistoryTurn) ?? [];
        var (agentId, ordinal) = (reader.GetGuid(0), reader.GetInt32(1));
        await reader.NextResultAsync(cancellationToken);
        var agent = await reader.ReadAsync(cancellationToken) ? AgentRow.Read(reader) : null;
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new TurnSlot(agentId, ordinal, recent, agent, reader.GetInt64(0));
    }

    /// <summary>
    /// The call's agent, whether it is still active, and its last turns, without taking an ordinal (what an
    /// interim transcript needs); null when the account has no such call.
    /// </summary>
    public async Task<(Guid AgentId, bool Active, IReadOnlyList<HistoryTurn> Recent)?> PeekAsync(
        AccountId account, Guid callId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(account).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("SELECT agent_id, status = 'active', recent_turns::text FROM calls WHERE account_id = $1 AND id = $2")
        {
            Parameters = { new() { Value = account.Value }, new() { Value = callId } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var recent = JsonSerializer.Deserialize(reader.GetString(2), HistoryJson.Default.ListHistoryTurn) ?? [];
        return (reader.GetGuid(0), reader.GetBoolean(1), recent);
    }

    /// <summary>
    /// Appends the turn to the call's row, keeping its last <paramref name="keep"/> turns in ordinal order
    /// (two processes may land theirs out of order). A failure costs the next turn its context, never
    /// this turn its answer: it is logged and swallowed.
    /// </summary>
    public async Task RememberAsync(AccountId account, Guid callId, HistoryTurn turn, int keep, CancellationToken cancellationToken)
    {
        try
        {
            await using var batch = dataSource.ForTenant(account).CreateBatch();
            batch.Add(new NpgsqlBatchCommand("""
                UPDATE calls SET recent_turns = (
                  SELECT coalesce(jsonb_agg(e ORDER BY (e->>'o')::int), '[]')
                  FROM (SELECT e FROM jsonb_array_elements(recent_turns || jsonb_build_array($3::jsonb)) e
                        ORDER BY (e->>'o')::int DESC LIMIT $4) kept)
                WHERE account_id = $1 AND id = $2 AND status = 'active'
                """)
            {
                Parameters =
                {
                    new() { Value = account.Value }, new() { Value = callId },
                    new() { Value = JsonSerializer.Serialize(turn, HistoryJson.Default.HistoryTurn), NpgsqlDbType = NpgsqlDbType.Jsonb },
                    new() { Value = Math.Max(1, keep) },
                },
            });
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogNotRemembered(logger, callId, turn.Ordinal, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Turn {Ordinal} of call {CallId} was not added to the call's history; its next turn goes without it")]
    private static partial void LogNotRemembered(ILogger logger, Guid callId, int ordinal, Exception exception);
}

/// <summary>Source-generated JSON for the history on the call's row (on the answer's path: no reflection there).</summary>
[JsonSerializable(typeof(HistoryTurn))]
[JsonSerializable(typeof(List<HistoryTurn>))]
internal sealed partial class HistoryJson : JsonSerializerContext;
