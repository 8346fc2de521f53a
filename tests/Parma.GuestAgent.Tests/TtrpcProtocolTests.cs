using System.Net.Sockets;
using Google.Protobuf;
using Parma.Agent.Transport;
using Parma.Agent.Ttrpc;
using Parma.Agent.Ttrpc.Wire;

namespace Parma.GuestAgent.Tests;

/// <summary>The ttrpc framing over a real Unix socket, with a handler that echoes and records what it saw.</summary>
public sealed class TtrpcProtocolTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("parma-ttrpc-").FullName;
    private readonly EchoHandler _handler = new();
    private TtrpcServer _server = null!;

    private string SocketPath => Path.Combine(_directory, "ttrpc.sock");

    public Task InitializeAsync()
    {
        _server = new TtrpcServer(new UnixSocketAgentListener(SocketPath), _handler);
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<TtrpcClient> ConnectAsync() => TtrpcClient.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));

    private sealed class EchoHandler : ITtrpcHandler
    {
        public List<TtrpcCall> Calls { get; } = [];

        public async Task<byte[]> HandleAsync(TtrpcCall call, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add(call);
            }

            return call.Method switch
            {
                "Echo" => call.Payload,
                "Slow" => await Delayed(call.Payload, cancellationToken),
                "Deny" => throw new TtrpcException(StatusCode.PermissionDenied, "Deny is blocked by policy: test"),
                _ => throw new InvalidOperationException("boom"),
            };
        }

        private static async Task<byte[]> Delayed(byte[] payload, CancellationToken cancellationToken)
        {
            await Task.Delay(200, cancellationToken);
            return payload;
        }
    }

    /// <summary>A raw connection for writing frames by hand and reading the answers.</summary>
    private async Task<(Socket Socket, NetworkStream Stream)> RawAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        return (socket, new NetworkStream(socket, ownsSocket: true));
    }

    private static byte[] Frame(uint streamId, byte type, byte[] payload, uint? length = null)
    {
        var frame = new byte[10 + payload.Length];
        TtrpcFrame.WriteHeader(frame, (int)(length ?? (uint)payload.Length), streamId, (TtrpcMessageType)type, 0);
        payload.CopyTo(frame, 10);
        return frame;
    }

    private static byte[] RequestPayload(string method, byte[] body) =>
        new Request { Service = "test.Service", Method = method, Payload = ByteString.CopyFrom(body) }.ToByteArray();

    private async Task ServerStillServesAsync()
    {
        await using var client = await ConnectAsync();
        (await client.CallAsync("test.Service", "Echo", "alive"u8.ToArray())).Should().Equal("alive"u8.ToArray());
    }

    [Fact]
    public async Task A_unary_call_round_trips_with_metadata_free_request_and_response()
    {
        await using var client = await ConnectAsync();
        var answer = await client.CallAsync("test.Service", "Echo", new byte[] { 1, 2, 3 });
        answer.Should().Equal(1, 2, 3);
        _handler.Calls.Should().ContainSingle(c => c.Service == "test.Service" && c.Method == "Echo");
    }

    [Fact]
    public async Task Statuses_reach_the_client_with_code_and_message()
    {
        await using var client = await ConnectAsync();
        var denied = async () => await client.CallAsync("test.Service", "Deny", Array.Empty<byte>());
        (await denied.Should().ThrowAsync<TtrpcException>()).Which.Code.Should().Be(StatusCode.PermissionDenied);
        var crash = async () => await client.CallAsync("test.Service", "Crash", Array.Empty<byte>());
        (await crash.Should().ThrowAsync<TtrpcException>()).Which.Should().Match<TtrpcException>(e => e.Code == StatusCode.Internal && e.Message.Contains("boom"));
    }

    [Fact]
    public async Task Concurrent_calls_on_one_connection_are_answered_by_stream_id()
    {
        await using var client = await ConnectAsync();
        var calls = Enumerable.Range(0, 64).Select(async i =>
        {
            var method = i % 4 == 0 ? "Slow" : "Echo";
            var answer = await client.CallAsync("test.Service", method, BitConverter.GetBytes(i));
            return BitConverter.ToInt32(answer);
        });
        (await Task.WhenAll(calls)).Should().Equal(Enumerable.Range(0, 64));
    }

    [Fact]
    public async Task A_slow_request_does_not_hold_up_later_requests_on_the_same_connection()
    {
        await using var client = await ConnectAsync();
        var slow = client.CallAsync("test.Service", "Slow", new byte[] { 1 });
        (await client.CallAsync("test.Service", "Echo", new byte[] { 2 })).Should().Equal(2);
        slow.IsCompleted.Should().BeFalse("the echo was answered while the slow request was still waiting");
        (await slow).Should().Equal(1);
    }

    [Fact]
    public async Task Code_after_an_awaited_call_can_make_the_next_call_on_the_same_client()
    {
        // Continuations run on the client's reader thread; a call made from there must still be answered.
        await using var client = await ConnectAsync();
        var answers = await client.CallAsync("test.Service", "Echo", new byte[] { 1 })
            .ContinueWith(async first => (await first, await client.CallAsync("test.Service", "Echo", new byte[] { 2 })), TaskContinuationOptions.ExecuteSynchronously)
            .Unwrap()
            .WaitAsync(TimeSpan.FromSeconds(10));
        answers.Item1.Should().Equal(1);
        answers.Item2.Should().Equal(2);
    }

    [Fact]
    public async Task Stopping_the_server_ends_idle_connections_and_their_reader_threads()
    {
        var client = await ConnectAsync();
        await using (client)
        {
            (await client.CallAsync("test.Service", "Echo", new byte[] { 1 })).Should().Equal(1);
            await _server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            await client.Closed.WaitAsync(TimeSpan.FromSeconds(10));
            var after = async () => await client.CallAsync("test.Service", "Echo", new byte[] { 2 });
            await after.Should().ThrowAsync<IOException>();
        }

        _server = new TtrpcServer(new UnixSocketAgentListener(SocketPath), _handler);
        _server.Start();
    }

    [Fact]
    public async Task The_client_uses_odd_increasing_stream_ids()
    {
        var (socket, stream) = await RawAsync();
        await using (stream)
        {
            await stream.WriteAsync(Frame(2, 1, RequestPayload("Echo", [])));
            var closed = await stream.ReadAsync(new byte[16]);
            closed.Should().Be(0, "a request on an even stream id breaks the protocol");
        }

        socket.Dispose();
        await using var client = await ConnectAsync();
        for (var i = 0; i < 3; i++)
        {
            await client.CallAsync("test.Service", "Echo", Array.Empty<byte>());
        }

        _handler.Calls.Select(c => c.StreamId).Should().Equal(1u, 3u, 5u);
    }

    [Theory]
    [InlineData("oversized", 10)]
    [InlineData("unknown type", 9)]
    [InlineData("data frame", 3)]
    [InlineData("truncated payload", 0)]
    public async Task Broken_frames_close_the_connection_and_the_server_goes_on(string what, int variant)
    {
        var (_, stream) = await RawAsync();
        await using (stream)
        {
            var frame = variant switch
            {
                10 => Frame(1, 1, [], length: (uint)TtrpcFrame.DefaultMaxPayload + 1),
                9 => Frame(1, 9, RequestPayload("Echo", [])),
                3 => Frame(1, 3, [1, 2, 3]),
                _ => Frame(1, 1, RequestPayload("Echo", new byte[100]))[..50],
            };
            await stream.WriteAsync(frame);
            if (variant == 0)
            {
                stream.Socket.Shutdown(SocketShutdown.Send);
            }

            (await ClosedByServerAsync(stream)).Should().BeTrue($"the server closes the connection after a {what} frame");
        }

        await ServerStillServesAsync();
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(5_000_000_000_000_000L)]
    [InlineData(4_294_967_295_000_000L)]
    public async Task A_huge_timeout_is_clamped_to_the_longest_deadline_and_the_call_is_served(long timeoutNano)
    {
        var (_, stream) = await RawAsync();
        await using (stream)
        {
            var request = new Request { Service = "test.Service", Method = "Echo", Payload = ByteString.CopyFrom(1, 2, 3), TimeoutNano = timeoutNano };
            await stream.WriteAsync(Frame(1, 1, request.ToByteArray()));
            var frame = (await new TtrpcFrameReader(stream).ReadAsync(default))!.Value;

            var response = Response.Parser.ParseFrom(frame.Payload);
            response.Status.Code.Should().Be((int)StatusCode.Ok, response.Status.Message);
            response.Payload.ToByteArray().Should().Equal(1, 2, 3);
        }

        _handler.Calls.Should().ContainSingle().Which.Timeout.Should().Be(TtrpcCall.MaxTimeout);
    }

    [Fact]
    public async Task The_client_sends_the_longest_timeout_as_the_largest_timeout_nano_and_the_server_clamps_it()
    {
        await using var client = await ConnectAsync();
        (await client.CallAsync("test.Service", "Echo", new byte[] { 7 }, timeout: TimeSpan.MaxValue)).Should().Equal(7);
        _handler.Calls.Should().ContainSingle().Which.Timeout.Should().Be(TtrpcCall.MaxTimeout);
    }

    [Theory]
    [InlineData(0L, null)]
    [InlineData(-1L, null)]
    [InlineData(1L, 1L)]
    [InlineData(2_000_000_000L, 20_000_000L)]
    public void Timeouts_the_timer_can_hold_are_kept(long timeoutNano, long? ticks) =>
        TtrpcCall.TimeoutOf(timeoutNano).Should().Be(ticks is { } t ? TimeSpan.FromTicks(t) : null);

    [Fact]
    public async Task A_payload_that_is_not_a_ttrpc_request_is_answered_invalid_argument()
    {
        var (_, stream) = await RawAsync();
        await using (stream)
        {
            await stream.WriteAsync(Frame(1, 1, [0xFF, 0xFF, 0xFF]));
            var reader = new TtrpcFrameReader(stream);
            var frame = (await reader.ReadAsync(default))!.Value;
            frame.Type.Should().Be(TtrpcMessageType.Response);
            frame.StreamId.Should().Be(1);
            Response.Parser.ParseFrom(frame.Payload).Status.Code.Should().Be((int)StatusCode.InvalidArgument);
        }
    }

    [Fact]
    public async Task Random_and_truncated_frames_never_crash_the_server()
    {
        var random = new Random(20261121);
        var valid = Frame(1, 1, RequestPayload("Echo", new byte[32]));
        for (var round = 0; round < 60; round++)
        {
            var (_, stream) = await RawAsync();
            await using (stream)
            {
                byte[] bytes = (round % 3) switch
                {
                    0 => RandomBytes(random, random.Next(1, 200)),
                    1 => valid[..random.Next(1, valid.Length)],
                    _ => Frame((uint)(random.Next() | 1), 1, RandomBytes(random, random.Next(0, 300))),
                };
                await stream.WriteAsync(bytes);
                stream.Socket.Shutdown(SocketShutdown.Send);
                (await ClosedByServerAsync(stream)).Should().BeTrue();
            }
        }

        await ServerStillServesAsync();
    }

    /// <summary>Reads answers until the server closes (or resets) the connection; false if it is still open after 10 s.</summary>
    private static async Task<bool> ClosedByServerAsync(NetworkStream stream)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (await stream.ReadAsync(new byte[4096], patience.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Reset: the server closed with bytes of ours still unread.
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
