using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Parley.IntegrationTests.Hostile;

/// <summary>
/// Small generators of hostile (and of ordinary) files, so no binary sits in the repository: PDFs
/// written object by object with a computed cross-reference table, HTML, WAV headers, CJK text.
/// </summary>
public static class HostileFiles
{
    /// <summary>A PDF of these objects (numbered from 1; object 1 is the catalog). A stream object is (dictionary, bytes): "LEN" in the dictionary becomes the stream's length.</summary>
    public static byte[] Pdf(params (string Dictionary, byte[]? Stream)[] objects)
    {
        using var pdf = new MemoryStream();
        void Write(string s) => pdf.Write(Encoding.Latin1.GetBytes(s));
        Write("%PDF-1.7\n");
        var offsets = new List<long>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Position);
            var (dictionary, stream) = objects[i];
            if (stream is null)
            {
                Write($"{i + 1} 0 obj\n{dictionary}\nendobj\n");
                continue;
            }
            Write($"{i + 1} 0 obj\n{dictionary.Replace("LEN", stream.Length.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)}\nstream\n");
            pdf.Write(stream);
            Write("\nendstream\nendobj\n");
        }
        var xref = pdf.Position;
        Write($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write($"{offset:D10} 00000 n \n");
        }
        Write($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }

    private static (string, byte[]?) Dict(string dictionary) => (dictionary, null);

    private static (string, byte[]?) Stream(string dictionary, byte[] bytes) => (dictionary, bytes);

    private static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    private const string Helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

    /// <summary>An ordinary one-page PDF: each line is shown in Helvetica.</summary>
    public static byte[] SmallPdf(params string[] lines) => Pdf(
        Dict("<< /Type /Catalog /Pages 2 0 R >>"),
        Dict("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        Dict("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"),
        Dict(Helvetica),
        Stream("<< /Length LEN >>", Latin1("BT /F1 12 Tf 72 720 Td 14 TL " + string.Concat(lines.Select(l => $"({l}) ' ")) + "ET")));

    /// <summary>
    /// A Separation colour space whose tint transform is a Type 4 (PostScript calculator) function of
    /// <paramref name="depth"/> nested <c>true { … } if</c>: setting the colour runs it, and PdfPig
    /// 0.1.16 recurses once per level until the stack overflows (the process ends; no catch helps).
    /// </summary>
    public static byte[] Type4Pdf(int depth) => Pdf(
        Dict("<< /Type /Catalog /Pages 2 0 R >>"),
        Dict("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        Dict("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> /ColorSpace << /CS0 [/Separation /Spot /DeviceRGB 6 0 R] >> >> /Contents 5 0 R >>"),
        Dict(Helvetica),
        Stream("<< /Length LEN >>", Latin1("/CS0 cs 0.5 scn BT /F1 12 Tf 72 720 Td (Spot colour) Tj ET")),
        Stream("<< /FunctionType 4 /Domain [0 1] /Range [0 1 0 1 0 1] /Length LEN >>",
            Latin1("{ " + string.Concat(Enumerable.Repeat("true { ", depth)) + string.Concat(Enumerable.Repeat("} if ", depth)) + "dup dup }")));

    /// <summary>
    /// A page whose content stream is <paramref name="inflatedMegabytes"/> MB of zeros, Flate-compressed
    /// to about a thousandth: one deflate block of 1 MiB of zeros, ended by a sync flush (byte-aligned,
    /// not final), repeated, then a final empty block and the zlib checksum. Built in milliseconds.
    /// </summary>
    public static byte[] FlateBombPdf(int inflatedMegabytes)
    {
        using var block = new MemoryStream();
        using (var deflate = new DeflateStream(block, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(new byte[1 << 20]);
            deflate.Flush();
        }
        var segment = block.ToArray();
        using var zlib = new MemoryStream();
        zlib.Write([0x78, 0xDA]);
        for (var i = 0; i < inflatedMegabytes; i++)
        {
            zlib.Write(segment);
        }
        zlib.Write([0x03, 0x00]);
        // Adler-32 of n zeros: A stays 1, B is n mod 65521.
        var adler = (uint)((((long)inflatedMegabytes << 20) % 65521) << 16) | 1u;
        zlib.Write([(byte)(adler >> 24), (byte)(adler >> 16), (byte)(adler >> 8), (byte)adler]);
        return Pdf(
            Dict("<< /Type /Catalog /Pages 2 0 R >>"),
            Dict("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            Dict("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"),
            Dict(Helvetica),
            Stream("<< /Length LEN /Filter /FlateDecode >>", zlib.ToArray()));
    }

    /// <summary>A page tree with <paramref name="pages"/> distinct (empty) pages under one node.</summary>
    public static byte[] PageTreePdf(int pages)
    {
        var objects = new List<(string, byte[]?)>
        {
            Dict("<< /Type /Catalog /Pages 2 0 R >>"),
            Dict($"<< /Type /Pages /MediaBox [0 0 612 792] /Count {pages} /Kids [{string.Join(' ', Enumerable.Range(3, pages).Select(i => $"{i} 0 R"))}] >>"),
        };
        objects.AddRange(Enumerable.Repeat(Dict("<</Type/Page/Parent 2 0 R>>"), pages));
        return Pdf([.. objects]);
    }

    /// <summary>A page tree node that lists itself as its own kid: a walker that does not notice loops forever.</summary>
    public static byte[] SelfReferencingPdf() => Pdf(
        Dict("<< /Type /Catalog /Pages 2 0 R >>"),
        Dict("<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"),
        Dict("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"),
        Stream("<< /Length 4 0 R >>", Latin1("BT ET")));

    /// <summary><paramref name="depth"/> nested elements around one paragraph of text.</summary>
    public static string NestedHtml(int depth, string text) =>
        "<html><head><title>Deep</title></head><body>" + string.Concat(Enumerable.Repeat("<b>", depth)) + $"<p>{text}</p>"
        + string.Concat(Enumerable.Repeat("</b>", depth)) + "</body></html>";

    /// <summary>
    /// A 16-bit PCM WAV of <paramref name="seconds"/> of a tone; the header's sample rate, channel count
    /// and sizes can be set to anything, consistent or not.
    /// </summary>
    public static byte[] Wav(int sampleRate, double seconds, int channels = 1, uint? riffSize = null, uint? dataSize = null)
    {
        var frames = (int)(Math.Max(1, sampleRate) * seconds);
        var data = new byte[frames * channels * 2];
        for (var i = 0; i < frames; i++)
        {
            var sample = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / Math.Max(1, sampleRate)));
            for (var c = 0; c < channels; c++)
            {
                BitConverter.TryWriteBytes(data.AsSpan(((i * channels) + c) * 2), sample);
            }
        }
        using var wav = new MemoryStream();
        using var w = new BinaryWriter(wav);
        w.Write("RIFF"u8);
        w.Write(riffSize ?? (uint)(36 + data.Length));
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)channels);
        w.Write(sampleRate);
        w.Write(sampleRate * channels * 2);
        w.Write((short)(channels * 2));
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(dataSize ?? (uint)data.Length);
        w.Write(data);
        w.Flush();
        return wav.ToArray();
    }

    private const string Han = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴";

    /// <summary>
    /// About <paramref name="bytes"/> bytes (UTF-8) of Chinese in one paragraph, no space anywhere, a
    /// 。 every 20 to 60 characters (or none at all when <paramref name="punctuated"/> is false).
    /// </summary>
    public static string ChineseText(int bytes, bool punctuated = true, int seed = 7)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes / 3 + 16);
        var untilStop = random.Next(20, 60);
        while (text.Length * 3 < bytes)
        {
            text.Append(Han[random.Next(Han.Length)]);
            if (punctuated && --untilStop == 0)
            {
                text.Append('。');
                untilStop = random.Next(20, 60);
            }
        }
        return text.ToString();
    }
}
