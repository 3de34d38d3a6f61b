namespace Parley.Calls.Providers;

/// <summary>An answer and the billable usage that produced it.</summary>
/// <param name="Usage">Tokens a model used; null when nothing billable ran (the extractive answer).</param>
public sealed record GeneratedAnswer(string Text, AnswerUsage? Usage);
