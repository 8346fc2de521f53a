using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;

namespace Parma.Vm.Tests;

/// <summary>
/// The example group's encrypted scratch volume in the VM (kept apart from the layer checks so that
/// the scratch proof reads as one piece): what the agent set up, a write and a read-back through two
/// containers, and a host that offers an unencrypted disk for the volume refused.
/// </summary>
public sealed partial class ExampleGroupInVmTests
{
    /// <summary>
    /// A host that offers an unencrypted disk for the scratch volume, with the storage it sends for the
    /// plain disk (its own ext4 on it, or to be formatted plain) and the container's mount from there:
    /// the agent's record says it would not encrypt it, so the policy refuses, and nothing is mounted.
    /// </summary>
    private async Task RefuseUnencryptedScratchAsync(AgentClient agent, TestVm vm, JsonObject create, Parma.Policy.Settings.PolicySettings settings, VmDisk plain)
    {
        foreach (var (driverOptions, record) in new[] { (new JsonArray(), "plain-block-host-filesystem"), (new JsonArray("create_filesystem"), "plain-block-new-filesystem") })
        {
            var forged = create.DeepClone().AsObject();
            var storage = ScratchStorage(forged);
            var mountPoint = Parma.Policy.Generation.BlockStorageMountPoint.Of(settings, plain.PciPath);
            RepointMount(forged, storage["mount_point"]!.GetValue<string>(), mountPoint);
            storage["source"] = plain.PciPath;
            storage["mount_point"] = mountPoint;
            storage["driver_options"] = driverOptions;
            var refused = async () => await agent.SendAsync("CreateContainerRequest", forged).WaitAsync(Patience);
            var denial = (await refused.Should().ThrowAsync<TtrpcException>("the guest would not encrypt that disk")).Which;
            denial.Code.Should().Be(StatusCode.PermissionDenied);
            denial.Message.Should().Contain("create.storage_protection").And.Contain(record);
            output.WriteLine($"unencrypted scratch refused: {denial.Message}");
        }

        // The genuine storage, but the container's mount taken from a storage path that no storage of the request names.
        var unbacked = create.DeepClone().AsObject();
        RepointMount(unbacked, ScratchStorage(unbacked)["mount_point"]!.GetValue<string>(), Parma.Policy.Generation.BlockStorageMountPoint.Of(settings, plain.PciPath));
        var mountRefused = async () => await agent.SendAsync("CreateContainerRequest", unbacked).WaitAsync(Patience);
        (await mountRefused.Should().ThrowAsync<TtrpcException>()).Which.Message.Should().Contain("create.storage_protection").And.Contain("OCI.Mounts");

        var guest = await vm.RunInGuestAsync($"grep -c ' {Parma.Policy.Generation.BlockStorageMountPoint.Of(settings, plain.PciPath)} ' /proc/mounts; dmsetup table | grep -c ' crypt '");
        guest.Output.Split('\n')[0].Trim().Should().Be("0", "nothing was mounted for a refused request");
        guest.Output.Split('\n')[1].Trim().Should().Be("0", "no disk was encrypted for it either (nor for the refused tampered layer before it)");
    }

    /// <summary>
    /// The scratch volume, set up by the agent when hello was created: a dm-crypt device (aes-xts with
    /// hmac-sha256 as AEAD) over dm-integrity without a journal, ext4 mounted at the storage's mount point,
    /// no LUKS header left in the agent's state directory; hello writes it and log-shipper reads it back.
    /// </summary>
    private async Task CheckEncryptedScratchAsync(AgentClient agent, TestVm vm, KataHostSimulator host, RunnableExampleGroup group, VmDisk scratch)
    {
        var mountPoint = Parma.Policy.Generation.BlockStorageMountPoint.Of(group.Settings, scratch.PciPath);
        var guest = await vm.RunInGuestAsync($"grep ' {mountPoint} ' /proc/mounts; dmsetup table; ls -A /run/parma-agent/.luks | wc -l");
        output.WriteLine($"encrypted scratch in the guest:\n{guest.Output}");
        guest.Output.Should().MatchRegex($"^/dev/mapper/parma-storage-[0-9a-f]{{12}} {Regex.Escape(mountPoint)} ext4 ", "the agent mounted the encrypted device's ext4 at the storage's mount point");
        guest.Output.Should().Contain("crypt capi:authenc(hmac(sha256),xts(aes))-plain64", "dm-crypt with aes-xts and an hmac-sha256 tag per sector");
        guest.Output.Should().Contain("integrity:32:aead sector_size:4096");
        guest.Output.Should().MatchRegex(" integrity [0-9]+:[0-9]+ 0 32 D ", "dm-integrity runs in direct mode, without its journal");
        guest.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim().Should().Be("0", "the detached header was wiped once the device was open");
        var timings = Regex.Match(vm.Console, "storage [^ ]+: blk [^ ]+ .*encrypted.*; (luksFormat [0-9]+ ms, open [0-9]+ ms, mkfs.ext4 [0-9]+ ms)");
        timings.Success.Should().BeTrue("the agent logs what it set up");
        output.WriteLine($"encrypted scratch set up: {timings.Groups[1].Value}");

        var hello = group.Plan.Containers.Single(c => c.Name == "hello");
        var shipper = group.Plan.Containers.Single(c => c.Name == "log-shipper");
        foreach (var (container, command) in new[] { (hello, RunnableExampleGroup.WriteScratch), (shipper, RunnableExampleGroup.ReadScratch) })
        {
            var exec = host.ExecProcess(container, command);
            var watch = Stopwatch.StartNew();
            await agent.SendAsync("ExecProcessRequest", exec).WaitAsync(Patience);
            var status = (WaitProcessResponse)await agent.SendAsync("WaitProcessRequest", new JsonObject { ["container_id"] = exec["container_id"]!.GetValue<string>(), ["exec_id"] = exec["exec_id"]!.GetValue<string>() }).WaitAsync(Patience);
            if (status.Status != 0)
            {
                var id = exec["container_id"]!.GetValue<string>();
                var look = await vm.RunInGuestAsync($"ls -la {mountPoint}; runc --root /run/parma-agent/.runc exec {id} /bin/sh -c 'ls -la /var/log/hello /scratch; cat /proc/self/mountinfo | grep -e hello -e scratch' 2>&1; echo runc=$?");
                output.WriteLine($"{container.Name}: the command exited {status.Status}; in the guest:\n{look.Output}");
            }

            status.Status.Should().Be(0, $"{container.Name} ran {string.Join(' ', command)} on the encrypted scratch volume");
            output.WriteLine($"{container.Name}: {command[^1]}: {watch.Elapsed.TotalMilliseconds:F0} ms");
        }
    }

    private static bool IsScratchCommand(JsonObject exec)
    {
        var args = exec["process"]!["Args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        return args.SequenceEqual(RunnableExampleGroup.WriteScratch) || args.SequenceEqual(RunnableExampleGroup.ReadScratch);
    }

    private static JsonObject ScratchStorage(JsonObject create) =>
        create["storages"]!.AsArray().Select(s => s!.AsObject()).Single(s => s["fstype"]!.GetValue<string>() == "ext4");

    private static void RepointMount(JsonObject create, string from, string to)
    {
        foreach (var mount in create["OCI"]!["Mounts"]!.AsArray().Select(m => m!.AsObject()).Where(m => m["source"]!.GetValue<string>() == from))
        {
            mount["source"] = to;
        }
    }
}
