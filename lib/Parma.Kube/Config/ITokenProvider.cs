namespace Parma.Kube.Config;

/// <summary>Supplies the bearer token for each request (static, re-read from a file, or from an exec plugin).</summary>
public interface ITokenProvider
{
    ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken);
}

public sealed class StaticTokenProvider(string token) : ITokenProvider
{
    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
}

/// <summary>
/// Reads the token from a file and re-reads it when the file changes (projected service-account
/// tokens are rotated by the kubelet) or at least every minute.
/// </summary>
public sealed class FileTokenProvider(string path, TimeProvider? time = null) : ITokenProvider
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private string? _token;
    private DateTime _fileWriteTime;
    private DateTimeOffset _readAt;

    public string Path { get; } = path;

    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var writeTime = File.GetLastWriteTimeUtc(Path);
            var now = _time.GetUtcNow();
            if (_token is null || writeTime != _fileWriteTime || now - _readAt > MaxAge)
            {
                try
                {
                    _token = File.ReadAllText(Path).Trim();
                }
                catch (IOException e)
                {
                    throw new KubeConfigException($"Cannot read the token file {Path}: {e.Message}", e);
                }

                _fileWriteTime = writeTime;
                _readAt = now;
            }

            return ValueTask.FromResult<string?>(_token);
        }
    }
}
