namespace Parley.Server.Errors;

/// <summary>
/// The problem answers that come from exceptions (<see cref="ProblemExceptionHandler"/>) rather than from a
/// handler's return type, declared so the OpenAPI document lists them beside the typed answers.
/// </summary>
internal static class ProblemMetadata
{
    /// <summary>400 with the invalid fields, 404 for an id the caller's account does not hold, 409 for a taken value.</summary>
    public static RouteGroupBuilder WithCrudProblems(this RouteGroupBuilder group)
    {
        group.ProducesValidationProblem();
        group.ProducesProblem(StatusCodes.Status404NotFound);
        group.ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }
}
