using Parley.Domain;
using Parley.Domain.Knowledge;

namespace Parley.Knowledge.Search;

/// <summary>
/// Builds every vector query of Parley, always with the tenant predicate. Parameters: $1 account,
/// $2 query vector, $3 metadata filter (jsonb or null), $4 candidate count, $5 query text, $6 k.
/// </summary>
internal static class SearchSql
{
    public static string Build(AccountId account, TenantPlan plan, SearchMode mode)
    {
        if (mode == SearchMode.FullText)
        {
            return FullText;
        }
        var candidates = Candidates(account, plan);
        if (mode == SearchMode.Vector)
        {
            return $"""
                SELECT c.id, c.document_id, d.title, c.content, c.metadata::text, 1 - c.dist AS similarity
                FROM ({candidates}) c
                JOIN knowledge_documents d ON d.account_id = $1 AND d.id = c.document_id
                ORDER BY c.dist
                LIMIT $6
                """;
        }
        // Reciprocal rank fusion (k = 60) of the vector ranking and the full-text ranking, in one statement.
        return $"""
            WITH v AS (
              SELECT id, row_number() OVER (ORDER BY dist) AS r FROM ({candidates}) x
            ), q AS (
              SELECT websearch_to_tsquery((SELECT language FROM accounts WHERE id = $1)::regconfig, $5) AS query
            ), t AS (
              SELECT id, row_number() OVER (ORDER BY rank DESC) AS r FROM (
                SELECT k.id, ts_rank_cd(k.tsv, q.query) AS rank
                FROM knowledge_chunks k, q
                WHERE k.account_id = $1 AND k.tsv @@ q.query AND ($3::jsonb IS NULL OR k.metadata @> $3::jsonb)
                ORDER BY rank DESC
                LIMIT $4) y
            ), f AS (
              SELECT coalesce(v.id, t.id) AS id, coalesce(1.0 / (60 + v.r), 0) + coalesce(1.0 / (60 + t.r), 0) AS score
              FROM v FULL JOIN t ON v.id = t.id
            )
            SELECT c.id, c.document_id, d.title, c.content, c.metadata::text, 1 - (c.embedding <=> $2) AS similarity
            FROM f
            JOIN knowledge_chunks c ON c.account_id = $1 AND c.id = f.id
            JOIN knowledge_documents d ON d.account_id = $1 AND d.id = c.document_id
            ORDER BY f.score DESC, similarity DESC
            LIMIT $6
            """;
    }

    /// <summary>
    /// Full-text rank alone ($2 is a typed null, $4 unused). The question's words are OR-ed, not AND-ed
    /// as in hybrid's websearch query: a spoken question carries words its passage lacks ("could you
    /// tell me…"), and the rank orders passages by how many of them they hold, and how close together.
    /// </summary>
    private const string FullText = """
        WITH q AS (
          SELECT replace(plainto_tsquery((SELECT language FROM accounts WHERE id = $1)::regconfig, $5)::text, '&', '|')::tsquery AS query
        )
        SELECT c.id, c.document_id, d.title, c.content, c.metadata::text, ts_rank_cd(c.tsv, q.query, 32) AS similarity
        FROM knowledge_chunks c
        CROSS JOIN q
        JOIN knowledge_documents d ON d.account_id = $1 AND d.id = c.document_id
        WHERE c.account_id = $1 AND c.tsv @@ q.query AND ($3::jsonb IS NULL OR c.metadata @> $3::jsonb)
        ORDER BY similarity DESC, c.id
        LIMIT $6
        """;

    /// <summary>
    /// The tenant's nearest chunks. Exact: the distance is wrapped (<c>+ 0</c>) so the global HNSW index
    /// cannot serve the ORDER BY, and PostgreSQL reads the tenant's rows through the primary key's
    /// account_id prefix and sorts them: the true top-k. HNSW: the tenant id is a literal (a formatted
    /// Guid, so no injection), because a partial index's predicate must match the query text at plan
    /// time and a parameter never does.
    /// </summary>
    private static string Candidates(AccountId account, TenantPlan plan) => plan.Strategy == "hnsw-tenant"
        ? $"""
            SELECT id, document_id, content, metadata, embedding <=> $2 AS dist
            FROM knowledge_chunks
            WHERE account_id = '{account.Value:D}'::uuid AND ($3::jsonb IS NULL OR metadata @> $3::jsonb)
            ORDER BY dist
            LIMIT $4
            """
        : """
            SELECT id, document_id, content, metadata, (embedding <=> $2) + 0 AS dist
            FROM knowledge_chunks
            WHERE account_id = $1 AND ($3::jsonb IS NULL OR metadata @> $3::jsonb)
            ORDER BY dist
            LIMIT $4
            """;
}
