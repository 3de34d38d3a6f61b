using Parley.Domain;
using Parley.Domain.Knowledge;

namespace Parley.Knowledge.Search;

/// <summary>
/// Builds every vector query of Parley, always with the tenant predicate. Parameters: $1 account,
/// $2 query vector, $3 metadata filter (jsonb or null), $4 candidate count, $5 the query text (for
/// hybrid, the any-word form of <see cref="SearchText"/>), $6 k, $7 the tenant's text-search
/// configuration (null: read from its account row), $8 the weight of hybrid's full-text half.
/// </summary>
/// <remarks>
/// A chunk stores only its own metadata (its headings); the document's metadata and source are
/// stored once, on the document. A result's <c>metadata</c> is the three merged, as they were when
/// each chunk held a copy, and a filter matches that merged object. Without a filter the candidate
/// scan never touches the documents.
/// </remarks>
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

    /// <summary>The tenant's text-search configuration: the plan's when known, else its account row's.</summary>
    private const string Language = "coalesce($7, (SELECT language FROM accounts WHERE id = $1))::regconfig";

    /// <summary>What a result's metadata is, and what a filter matches: document, then chunk, then the source.</summary>
    private static string Merged(string chunk) => $"(d.metadata || {chunk}.metadata || jsonb_build_object('source', d.source))";

    /// <param name="literalTenant">The tenant id as a literal, so a partial index can serve the ORDER BY
    /// (its predicate must match the query text at plan time, and a parameter never does).</param>
    public static string Build(AccountId account, bool literalTenant, SearchMode mode, bool filtered)
    {
        if (mode == SearchMode.FullText)
        {
            return FullText(filtered);
        }
        var candidates = Candidates(account, literalTenant, filtered);
        if (mode == SearchMode.Vector)
        {
            return $"""
                SELECT c.id, c.document_id, d.title, c.content, {Merged("c")}, 1 - c.dist AS similarity
                FROM ({candidates}) c
                JOIN knowledge_documents d ON d.account_id = $1 AND d.id = c.document_id
                ORDER BY c.dist
                LIMIT $6
                """;
        }
        var textFilter = filtered
            ? $"AND EXISTS (SELECT FROM knowledge_documents d WHERE d.account_id = $1 AND d.id = k.document_id AND {Merged("k")} @> $3::jsonb)"
            : "";
        // Reciprocal rank fusion of the vector ranking and the full-text ranking, in one statement.
        // Each half carries the columns of its own candidates, so the fusion reads no row of
        // knowledge_chunks beyond them (joining the fused ids back to the table made PostgreSQL walk
        // every chunk of the tenant), and documents are read for the k winners only. The text half
        // matches any content word of the question (OR of stemmed lexemes, stop words dropped by the
        // configuration; a quoted phrase stays a phrase), ranked by ts_rank normalised by length.
        // parley_fts_text spaces out Han and kana characters, as the tsv column does, so a phrase of
        // a language written without spaces matches as a phrase. k = 10 rather than the usual 60
        // because the lists are short (40): with 60, ranks 1 and 20 score almost alike and any chunk
        // that sits low in both lists beats the vector's first. The text half weighs $8 (0.5 for a
        // plain question: without IDF an OR match is noisier than the embedding; see KnowledgeSearch).
        // Chosen on `parley bench quality` (docs/scaling.md). On a tie the passage holding the
        // question's words wins: an exact phrase is stronger evidence than a near vector.
        return $"""
            WITH v AS (
              SELECT id, document_id, content, metadata, dist, row_number() OVER (ORDER BY dist) AS r
              FROM ({candidates}) x
            ), t AS (
              SELECT id, document_id, content, metadata, embedding <=> $2 AS dist, row_number() OVER (ORDER BY rank DESC, id) AS r
              FROM (
                SELECT k.id, k.document_id, k.content, k.metadata, k.embedding, ts_rank(k.tsv, q.query, 1) AS rank
                FROM knowledge_chunks k, websearch_to_tsquery({Language}, parley_fts_text($5)) q (query)
                WHERE k.account_id = $1 AND k.tsv @@ q.query {textFilter}
                ORDER BY rank DESC
                LIMIT $4) y
            ), f AS (
              SELECT coalesce(v.id, t.id) AS id, coalesce(v.document_id, t.document_id) AS document_id,
                     coalesce(v.content, t.content) AS content, coalesce(v.metadata, t.metadata) AS metadata,
                     coalesce(v.dist, t.dist) AS dist, t.r IS NOT NULL AS matched,
                     coalesce(1.0 / (10 + v.r), 0) + coalesce($8 / (10 + t.r), 0) AS score
              FROM v FULL JOIN t ON v.id = t.id
              ORDER BY score DESC, matched DESC, dist
              LIMIT $6
            )
            SELECT f.id, f.document_id, d.title, f.content, {Merged("f")}, 1 - f.dist AS similarity
            FROM f
            JOIN knowledge_documents d ON d.account_id = $1 AND d.id = f.document_id
            ORDER BY f.score DESC, f.matched DESC, f.dist
            """;
    }

    /// <summary>
    /// Full-text rank alone ($2 is a typed null, $4 unused). The question's words are OR-ed: a spoken
    /// question carries words its passage lacks ("could you tell me…"), and the rank orders passages
    /// by how many of them they hold, and how close together.
    /// </summary>
    private static string FullText(bool filtered) => $"""
        WITH q AS (
          SELECT replace(plainto_tsquery({Language}, parley_fts_text($5))::text, '&', '|')::tsquery AS query
        )
        SELECT c.id, c.document_id, d.title, c.content, {Merged("c")}, ts_rank_cd(c.tsv, q.query, 32) AS similarity
        FROM knowledge_chunks c
        CROSS JOIN q
        JOIN knowledge_documents d ON d.account_id = $1 AND d.id = c.document_id
        WHERE c.account_id = $1 AND c.tsv @@ q.query {(filtered ? $"AND {Merged("c")} @> $3::jsonb" : "")}
        ORDER BY similarity DESC, c.id
        LIMIT $6
        """;

    /// <summary>
    /// The tenant's nearest chunks. Parameter form: the distance is wrapped (<c>+ 0</c>) so no HNSW
    /// index can serve the ORDER BY, and PostgreSQL reads the tenant's rows through the primary key's
    /// account_id prefix and sorts them: the true top-k, one prepared statement for every small tenant.
    /// Literal form (a formatted Guid, so no injection): the tenant's partial HNSW index when it has
    /// one; when it has none there is no other HNSW index to fall into (the global one is gone, see
    /// docs/scaling.md), so it is an exact scan too. A filter is a correlated test on the chunk's
    /// document, so the scan keeps its order and an iterative index scan keeps going past the rows it drops.
    /// </summary>
    private static string Candidates(AccountId account, bool literalTenant, bool filtered)
    {
        var filter = filtered
            ? $"AND EXISTS (SELECT FROM knowledge_documents d WHERE d.account_id = c.account_id AND d.id = c.document_id AND {Merged("c")} @> $3::jsonb)"
            : "";
        return literalTenant
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
