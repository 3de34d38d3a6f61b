using Parley.Domain;
using Parley.Domain.Knowledge;

namespace Parley.Knowledge.Search;

/// <summary>
/// Builds every vector query of Parley, always with the tenant predicate. Parameters: $1 account,
/// $2 query vector, $3 metadata filter (jsonb or null), $4 candidate count, $5 the full-text query
/// (see <see cref="SearchText"/>), $6 k, $7 the tenant's text-search configuration
/// (null: read from its account row).
/// </summary>
internal static class SearchSql
{
    /// <summary>
    /// The settings of an HNSW plan, transaction-local: $1 ef_search, $2 iterative scan mode, $3
    /// enable_sort. For a tenant with an index sorting is disabled so the planner takes that index even when its statistics say the tenant is
    /// small (right after a bulk load, or one tenant among many that the most-common-values list
    /// misses): the application chose the plan from the tenant's real chunk count, and an exact scan of
    /// 20 000 rows costs 40 times the index scan. Sorts the query cannot avoid (the fusion's) still run.
    /// </summary>
    public const string HnswSettings =
        "SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', $2, true), set_config('enable_sort', $3, true)";

    /// <param name="literalTenant">The tenant id as a literal, so a partial index can serve the ORDER BY
    /// (its predicate must match the query text at plan time, and a parameter never does).</param>
    public static string Build(AccountId account, bool literalTenant, SearchMode mode)
    {
        var candidates = Candidates(account, literalTenant);
        if (mode == SearchMode.Vector)
        {
            return $"""
                SELECT c.id, c.document_id, d.title, c.content, c.metadata, 1 - c.dist AS similarity
                FROM ({candidates}) c
                JOIN knowledge_documents d ON d.account_id = $1 AND d.id = c.document_id
                ORDER BY c.dist
                LIMIT $6
                """;
        }
        // Reciprocal rank fusion of the vector ranking and the full-text ranking, in one statement.
        // Each half carries the columns of its own candidates, so the fusion reads no row of
        // knowledge_chunks beyond them (joining the fused ids back to the table made PostgreSQL walk
        // every chunk of the tenant), and titles are read for the k winners only. The text half matches
        // any content word of the question (OR of stemmed lexemes, stop words dropped by the
        // configuration), ranked by ts_rank normalised by length. k = 10 rather than the usual 60
        // because the lists are short (40): with 60, ranks 1 and 20 score almost alike and any chunk
        // that sits low in both lists beats the vector's first. The text half weighs half: without
        // IDF an OR match is noisier than the embedding. Chosen on `parley bench quality`
        // (docs/scaling.md): MRR 0.743 against 0.692 for vector and 0.709 with k = 60 and equal weights.
        return $"""
            WITH v AS (
              SELECT id, document_id, content, metadata, dist, row_number() OVER (ORDER BY dist) AS r
              FROM ({candidates}) x
            ), t AS (
              SELECT id, document_id, content, metadata, embedding <=> $2 AS dist, row_number() OVER (ORDER BY rank DESC, id) AS r
              FROM (
                SELECT k.id, k.document_id, k.content, k.metadata, k.embedding, ts_rank(k.tsv, q.query, 1) AS rank
                FROM knowledge_chunks k, websearch_to_tsquery(coalesce($7, (SELECT language FROM accounts WHERE id = $1))::regconfig, $5) q (query)
                WHERE k.account_id = $1 AND k.tsv @@ q.query AND ($3::jsonb IS NULL OR k.metadata @> $3::jsonb)
                ORDER BY rank DESC
                LIMIT $4) y
            ), f AS (
              SELECT coalesce(v.id, t.id) AS id, coalesce(v.document_id, t.document_id) AS document_id,
                     coalesce(v.content, t.content) AS content, coalesce(v.metadata, t.metadata) AS metadata,
                     coalesce(v.dist, t.dist) AS dist,
                     coalesce(1.0 / (10 + v.r), 0) + coalesce(0.5 / (10 + t.r), 0) AS score
              FROM v FULL JOIN t ON v.id = t.id
              ORDER BY score DESC, dist
              LIMIT $6
            )
            SELECT f.id, f.document_id, d.title, f.content, f.metadata, 1 - f.dist AS similarity
            FROM f
            JOIN knowledge_documents d ON d.account_id = $1 AND d.id = f.document_id
            ORDER BY f.score DESC, f.dist
            """;
    }

    /// <summary>
    /// The tenant's nearest chunks. Parameter form: the distance is wrapped (<c>+ 0</c>) so no HNSW
    /// index can serve the ORDER BY, and PostgreSQL reads the tenant's rows through the primary key's
    /// account_id prefix and sorts them: the true top-k, one prepared statement for every small tenant.
    /// Literal form: the tenant's partial HNSW index when it has one; when it has none there is no other
    /// HNSW index to fall into (the global one is gone, see docs/scaling.md), so it is an exact scan too.
    /// </summary>
    private static string Candidates(AccountId account, bool literalTenant) => literalTenant
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
