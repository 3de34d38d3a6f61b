using Microsoft.Extensions.Options;
using Parley.Data;
using Parley.Embeddings;
using Parley.Calls;
using Parley.Knowledge;
using Parley.Monitoring;
using Parley.Server.Monitoring;
using Parley.Server.Calls;
using Parley.Server.Admin;
using Parley.Server.Knowledge;
using Parley.Server.Auth;
using Parley.Server.Errors;
using Parley.Server.Input;
using Parley.Server.Limits;
using Parley.Server.Transactional;
using Parley.Server.Health;
using Parley.Server.OpenAi;
using Parley.Server.Vapi;
using Parley.Transactional;
using Parley.Transactional.Persistence;

namespace Parley.Server;

/// <summary>Composes the libraries into the HTTP host; the host holds no business logic.</summary>
public static class ServerHostingExtensions
{
    public static WebApplicationBuilder AddParleyServer(this WebApplicationBuilder builder)
    {
        builder.AddParleyData();
        builder.AddParleyEmbeddings();
        builder.AddParleyTransactional();
        builder.AddParleyKnowledge();
        builder.AddParleyCalls();
        builder.AddParleyMonitoring();
        builder.AddParleyAuth();
        builder.AddParleyRateLimits();
        builder.AddMetricsPort();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<Calls.CallAdmission>();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddScoped<OpenAi.ChatCompletionStream>();
        builder.Services.AddScoped<Calls.TurnEventStream>();
        builder.Services.AddSingleton<Calls.CallSocketMetrics>();
        // The largest body any endpoint takes (a document upload); each endpoint has its own, lower limit (BodyLimitMiddleware).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
        builder.Services.AddOpenApi(o => o.AddOperationTransformer(Streaming.EventStreamResponse.DescribeAsync));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
        return builder;
    }

    /// <summary>
    /// Refuses a superuser or BYPASSRLS role, then migrates when <c>Parley:Database:Migrate</c> is true
    /// (the default), then checks the model; then imports Data Protection keys an older Parley kept as files.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        var migrate = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Migrate;
        try
        {
            await app.Services.GetRequiredService<DatabaseRoleCheck>().EnsureBoundByRowSecurityAsync(cancellationToken);
            if (migrate)
            {
                await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
            }
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<LegacyDataProtectionKeys>().ImportAsync(cancellationToken);
        }
        catch (Npgsql.NpgsqlException) when (!migrate)
        {
            // Serving without migrating, the process starts even while the database is away (readiness
            // says so); the role is then checked, and old key files imported, at a start that reaches it.
        }
    }

    public static WebApplication MapParley(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseMiddleware<MetricsGate>();
        app.UseRateLimiter();
        app.UseAuthorization();
        // The body limit first: the control-character guard reads what it lets through.
        app.UseMiddleware<BodyLimitMiddleware>();
        app.UseMiddleware<ControlCharacterGuard>();
        // The call's WebSocket (GET /v1/calls/{id}/stream): its upgrade passes every check above first.
        app.UseWebSockets();
        app.MapOpenApi();
        app.MapHealthEndpoints();
        app.MapAdminPage();
        app.MapAccountEndpoints();
        app.MapTenantCrudEndpoints();
        app.MapCallLogEndpoints();
        app.MapKnowledgeEndpoints();
        app.MapTurnEndpoints();
        app.MapInterimEndpoints();
        app.MapCallStreamEndpoints();
        app.MapOpenAiEndpoints();
        app.MapVapiEndpoints();
        app.MapMonitoringEndpoints();
        return app;
    }
}
