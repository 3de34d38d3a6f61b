namespace Parley.Server.Monitoring;

/// <summary>
/// <c>Parley:Monitor:MetricsPort</c>: one more listener, on every interface, beside the API's own
/// addresses (<c>--urls</c>, <c>ASPNETCORE_URLS</c>), which stay as configured.
/// </summary>
internal static class MetricsPort
{
    public static WebApplicationBuilder AddMetricsPort(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<int?>("Parley:Monitor:MetricsPort") is { } port)
        {
            var urls = builder.Configuration["urls"] ?? builder.Configuration["ASPNETCORE_URLS"] ?? "http://localhost:5000";
            builder.WebHost.UseUrls([.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries), $"http://0.0.0.0:{port}"]);
        }
        return builder;
    }
}
