using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Calls.Pipeline;
using Parley.Calls.Providers;
using Parley.Domain;
using Parley.Knowledge.Search;
using Parley.Server.Auth;
using Parley.Server.Streaming;
using Parley.Transactional.ApiKeys;
using Parley.Transactional.Agents;
using Parley.Transactional.Calls;
using static Parley.Server.OpenAi.ChatCompletionWire;

namespace Parley.Server.OpenAi;

/// <summary>
/// <c>/v1/openai</c>: Parley as an OpenAI-compatible "custom LLM", the door Vapi, Retell, ElevenLabs
/// Agents, LiveKit Agents and Pipecat all have. <c>model</c> names an agent; each request is a turn of a
/// call (retrieval on the last user message through the turn pipeline, passages into the prompt, the
/// configured answer generator), logged in the call log with its sources and timings.
/// </summary>
internal static class OpenAiEndpoints
{
    /// <summary>Names a Parley call the request is a turn of.</summary>
    public const string CallIdHeader = "X-Parley-Call-Id";

    /// <summary>The platform's own call id, when it sends one as a header (else <c>user</c> serves).</summary>
    public const string PlatformCallIdHeader = "X-Call-Id";

    public static IEndpointRouteBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(OpenAiError.PathPrefix).RequireTenant().RequireScope(ApiKeyScopes.Calls).WithTags("OpenAI-compatible");
        group.MapGet("/models", ListModelsAsync).Produces<OpenAiError>(StatusCodes.Status401Unauthorized);
        group.MapPost("/chat/completions", CompleteAsync)
            .Produces<Completion>(StatusCodes.Status200OK, "application/json")
            .WithMetadata(new EventStreamResponse(typeof(Chunk)))
            .Produces<OpenAiError>(StatusCodes.Status401Unauthorized).Produces<OpenAiError>(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<ModelList>> ListModelsAsync(AgentService agents, CancellationToken ct)
    {
        var models = new List<Model>();
        for (Page<Agent>? page = null; page is null || page.Next is not null;)
        {
            page = await agents.ListAsync(new PageRequest(PageRequest.MaxLimit, page is null ? null : Guid.Parse(page.Next!)), ct);
            models.AddRange(page.Items.Where(a => a.Active)
                .Select(a => new Model(a.Id.ToString(), "model", a.CreatedAt.ToUnixTimeSeconds(), "parley", a.Name)));
        }
        return TypedResults.Ok(new ModelList("list", models));
    }

    private static async Task<Results<Ok<Completion>, EmptyHttpResult, JsonHttpResult<OpenAiError>>> CompleteAsync(
        Request? body, HttpContext http, AgentService agents, CallService calls, CallOrchestrator orchestrator,
        ChatCompletionStream stream, TenantWarmer warmer, ITenantContext tenant, TimeProvider time, CancellationToken ct)
    {
        var question = LastUserText(body?.Messages);
        if (string.IsNullOrWhiteSpace(body?.Model))
        {
            return Invalid("model is required: an agent's id or name (GET /v1/openai/models).", "model");
        }
        if (string.IsNullOrWhiteSpace(question))
        {
            return Invalid("messages must end with a user message that has text.", "messages");
        }
        Agent agent;
        try
        {
            agent = await agents.FindByIdOrNameAsync(body.Model, ct);
        }
        catch (NotFoundException)
        {
            return TypedResults.Json(new OpenAiError(new OpenAiError.Detail(
                $"The model '{body.Model}' does not exist: name one of this account's agents.", "invalid_request_error", "model", "model_not_found")),
                statusCode: StatusCodes.Status404NotFound);
        }
        var (callId, started) = await CallOfAsync(http, body, agent, calls, ct);
        if (started)
        {
            // As POST /v1/calls does: the call's first search should read memory (queued, never awaited).
            warmer.Request(tenant.Scope.RequireAccount());
        }
        http.Response.Headers[CallIdHeader] = callId.ToString();
        var id = "chatcmpl-" + Guid.CreateVersion7().ToString("N");
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        if (body.Stream == true)
        {
            await stream.WriteAsync(http, id, created, body.Model, callId, question, ct);
            return TypedResults.Empty;
        }
        var turn = await orchestrator.TakeTurnAsync(callId, question, speak: false, ct);
        var usage = AnswerUsage.Estimate(body.Messages!.Sum(m => m.Content.ValueKind == System.Text.Json.JsonValueKind.String
            ? m.Content.GetString()!.Length : m.Content.GetRawText().Length), turn.Answer.Length);
        return TypedResults.Ok(new Completion(id, "chat.completion", created, body.Model,
            [new Choice(0, new MessageOut("assistant", turn.Answer), "stop")],
            new Usage(usage.InputTokens, usage.OutputTokens, usage.TotalTokens), Describe(callId, turn)));
    }

    public static ParleyTurn Describe(Guid callId, TurnResult turn) =>
        new(callId, turn.TurnId, turn.Sources, turn.Timings, turn.Cached, turn.Degraded, turn.StandaloneQuery, turn.Rewrite);

    /// <summary>
    /// The call named by <c>X-Parley-Call-Id</c>; else the one of the platform's call id (<c>X-Call-Id</c>,
    /// then <c>user</c>), made on first sight; else a call of its own for this one request. Whether this
    /// request started it.
    /// </summary>
    private static async Task<(Guid Call, bool Started)> CallOfAsync(HttpContext http, Request body, Agent agent, CallService calls, CancellationToken ct)
    {
        var named = http.Request.Headers[CallIdHeader].ToString();
        if (named.Length > 0)
        {
            return Guid.TryParse(named, out var callId) ? (callId, false)
                : throw new InvalidRequestException(CallIdHeader, $"{CallIdHeader} must be a Parley call id.");
        }
        var external = http.Request.Headers[PlatformCallIdHeader].ToString() is { Length: > 0 } header ? header : body.User;
        if (string.IsNullOrWhiteSpace(external))
        {
            return ((await calls.StartAsync(agent.Id, null, "in", ct)).Id, true);
        }
        var (call, started) = await calls.FindOrStartExternalAsync(agent.Id, external.Trim(), ct);
        return (call.Id, started);
    }

    private static JsonHttpResult<OpenAiError> Invalid(string message, string param) =>
        TypedResults.Json(new OpenAiError(new OpenAiError.Detail(message, "invalid_request_error", param, null)),
            statusCode: StatusCodes.Status400BadRequest);
}
