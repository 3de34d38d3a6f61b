using System.Runtime.InteropServices;

namespace Parley.Calls.Providers;

/// <summary>
/// The few C functions of Debian's libpocketsphinx 5prealpha that decode one utterance. Hand-written
/// bindings: no maintained NuGet package wraps pocketsphinx, and running the
/// <c>pocketsphinx_continuous</c> program instead costs about 0.8 s a turn just to load the model,
/// which an in-process decoder pays once.
/// </summary>
internal static partial class PocketsphinxNative
{
    public const string Library = "libpocketsphinx.so.3";
    public const string SphinxBase = "libsphinxbase.so.3";
    public const string ModelRoot = "/usr/share/pocketsphinx/model/en-us";

    [DllImport(Library, EntryPoint = "ps_args")]
    public static extern IntPtr Args();

    [DllImport(SphinxBase, EntryPoint = "cmd_ln_parse_r")]
    public static extern IntPtr ParseConfig(IntPtr config, IntPtr definitions, int argc,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string[] argv, int strict);

    [DllImport(SphinxBase, EntryPoint = "cmd_ln_free_r")]
    public static extern int FreeConfig(IntPtr config);

    [DllImport(Library, EntryPoint = "ps_init")]
    public static extern IntPtr Init(IntPtr config);

    [DllImport(Library, EntryPoint = "ps_free")]
    public static extern int Free(IntPtr decoder);

    [DllImport(Library, EntryPoint = "ps_start_utt")]
    public static extern int StartUtterance(IntPtr decoder);

    [DllImport(Library, EntryPoint = "ps_process_raw")]
    public static extern int ProcessRaw(IntPtr decoder, short[] data, nuint samples, int noSearch, int fullUtterance);

    [DllImport(Library, EntryPoint = "ps_end_utt")]
    public static extern int EndUtterance(IntPtr decoder);

    [DllImport(Library, EntryPoint = "ps_get_hyp")]
    public static extern IntPtr Hypothesis(IntPtr decoder, out int bestScore);

    /// <summary>The library and the US English model (packages pocketsphinx and pocketsphinx-en-us) are both present.</summary>
    public static bool Installed { get; } = Directory.Exists(Path.Combine(ModelRoot, "en-us"))
        && File.Exists(Path.Combine(ModelRoot, "en-us.lm.bin"))
        && NativeLibrary.TryLoad(Library, out _);
}
