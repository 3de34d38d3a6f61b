using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Parley.Domain;

namespace Parley.Server.OpenAi;

/// <summary>
/// OpenAI's error body, <c>{"error": {"message", "type", "param", "code"}}</c>: what OpenAI clients
/// (the <c>openai</c> packages, voice platforms' custom-LLM callers) parse into their own error types,
/// so every failure under <c>/v1/openai</c> answers in it instead of RFC 7807.
/// </summary>
internal sealed record OpenAiError(OpenAiError.Detail Error)
{
    public const string PathPrefix = "/v1/openai";

    internal sealed record Detail(
        string Message, string Type,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code);

    public static bool Applies(HttpContext http) => http.Request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase);

    public static IResult Result(int status, string message, string type, string? param = null, string? code = null) =>
        TypedResults.Json(new OpenAiError(new Detail(message, type, param, code)), statusCode: status);

    public static IResult Unauthorized() =>
        Result(401, "Send a valid Parley API key as 'Authorization: Bearer <key>'.", "invalid_request_error", null, "invalid_api_key");

    /// <summary>The domain's exceptions in OpenAI's words; null for anything that stays a 500.</summary>
    public static IResult? For(Exception exception) => exception switch
    {
        InvalidRequestException e => Result(400, e.Message, "invalid_request_error", e.Errors.Keys.FirstOrDefault()),
        NotFoundException e => Result(404, e.Message, "invalid_request_error", null, "not_found"),
        ConflictException e => Result(409, e.Message, "invalid_request_error", null, "conflict"),
        BadHttpRequestException e => Result(e.StatusCode, e.Message, "invalid_request_error"),
        System.Text.Json.JsonException e => Result(400, $"The body is not valid JSON: {e.Message}", "invalid_request_error"),
        DbUpdateException or Npgsql.NpgsqlException => Result(503, "The database is unavailable right now; try again shortly.", "server_error"),
        _ => null,
    };
}
