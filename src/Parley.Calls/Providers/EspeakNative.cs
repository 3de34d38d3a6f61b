using System.Runtime.InteropServices;

namespace Parley.Calls.Providers;

/// <summary>
/// The few C functions of Debian's libespeak-ng1 (1.51, <c>speak_lib.h</c>) that synthesise text into
/// samples in process. Hand-written bindings: no maintained NuGet package wraps espeak-ng. The library
/// keeps global state and is not thread-safe: only <see cref="EspeakEngine"/>'s own thread calls these.
/// </summary>
internal static class EspeakNative
{
    public const string Library = "libespeak-ng.so.1";

    /// <summary>Where Debian's espeak-ng-data package puts the phoneme tables and voices (the library's compiled-in default).</summary>
    public const string DataRoot = "/usr/lib/x86_64-linux-gnu/espeak-ng-data";

    /// <summary><c>AUDIO_OUTPUT_SYNCHRONOUS</c>: <see cref="Synth"/> returns when the text is spoken, samples handed to the callback on the calling thread.</summary>
    public const int OutputSynchronous = 2;

    /// <summary><c>espeakINITIALIZE_DONT_EXIT</c>: a missing data folder is an error code, not <c>exit(1)</c> of the whole server.</summary>
    public const int InitializeDontExit = 0x8000;

    public const int PositionCharacter = 1;

    /// <summary><c>espeakCHARS_UTF8 | espeakENDPAUSE</c>. Not <c>espeakPHONEMES</c> (the program's default): text from a knowledge base is text, never <c>[[phoneme]]</c> commands.</summary>
    public const uint SynthFlags = 0x1 | 0x1000;

    /// <summary><c>espeakRATE</c>, in words a minute.</summary>
    public const int ParameterRate = 1;

    public const int Ok = 0;
    public const int NotFound = 2;

    /// <summary>A C string: UTF-8 with its NUL. A NUL inside would end it early; it carries nothing speakable.</summary>
    public static byte[] CString(string text) => System.Text.Encoding.UTF8.GetBytes(text.Replace('\0', ' ') + "\0");

    /// <summary><c>t_espeak_callback</c>: return 1 to stop the synthesis, 0 to go on.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int SynthCallback(IntPtr wav, int samples, IntPtr events);

    /// <summary>The sample rate (22 050 Hz for Debian's voices), or -1. <paramref name="path"/> zero: the compiled-in <see cref="DataRoot"/>.</summary>
    [DllImport(Library, EntryPoint = "espeak_Initialize")]
    public static extern int Initialize(int output, int bufferMs, IntPtr path, int options);

    /// <summary>The library keeps the pointer for the life of the process: pass only a delegate that is never collected.</summary>
    [DllImport(Library, EntryPoint = "espeak_SetSynthCallback")]
    public static extern void SetSynthCallback(SynthCallback callback);

    /// <summary><paramref name="name"/> is NUL-terminated UTF-8 (strings go as bytes: the marshaller's choice of encoding is not left to chance).</summary>
    [DllImport(Library, EntryPoint = "espeak_SetVoiceByName")]
    public static extern int SetVoiceByName(byte[] name);

    /// <summary>What the espeak-ng program falls back to when no voice has the name: a voice speaking that language (<c>en-gb</c>).</summary>
    [DllImport(Library, EntryPoint = "espeak_SetVoiceByProperties")]
    public static extern int SetVoiceByProperties(ref VoiceSpec voice);

    [DllImport(Library, EntryPoint = "espeak_SetParameter")]
    public static extern int SetParameter(int parameter, int value, int relative);

    /// <summary><paramref name="text"/> is NUL-terminated UTF-8.</summary>
    [DllImport(Library, EntryPoint = "espeak_Synth")]
    public static extern int Synth(byte[] text, nuint size, uint position, int positionType, uint endPosition, uint flags, IntPtr uniqueIdentifier, IntPtr userData);

    /// <summary><c>espeak_VOICE</c>: the strings are UTF-8 C strings, the rest left zero (unspecified).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct VoiceSpec
    {
        public IntPtr Name;
        public IntPtr Languages;
        public IntPtr Identifier;
        public byte Gender;
        public byte Age;
        public byte Variant;
        public byte Reserved;
        public int Score;
        public IntPtr Spare;
    }

    /// <summary>The library and its data (packages libespeak-ng1 and espeak-ng-data) are both present. Loading the library runs no code of its own.</summary>
    public static bool Installed { get; } = Directory.Exists(Path.Combine(DataRoot, "lang"))
        && File.Exists(Path.Combine(DataRoot, "phontab"))
        && NativeLibrary.TryLoad(Library, out _);
}
