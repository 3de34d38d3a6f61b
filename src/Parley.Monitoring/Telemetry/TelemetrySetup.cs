using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Parley.Monitoring.Telemetry;

/// <summary>
/// OpenTelemetry for the server: Parley's meters, Npgsql's pool and command metrics (both pools,
/// tagged by pool name), ASP.NET Core, HttpClient and runtime metrics, scraped at <c>/metrics</c>.
/// Traces (a turn's stage spans, requests, outgoing HTTP, Npgsql commands) and an OTLP push of
/// everything are switched on only when a collector is configured: nothing would read them otherwise.
/// Each feature names its own meter and activity source (<c>ConfigureOpenTelemetryMeterProvider</c> in
/// its <c>AddParleyXxx</c>), so this exports whatever the host composed without knowing the features.
/// </summary>
internal static class TelemetrySetup
{

    public static void AddParleyTelemetry(this IHostApplicationBuilder builder)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("parley"))
            .WithMetrics(m => m
                .AddMeter(MonitoringMetrics.MeterName)
                .AddNpgsqlInstrumentation()
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        if (!builder.Configuration.GetValue($"{MonitorOptions.Section}:AccountLabels", true))
        {
            otel.WithMetrics(m => m.AddView(MetricLabels.WithoutAccount));
        }

        var endpoint = builder.Configuration[$"{MonitorOptions.Section}:OtlpEndpoint"];
        var standardEndpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint) && string.IsNullOrWhiteSpace(standardEndpoint))
        {
            return;
        }
        otel.WithTracing(t => t
            .AddAspNetCoreInstrumentation(o => o.Filter = http => http.Request.Path != "/metrics" && !http.Request.Path.StartsWithSegments("/health"))
            .AddHttpClientInstrumentation()
            .AddNpgsql());
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            // 4318 is OTLP over HTTP by convention; anything else is taken as gRPC (4317).
            var uri = new Uri(endpoint);
            otel.UseOtlpExporter(uri.Port == 4318 ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc, uri);
        }
        else
        {
            // OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, … as the specification names them.
            otel.UseOtlpExporter();
        }
    }
}
