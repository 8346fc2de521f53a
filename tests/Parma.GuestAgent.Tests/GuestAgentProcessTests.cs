using System.Diagnostics;
using Process = System.Diagnostics.Process;
using System.Net.Sockets;
using Parma.Agent.Protocol;
using Parma.Agent.Transport;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>The guest-agent executable itself, started as a process the way a UVM's init would start it.</summary>
public sealed class GuestAgentProcessTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(RepoPaths.BuildOutput("guest-agent", "Parma.GuestAgent.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    private static async Task<string> BannerAsync(Process agent)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await agent.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("parma-guest-agent: listening on", StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"the agent exited with {agent.ExitCode} before listening");
    }

    [Fact]
    public async Task The_executable_binds_its_policy_and_enforces_it_over_its_socket()
    {
        var directory = group.NewDirectory("exe");
        var socket = Path.Combine(directory, "agent.sock");
        // Choice values in any case (lower case is what the usage shows).
        using var agent = Start("--address", $"unix:{socket}", "--policy", group.PolicyPath, "--report-provider", "Dev", "--backend", "DEV",
            "--state-dir", Path.Combine(directory, "state"), "--layer-root", group.LayerRoot, "--copy-root", Path.Combine(directory, "guest"), "--audit", Path.Combine(directory, "audit.jsonl"));
        try
        {
            var banner = await BannerAsync(agent);
            banner.Should().Contain("policy host_data").And.Contain("development");
            await using var client = await AgentClient.ConnectAsync(socket);
            var host = new KataHostSimulator(group.Settings, group.Plan);
            await client.SendAsync("CreateSandboxRequest", host.CreateSandbox());
            var setPolicy = async () => await client.CallAsync("SetPolicy", new SetPolicyRequest { Policy = "package agent_policy" });
            (await setPolicy.Should().ThrowAsync<TtrpcException>()).Which.Code.Should().Be(StatusCode.PermissionDenied);
            await client.CallAsync("CopyFile", new CopyFileRequest
            {
                Path = $"/run/kata-containers/shared/containers/{new string('e', 64)}-0011223344556677-hostname", FileSize = 6, FileMode = 0x81A4, Data = Google.Protobuf.ByteString.CopyFromUtf8("probe\n"),
            });
            (await File.ReadAllTextAsync(Path.Combine(directory, "guest", "run", "kata-containers", "shared", "containers", $"{new string('e', 64)}-0011223344556677-hostname"))).Should().Be("probe\n");
        }
        finally
        {
            agent.Kill();
            await agent.WaitForExitAsync();
        }

        (await File.ReadAllLinesAsync(Path.Combine(directory, "audit.jsonl"))).Should().HaveCount(3);
    }

    [Fact]
    public async Task Bad_arguments_are_a_usage_error()
    {
        using var agent = Start("--backend", "vm");
        var error = await agent.StandardError.ReadToEndAsync();
        await agent.WaitForExitAsync();
        agent.ExitCode.Should().Be(2);
        error.Should().Contain("--backend vm: use linux, dev, none").And.Contain("usage:");
    }
}

public sealed class VsockAddressTests
{
    [Fact]
    public void Sockaddr_vm_is_family_port_and_cid_in_host_order()
    {
        var address = new VsockEndPoint(3, 1024).Serialize();
        address.Size.Should().Be(16);
        var bytes = Enumerable.Range(0, 16).Select(i => address[i]).ToArray();
        BitConverter.ToUInt16(bytes, 0).Should().Be(40, "AF_VSOCK");
        BitConverter.ToUInt32(bytes, 4).Should().Be(1024);
        BitConverter.ToUInt32(bytes, 8).Should().Be(3);
        ((VsockEndPoint)new VsockEndPoint(0, 0).Create(address)).Should().Match<VsockEndPoint>(e => e.Cid == 3 && e.Port == 1024);
    }

    [Theory]
    [InlineData("vsock:1024", uint.MaxValue, 1024u)]
    [InlineData("vsock:any:1024", uint.MaxValue, 1024u)]
    [InlineData("vsock:3:2048", 3u, 2048u)]
    public void Vsock_addresses_parse(string text, uint cid, uint port)
    {
        var endPoint = (VsockEndPoint)AgentAddress.EndPoint(text);
        endPoint.Cid.Should().Be(cid);
        endPoint.Port.Should().Be(port);
    }

    [Fact]
    public void Other_addresses_are_unix_sockets_and_bad_vsock_addresses_are_named()
    {
        AgentAddress.EndPoint("/run/agent.sock").Should().BeOfType<UnixDomainSocketEndPoint>();
        AgentAddress.EndPoint("unix:/run/agent.sock").ToString().Should().Be("/run/agent.sock");
        var bad = () => AgentAddress.EndPoint("vsock:x:y:z");
        bad.Should().Throw<ArgumentException>().WithMessage("*vsock:x:y:z*");
    }

    [VsockFact]
    public async Task The_vsock_listener_binds_listens_and_stops_waiting_when_cancelled()
    {
        var port = (uint)Random.Shared.Next(20_000, 60_000);
        using var listener = (VsockAgentListener)AgentAddress.Listener($"vsock:{port}");
        listener.Start();
        listener.Address.Should().Be($"vsock:any:{port}");

        using var second = new VsockAgentListener(port);
        var clash = () => second.Start();
        clash.Should().Throw<SocketException>("the first listener holds the port").Which.SocketErrorCode.Should().Be(SocketError.AddressAlreadyInUse);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var accept = async () => await listener.AcceptAsync(cancel.Token);
        await accept.Should().ThrowAsync<OperationCanceledException>("no host connects on this machine, and a cancelled wait must end");
    }

    [VsockFact]
    public async Task Connecting_to_a_vsock_port_nobody_serves_fails_with_a_socket_error_not_a_crash()
    {
        var connect = () => AgentClient.ConnectAsync("vsock:2:1", new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        await connect.Should().ThrowAsync<Exception>().Where(e => e is SocketException || e is OperationCanceledException);
    }
}

/// <summary>Runs where the kernel offers AF_VSOCK sockets (a VM with a vsock device, as a Kata UVM has).</summary>
public sealed class VsockFactAttribute : FactAttribute
{
    public VsockFactAttribute()
    {
        if (!VsockAgentListener.IsSupported)
        {
            Skip = "this kernel makes no AF_VSOCK sockets";
        }
    }
}
