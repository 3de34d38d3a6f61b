using System.Diagnostics;

namespace Parley.Calls;

/// <summary>
/// The <c>Parley.Calls</c> activity source: one span per budgeted stage of a turn (asr, embed, search, llm, tts), children of
/// the request's span, so a trace shows where a slow turn spent its time and which stage fell back.
/// </summary>
public static class CallTelemetry
{
    public const string SourceName = "Parley.Calls";

    internal static readonly ActivitySource Source = new(SourceName);
}
