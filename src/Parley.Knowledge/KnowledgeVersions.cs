using Parley.Domain;
using Parley.Domain.Knowledge;

namespace Parley.Knowledge;

/// <summary>The knowledge version as the call side asks for it (it reaches Knowledge through Domain only).</summary>
internal sealed class KnowledgeVersions(KnowledgeDocuments documents) : IKnowledgeVersions
{
    public Task<long> VersionAsync(AccountId account, CancellationToken cancellationToken) =>
        documents.VersionAsync(account, cancellationToken);
}
