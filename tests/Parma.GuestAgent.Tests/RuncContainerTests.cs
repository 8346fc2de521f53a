using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Testing;
using Process = Parma.Agent.Protocol.Process;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The Linux backend running real containers with runc: the container's process and its execs run in
/// the container's namespaces, signals reach them (SIGKILL included, which runc cannot forward), and
/// RemoveContainer deletes the runc container so that its id can be used again. The policy is not
/// involved here (the backend is called directly) and the root file system is a static busybox put
/// in place after create, as the verified layers would be.
/// </summary>
public sealed class RuncContainerTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("parma-runc-").FullName;
    private readonly LinuxBackend _backend;

    public RuncContainerTests()
    {
        _backend = new LinuxBackend(new RuntimeOptions { StateDirectory = _state, VerifyLayers = false, LayerMounts = LayerMounts.Off });
    }

    [RuncFact]
    public async Task A_container_runs_with_its_execs_in_its_namespaces_and_signals_reach_them()
    {
        _backend.CanRunContainers.Should().BeTrue(_backend.Name);
        var id = "runc-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await CreateAndStartAsync(id, "echo started; exec sleep 60");
        (await ReadUntilAsync(id, string.Empty, "started")).Should().Contain("started");

        await CallAsync("ExecProcess", new ExecProcessRequest { ContainerId = id, ExecId = "probe", Process = Shell("echo probe-ok; cat /proc/1/comm; hostname; exit 3") });
        var exit = (WaitProcessResponse)await CallAsync("WaitProcess", new WaitProcessRequest { ContainerId = id, ExecId = "probe" });
        exit.Status.Should().Be(3, "WaitProcess answers the exec's own exit status");

        var init = int.Parse(await File.ReadAllTextAsync(Path.Combine(_state, id, "init.pid")));
        await CallAsync("SignalProcess", new SignalProcessRequest { ContainerId = id, ExecId = id, Signal = 9 });
        var stopped = (WaitProcessResponse)await CallAsync("WaitProcess", new WaitProcessRequest { ContainerId = id, ExecId = id });
        stopped.Status.Should().Be(128 + 9, "SIGKILL reached the container's process itself");
        Directory.Exists($"/proc/{init}").Should().BeFalse();

        await CallAsync("RemoveContainer", new RemoveContainerRequest { ContainerId = id });
        Directory.Exists(Path.Combine(_state, ".runc", id)).Should().BeFalse("runc's state for the container is deleted");
        Directory.Exists(Path.Combine(_state, id)).Should().BeFalse();
    }

    [RuncFact]
    public async Task The_exec_sees_the_container_and_remove_stops_what_still_runs_and_frees_the_id()
    {
        var id = "runc-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await CreateAndStartAsync(id, "echo started; exec sleep 60");
        await ReadUntilAsync(id, string.Empty, "started");
        await CallAsync("ExecProcess", new ExecProcessRequest { ContainerId = id, ExecId = "look", Process = Shell("cat /proc/1/comm; hostname") });
        var seen = await ReadUntilAsync(id, "look", "container-host");
        seen.Should().Contain("sleep", "the exec runs in the container's pid namespace, where its process is pid 1").And.Contain("container-host");

        var init = int.Parse(await File.ReadAllTextAsync(Path.Combine(_state, id, "init.pid")));
        await CallAsync("RemoveContainer", new RemoveContainerRequest { ContainerId = id });
        Directory.Exists($"/proc/{init}").Should().BeFalse("removing a running container stops its process");

        await CreateAndStartAsync(id, "echo again");
        (await ReadUntilAsync(id, string.Empty, "again")).Should().Contain("again", "the id can be used again after remove");
        await CallAsync("RemoveContainer", new RemoveContainerRequest { ContainerId = id });
    }

    private async Task CreateAndStartAsync(string id, string script)
    {
        await CallAsync("CreateContainer", new CreateContainerRequest { ContainerId = id, OCI = Spec(Shell(script)) });
        PopulateRootfs(Path.Combine(_state, id, "rootfs"));
        await CallAsync("StartContainer", new StartContainerRequest { ContainerId = id });
    }

    private Task<IMessage> CallAsync(string method, IMessage request) =>
        _backend.ExecuteAsync(AgentMethods.ByName[method], request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Reads a process's standard output until it contains <paramref name="expected"/> or ends.</summary>
    private async Task<string> ReadUntilAsync(string id, string execId, string expected)
    {
        var text = new StringBuilder();
        while (!text.ToString().Contains(expected, StringComparison.Ordinal))
        {
            try
            {
                var read = (ReadStreamResponse)await CallAsync("ReadStdout", new ReadStreamRequest { ContainerId = id, ExecId = execId, Len = 4096 });
                text.Append(read.Data.ToStringUtf8());
            }
            catch (RuntimeException e) when (e.Code == Parma.Agent.Ttrpc.StatusCode.OutOfRange)
            {
                break;
            }
        }

        return text.ToString();
    }

    internal static Process Shell(string script) => new()
    {
        Args = { "/bin/sh", "-c", script },
        Env = { "PATH=/bin" },
        Cwd = "/",
        User = new User { UID = 0, GID = 0 },
    };

    internal static Spec Spec(Process process) => new()
    {
        Version = "1.0.2",
        Process = process,
        Root = new Root { Path = "rootfs" },
        Hostname = "container-host",
        Mounts =
        {
            new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
            new Mount { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = { "nosuid", "strictatime", "mode=755", "size=65536k" } },
            new Mount { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = { "nosuid", "noexec", "nodev", "ro" } },
        },
        Linux = new Linux
        {
            Namespaces =
            {
                new LinuxNamespace { Type = "pid" },
                new LinuxNamespace { Type = "ipc" },
                new LinuxNamespace { Type = "uts" },
                new LinuxNamespace { Type = "mount" },
            },
        },
    };

    /// <summary>A static busybox as /bin/sh, sleep, cat, hostname, echo and dd.</summary>
    internal static void PopulateRootfs(string rootfs)
    {
        var bin = Directory.CreateDirectory(Path.Combine(rootfs, "bin")).FullName;
        File.Copy(RuncFactAttribute.StaticBusybox, Path.Combine(bin, "busybox"));
        foreach (var applet in new[] { "sh", "sleep", "cat", "hostname", "echo", "dd" })
        {
            File.CreateSymbolicLink(Path.Combine(bin, applet), "busybox");
        }
    }

    public void Dispose()
    {
        _backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_state, recursive: true);
    }
}

/// <summary>Runs where runc can run containers: runc installed, root, and a static busybox to put in them (scripts/setup.sh installs both).</summary>
public sealed class RuncFactAttribute : FactAttribute
{
    public const string StaticBusybox = "/bin/busybox";

    public RuncFactAttribute()
    {
        if (ProcessRunner.Find("runc") is null)
        {
            Skip = "runc is not installed (scripts/setup.sh installs it)";
        }
        else if (Environment.UserName != "root")
        {
            Skip = "runc needs root here";
        }
        else if (!File.Exists(StaticBusybox))
        {
            Skip = $"{StaticBusybox} is missing (scripts/setup.sh installs busybox-static)";
        }
    }
}
