using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Contacts;

/// <summary>Create or change a contact; on PATCH, null means "leave as is".</summary>
public sealed record ContactInput(string? Phone = null, string? Name = null, JsonElement? Metadata = null);

public sealed class ContactService(ParleyDbContext db, ITenantContext tenant, TimeProvider time)
{
    public async Task<Contact> CreateAsync(ContactInput input, CancellationToken cancellationToken)
    {
        var contact = new Contact { AccountId = tenant.Scope.RequireAccount(), Id = Guid.CreateVersion7(), Phone = "", CreatedAt = time.GetUtcNow() };
        Apply(contact, input, creating: true);
        db.Contacts.Add(contact);
        await SaveAsync(cancellationToken);
        return contact;
    }

    /// <summary>The contact with this number, created when new (a call from an unknown caller).</summary>
    public async Task<Contact> FindOrCreateAsync(string phone, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        return await db.Contacts.FirstOrDefaultAsync(c => c.AccountId == account && c.Phone == phone, cancellationToken)
            ?? await CreateAsync(new ContactInput(phone), cancellationToken);
    }

    public async Task<Contact> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        return await db.Contacts.FirstOrDefaultAsync(c => c.AccountId == account && c.Id == id, cancellationToken)
            ?? throw new NotFoundException("Contact");
    }

    public async Task<Page<Contact>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        var rows = await db.Contacts.AsNoTracking()
            .Where(c => c.AccountId == account && (page.After == null || c.Id > page.After))
            .OrderBy(c => c.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return Paging.Of(rows, page, c => c.Id);
    }

    public async Task<Contact> UpdateAsync(Guid id, ContactInput input, CancellationToken cancellationToken)
    {
        var contact = await GetAsync(id, cancellationToken);
        Apply(contact, input, creating: false);
        await SaveAsync(cancellationToken);
        return contact;
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        db.Contacts.Remove(await GetAsync(id, cancellationToken));
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
            throw new ConflictException("A contact with this phone number already exists.");
        }
    }

    private static void Apply(Contact contact, ContactInput input, bool creating)
    {
        new Validation()
            .Require(!creating || input.Phone is not null, "phone", "phone is required.")
            .Require(input.Phone is null || Validation.IsE164(input.Phone), "phone", "phone must be in E.164 form, e.g. +15550100.")
            .Text(input.Name, "name", 200, required: false)
            .Require(input.Metadata is null || input.Metadata.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null, "metadata", "metadata must be a JSON object.")
            .Require(JsonLimits.Fits(input.Metadata, JsonLimits.MetadataBytes), "metadata", $"metadata is larger than {JsonLimits.MetadataBytes} bytes.")
            .ThrowIfInvalid();
        contact.Phone = input.Phone ?? contact.Phone;
        contact.Name = input.Name ?? contact.Name;
        if (input.Metadata is { ValueKind: JsonValueKind.Object } m)
        {
            contact.Metadata = m.GetRawText();
        }
    }
}
