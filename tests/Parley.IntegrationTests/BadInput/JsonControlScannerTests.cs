using System.Text;
using Parley.Server.Input;
using Xunit;

namespace Parley.IntegrationTests.BadInput;

/// <summary>The edge's JSON scan on its own: where it looks, what it lets through, and that pieces of any size give the same answer.</summary>
public sealed class JsonControlScannerTests
{
    public static TheoryData<string, string?, int> Bodies => new()
    {
        { """{"transcript":"hello\u0000"}""", "transcript", 0x00 },
        { """{"name":"ok","contact":{"phone":"+1555\u001b"}}""", "contact.phone", 0x1B },
        { """{"metadata":{"tags":["a","b","c\u0001"]}}""", "metadata.tags[2]", 0x01 },
        { """{"messages":[{"role":"user","content":"x"},{"role":"user","content":"\f"}]}""", "messages[1].content", 0x0C },
        { """{"metadata":{"ok":1,"a\u0000b":2}}""", "metadata", 0x00 },
        { """{"a\bb":1}""", "body", 0x08 },
        { """["x","\u001F"]""", "[1]", 0x1F },
        { """{"text":"upper case hex \u001B too"}""", "text", 0x1B },
        // Allowed: tab, line feed, carriage return (as escapes of both kinds), text that merely looks like an escape, and anything above U+001F.
        { """{"text":"tab\t lf\n cr\r \u0009\u000a\u000D"}""", null, 0 },
        { """{"text":"a backslash then letters: \\u0000 and \\b"}""", null, 0 },
        { """{"text":"\u0020\u007f\u00a0\u0100 \\\\"}""", null, 0 },
        { """{"deep":{"er":[[["\u0000"]]]},"after":1}""", "deep.er[0][0][0]", 0x00 },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task The_first_forbidden_control_character_is_found_and_named_whatever_the_size_of_the_pieces(string json, string? field, int codePoint)
    {
        foreach (var chunk in new[] { 1, 2, 3, 7, 64, 16 * 1024 })
        {
            var scanner = await JsonControlScanner.ScanAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), chunk, CancellationToken.None);
            Assert.True(field == scanner.Field, $"chunk {chunk}: expected {field ?? "nothing"}, found {scanner.Field ?? "nothing"}");
            if (field is not null)
            {
                Assert.Equal(codePoint, scanner.CodePoint);
            }
        }
    }

    [Fact]
    public async Task A_text_longer_than_the_buffer_is_read_whole_and_a_nul_at_its_end_is_found()
    {
        var json = $$"""{"title":"t","text":"{{new string('x', 200_000)}}\u0000"}""";
        var scanner = await JsonControlScanner.ScanAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), 16 * 1024, CancellationToken.None);
        Assert.Equal("text", scanner.Field);
    }

    [Theory]
    [InlineData("""{"title": "x", "text": """)]
    [InlineData("not json at all")]
    [InlineData("")]
    [InlineData("""{"title":"\ud800"}""")]
    public async Task What_is_not_json_is_left_to_the_binder_to_refuse(string body)
    {
        var scanner = await JsonControlScanner.ScanAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), 16, CancellationToken.None);
        Assert.True(scanner.Done);
        Assert.Null(scanner.Field);
    }
}
