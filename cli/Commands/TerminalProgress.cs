using System.CommandLine;
using System.Globalization;
using Parma.Oci.Resolution;

namespace Parma.Cli.Commands;

/// <summary>
/// One status line on standard error while images are resolved (which layer of which image is being
/// downloaded and hashed), redrawn in place at most ten times a second and erased before anything else
/// is printed. Only when standard error is a terminal: in pipes, logs and CI the output has no progress.
/// </summary>
internal sealed class TerminalProgress : IProgress<ImageProgress>, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly Lock _lock = new();
    private readonly TextWriter _terminal;
    private DateTime _lastDraw = DateTime.MinValue;
    private (string Image, int Layer) _lastLayer;
    private bool _shown;

    private TerminalProgress(TextWriter terminal) => _terminal = terminal;

    /// <summary>A progress line on the command's standard error, or null when that is not a terminal.</summary>
    public static TerminalProgress? ForStandardError(ParseResult parse) =>
        !Console.IsErrorRedirected && ReferenceEquals(parse.InvocationConfiguration.Error, Console.Error) ? new TerminalProgress(Console.Error) : null;

    public void Report(ImageProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            var now = DateTime.UtcNow;
            var newLayer = (value.Image, value.Layer) != _lastLayer;
            if (!newLayer && now - _lastDraw < Interval)
            {
                return;
            }

            _lastLayer = (value.Image, value.Layer);
            _lastDraw = now;
            _terminal.Write($"\r\u001b[K{Describe(value)}");
            _terminal.Flush();
            _shown = true;
        }
    }

    /// <summary>Erases the status line, so that the next output starts on a clean line.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            if (_shown)
            {
                _terminal.Write("\r\u001b[K");
                _terminal.Flush();
                _shown = false;
            }
        }
    }

    public void Dispose() => Clear();

    internal static string Describe(ImageProgress p)
    {
        var layer = $"layer {p.Layer + 1}/{p.LayerCount}";
        return p.Cached
            ? $"resolving {p.Image}: {layer} (cached)"
            : $"resolving {p.Image}: {layer}, {MiB(p.Bytes)} of {MiB(p.TotalBytes)} MiB read and hashed";
    }

    private static string MiB(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
}
