using System.Net;
using System.Net.Http.Json;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>Call setups against a node with room for two: failed setups give their place back; a burst stays within the limit.</summary>
public sealed class AdmissionBurstTests(AdmissionFixture f) : IClassFixture<AdmissionFixture>
{
    [Fact]
    public async Task Calls_that_fail_to_start_hold_no_place_and_a_burst_is_admitted_only_up_to_the_limit()
    {
        // An unknown agent is refused by the call service after admission: it must not keep a place.
        for (var i = 0; i < AdmissionFixture.MaxActiveCalls + 2; i++)
        {
            var bad = await f.Client.PostAsJsonAsync("/v1/calls", new { agentId = Guid.NewGuid(), direction = "in" });
            Assert.True(bad.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{(int)bad.StatusCode}");
        }

        // All at once: every setup is admitted before any is written, so the count must include those in flight.
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() =>
            f.Client.PostAsJsonAsync("/v1/calls", new { agentId = f.Agent, direction = "in" }))));

        Assert.Equal(AdmissionFixture.MaxActiveCalls, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(12 - AdmissionFixture.MaxActiveCalls, answers.Count(a => a.StatusCode == HttpStatusCode.ServiceUnavailable));
    }
}
