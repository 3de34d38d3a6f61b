using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Parley.Calls;
using Parley.Calls.Pipeline;
using Parley.Domain;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Monitoring;

public sealed class TurnTraceTests(MonitoringFixture fx) : IClassFixture<MonitoringFixture>
{
    private static readonly ActivitySource TestSource = new("Parley.Tests.Turns");

    [Fact]
    public async Task A_turn_traces_one_span_per_stage_under_its_caller()
    {
        var (account, client) = await fx.NewTenantAsync("Traced Bistro");
        await Tenants.SeedAsync(client);
        var call = await Tenants.StartCallAsync(client);
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is CallTelemetry.SourceName or "Parley.Tests.Turns",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        await using var scope = fx.App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.For(new AccountId(account));
        var orchestrator = scope.ServiceProvider.GetRequiredService<CallOrchestrator>();
        using (var parent = TestSource.StartActivity("test turn"))
        {
            await orchestrator.TakeTurnAsync(call, "Is there parking nearby?", speak: true, CancellationToken.None);
            var mine = spans.Where(s => s.ParentSpanId == parent!.SpanId).ToList();
            var expected = EspeakAvailable() ? new[] { "embed", "llm", "search", "tts" } : ["embed", "llm", "search"];
            Assert.Equal(expected, mine.Select(s => (string)s.GetTagItem("parley.stage")!).Order());
            Assert.All(mine, s => Assert.Equal($"turn {s.GetTagItem("parley.stage")}", s.DisplayName));
        }
    }

    [Fact]
    public async Task Traces_are_exported_only_when_an_OTLP_endpoint_is_configured()
    {
        Assert.Null(fx.App.Services.GetService<TracerProvider>());
        var exported = new List<Activity>();
        await using var app = new ParleyAppFactory(fx.ConnectionString,
            new Dictionary<string, string?>
            {
                ["Parley:Monitor:OtlpEndpoint"] = "http://127.0.0.1:4317", ["Parley:Monitor:Enabled"] = "false",
                ["Parley:Calls:IdleTimeoutSeconds"] = "0",
            },
            s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(exported)));
        Assert.NotNull(app.Services.GetService<TracerProvider>());

        // The calls feature names its own activity source (Monitoring does not know it): its spans are exported.
        using var source = new ActivitySource(CallTelemetry.SourceName);
        using (var span = source.StartActivity("probe"))
        {
            Assert.NotNull(span);
        }
        // Read as a copy: the server's own background work (the API-key listener's first statements) is
        // exported into the same list meanwhile.
        Assert.Contains(exported.ToArray(), a => a.Source.Name == CallTelemetry.SourceName && a.DisplayName == "probe");
    }

    private static bool EspeakAvailable() => Parley.Calls.Providers.EspeakTextToSpeech.Available;
}
