using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Parley.Domain;
using Parley.Transactional.ApiKeys;

namespace Parley.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>. The platform admin key (<c>Parley:AdminKey</c>) gets the platform
/// scope; a tenant key gets its account's scope, which every later database call of the request
/// carries to PostgreSQL's row-level security. An admin may act as one account with
/// <c>X-Parley-Account</c>; a tenant key naming any account but its own is refused (403), never
/// silently narrowed, so a client that believes it acts for another tenant learns at once it does not.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IConfiguration configuration,
    ApiKeyAuthenticator keys,
    ITenantContext tenant) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ActAsHeader = "X-Parley-Account";
    public const string ScopeClaim = "parley:scope";
    public const string KeyClaim = "parley:key";
    public const string AccountClaim = "parley:account";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var key = header["Bearer ".Length..].Trim();
        var adminKey = configuration["Parley:AdminKey"];
        if (!string.IsNullOrEmpty(adminKey) &&
            CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(adminKey)))
        {
            var actAs = Request.Headers[ActAsHeader].ToString();
            if (actAs.Length > 0)
            {
                if (!AccountId.TryParse(actAs, out var account))
                {
                    return AuthenticateResult.Fail($"{ActAsHeader} is not an account id.");
                }
                tenant.Scope = TenantScope.For(account);
                return Success("platform", [ApiKeyScopes.All], null);
            }
            tenant.Scope = TenantScope.Platform;
            return Success("platform", [ApiKeyScopes.All], null);
        }
        var found = await keys.AuthenticateAsync(key, Context.RequestAborted);
        if (found is null)
        {
            return AuthenticateResult.Fail("Unknown, revoked or expired API key.");
        }
        var named = Request.Headers[ActAsHeader].ToString();
        if (named.Length > 0 && (!AccountId.TryParse(named, out var other) || other != found.Account))
        {
            return AuthenticateResult.Fail(new ActAsDeniedException());
        }
        tenant.Scope = TenantScope.For(found.Account);
        return Success("account", found.Scopes, found);
    }

    // The account travels in the scoped ITenantContext alone (set above); the principal says the role
    // (the admin policy and /v1/me read it), the key's scopes (ScopeRequirement) and, for a tenant key,
    // the key and its account (the rate limiter's partitions).
    private static AuthenticateResult Success(string role, IReadOnlyList<string> scopes, AuthenticatedKey? key)
    {
        var claims = new List<Claim> { new(ClaimTypes.Role, role) };
        claims.AddRange(scopes.Select(s => new Claim(ScopeClaim, s)));
        if (key is not null)
        {
            claims.Add(new Claim(KeyClaim, key.KeyId.ToString()));
            claims.Add(new Claim(AccountClaim, key.Account.Value.ToString()));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if ((await HandleAuthenticateOnceSafeAsync()).Failure is ActAsDeniedException denied)
        {
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: denied.Message).ExecuteAsync(Context);
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        if (OpenAi.OpenAiError.Applies(Context))
        {
            // OpenAI clients read this shape into their AuthenticationError.
            await OpenAi.OpenAiError.Unauthorized().ExecuteAsync(Context);
            return;
        }
        await Results.Problem(statusCode: 401, title: "Unauthorized", detail: "Send a valid key as 'Authorization: Bearer <key>'.").ExecuteAsync(Context);
    }

    // Forbidden for want of a role (a scope has its own answer, ScopeProblemResultHandler): only the
    // platform's policy asks for one.
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "Only the platform's admin key may do this.").ExecuteAsync(Context);

    private sealed class ActAsDeniedException() : Exception($"Only the platform admin key may act as an account with {ActAsHeader}; an account's key acts only for its own account.");
}
