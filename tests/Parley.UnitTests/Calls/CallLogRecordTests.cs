using System.Text.Json;
using Parley.Calls.CallLog;
using Parley.Domain;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;
using Xunit;

namespace Parley.UnitTests.Calls;

public sealed class CallLogRecordTests
{
    [Fact]
    public void A_turn_and_a_usage_record_survive_their_spool_line()
    {
        var account = AccountId.New();
        var turn = new CallTurn
        {
            AccountId = account, Id = Guid.CreateVersion7(), CallId = Guid.CreateVersion7(), Ordinal = 3, Transcript = "tab\t \"quoted\" \u0000 nul", Answer = "a",
            ChunkIds = [Guid.CreateVersion7()], Sources = """[{"chunkId":"x"}]""", LlmMs = 1.5, Cached = true, Degraded = ["llm"], CreatedAt = DateTimeOffset.UtcNow,
        };
        var usage = new UsageRecord { AccountId = account, Id = Guid.CreateVersion7(), Kind = BillingService.LlmTokens, Quantity = 12.5m, OccurredAt = DateTimeOffset.UtcNow, CallId = turn.CallId };
        foreach (var record in new[] { new CallLogRecord(turn, null), new CallLogRecord(null, usage) })
        {
            var line = JsonSerializer.SerializeToUtf8Bytes(record, CallLogRecord.Json);
            Assert.DoesNotContain((byte)'\n', line);
            var back = JsonSerializer.Deserialize(line, CallLogRecord.Json)!;
            Assert.Equal(record.Turn?.Id, back.Turn?.Id);
            Assert.Equal(record.Turn?.Transcript, back.Turn?.Transcript);
            Assert.Equal(record.Turn?.AccountId, back.Turn?.AccountId);
            Assert.Equal(record.Turn?.Degraded, back.Turn?.Degraded);
            Assert.Equal(record.Usage?.Quantity, back.Usage?.Quantity);
            Assert.Equal(record.Usage?.Kind, back.Usage?.Kind);
        }
    }
}
