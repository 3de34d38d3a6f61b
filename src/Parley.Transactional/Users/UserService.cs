using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Users;

/// <summary>Create or change a user; on PATCH, null means "leave as is".</summary>
public sealed record UserInput(string? Email = null, string? Name = null, string? Role = null);

public sealed class UserService(ParleyDbContext db, ITenantContext tenant, TimeProvider time)
{
    public static readonly string[] Roles = ["owner", "admin", "member"];

    public async Task<User> CreateAsync(UserInput input, CancellationToken cancellationToken)
    {
        var user = new User { AccountId = tenant.Scope.RequireAccount(), Id = Guid.CreateVersion7(), Email = "", CreatedAt = time.GetUtcNow() };
        Apply(user, input, creating: true);
        db.Users.Add(user);
        await SaveAsync(cancellationToken);
        return user;
    }

    public async Task<User> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        return await db.Users.FirstOrDefaultAsync(u => u.AccountId == account && u.Id == id, cancellationToken)
            ?? throw new NotFoundException("User");
    }

    public async Task<Page<User>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        var rows = await db.Users.AsNoTracking()
            .Where(u => u.AccountId == account && (page.After == null || u.Id > page.After))
            .OrderBy(u => u.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return Paging.Of(rows, page, u => u.Id);
    }

    public async Task<User> UpdateAsync(Guid id, UserInput input, CancellationToken cancellationToken)
    {
        var user = await GetAsync(id, cancellationToken);
        Apply(user, input, creating: false);
        await SaveAsync(cancellationToken);
        return user;
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        db.Users.Remove(await GetAsync(id, cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: "23505" })
        {
            throw new ConflictException("A user with this email already exists in this account.");
        }
    }

    private static void Apply(User user, UserInput input, bool creating)
    {
        new Validation()
            .Text(input.Email, "email", 320, required: creating)
            .Require(input.Email is null || (input.Email.Contains('@', StringComparison.Ordinal) && !input.Email.Contains(' ', StringComparison.Ordinal)), "email", "email is not an email address.")
            .Text(input.Name, "name", 200, required: false)
            .Require(input.Role is null || Roles.Contains(input.Role), "role", "role must be owner, admin or member.")
            .ThrowIfInvalid();
        user.Email = input.Email?.Trim().ToLowerInvariant() ?? user.Email;
        user.Name = input.Name ?? user.Name;
        user.Role = input.Role ?? user.Role;
    }
}
