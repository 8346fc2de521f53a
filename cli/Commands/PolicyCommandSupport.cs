using System.CommandLine;
using Parma.Oci.Digests;
using Parma.Oci.Registry;
using Parma.Policy.Input;
using Parma.Rego;

namespace Parma.Cli.Commands;

/// <summary>Runs a policy command body; a failure the user can fix is one line on stderr and exit code 2.</summary>
internal static class PolicyCommandSupport
{
    public const int Error = 2;

    public static async Task<int> RunAsync(ParseResult parse, Func<TextWriter, TextWriter, Task<int>> body)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            return await body(output, error);
        }
        catch (Exception e) when (e is PolicyInputException or RegoException or RegistryException or DigestMismatchException
            or IOException or UnauthorizedAccessException or ArgumentException or FormatException or InvalidDataException
            or NotSupportedException or KeyNotFoundException or InvalidOperationException)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return Error;
        }
    }
}
