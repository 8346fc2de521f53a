using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Policy.Enforcement;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// Ephemeral (tmpfs), local and block storages, which the host names and the policy checks first: the
/// backend makes them only under /run/kata-containers (below the copy root), applies only the options
/// it knows, records what it set up (the record the policy reads), and undoes the mounts at
/// DestroySandbox. Encrypting block storage needs device-mapper: tests/Parma.Vm.Tests does it for real.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GuestStoragesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parma-storages-").FullName;

    private LinuxBackend Backend() => new(new RuntimeOptions { StateDirectory = Path.Combine(_root, "state"), CopyFileRoot = Path.Combine(_root, "guest"), MountStorages = true, LayerMounts = LayerMounts.Off }, runcPath: null);

    private static CreateSandboxRequest Sandbox(params Storage[] storages)
    {
        var request = new CreateSandboxRequest { SandboxId = "s" };
        request.Storages.AddRange(storages);
        return request;
    }

    private static Task<IMessage> Run(LinuxBackend backend, IMessage request) =>
        backend.ExecuteAsync(AgentMethods.ByName[request is CreateSandboxRequest ? "CreateSandbox" : "DestroySandbox"], request, CancellationToken.None);

    [LayerMountFact]
    public async Task The_sandbox_shm_is_a_tmpfs_with_its_options_until_the_sandbox_is_destroyed()
    {
        await using var backend = Backend();
        var shm = new Storage { Driver = "ephemeral", Fstype = "tmpfs", Source = "shm", MountPoint = "/run/kata-containers/sandbox/shm" };
        shm.Options.AddRange(["noexec", "nosuid", "nodev", "mode=1777", "size=67108864"]);
        var local = new Storage { Driver = "local", Fstype = "local", Source = "local", MountPoint = "/run/kata-containers/shared/containers/s/rootfs/local/scratch" };
        local.Options.Add("mode=0777");
        await Run(backend, Sandbox(shm, local));

        var target = Path.Combine(_root, "guest", "run/kata-containers/sandbox/shm");
        var mount = File.ReadLines("/proc/mounts").Single(l => l.Split(' ')[1] == target);
        mount.Should().StartWith("tmpfs ").And.Contain("nosuid").And.Contain("nodev").And.Contain("noexec").And.Contain("size=65536k");
        File.GetUnixFileMode(target).Should().Be((UnixFileMode)0x3ff, "mode=1777 (/proc/mounts leaves tmpfs's default mode out)");
        File.GetUnixFileMode(Path.Combine(_root, "guest", "run/kata-containers/shared/containers/s/rootfs/local/scratch")).Should().Be((UnixFileMode)0x1ff);

        await Run(backend, new DestroySandboxRequest());
        File.ReadLines("/proc/mounts").Should().NotContain(l => l.Split(' ')[1] == target);
    }

    [Theory]
    [InlineData("/etc/shm", "mode=1777")]
    [InlineData("/run/kata-containers/../../etc", "mode=1777")]
    [InlineData("/run/kata-containers/sandbox/shm", "exec")]
    [InlineData("/run/kata-containers/sandbox/shm", "size=1,uid=0")]
    [InlineData("/run/kata-containers/sandbox/shm", "mode=99999")]
    public async Task A_mount_point_outside_kata_s_tree_or_an_unknown_option_is_refused_before_mounting(string mountPoint, string option)
    {
        await using var backend = Backend();
        var storage = new Storage { Driver = "ephemeral", Fstype = "tmpfs", Source = "shm", MountPoint = mountPoint };
        storage.Options.Add(option);
        var create = () => Run(backend, Sandbox(storage));
        (await create.Should().ThrowAsync<RuntimeException>()).Which.Code.Should().Be(StatusCode.InvalidArgument);
        File.ReadLines("/proc/mounts").Should().NotContain(l => l.Contains(_root, StringComparison.Ordinal));
    }

    [LayerMountFact]
    public async Task The_record_says_what_was_set_up_and_a_storage_named_again_is_not_set_up_twice()
    {
        await using var backend = Backend();
        var shm = new Storage { Driver = "ephemeral", Fstype = "tmpfs", Source = "shm", MountPoint = "/run/kata-containers/sandbox/shm" };
        shm.Options.AddRange(["nosuid", "size=1048576"]);
        var local = new Storage { Driver = "local", Fstype = "local", Source = "local", MountPoint = "/run/kata-containers/shared/containers/s/rootfs/local/scratch" };
        await Run(backend, Sandbox(shm, local));
        await Run(backend, Sandbox(shm));

        var target = Path.Combine(_root, "guest", "run/kata-containers/sandbox/shm");
        File.ReadLines("/proc/mounts").Count(l => l.Split(' ')[1] == target).Should().Be(1, "a storage is set up once and shared");
        var records = backend.Storages.Records.ToDictionary(r => r.MountPoint);
        records[shm.MountPoint].Should().Match<GuestStorageRecord>(r => r.InGuestMemory && r.SetUp && !r.Encrypted);
        records[local.MountPoint].InGuestMemory.Should().BeFalse("this machine's temporary directory is on a disk, so the agent does not count a directory made there as guest memory");

        await Run(backend, new DestroySandboxRequest());
        backend.Storages.Records.Should().BeEmpty();
    }

    [Theory]
    [InlineData("/run/kata-containers/sandbox/storage/MDIvMDA=", "ro", "mount option 'ro' is not one the agent applies to block storage")]
    [InlineData("/etc/storage", "", "is not a plain path under /run/kata-containers/")]
    [InlineData("/run/kata-containers/sandbox/storage/MDIvMDA=", "", "'no-such-device' is not a PCI path or a /dev path")]
    public async Task A_block_storage_with_an_option_or_mount_point_the_agent_does_not_take_is_refused_before_any_device_is_touched(string mountPoint, string option, string message)
    {
        await using var backend = Backend();
        var storage = new Storage { Driver = "blk", Fstype = "ext4", Source = option.Length == 0 && mountPoint.StartsWith("/run", StringComparison.Ordinal) ? "no-such-device" : "02/00", MountPoint = mountPoint, Shared = true };
        storage.DriverOptions.AddRange(["encryption_key=ephemeral", "create_filesystem"]);
        if (option.Length > 0)
        {
            storage.Options.Add(option);
        }

        var create = () => Run(backend, Sandbox(storage));
        var error = (await create.Should().ThrowAsync<RuntimeException>()).Which;
        error.Code.Should().Be(StatusCode.InvalidArgument);
        error.Message.Should().Contain(message);
        backend.Storages.Records.Should().BeEmpty();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
