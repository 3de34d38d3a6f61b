using Npgsql;
using Parley.Domain;

namespace Parley.Transactional.Agents;

/// <summary>
/// An agent read by hand, for the one place that cannot afford EF Core's query pipeline: the start of a phone
/// turn, which folds the agent into the round trip that takes the turn's ordinal (a profile under
/// <c>bench load</c> put the EF lookup at a ninth of the server's request CPU). Its columns are the EF
/// model's; a test compares the two reads field by field, so a column added to <see cref="Agent"/> and
/// forgotten here fails the suite.
/// </summary>
public static class AgentRow
{
    /// <summary>The columns <see cref="Read"/> expects, in order, for a SELECT over <c>agents</c>.</summary>
    public const string Columns =
        "account_id, id, name, language, system_prompt, voice, llm_model, top_k, min_similarity, hybrid, active, created_at, updated_at";

    /// <summary>The agent on the reader's current row, its columns from <paramref name="first"/> on in <see cref="Columns"/>' order.</summary>
    public static Agent Read(NpgsqlDataReader reader, int first = 0) => new()
    {
        AccountId = new AccountId(reader.GetGuid(first)),
        Id = reader.GetGuid(first + 1),
        Name = reader.GetString(first + 2),
        Language = reader.GetString(first + 3),
        SystemPrompt = reader.GetString(first + 4),
        Voice = reader.GetString(first + 5),
        LlmModel = reader.GetString(first + 6),
        TopK = reader.GetInt32(first + 7),
        MinSimilarity = reader.GetDouble(first + 8),
        Hybrid = reader.GetBoolean(first + 9),
        Active = reader.GetBoolean(first + 10),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(first + 11),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(first + 12),
    };
}
