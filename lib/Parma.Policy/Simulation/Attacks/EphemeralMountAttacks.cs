using System.Text.Json.Nodes;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>
/// UpdateEphemeralMounts (Kata sends it after a sandbox resize, to resize memory-backed volumes): only a
/// remount of a memory volume the policy gave a container, with a size or group option, is allowed.
/// The host must not mount a fresh tmpfs over a guest path, nor remount one with other options.
/// </summary>
internal static class EphemeralMountAttacks
{
    public static IEnumerable<HostAttack> All(AttackContext c)
    {
        var created = c.IndexOf("CreateContainerRequest", r => MemoryVolume(r) is not null);
        if (created < 0)
        {
            yield break;
        }

        var position = AttackContext.After(created);
        var volume = MemoryVolume(c.Life[created].Input)!;
        const string Kind = "UpdateEphemeralMountsRequest";
        yield return new HostAttack("resize of a memory volume (after a sandbox resize)", Kind, Remount(volume, _ => { }), position, null);
        yield return new HostAttack("resize of a memory volume keeping its group", Kind, Remount(volume, s => s["options"]!.AsArray().Add("fsgid=2000")), position, null);
        yield return new HostAttack("no memory volume to resize (as Kata sends it)", Kind, new JsonObject { ["storages"] = new JsonArray() }, position, null);
        foreach (var (name, change) in new (string, Action<JsonObject>)[]
        {
            ("a tmpfs mounted over /etc", s => s["mount_point"] = "/etc"),
            ("a memory volume mounted afresh, not remounted", s => s["options"] = new JsonArray("size=1048576")),
            ("a memory volume remounted executable", s => s["options"]!.AsArray().Add("exec")),
            ("a memory volume remounted with an odd size", s => s["options"] = new JsonArray("remount", "size=1x")),
            ("a memory volume remounted with a named group", s => s["options"] = new JsonArray("remount", "fsgid=wheel")),
            ("a memory volume remounted from a host disk", s => s["source"] = "/dev/vdb"),
            ("a memory volume remounted as another file system", s => s["fstype"] = "ext4"),
            ("a memory volume remounted by another driver", s => s["driver"] = "local"),
            ("a tmpfs remounted over a block volume's mount point", s => s["mount_point"] = "/run/kata-containers/sandbox/storage/MDIvMDA="),
        })
        {
            yield return c.Send(Kind, Remount(volume, change), position, $"ephemeral remount: {name}", "ephemeral.storages: storages[0]");
        }
    }

    private static JsonObject? MemoryVolume(JsonObject request) =>
        RequestFields.Storages(request).OfType<JsonObject>().FirstOrDefault(s => s["driver"]?.GetValue<string>() == "ephemeral");

    private static JsonObject Remount(JsonObject volume, Action<JsonObject> change)
    {
        var storage = new JsonObject
        {
            ["driver"] = "ephemeral",
            ["driver_options"] = new JsonArray(),
            ["fs_group"] = null,
            ["fstype"] = "tmpfs",
            ["mount_point"] = volume["mount_point"]!.GetValue<string>(),
            ["options"] = new JsonArray("remount", "size=134217728"),
            ["source"] = "tmpfs",
        };
        change(storage);
        return new JsonObject { ["storages"] = new JsonArray(storage) };
    }
}
