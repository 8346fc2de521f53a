using System.Text.Json.Nodes;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>CreateSandbox with guest hooks, kernel modules, another PID namespace choice, or extra or altered storages.</summary>
internal static class SandboxAttacks
{
    public static IEnumerable<HostAttack> All(AttackContext c)
    {
        var sandbox = c.IndexOf("CreateSandboxRequest");
        var attacks = new List<IEnumerable<HostAttack>>
        {
            c.Change(sandbox, "sandbox with a guest hook path", "sandbox.guest_hook_path: guest_hook_path", r => r["guest_hook_path"] = "/usr/share/oci/hooks"),
            c.Change(sandbox, "sandbox that loads a kernel module", "sandbox.kernel_modules: kernel_modules",
                r => r["kernel_modules"] = new JsonArray(new JsonObject { ["name"] = "evil", ["parameters"] = new JsonArray() })),
            c.Change(sandbox, "sandbox with the other PID namespace choice", "sandbox.pidns: sandbox_pidns", r => r["sandbox_pidns"] = !r["sandbox_pidns"]!.GetValue<bool>()),
            c.Change(sandbox, "sandbox with a second shared-memory storage", "sandbox.storages: storages: 2 sandbox storages",
                r => r["storages"]!.AsArray().Add(r["storages"]![0]!.DeepClone())),
            c.Change(sandbox, "sandbox without its shared-memory storage", "sandbox.storages: storages: 0 sandbox storages", r => r["storages"] = new JsonArray()),
        };
        foreach (var (field, value) in new (string, JsonNode)[]
        {
            ("driver", "local"), ("fstype", "ext4"), ("source", "/dev/vdb"), ("mount_point", "/run/kata-containers/sandbox/other"),
            ("driver_options", new JsonArray("create_filesystem")), ("fs_group", new JsonObject { ["group_id"] = 0, ["group_change_policy"] = 0 }),
            ("shared", true),
        })
        {
            attacks.Add(c.Change(sandbox, $"sandbox storage with another {field}", "sandbox.storages: storages[0]", r => r["storages"]![0]![field] = value.DeepClone()));
        }

        foreach (var option in new[] { "noexec", "nosuid", "nodev", "mode=1777" })
        {
            attacks.Add(c.Change(sandbox, $"shared memory without {option}", "sandbox.storages: storages[0]", r => Options(r).Remove(Options(r).First(o => o!.GetValue<string>() == option))));
        }

        foreach (var (name, size) in new[] { ("without a size", (string?)null), ("of unlimited size (size=0)", "size=0"), ("larger than the bound", "size=68719476736"), ("of a size in other units", "size=64g") })
        {
            attacks.Add(c.Change(sandbox, $"shared memory {name}", "sandbox.storages: storages[0]", r =>
            {
                var options = Options(r);
                options.Remove(options.First(o => o!.GetValue<string>().StartsWith("size=", StringComparison.Ordinal)));
                if (size is not null)
                {
                    options.Add(size);
                }
            }));
        }

        attacks.Add(c.Change(sandbox, "shared memory with two sizes", "sandbox.storages: storages[0]", r => Options(r).Add("size=1024")));
        attacks.Add(c.Change(sandbox, "shared memory with an extra option", "sandbox.storages: storages[0]", r => Options(r).Add("exec")));
        return attacks.SelectMany(a => a);
    }

    private static JsonArray Options(JsonObject request) => request["storages"]![0]!["options"]!.AsArray();
}
