using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Parma.Agent.Transport;
using Parma.Agent.Ttrpc.Wire;

namespace Parma.Agent.Ttrpc;

/// <summary>
/// A ttrpc client over one connection: unary calls on odd, increasing stream ids, any number in
/// flight at once. Responses are matched to calls by stream id. The connection is read by a thread
/// of its own, and the code after an awaited call resumes on that thread (no hand-off to the thread
/// pool, which doubled the round trip on a small VM): do not block it waiting synchronously for
/// another call on the same client.
/// </summary>
public sealed class TtrpcClient : IAsyncDisposable
{
    /// <summary>How long the reader polls for an answer before its thread blocks (see <see cref="SocketStream.PollBeforeBlocking"/>).</summary>
    private static readonly TimeSpan PollForAnswers = TimeSpan.FromMilliseconds(1);

    private readonly Socket _socket;
    private readonly SocketStream _stream;
    private readonly TtrpcFrameWriter _writer;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<Response>> _pending = new();
    private readonly Task _readLoop;
    private long _nextStreamId = 1;
    private Exception? _broken;

    private TtrpcClient(Socket socket, int maxPayload)
    {
        _socket = socket;
        _stream = new SocketStream(socket, ownsSocket: false) { PollBeforeBlocking = PollForAnswers };
        _writer = new TtrpcFrameWriter(_stream, maxPayload);
        var reader = new TtrpcFrameReader(_stream, maxPayload);
        _readLoop = ReaderThread.Start("ttrpc-client", () => ReadLoop(reader));
    }

    public static async Task<TtrpcClient> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken = default, int maxPayload = TtrpcFrame.DefaultMaxPayload)
    {
        if (endPoint is VsockEndPoint vsock)
        {
            return new TtrpcClient(await Task.Run(() => VsockSockets.Connect(vsock), cancellationToken).ConfigureAwait(false), maxPayload);
        }

        // A synchronous connect keeps the socket in blocking mode for the reader thread; connecting
        // to a Unix socket does not wait for a peer.
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            socket.Connect(endPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new TtrpcClient(socket, maxPayload);
    }

    /// <summary>Sends a request and returns the response payload; a non-OK status throws <see cref="TtrpcException"/>.</summary>
    public async Task<byte[]> CallAsync(string service, string method, ReadOnlyMemory<byte> payload, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (_broken is not null)
        {
            throw new IOException($"the ttrpc connection is closed: {_broken.Message}", _broken);
        }

        var streamId = (uint)(Interlocked.Add(ref _nextStreamId, 2) - 2);
        var request = new Request { Service = service, Method = method, Payload = ByteString.CopyFrom(payload.Span) };
        if (timeout is { } t)
        {
            // Saturate rather than overflow into a negative (no) timeout.
            request.TimeoutNano = t.Ticks >= long.MaxValue / 100 ? long.MaxValue : Math.Max(0, t.Ticks) * 100;
        }

        var completion = new TaskCompletionSource<Response>();
        _pending[streamId] = completion;
        try
        {
            if (_broken is { } broken)
            {
                // The reader ended between the check above and the registration: no answer will come.
                throw new IOException($"the ttrpc connection is closed: {broken.Message}", broken);
            }

            _writer.Write(streamId, TtrpcMessageType.Request, 0, request.ToByteArray());
            var response = await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var code = (StatusCode)(response.Status?.Code ?? 0);
            return code == StatusCode.Ok ? response.Payload.ToByteArray() : throw new TtrpcException(code, response.Status!.Message);
        }
        finally
        {
            _pending.TryRemove(streamId, out _);
        }
    }

    /// <summary>Sends a protobuf request and parses the response.</summary>
    public async Task<TResponse> CallAsync<TResponse>(string service, string method, IMessage request, MessageParser<TResponse> parser, CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>
    {
        var bytes = await CallAsync(service, method, request.ToByteArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return parser.ParseFrom(bytes);
    }

    /// <summary>Writes raw bytes to the connection (for protocol tests: malformed frames).</summary>
    public ValueTask SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _writer.WriteRaw(bytes.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Completes when the server closes the connection.</summary>
    public Task Closed => _readLoop;

    private void ReadLoop(TtrpcFrameReader reader)
    {
        try
        {
            while (reader.Read() is { } frame)
            {
                if (frame.Type == TtrpcMessageType.Response && _pending.TryGetValue(frame.StreamId, out var completion))
                {
                    try
                    {
                        completion.TrySetResult(Response.Parser.ParseFrom(frame.Payload));
                    }
                    catch (InvalidProtocolBufferException e)
                    {
                        completion.TrySetException(new TtrpcProtocolException($"the response on stream {frame.StreamId} is not a ttrpc.Response: {e.Message}"));
                    }
                }
            }

            Fail(new IOException("the server closed the connection"));
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Fail(Exception e)
    {
        _broken = e;
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new IOException($"the ttrpc connection closed before the answer: {e.Message}", e));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already closed by the peer.
        }

        _socket.Dispose();
        await _readLoop.ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
