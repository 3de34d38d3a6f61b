using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Accounts;
using Parley.Transactional.Agents;
using Parley.Transactional.ApiKeys;
using Parley.Transactional.Calls;
using Parley.Transactional.Contacts;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Demo;

/// <summary>What <c>./parley up</c> prints about the demo tenant.</summary>
public sealed record DemoTenant(AccountId AccountId, string AccountName, string ApiKey, Guid AgentId);

/// <summary>
/// The demo tenant of <c>./parley up</c>: created once, found again on every later start. Its ids are
/// fixed so docs and scripts can name them. Its API key is derived from the admin key (HMAC), so every
/// `up` can print it again while the database still stores only its hash.
/// </summary>
public sealed class DemoSeeder(ParleyDbContext db, ITenantContext tenant, TimeProvider time)
{
    public static readonly AccountId DemoAccountId = new(Guid.Parse("0192f5a0-0000-7000-8000-00000000de30"));
    public static readonly Guid ReceptionistId = Guid.Parse("0192f5a0-0000-7000-8000-00000000a6e1");
    public static readonly Guid EventsAgentId = Guid.Parse("0192f5a0-0000-7000-8000-00000000a6e2");
    public const string DemoAccountName = "Harbor Lights Bistro";

    public static string DemoKey(string adminKey)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(adminKey), "parley-demo-api-key"u8);
        return "pk_demo0000_" + Convert.ToHexString(mac)[..40].ToLowerInvariant();
    }

    public async Task<DemoTenant> SeedAsync(string adminKey, CancellationToken cancellationToken)
    {
        tenant.Scope = TenantScope.Platform;
        var key = DemoKey(adminKey);
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await db.Accounts.AnyAsync(a => a.Id == DemoAccountId, cancellationToken))
        {
            db.Accounts.Add(new Account { Id = DemoAccountId, Name = DemoAccountName, Language = "english", Plan = "growth", CreatedAt = now, UpdatedAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }
        if (!await db.Agents.AnyAsync(a => a.AccountId == DemoAccountId && a.Id == ReceptionistId, cancellationToken))
        {
            db.Agents.AddRange(
                new Agent
                {
                    AccountId = DemoAccountId, Id = ReceptionistId, Name = "Harbor Lights receptionist", Voice = "en-us", TopK = 3, MinSimilarity = 0.3,
                    SystemPrompt = "You answer the phone for Harbor Lights Bistro, a seafood restaurant on Pier Road in Port Ellery. Answer in one or two short spoken sentences, only from the restaurant's knowledge base; if it does not say, offer to take a message.",
                    CreatedAt = now, UpdatedAt = now,
                },
                new Agent
                {
                    AccountId = DemoAccountId, Id = EventsAgentId, Name = "Events and groups line", Voice = "en-gb", TopK = 5, MinSimilarity = 0.25, Hybrid = true,
                    SystemPrompt = "You take enquiries about private dining, group bookings and events at Harbor Lights Bistro.",
                    CreatedAt = now, UpdatedAt = now,
                });
            var contacts = new[] { ("+15550100101", "Maya Chen"), ("+15550100102", "Tom Okafor"), ("+15550100103", "Lucia Romero") }
                .Select(c => new Contact { AccountId = DemoAccountId, Id = Guid.CreateVersion7(), Phone = c.Item1, Name = c.Item2, CreatedAt = now })
                .ToList();
            db.Contacts.AddRange(contacts);
            await db.SaveChangesAsync(cancellationToken);
            AddPastCalls(contacts, now);
        }
        var hash = ApiKeyService.HashOf(key);
        if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash, cancellationToken))
        {
            db.ApiKeys.Add(new ApiKey { AccountId = DemoAccountId, Id = Guid.CreateVersion7(), Name = "demo", Prefix = "pk_demo0000", Hash = hash, CreatedAt = now });
        }
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new DemoTenant(DemoAccountId, DemoAccountName, key, ReceptionistId);
    }

    private void AddPastCalls(List<Contact> contacts, DateTimeOffset now)
    {
        (string Q, string A, double Search, double Llm, double Tts)[][] conversations =
        [
            [("What time do you open on Sunday?", "On Sunday we serve brunch from 10 am to 3 pm, and the kitchen closes at 9 pm.", 6.1, 41.0, 38.2),
             ("Do I need to book for brunch?", "You can book up to 60 days ahead by phone or online; we also keep some tables for walk-ins.", 5.4, 37.5, 35.9)],
            [("Is there parking near the restaurant?", "Yes, guests park free for up to three hours in the Pier Road car park behind the restaurant; ask your server to validate the ticket.", 5.9, 44.3, 41.0)],
            [("Can you do gluten-free food?", "Most dishes can be made gluten-free, and we bake our own gluten-free bread daily.", 6.8, 39.9, 33.1),
             ("And is the risotto vegan?", "The wild mushroom risotto can be made vegan on request.", 5.2, 36.4, 30.7),
             ("Great, thanks.", "You're welcome, enjoy your meal!", 4.9, 12.0, 25.3)],
        ];
        for (var c = 0; c < conversations.Length; c++)
        {
            var started = now.AddDays(-(c + 1)).AddHours(-c);
            var call = new Call { AccountId = DemoAccountId, Id = Guid.CreateVersion7(), AgentId = ReceptionistId, ContactId = contacts[c].Id, Direction = CallDirection.In, Status = CallStatus.Ended, StartedAt = started, EndedAt = started.AddSeconds(95), DurationSeconds = 95 };
            db.Calls.Add(call);
            for (var t = 0; t < conversations[c].Length; t++)
            {
                var (q, a, search, llm, tts) = conversations[c][t];
                db.CallTurns.Add(new CallTurn
                {
                    AccountId = DemoAccountId, Id = Guid.CreateVersion7(), CallId = call.Id, Ordinal = t, Transcript = q, Answer = a,
                    EmbedMs = 4.2, SearchMs = search, LlmMs = llm, TtsMs = tts, TotalMs = 4.2 + search + llm + tts, CreatedAt = started.AddSeconds(10 + (30 * t)),
                });
            }
        }
    }
}
