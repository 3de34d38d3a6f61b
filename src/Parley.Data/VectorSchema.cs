namespace Parley.Data;

/// <summary>The embedding model a deployment uses: one per database, recorded at first migration.</summary>
public sealed record VectorSchema(string Model, int Dimensions)
{
    /// <summary>
    /// Passed to the migration as a GUC so the one migration history can create <c>vector(d)</c>
    /// for whichever model the deployment chose.
    /// </summary>
    public string ConnectionOptions => $"-c parley.embedding_dimensions={Dimensions} -c parley.embedding_model={Model}";
}
