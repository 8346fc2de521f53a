using System.ComponentModel;
using System.Diagnostics;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>A started container or exec process: its output kept for ReadStdout/ReadStderr, its exit status for WaitProcess.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly string? _pidFile;
    private readonly Task _pumps;

    private ChildProcess(Process process, string? pidFile)
    {
        _process = process;
        _pidFile = pidFile;
        _pumps = Task.WhenAll(Stdout.PumpAsync(process.StandardOutput.BaseStream), Stderr.PumpAsync(process.StandardError.BaseStream));
    }

    public OutputBuffer Stdout { get; } = new();

    public OutputBuffer Stderr { get; } = new();

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts a process. <paramref name="pidFile"/>: where the started program (a container runtime)
    /// writes the pid of the process it runs for us, so that signals go to that process; until the
    /// file exists they go to the started program itself.
    /// </summary>
    public static ChildProcess Start(ProcessStartInfo startInfo, string what, string? pidFile = null)
    {
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        try
        {
            var process = Process.Start(startInfo) ?? throw new RuntimeException(StatusCode.Internal, $"{what}: the process did not start");
            return new ChildProcess(process, pidFile);
        }
        catch (Win32Exception e)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: cannot run {startInfo.FileName}: {e.Message}");
        }
    }

    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _pumps.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async Task WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _process.StandardInput.BaseStream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        await _process.StandardInput.BaseStream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public void CloseStdin() => _process.StandardInput.Close();

    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            Signals.Send(PidFromFile() ?? _process.Id, signal);
        }
    }

    private int? PidFromFile()
    {
        try
        {
            return _pidFile is not null && int.TryParse(File.ReadAllText(_pidFile).Trim(), out var pid) && pid > 0 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
