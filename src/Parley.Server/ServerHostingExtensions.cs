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
        // The largest body any endpoint takes (a document upload); each endpoint has its own, lower limit (BodyLimitMiddleware).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
        builder.Services.AddOpenApi(o => o.AddOperationTransformer(OpenAi.EventStreamResponse.DescribeAsync));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
        return builder;
    }

    /// <summary>Migrates when <c>Parley:Database:Migrate</c> is true (the default), then checks the model.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Migrate)
        {
            await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
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
        app.MapOpenApi();
        app.MapHealthEndpoints();
        app.MapAdminPage();
        app.MapAccountEndpoints();
        app.MapTenantCrudEndpoints();
        app.MapCallLogEndpoints();
        app.MapKnowledgeEndpoints();
        app.MapTurnEndpoints();
        app.MapOpenAiEndpoints();
        app.MapVapiEndpoints();
        app.MapMonitoringEndpoints();
        return app;
    }
}
