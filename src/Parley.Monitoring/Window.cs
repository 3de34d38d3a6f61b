using System.Globalization;
using Parley.Domain;

namespace Parley.Monitoring;

/// <summary>Parses windows like <c>30s</c>, <c>15m</c>, <c>2h</c>, <c>1d</c>.</summary>
public static class Window
{
    public static TimeSpan Parse(string? value, string field = "window")
    {
        if (!string.IsNullOrWhiteSpace(value) && value.Length is >= 2 and <= 8 &&
            int.TryParse(value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            TimeSpan? span = value[^1] switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => null,
            };
            if (span is { } s && s <= TimeSpan.FromDays(30))
            {
                return s;
            }
        }
        throw new InvalidRequestException(field, $"{field} must be a number and a unit (s, m, h, d) of at most 30 days, e.g. 15m.");
    }
}
