using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Agents;

public sealed class AgentService(ParleyDbContext db, ITenantContext tenant, TimeProvider time)
{
    public async Task<Agent> CreateAsync(AgentInput input, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var agent = new Agent { AccountId = tenant.Scope.RequireAccount(), Id = Guid.CreateVersion7(), Name = "", CreatedAt = now, UpdatedAt = now };
        Apply(agent, input, creating: true);
        db.Agents.Add(agent);
        await db.SaveChangesAsync(cancellationToken);
        return agent;
    }

    public async Task<Agent> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        return await db.Agents.FirstOrDefaultAsync(a => a.AccountId == account && a.Id == id, cancellationToken)
            ?? throw new NotFoundException("Agent");
    }

    /// <summary>An agent by its id or, failing that, its name (the oldest of that name): how OpenAI clients name a <c>model</c>.</summary>
    public async Task<Agent> FindByIdOrNameAsync(string idOrName, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        if (Guid.TryParse(idOrName, out var id))
        {
            return await GetAsync(id, cancellationToken);
        }
        return await db.Agents.AsNoTracking().Where(a => a.AccountId == account && a.Name == idOrName)
            .OrderBy(a => a.Id).FirstOrDefaultAsync(cancellationToken) ?? throw new NotFoundException("Agent");
    }

    public async Task<Page<Agent>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        var rows = await db.Agents.AsNoTracking()
            .Where(a => a.AccountId == account && (page.After == null || a.Id > page.After))
            .OrderBy(a => a.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return Paging.Of(rows, page, a => a.Id);
    }

    public async Task<Agent> UpdateAsync(Guid id, AgentInput input, CancellationToken cancellationToken)
    {
        var agent = await GetAsync(id, cancellationToken);
        Apply(agent, input, creating: false);
        agent.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return agent;
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var agent = await GetAsync(id, cancellationToken);
        if (await db.Calls.AnyAsync(c => c.AccountId == agent.AccountId && c.AgentId == id, cancellationToken))
        {
            // Calls keep their agent for the record: deactivate instead.
            throw new ConflictException("This agent has calls; set active to false instead of deleting it.");
        }
        db.Agents.Remove(agent);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static void Apply(Agent agent, AgentInput input, bool creating)
    {
        new Validation()
            .Text(input.Name, "name", 200, required: creating)
            .Require(input.Name is null || !string.IsNullOrWhiteSpace(input.Name), "name", "name must not be empty.")
            .Text(input.SystemPrompt, "systemPrompt", Agent.MaxSystemPromptLength, required: false)
            .Text(input.Language, "language", 20, required: false)
            .Text(input.Voice, "voice", 50, required: false)
            .Text(input.LlmModel, "llmModel", 100, required: false)
            .Require(input.TopK is null or (>= 1 and <= 20), "topK", "topK must be between 1 and 20.")
            .Require(input.MinSimilarity is null or (>= -1 and <= 1), "minSimilarity", "minSimilarity must be between -1 and 1.")
            .ThrowIfInvalid();
        agent.Name = input.Name?.Trim() ?? agent.Name;
        agent.Language = input.Language ?? agent.Language;
        agent.SystemPrompt = input.SystemPrompt ?? agent.SystemPrompt;
        agent.Voice = input.Voice ?? agent.Voice;
        agent.LlmModel = input.LlmModel ?? agent.LlmModel;
        agent.TopK = input.TopK ?? agent.TopK;
        agent.MinSimilarity = input.MinSimilarity ?? agent.MinSimilarity;
        agent.Hybrid = input.Hybrid ?? agent.Hybrid;
        agent.Active = input.Active ?? agent.Active;
    }
}
