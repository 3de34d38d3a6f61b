using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Parley.Data.Writers;
using Parley.Domain.Knowledge;
using Parley.Monitoring.Alerts;
using Parley.Monitoring.Performance;
using Parley.Monitoring.Records;
using Parley.Monitoring.Telemetry;
using Polly;

namespace Parley.Monitoring;

public static class MonitoringHostingExtensions
{
    /// <summary>
    /// What every Parley host shares, after eShop's ServiceDefaults: metrics export (Prometheus, OTLP when
    /// configured) of whatever meters the composed features publish, the health check service their
    /// checks join, the per-search records, the performance and database figures, and the latency
    /// monitor with its alerts and webhook. Needs only the data library registered.
    /// </summary>
    public static IHostApplicationBuilder AddParleyMonitoring(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MonitorOptions>()
            .BindConfiguration(MonitorOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => IsWindow(o.Window), "Parley:Monitor:Window must be a number and a unit (s, m, h, d), e.g. 5m.")
            .Validate(o => o.WebhookUrl is null || (o.WebhookUrl.IsAbsoluteUri && o.WebhookUrl.Scheme is "http" or "https"),
                "Parley:Monitor:WebhookUrl must be an absolute http(s) URL.")
            .ValidateOnStart();
        builder.Services.AddMetrics();
        builder.AddParleyTelemetry();

        builder.Services.AddSingleton<MonitoringMetrics>();
        builder.Services.AddSingleton<SearchRecorder>();
        builder.Services.AddSingleton<ISearchObserver>(sp => sp.GetRequiredService<SearchRecorder>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SearchRecorder>());
        builder.Services.AddSingleton<IRecordWriter>(sp => sp.GetRequiredService<SearchRecorder>());
        builder.Services.AddSingleton<PerformanceService>();
        builder.Services.AddSingleton<NpgsqlPoolMonitor>();
        builder.Services.AddSingleton<DatabaseMetricsService>();
        builder.Services.AddSingleton<AlertStore>();
        builder.Services.AddSingleton<AlertWebhook>();
        builder.Services.AddSingleton<LatencyMonitorService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LatencyMonitorService>());

        builder.Services.AddHttpClient(AlertWebhook.ClientName)
            .AddResilienceHandler("alert-webhook", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<MonitorOptions>>().Value;
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = o.WebhookRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(250),
                });
                pipeline.AddTimeout(TimeSpan.FromSeconds(10));
            });

        // The features add their own checks (tagged HealthTags.Ready); the host maps the probes.
        builder.Services.AddHealthChecks();
        return builder;
    }

    private static bool IsWindow(string value)
    {
        try
        {
            Window.Parse(value);
            return true;
        }
        catch (Domain.InvalidRequestException)
        {
            return false;
        }
    }
}
