using System.Net.Sockets;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Parma.Agent.Transport;
using Parma.Agent.Ttrpc.Wire;

namespace Parma.Agent.Ttrpc;

/// <summary>One client connection: reads request frames and answers each on its own task.</summary>
internal sealed class TtrpcServerConnection(Socket socket, ITtrpcHandler handler, ILogger logger, int maxPayload)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var stream = new SocketStream(socket, ownsSocket: true);
        using var writer = new TtrpcFrameWriter(stream, maxPayload);
        var reader = new TtrpcFrameReader(stream, maxPayload);
        var inFlight = new List<Task>();
        try
        {
            while (true)
            {
                var frame = await reader.ReadAsync(closing.Token).ConfigureAwait(false);
                if (frame is not { } f)
                {
                    break;
                }

                if (f.Type != TtrpcMessageType.Request)
                {
                    throw new TtrpcProtocolException($"unexpected {f.Type} frame on stream {f.StreamId}: this server accepts only unary requests");
                }

                if (f.StreamId % 2 == 0)
                {
                    throw new TtrpcProtocolException($"request on even stream id {f.StreamId}: client streams are odd");
                }

                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(ServeAsync(f, writer, closing.Token));
            }
        }
        catch (TtrpcProtocolException e)
        {
            logger.LogWarning("closing ttrpc connection: {Error}", e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or the server is stopping.
        }

        await closing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(inFlight).ConfigureAwait(false);
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
            TimeSpan? timeout = request.TimeoutNano > 0 ? TimeSpan.FromTicks(request.TimeoutNano / 100) : null;
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
            await writer.WriteAsync(frame.StreamId, TtrpcMessageType.Response, 0, response.ToByteArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (TtrpcProtocolException e)
        {
            var tooLarge = new Response { Status = new Status { Code = (int)StatusCode.ResourceExhausted, Message = e.Message } };
            await writer.WriteAsync(frame.StreamId, TtrpcMessageType.Response, 0, tooLarge.ToByteArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer closed the connection before the answer.
        }
    }
}
