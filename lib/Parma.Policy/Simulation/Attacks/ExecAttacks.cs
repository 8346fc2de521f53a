using System.Text.Json.Nodes;
using static Parma.Policy.Simulation.Attacks.RequestFields;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>ExecProcess into an unknown or unstarted container, or with one field of a probe's process changed.</summary>
internal static class ExecAttacks
{
    public static IEnumerable<HostAttack> All(AttackContext c, IReadOnlyList<IReadOnlyList<string>> patternExamples)
    {
        var probe = c.IndexFor("ExecProcessRequest", c.App);
        if (probe < 0)
        {
            return [];
        }

        var process = ExecProcess(c.Copy(probe));
        var attacks = new List<IEnumerable<HostAttack>>
        {
            c.Change(probe, "exec into an unknown container", "exec.container_id: container_id", r => r["container_id"] = new string('f', 64)),
            c.Change(probe, "exec that names no container", "exec.container_id: container_id", r => r.Remove("container_id")),
            c.Change(probe, "exec into a container not started yet", "exec.container_id: container_id", _ => { }, c.IndexFor("StartContainerRequest", c.App)),
            c.Change(probe, "exec of a command not in the policy", "exec.args: process.Args", r => ExecProcess(r)["Args"] = new JsonArray("/bin/sh")),
            c.Change(probe, "exec with an added environment variable", "exec.env: process.Env[LD_PRELOAD]", r => Env(ExecProcess(r)).Add("LD_PRELOAD=/tmp/evil.so")),
            c.Change(probe, "exec with an allowed variable set twice", "exec.env: process.Env[KUBERNETES_SERVICE_HOST]", r => Env(ExecProcess(r)).Add("KUBERNETES_SERVICE_HOST=203.0.113.9")),
            c.Change(probe, "exec as another user", "exec.user: process.User", r => ExecProcess(r)["User"]!["UID"] = 4242),
            c.Change(probe, "exec in another group", "exec.user: process.User", r => ExecProcess(r)["User"]!["GID"] = 4242),
            c.Change(probe, "exec with a supplementary group added", "exec.user: process.User.AdditionalGids", r => ExecProcess(r)["User"]!["AdditionalGids"]!.AsArray().Add(0)),
            c.Change(probe, "exec with an extra capability", "exec.capabilities: process.Capabilities.Bounding", r => ExecProcess(r)["Capabilities"]!["Bounding"]!.AsArray().Add("CAP_SYS_ADMIN")),
            c.Change(probe, "exec in another working directory", "exec.cwd: process.Cwd", r => ExecProcess(r)["Cwd"] = process["Cwd"]!.GetValue<string>() == "/tmp" ? "/" : "/tmp"),
            c.Change(probe, "exec with core dumps allowed", "exec.rlimits: process.Rlimits", r => ExecProcess(r)["Rlimits"] = new JsonArray(Rlimit("RLIMIT_CORE", ulong.MaxValue, ulong.MaxValue))),
            c.Change(probe, "exec that the OOM killer spares", "exec.oom_score_adj: process.OOMScoreAdj", r => ExecProcess(r)["OOMScoreAdj"] = -1000),
            c.Change(probe, "exec without AppArmor confinement", "exec.apparmor: process.ApparmorProfile", r => ExecProcess(r)["ApparmorProfile"] = "unconfined"),
            c.Change(probe, "exec with an SELinux label", "exec.not_set: process.SelinuxLabel", r => ExecProcess(r)["SelinuxLabel"] = "system_u:system_r:spc_t:s0"),
            c.Change(probe, "exec as a user given by name", "exec.not_set: process.User.Username", r => ExecProcess(r)["User"]!["Username"] = "root"),
            c.Change(probe, "exec as a user for the guest to resolve", "exec.not_set: string_user", r => r["string_user"] = new JsonObject { ["uid"] = "0", ["gid"] = "0", ["additionalGids"] = new JsonArray() }),
            c.Switched("ReadStreamRequest")
                ? c.Variant(probe, "exec whose output goes to the host, which the stdio switch allows", r => r["stdout_port"] = 1025)
                : c.Change(probe, "exec whose output goes straight to the host", "exec.stdio_ports: stdout_port", r => r["stdout_port"] = 1025),
            c.Change(probe, "probe with a terminal", "exec.terminal: process.Terminal", r => ExecProcess(r)["Terminal"] = true),
        };

        if (process["NoNewPrivileges"]!.GetValue<bool>())
        {
            attacks.Add(c.Change(probe, "exec that drops no_new_privileges", "exec.no_new_privileges: process.NoNewPrivileges", r => ExecProcess(r)["NoNewPrivileges"] = false));
        }

        if (c.App.Exec.Commands.Count > 0)
        {
            var declared = c.IndexOf("ExecProcessRequest", r => r["container_id"]!.GetValue<string>() == c.Host.ContainerId(c.App)
                && ExecProcess(r)["Args"]!.AsArray().Select(a => a!.GetValue<string>()).SequenceEqual(c.App.Exec.Commands[0]));
            attacks.Add(c.App.Exec.Terminal
                ? c.Variant(declared, "declared command with a terminal the group allows", r => ExecProcess(r)["Terminal"] = true)
                : c.Change(declared, "declared command with a terminal the group does not allow", "exec.terminal: process.Terminal", r => ExecProcess(r)["Terminal"] = true));
        }

        foreach (var example in patternExamples)
        {
            attacks.Add(Boundaries(c, probe, example));
        }

        return attacks.SelectMany(a => a);
    }

    /// <summary>
    /// For an argument list a pattern rule allows: allowed as it is, denied when one argument stands in for
    /// two, when an argument is added, and when an argument carries the next one with it.
    /// </summary>
    private static IEnumerable<HostAttack> Boundaries(AttackContext c, int probe, IReadOnlyList<string> example)
    {
        JsonArray Args(IEnumerable<string> args) => new(args.Select(a => (JsonNode)a).ToArray());
        var name = string.Join(' ', example);
        var attacks = new List<IEnumerable<HostAttack>>
        {
            c.Variant(probe, $"exec of [{name}], which a pattern rule allows", r => ExecProcess(r)["Args"] = Args(example)),
            c.Change(probe, $"exec of [{name}] with an argument added", "exec.args: process.Args", r => ExecProcess(r)["Args"] = Args(example.Append("/etc/shadow"))),
            c.Change(probe, $"exec of [{name}] with the last argument carrying another", "exec.args: process.Args", r => ExecProcess(r)["Args"] = Args(example.SkipLast(1).Append(example[^1] + " /etc/shadow"))),
        };
        if (example.Count > 1)
        {
            attacks.Add(c.Change(probe, $"exec of [{name}] with one argument standing in for the first two", "exec.args: process.Args",
                r => ExecProcess(r)["Args"] = Args(example.Skip(2).Prepend(example[0] + " " + example[1]))));
        }

        return attacks.SelectMany(a => a);
    }
}
