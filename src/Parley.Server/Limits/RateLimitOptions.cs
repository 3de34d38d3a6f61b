using System.ComponentModel.DataAnnotations;

namespace Parley.Server.Limits;

/// <summary>
/// <c>Parley:RateLimits</c>: token buckets per API key and per account (all of its keys together).
/// The admin key is not limited. Defaults leave room for a busy tenant (a call's turn is one request);
/// they are there to stop one key, or one account, from taking a node's capacity from the others.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Parley:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Requests a second one key sustains.</summary>
    [Range(0.001, 1_000_000)]
    public double KeyPermitsPerSecond { get; set; } = 200;

    /// <summary>Requests one key may send at once above its rate (the bucket's size).</summary>
    [Range(1, 10_000_000)]
    public int KeyBurst { get; set; } = 400;

    /// <summary>Requests a second all of one account's keys sustain together.</summary>
    [Range(0.001, 1_000_000)]
    public double AccountPermitsPerSecond { get; set; } = 500;

    [Range(1, 10_000_000)]
    public int AccountBurst { get; set; } = 1000;
}
