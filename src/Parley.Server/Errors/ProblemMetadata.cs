namespace Parley.Server.Errors;

/// <summary>
/// The problem answers that come from exceptions (<see cref="ProblemExceptionHandler"/>) and from the key
/// check rather than from a handler's return type, declared so the OpenAPI document lists them beside the
/// typed answers.
/// </summary>
internal static class ProblemMetadata
{
    /// <summary>
    /// What any endpoint of the group may answer besides its own result: 400 with the invalid fields, 404 for
    /// an id the caller's account does not hold, 409 for a taken value or a state that forbids the change.
    /// </summary>
    public static RouteGroupBuilder WithCrudProblems(this RouteGroupBuilder group)
    {
        group.ProducesValidationProblem();
        group.ProducesProblem(StatusCodes.Status404NotFound);
        group.ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    /// <summary>
    /// 401 without a valid key; 403 when an account's key names another account (<c>X-Parley-Account</c>) or
    /// lacks the role.
    /// </summary>
    public static RouteGroupBuilder WithKeyProblems(this RouteGroupBuilder group)
    {
        group.ProducesProblem(StatusCodes.Status401Unauthorized);
        group.ProducesProblem(StatusCodes.Status403Forbidden);
        return group;
    }

    /// <inheritdoc cref="WithKeyProblems(RouteGroupBuilder)"/>
    public static RouteHandlerBuilder WithKeyProblems(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
}
