using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Parley.Domain;

namespace Parley.Server.Errors;

/// <summary>Maps the domain's exceptions to RFC 7807 answers; anything else stays a 500.</summary>
internal sealed class ProblemExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (OpenAi.OpenAiError.Applies(httpContext) && OpenAi.OpenAiError.For(exception) is { } openAi)
        {
            await openAi.ExecuteAsync(httpContext);
            return true;
        }
        IResult? result = exception switch
        {
            InvalidRequestException e => Results.ValidationProblem(e.Errors, title: "The request is invalid."),
            NotFoundException e => Results.Problem(statusCode: 404, title: "Not found", detail: e.Message),
            ConflictException e => Results.Problem(statusCode: 409, title: "Conflict", detail: e.Message),
            ForbiddenException { MissingScope: { } scope } e => Results.Problem(statusCode: 403, title: "This key lacks a scope", detail: e.Message,
                type: Auth.ScopeProblemResultHandler.ProblemType, extensions: new Dictionary<string, object?> { ["missingScope"] = scope }),
            ForbiddenException e => Results.Problem(statusCode: 403, title: "Forbidden", detail: e.Message),
            // A chunked body that ran past its endpoint's limit (BodyLimitMiddleware set it).
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => BodyLimitMiddleware.TooLarge(httpContext, null),
            BadHttpRequestException e => Results.Problem(statusCode: e.StatusCode, title: "Bad request", detail: e.Message),
            ArgumentException e => Results.Problem(statusCode: 400, title: "Bad request", detail: e.Message),
            DbUpdateException { InnerException: Npgsql.PostgresException { SqlState: "23505" } } => Results.Problem(statusCode: 409, title: "Conflict", detail: "That value is already taken."),
            // A body read by hand (ReadFromJsonAsync) that is not JSON, or not UTF-8: the client's fault.
            JsonException e => Results.Problem(statusCode: 400, title: "Bad request", detail: $"The body is not valid JSON: {e.Message}"),
            // Values PostgreSQL cannot store (a NUL character, \u0000 in JSON, a number out of range, a
            // value too big for an index): input the validation let through, still the client's.
            Npgsql.PostgresException { SqlState: ['2', '2', ..] or ['5', '4', ..] } e => Rejected(e),
            DbUpdateException { InnerException: Npgsql.PostgresException { SqlState: ['2', '2', ..] or ['5', '4', ..] } e } => Rejected(e),
            // Every document extractor is busy: come back shortly (a background job is retried by itself).
            Parley.Knowledge.Extraction.ExtractorBusyException e => Busy(httpContext, e.Message),
            // The database is unreachable or restarting: say so, and when to try again, rather than a 500.
            _ when IsDatabaseUnavailable(exception) => Unavailable(httpContext),
            _ => null,
        };
        if (result is null)
        {
            return false;
        }
        await result.ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>
    /// A lost or refused connection, or a server shutting down, anywhere in the chain: EF Core's
    /// Npgsql provider wraps transient errors in an InvalidOperationException, SaveChanges in a DbUpdateException.
    /// </summary>
    internal static bool IsDatabaseUnavailable(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException pe)
            {
                return Parley.Data.DatabaseErrors.IsConnectionLoss(pe) || pe.IsTransient;
            }
            if (e is Npgsql.NpgsqlException { IsTransient: true })
            {
                return true;
            }
        }
        return false;
    }

    private static IResult Rejected(Npgsql.PostgresException e) =>
        Results.Problem(statusCode: 400, title: "Bad request", detail: $"A value was rejected by the database: {e.MessageText}");

    private static IResult Busy(HttpContext httpContext, string detail)
    {
        httpContext.Response.Headers.RetryAfter = "2";
        return Results.Problem(statusCode: 503, title: "Service unavailable", detail: detail);
    }

    private static IResult Unavailable(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = "1";
        return Results.Problem(statusCode: 503, title: "Service unavailable", detail: "The database is unavailable right now; try again shortly.");
    }
}
