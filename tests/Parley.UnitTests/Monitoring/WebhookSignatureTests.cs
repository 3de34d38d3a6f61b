using System.Text;
using Parley.Monitoring.Alerts;
using Xunit;

namespace Parley.UnitTests.Monitoring;

public sealed class WebhookSignatureTests
{
    [Fact]
    public void The_signature_is_the_hex_hmac_sha256_of_the_body_as_in_rfc_4231()
    {
        // RFC 4231, test case 2.
        var signature = AlertWebhook.Sign("Jefe", Encoding.ASCII.GetBytes("what do ya want for nothing?"));
        Assert.Equal("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", signature);
    }
}
