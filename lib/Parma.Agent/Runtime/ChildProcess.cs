using System.ComponentModel;
using System.Diagnostics;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>A started container or exec process: its output kept for ReadStdout/ReadStderr, its exit status for WaitProcess.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task _pumps;

    private ChildProcess(Process process)
    {
        _process = process;
        _pumps = Task.WhenAll(Stdout.PumpAsync(process.StandardOutput.BaseStream), Stderr.PumpAsync(process.StandardError.BaseStream));
    }

    public OutputBuffer Stdout { get; } = new();

    public OutputBuffer Stderr { get; } = new();

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(ProcessStartInfo startInfo, string what)
    {
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        try
        {
            var process = Process.Start(startInfo) ?? throw new RuntimeException(StatusCode.Internal, $"{what}: the process did not start");
            return new ChildProcess(process);
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
            Signals.Send(_process.Id, signal);
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
