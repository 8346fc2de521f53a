namespace Parma.Agent.Runtime;

/// <summary>A process's stdout or stderr, kept until the host reads it (ReadStdout/ReadStderr). Bounded: the oldest bytes are dropped past the limit.</summary>
internal sealed class OutputBuffer(int limit = 1 << 20)
{
    private readonly Lock _lock = new();
    private readonly Queue<byte[]> _chunks = new();
    private int _offset;
    private int _size;
    private bool _ended;
    private TaskCompletionSource _available = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task PumpAsync(Stream source)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                Append(buffer.AsSpan(0, read).ToArray());
            }
        }
        catch (IOException)
        {
            // The process went away.
        }

        lock (_lock)
        {
            _ended = true;
            _available.TrySetResult();
        }
    }

    private void Append(byte[] chunk)
    {
        lock (_lock)
        {
            _chunks.Enqueue(chunk);
            _size += chunk.Length;
            while (_size > limit && _chunks.Count > 1)
            {
                var dropped = _chunks.Dequeue();
                _size -= dropped.Length - _offset;
                _offset = 0;
            }

            _available.TrySetResult();
        }
    }

    /// <summary>Up to <paramref name="max"/> bytes, waiting for some; null at the end of the stream.</summary>
    public async Task<byte[]?> ReadAsync(int max, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_chunks.Count > 0)
                {
                    var result = new List<byte>();
                    while (_chunks.Count > 0 && result.Count < max)
                    {
                        var head = _chunks.Peek();
                        var take = Math.Min(max - result.Count, head.Length - _offset);
                        result.AddRange(head.AsSpan(_offset, take));
                        _offset += take;
                        _size -= take;
                        if (_offset == head.Length)
                        {
                            _chunks.Dequeue();
                            _offset = 0;
                        }
                    }

                    return [.. result];
                }

                if (_ended)
                {
                    return null;
                }

                if (_available.Task.IsCompleted)
                {
                    _available = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                wait = _available.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
