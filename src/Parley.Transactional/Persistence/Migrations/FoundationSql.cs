namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// The hand-written SQL of the first migration: the vector side's tables live in the same history
/// as the ORM's, but are never mapped by it.
/// </summary>
internal static class FoundationSql
{
    /// <summary>
    /// The embedding dimension comes from the deployment's settings, passed as the GUC
    /// <c>parley.embedding_dimensions</c> by the migrator, and is recorded in <c>parley_settings</c>;
    /// a later start with another model fails with both named.
    /// </summary>
    public const string ExtensionsAndSettings = """
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'vector') THEN
            CREATE EXTENSION vector;
          END IF;
          IF coalesce(current_setting('parley.embedding_dimensions', true), '') = '' THEN
            RAISE EXCEPTION 'parley.embedding_dimensions is not set: run migrations through Parley''s migrator';
          END IF;
        END $$;

        CREATE TABLE parley_settings (
          key text PRIMARY KEY,
          value text NOT NULL
        );
        INSERT INTO parley_settings (key, value) VALUES
          ('embedding_model', current_setting('parley.embedding_model')),
          ('embedding_dimensions', current_setting('parley.embedding_dimensions'));

        -- Row-level security reads the tenant the application set for this transaction or session.
        -- Plain SQL functions marked STABLE are inlined, so the policy stays index-friendly.
        CREATE FUNCTION parley_current_account() RETURNS uuid
          LANGUAGE sql STABLE PARALLEL SAFE
          AS $f$ SELECT NULLIF(current_setting('parley.account_id', true), '')::uuid $f$;
        CREATE FUNCTION parley_is_platform() RETURNS boolean
          LANGUAGE sql STABLE PARALLEL SAFE
          AS $f$ SELECT coalesce(current_setting('parley.platform', true), '') = 'on' $f$;
        """;

    public const string Knowledge = """
        DO $$
        DECLARE d int := current_setting('parley.embedding_dimensions')::int;
        BEGIN
          CREATE TABLE knowledge_documents (
            account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            id uuid NOT NULL,
            source text NOT NULL,
            title text NOT NULL,
            content_hash bytea NOT NULL,
            metadata jsonb NOT NULL DEFAULT '{}',
            status text NOT NULL DEFAULT 'ready',
            chunk_count integer NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (account_id, id),
            UNIQUE (account_id, source)
          );

          EXECUTE format($t$
            CREATE TABLE knowledge_chunks (
              account_id uuid NOT NULL,
              id uuid NOT NULL,
              document_id uuid NOT NULL,
              ordinal integer NOT NULL,
              content text NOT NULL,
              metadata jsonb NOT NULL DEFAULT '{}',
              embedding vector(%s) NOT NULL,
              language regconfig NOT NULL DEFAULT 'english',
              tsv tsvector GENERATED ALWAYS AS (to_tsvector(language, content)) STORED,
              created_at timestamptz NOT NULL DEFAULT now(),
              PRIMARY KEY (account_id, id),
              FOREIGN KEY (account_id, document_id) REFERENCES knowledge_documents (account_id, id) ON DELETE CASCADE
            )$t$, d);
        END $$;

        -- The design's ANN index. Alone it is not correct under a tenant filter (small tenants lose
        -- rows); the search runner picks an exact scan or a per-tenant plan, see the knowledge side.
        CREATE INDEX knowledge_chunks_embedding_hnsw ON knowledge_chunks
          USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
        CREATE INDEX knowledge_chunks_document ON knowledge_chunks (account_id, document_id, ordinal);
        CREATE INDEX knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv);
        CREATE INDEX knowledge_chunks_metadata ON knowledge_chunks USING gin (metadata jsonb_path_ops);
        """;

    /// <summary>Not tenant data: a vector is a pure function of (model, text), shared by all.</summary>
    public const string EmbeddingCache = """
        CREATE TABLE embedding_cache (
          model text NOT NULL,
          text_hash bytea NOT NULL,
          embedding vector NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          last_hit_at timestamptz NOT NULL DEFAULT now(),
          hits bigint NOT NULL DEFAULT 0,
          PRIMARY KEY (model, text_hash)
        );
        """;

    public const string Down = """
        DROP POLICY IF EXISTS tenant_isolation ON accounts;
        DROP TABLE IF EXISTS embedding_cache;
        DROP TABLE IF EXISTS knowledge_chunks;
        DROP TABLE IF EXISTS knowledge_documents;
        DROP FUNCTION IF EXISTS parley_current_account();
        DROP FUNCTION IF EXISTS parley_is_platform();
        DROP TABLE IF EXISTS parley_settings;
        """;
}
