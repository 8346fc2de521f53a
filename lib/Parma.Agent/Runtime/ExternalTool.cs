using System.Diagnostics;

namespace Parma.Agent.Runtime;

/// <summary>Runs one of the machine's command-line tools (veritysetup, runc) to its end.</summary>
internal static class ExternalTool
{
    /// <summary>
    /// Runs <paramref name="tool"/> (with <paramref name="input"/> on its standard input, if given) and
    /// returns its standard output; a non-zero exit is an IOException naming <paramref name="what"/>
    /// (e.g. "veritysetup format") and what the tool wrote to standard error. A cancelled run kills the tool.
    /// </summary>
    public static async Task<string> RunAsync(string tool, IReadOnlyList<string> arguments, string what, CancellationToken cancellationToken, byte[]? input = null)
    {
        var startInfo = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new IOException($"{tool} did not start");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        string stdout;
        try
        {
            var reading = process.StandardOutput.ReadToEndAsync(cancellationToken);
            if (input is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(input, cancellationToken).ConfigureAwait(false);
                process.StandardInput.Close();
            }

            stdout = await reading.ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new IOException($"{what} failed with exit code {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
        }

        return stdout;
    }
}
