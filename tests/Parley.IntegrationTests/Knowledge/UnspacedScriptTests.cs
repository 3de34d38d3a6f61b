using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Parley.IntegrationTests.Hostile;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.Knowledge;

/// <summary>
/// Languages written without spaces, end to end: long Chinese and Japanese pages are chunked at
/// their own sentence marks, embedded (never as the empty string), and found in hybrid mode by an
/// exact phrase from the middle of a page, which only works if the full-text side reads Han and kana
/// characters one by one.
/// </summary>
public sealed class UnspacedScriptTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string ChinesePhrase = "灯塔守护人每天黄昏敲响铜钟";
    private const string JapanesePhrase = "灯台守は毎日夕暮れに鐘を鳴らす";

    private static readonly string[] JapaneseSentences =
    [
        "東京湾の渡し船は朝七時に出ます。", "自転車は上の甲板に無料で載せられます。", "切符は港の売店で買えます。",
        "雨の日は運休することがあります。", "子供と高齢者は半額です。", "犬はケージに入れれば乗れます。",
        "船内では温かいお茶を売っています。", "最終便は夜九時に港を出ます。", "荷物は一人二個までです。", "予約は電話でも受け付けます。",
    ];

    private static string Japanese(int sentences, int seed)
    {
        var random = new Random(seed);
        return string.Concat(Enumerable.Range(0, sentences).Select(_ => JapaneseSentences[random.Next(JapaneseSentences.Length)]));
    }

    /// <summary>A page of <paramref name="before"/> text, the phrase as a sentence of its own, and more text.</summary>
    private static string Page(string before, string phrase, string after) => $"{before}{phrase}。{after}";

    private static async Task UploadAsync(HttpClient client, string title, string text)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "file", $"{title}.txt" } };
        var response = await client.PostAsync(new Uri("/v1/knowledge/documents", UriKind.Relative), form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var chunks = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("chunks").GetInt32();
        Assert.True(chunks >= 5, $"{title}: {chunks} chunks");
    }

    [Fact]
    public async Task Japanese_and_chinese_pages_are_chunked_and_found_in_hybrid_mode_by_an_exact_phrase()
    {
        var a = await api.NewTenantAsync("Unspaced");
        await UploadAsync(a.Client, "zh-1", HostileFiles.ChineseText(6000, seed: 1));
        await UploadAsync(a.Client, "zh-2", Page(HostileFiles.ChineseText(3000, seed: 2), ChinesePhrase, HostileFiles.ChineseText(3000, seed: 3)));
        await UploadAsync(a.Client, "zh-3", HostileFiles.ChineseText(6000, seed: 4));
        await UploadAsync(a.Client, "ja-1", Japanese(120, seed: 5));
        await UploadAsync(a.Client, "ja-2", Page(Japanese(60, seed: 6), JapanesePhrase, Japanese(60, seed: 7)));
        await UploadAsync(a.Client, "ja-3", Japanese(120, seed: 8));

        foreach (var (phrase, title) in new[] { (ChinesePhrase, "zh-2"), (JapanesePhrase, "ja-2") })
        {
            var search = await a.Client.PostAsJsonAsync("/v1/knowledge/search", new { query = $"\"{phrase}\"", mode = "hybrid", topK = 3 });
            Assert.True(search.IsSuccessStatusCode, await search.Content.ReadAsStringAsync());
            var top = (await search.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0];
            Assert.Equal(title, top.GetProperty("title").GetString());
            Assert.Contains(phrase, top.GetProperty("content").GetString(), StringComparison.Ordinal);
        }

        // The phrase's characters in another order are not the phrase: the full-text side matches nothing then.
        var shuffled = new string(ChinesePhrase.Reverse().ToArray());
        var miss = await (await a.Client.PostAsJsonAsync("/v1/knowledge/search", new { query = $"\"{shuffled}\"", mode = "hybrid", topK = 3 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.All(miss.GetProperty("results").EnumerateArray(), r => Assert.DoesNotContain(shuffled, r.GetProperty("content").GetString(), StringComparison.Ordinal));
    }
}
