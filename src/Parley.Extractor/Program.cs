using Parley.Knowledge.Extraction;

namespace Parley.Extractor;

/// <summary>
/// The extractor child (see <see cref="ExtractionSandbox"/>): requests on stdin, answers on stdout,
/// until stdin closes. The server sets this process's limits; it holds no logic of its own.
/// </summary>
internal static class Program
{
    private static int Main()
    {
        using var input = Console.OpenStandardInput();
        using var output = Console.OpenStandardOutput();
        return ExtractionChild.Run(input, output);
    }
}
