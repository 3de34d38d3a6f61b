using System.Text.Json;
using Parley.Domain;
using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Jobs;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;
using Xunit;

namespace Parley.UnitTests.Domain;

public sealed class WireNamesTests
{
    /// <summary>The words each state had as a string before it became an enum: rows and clients hold these.</summary>
    private static void Travels<TEnum>(params string[] words) where TEnum : struct, Enum
    {
        var values = Enum.GetValues<TEnum>();
        Assert.Equal(words, values.Select(v => WireNames.Of(v)));
        foreach (var value in values)
        {
            var word = WireNames.Of(value);
            Assert.Equal(JsonSerializer.Serialize(word), JsonSerializer.Serialize(value));
            Assert.Equal(value, JsonSerializer.Deserialize<TEnum>(JsonSerializer.Serialize(word)));
            Assert.Equal(value, WireNames.Parse<TEnum>(word));
        }
    }

    [Fact]
    public void Every_state_travels_as_the_same_lowercase_word_in_json_and_in_the_database()
    {
        Travels<CallStatus>("active", "ended");
        Travels<CallDirection>("in", "out");
        Travels<InvoiceStatus>("open", "paid");
        Travels<PaymentStatus>("succeeded", "pending", "failed");
        Travels<JobStatus>("queued", "running", "succeeded", "failed");
        Travels<IngestStatus>("created", "replaced", "unchanged");
    }

    [Fact]
    public void A_word_no_state_has_is_refused_not_guessed()
    {
        Assert.False(WireNames.TryParse<CallStatus>("Ended", out _));
        Assert.False(WireNames.TryParse<CallStatus>(null, out _));
        Assert.False(WireNames.TryParse<CallStatus>("1", out _));
        var e = Assert.Throws<FormatException>(() => WireNames.Parse<JobStatus>("paused"));
        Assert.Contains("paused", e.Message, StringComparison.Ordinal);
    }
}
