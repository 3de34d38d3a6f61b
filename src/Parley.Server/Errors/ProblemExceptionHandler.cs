using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Parley.Domain;

namespace Parley.Server.Errors;

/// <summary>Maps the domain's exceptions to RFC 7807 answers; anything else stays a 500.</summary>
internal sealed class ProblemExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        IResult? result = exception switch
        {
            InvalidRequestException e => Results.ValidationProblem(e.Errors, title: "The request is invalid."),
            NotFoundException e => Results.Problem(statusCode: 404, title: "Not found", detail: e.Message),
            ConflictException e => Results.Problem(statusCode: 409, title: "Conflict", detail: e.Message),
            BadHttpRequestException e => Results.Problem(statusCode: e.StatusCode, title: "Bad request", detail: e.Message),
            ArgumentException e => Results.Problem(statusCode: 400, title: "Bad request", detail: e.Message),
            DbUpdateException { InnerException: Npgsql.PostgresException { SqlState: "23505" } } => Results.Problem(statusCode: 409, title: "Conflict", detail: "That value is already taken."),
            _ => null,
        };
        if (result is null)
        {
            return false;
        }
        await result.ExecuteAsync(httpContext);
        return true;
    }
}
