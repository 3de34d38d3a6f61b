using Parley.Domain;
using Parley.Domain.Knowledge;

namespace Parley.Knowledge.Search;

/// <summary>
/// Builds every vector query of Parley, always with the tenant predicate. Parameters: $1 account,
/// $2 query vector, $3 metadata filter (jsonb or null), $4 candidate count, $5 query text, $6 k.
/// </summary>
/// <remarks>
/// A chunk stores only its own metadata (its headings); the document's metadata and source are
/// stored once, on the document. A result's <c>metadata</c> is the three merged, as they were when
/// each chunk held a copy, and a filter matches that merged object. Without a filter the candidate
/// scan never touches the documents.
/// </remarks>
internal static class SearchSql
{
    /// <summary>What a result's metadata is, and what a filter matches: document, then chunk, then the source.</summary>
    private const string Merged = "(d.metadata || c.metadata || jsonb_build_object('source', d.source))";

    public static string Build(AccountId account, TenantPlan plan, SearchMode mode, bool filtered)
    {
        if (mode == SearchMode.FullText)
        {
            return FullText(filtered);
        }
        var candidates = Candidates(account, plan, filtered);
        if (mode == SearchMode.Vector)
        {
            return $"""
                SELECT c.id, c.document_id, d.title, c.content, {Merged}::text, 1 - c.dist AS similarity
                FROM ({candidates}) c
                JOIN knowledge_documents d ON d.account_id = $1 AND d.id = c.document_id
                ORDER BY c.dist
                LIMIT $6
                """;
        }
        var textFilter = filtered
            ? $"AND EXISTS (SELECT FROM knowledge_documents d WHERE d.account_id = $1 AND d.id = c.document_id AND {Merged} @> $3::jsonb)"
            : "";
        // Reciprocal rank fusion (k = 60) of the vector ranking and the full-text ranking, in one
        // statement; on a tie (the top of one ranking against the top of the other) the passage that
        // holds the query's words wins: an exact phrase is stronger evidence than a near vector.
        // parley_fts_text spaces out Han and kana characters, as the tsv column does, so a phrase of
        // a language written without spaces matches as a phrase.
        return $"""
            WITH v AS (
              SELECT id, row_number() OVER (ORDER BY dist) AS r FROM ({candidates}) x
            ), q AS (
              SELECT websearch_to_tsquery((SELECT language FROM accounts WHERE id = $1)::regconfig, parley_fts_text($5)) AS query
            ), t AS (
              SELECT id, row_number() OVER (ORDER BY rank DESC) AS r FROM (
                SELECT c.id, ts_rank_cd(c.tsv, q.query) AS rank
                FROM knowledge_chunks c, q
                WHERE c.account_id = $1 AND c.tsv @@ q.query {textFilter}
                ORDER BY rank DESC
                LIMIT $4) y
            ), f AS (
              SELECT coalesce(v.id, t.id) AS id, coalesce(1.0 / (60 + v.r), 0) + coalesce(1.0 / (60 + t.r), 0) AS score, t.r IS NOT NULL AS matched
              FROM v FULL JOIN t ON v.id = t.id
            )
            SELECT c.id, c.document_id, d.title, c.content, {Merged}::text, 1 - (c.embedding <=> $2) AS similarity
            FROM f
            JOIN knowledge_chunks c ON c.account_id = $1 AND c.id = f.id
            JOIN knowledge_documents d ON d.account_id = $1 AND d.id = c.document_id
            ORDER BY f.score DESC, f.matched DESC, similarity DESC
            LIMIT $6
            """;
    }

    /// <summary>
    /// Full-text rank alone ($2 is a typed null, $4 unused). The question's words are OR-ed, not AND-ed
    /// as in hybrid's websearch query: a spoken question carries words its passage lacks ("could you
    /// tell me…"), and the rank orders passages by how many of them they hold, and how close together.
    /// </summary>
    private static string FullText(bool filtered) => $"""
        WITH q AS (
          SELECT replace(plainto_tsquery((SELECT language FROM accounts WHERE id = $1)::regconfig, parley_fts_text($5))::text, '&', '|')::tsquery AS query
        )
        SELECT c.id, c.document_id, d.title, c.content, {Merged}::text, ts_rank_cd(c.tsv, q.query, 32) AS similarity
        FROM knowledge_chunks c
        CROSS JOIN q
        JOIN knowledge_documents d ON d.account_id = $1 AND d.id = c.document_id
        WHERE c.account_id = $1 AND c.tsv @@ q.query {(filtered ? $"AND {Merged} @> $3::jsonb" : "")}
        ORDER BY similarity DESC, c.id
        LIMIT $6
        """;

    /// <summary>
    /// The tenant's nearest chunks. Exact: the distance is wrapped (<c>+ 0</c>) so the global HNSW index
    /// cannot serve the ORDER BY, and PostgreSQL reads the tenant's rows through the primary key's
    /// account_id prefix and sorts them: the true top-k. HNSW: the tenant id is a literal (a formatted
    /// Guid, so no injection), because a partial index's predicate must match the query text at plan
    /// time and a parameter never does. A filter is a correlated test on the chunk's document, so the
    /// scan keeps its order and an iterative index scan keeps going past the rows it drops.
    /// </summary>
    private static string Candidates(AccountId account, TenantPlan plan, bool filtered)
    {
        var filter = filtered
            ? $"AND EXISTS (SELECT FROM knowledge_documents d WHERE d.account_id = c.account_id AND d.id = c.document_id AND {Merged} @> $3::jsonb)"
            : "";
        return plan.Strategy == "hnsw-tenant"
            ? $"""
                SELECT c.id, c.document_id, c.content, c.metadata, c.embedding <=> $2 AS dist
                FROM knowledge_chunks c
                WHERE c.account_id = '{account.Value:D}'::uuid {filter}
                ORDER BY dist
                LIMIT $4
                """
            : $"""
                SELECT c.id, c.document_id, c.content, c.metadata, (c.embedding <=> $2) + 0 AS dist
                FROM knowledge_chunks c
                WHERE c.account_id = $1 {filter}
                ORDER BY dist
                LIMIT $4
                """;
    }
}
