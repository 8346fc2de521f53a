using System.Diagnostics;
using Parma.Agent.Protocol;
using Parma.Policy.Simulation;
using Parma.Testing;
using Process = System.Diagnostics.Process;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// `parma agent serve` and the guest-agent executable, started as real processes and stopped with SIGTERM
/// (what a service manager or `kill` sends): they remove their containers' mounts and their socket, and exit 0.
/// </summary>
public sealed class AgentShutdownTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    public enum Launcher
    {
        ParmaAgentServe,
        GuestAgent,
    }

    private static Process Start(Launcher launcher, string socket, IEnumerable<string> arguments)
    {
        // Without /usr/sbin on PATH the backend finds no runc: it verifies and mounts layers but starts nothing,
        // which is all this test needs.
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        IEnumerable<string> prefix = launcher == Launcher.ParmaAgentServe
            ? [RepoPaths.BuildOutput("cli", "parma.dll"), "agent", "serve", "--socket", socket]
            : [RepoPaths.BuildOutput("guest-agent", "Parma.GuestAgent.dll"), "--address", $"unix:{socket}"];
        foreach (var argument in prefix.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<AgentClient> ConnectAsync(Process agent, string socket)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (agent.HasExited)
            {
                throw new InvalidOperationException($"the agent exited with {agent.ExitCode} before listening");
            }

            if (File.Exists(socket))
            {
                try
                {
                    return await AgentClient.ConnectAsync(socket);
                }
                catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
                {
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the agent did not listen on {socket}");
            }

            await Task.Delay(100);
        }
    }

    private static async Task TerminateAsync(Process agent)
    {
        (await ProcessRunner.RunAsync("kill", ["-TERM", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])).EnsureSuccess("kill -TERM");
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await agent.WaitForExitAsync(patience.Token);
    }

    private static List<string> MountsUnder(string directory) =>
        File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(directory, StringComparison.Ordinal)).ToList();

    [Theory]
    [InlineData(Launcher.ParmaAgentServe)]
    [InlineData(Launcher.GuestAgent)]
    public async Task Sigterm_removes_the_socket_and_exits_0(Launcher launcher)
    {
        var directory = group.NewDirectory("term-" + launcher);
        var socket = Path.Combine(directory, "agent.sock");
        using var agent = Start(launcher, socket, ["--policy", group.PolicyPath, "--report-provider", "dev", "--backend", "dev", "--state-dir", Path.Combine(directory, "state")]);
        try
        {
            await using (await ConnectAsync(agent, socket))
            {
            }

            await TerminateAsync(agent);

            agent.ExitCode.Should().Be(0, "SIGTERM is a normal stop, not a crash");
            File.Exists(socket).Should().BeFalse("the socket file is removed on the way out");
        }
        finally
        {
            if (!agent.HasExited)
            {
                agent.Kill(entireProcessTree: true);
            }
        }
    }

    [LayerMountTheory]
    [InlineData(Launcher.ParmaAgentServe)]
    [InlineData(Launcher.GuestAgent)]
    public async Task Sigterm_unmounts_the_containers_it_created(Launcher launcher)
    {
        var directory = group.NewDirectory("mounts-" + launcher);
        var socket = Path.Combine(directory, "agent.sock");
        var state = Path.Combine(directory, "state");
        using var agent = Start(launcher, socket, ["--policy", group.PolicyPath, "--report-provider", "dev", "--backend", "linux", "--layer-mounts", "required",
            "--state-dir", state, "--layer-root", group.LayerRoot, "--copy-root", Path.Combine(directory, "guest")]);
        try
        {
            await using (var client = await ConnectAsync(agent, socket))
            {
                var host = new KataHostSimulator(group.Settings, group.Plan);
                var requests = host.StartPod();
                foreach (var request in requests.Where(r => r.Kind is "CreateSandboxRequest" or "CreateContainerRequest"))
                {
                    await client.SendAsync(request.Kind, request.Input);
                }
            }

            MountsUnder(state).Should().NotBeEmpty("the created containers' root file systems are mounted");

            await TerminateAsync(agent);

            agent.ExitCode.Should().Be(0);
            MountsUnder(state).Should().BeEmpty("stopping removes every container and unmounts its root file system");
            File.Exists(socket).Should().BeFalse();
        }
        finally
        {
            if (!agent.HasExited)
            {
                agent.Kill(entireProcessTree: true);
            }

            foreach (var mount in Enumerable.Reverse(MountsUnder(state)))
            {
                await ProcessRunner.RunAsync("umount", ["-l", mount]);
            }
        }
    }
}

public sealed class LayerMountTheoryAttribute : TheoryAttribute
{
    public LayerMountTheoryAttribute()
    {
        if (Parma.Agent.Runtime.MountSupport.Detect().MissingForLayerMounts is { } missing)
        {
            Skip = $"this process cannot build overlay root file systems: {missing}";
        }
    }
}
