namespace Parley.Domain.Knowledge;

/// <summary>
/// The version of one tenant's knowledge base, bumped by every ingest and delete. Whatever was
/// answered from the knowledge (the call orchestrator's answer cache) is valid for one version only.
/// </summary>
public interface IKnowledgeVersions
{
    Task<long> VersionAsync(AccountId account, CancellationToken cancellationToken);
}
