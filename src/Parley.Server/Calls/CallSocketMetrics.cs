using System.Diagnostics.Metrics;
using Parley.Calls;

namespace Parley.Server.Calls;

/// <summary>
/// <c>parley.calls.sockets</c> on the <c>Parley.Calls</c> meter: call WebSockets open in this process, up at
/// the upgrade, down when the session is over however it ended, so a socket a client dropped mid-turn that
/// the server still held would show here.
/// </summary>
internal sealed class CallSocketMetrics
{
    private readonly UpDownCounter<long> _open;

    public CallSocketMetrics(IMeterFactory meters) =>
        _open = meters.Create(CallMetrics.MeterName).CreateUpDownCounter<long>("parley.calls.sockets", "{socket}", "Call WebSockets open in this process");

    public void Opened() => _open.Add(1);

    public void Closed() => _open.Add(-1);
}
