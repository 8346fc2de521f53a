using System.Net.Sockets;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Parma.Agent.Transport;
using Parma.Agent.Ttrpc.Wire;

namespace Parma.Agent.Ttrpc;

/// <summary>
/// One client connection: a reader thread reads request frames and starts each request at once on
/// that thread; a request that completes without waiting (most policy decisions) is answered from
/// there too, and one that waits (a process to exit, a runtime call) finishes on the thread pool
/// while the reader goes on. Reads block (sockets stay in blocking mode throughout).
/// </summary>
internal sealed class TtrpcServerConnection(IAgentConnection connection, ITtrpcHandler handler, ILogger logger, int maxPayload)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var owned = connection;
        var stream = connection.Stream;
        var writer = new TtrpcFrameWriter(stream, maxPayload);
        var inFlight = new List<Task>();
        using (closing.Token.Register(connection.Abort))
        {
            await ReaderThread.Start("ttrpc-conn", () => ReadLoop(new TtrpcFrameReader(stream, maxPayload), writer, inFlight, closing.Token)).ConfigureAwait(false);
            await closing.CancelAsync().ConfigureAwait(false);
        }

        // Only the reader thread touches the list, and it has ended.
        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private void ReadLoop(TtrpcFrameReader reader, TtrpcFrameWriter writer, List<Task> inFlight, CancellationToken cancellationToken)
    {
        try
        {
            while (reader.Read() is { } frame)
            {
                if (frame.Type != TtrpcMessageType.Request)
                {
                    throw new TtrpcProtocolException($"unexpected {frame.Type} frame on stream {frame.StreamId}: this server accepts only unary requests");
                }

                if (frame.StreamId % 2 == 0)
                {
                    throw new TtrpcProtocolException($"request on even stream id {frame.StreamId}: client streams are odd");
                }

                var serving = ServeAsync(frame, writer, cancellationToken);
                if (!serving.IsCompleted)
                {
                    inFlight.RemoveAll(t => t.IsCompleted);
                    inFlight.Add(serving);
                }
            }
        }
        catch (TtrpcProtocolException e)
        {
            logger.LogWarning("closing ttrpc connection: {Error}", e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The peer went away or the server is stopping (which shuts the socket down under the read).
        }
    }

    private async Task ServeAsync(TtrpcFrame frame, TtrpcFrameWriter writer, CancellationToken cancellationToken)
    {
        var response = new Response();
        try
        {
            Request request;
            try
            {
                request = Request.Parser.ParseFrom(frame.Payload);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new TtrpcException(StatusCode.InvalidArgument, $"the ttrpc request on stream {frame.StreamId} is not a valid ttrpc.Request: {e.Message}");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in request.Metadata)
            {
                metadata[kv.Key] = kv.Value;
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timeout = TtrpcCall.TimeoutOf(request.TimeoutNano);
            if (timeout is { } t)
            {
                deadline.CancelAfter(t);
            }

            var call = new TtrpcCall(frame.StreamId, request.Service, request.Method, request.Payload.ToByteArray(), timeout, metadata);
            try
            {
                response.Payload = ByteString.CopyFrom(await handler.HandleAsync(call, deadline.Token).ConfigureAwait(false));
                response.Status = new Status { Code = (int)StatusCode.Ok };
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TtrpcException(StatusCode.DeadlineExceeded, $"{request.Service}/{request.Method}: deadline of {timeout} exceeded");
            }
        }
        catch (TtrpcException e)
        {
            response.Status = new Status { Code = (int)e.Code, Message = e.Message };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            logger.LogError(e, "ttrpc handler failed on stream {StreamId}", frame.StreamId);
            response.Status = new Status { Code = (int)StatusCode.Internal, Message = $"internal error: {e.Message}" };
        }

        try
        {
            writer.Write(frame.StreamId, TtrpcMessageType.Response, 0, response.ToByteArray());
        }
        catch (TtrpcProtocolException e)
        {
            var tooLarge = new Response { Status = new Status { Code = (int)StatusCode.ResourceExhausted, Message = e.Message } };
            writer.Write(frame.StreamId, TtrpcMessageType.Response, 0, tooLarge.ToByteArray());
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer closed the connection before the answer.
        }
    }
}
