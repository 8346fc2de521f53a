using System.Globalization;
using System.Text;
using Parma.Rego;

namespace Parma.Benchmarks.Rego;

/// <summary>
/// Our own agent policy in the style of Kata's genpolicy output (framework rules followed by
/// policy_data for a group of containers), plus a matching CreateContainerRequest input.
/// </summary>
public static class KataStylePolicy
{
    public const string Rules = """
        package agent_policy

        default CreateContainerRequest := {"allowed": false}
        default ExecProcessRequest := false
        default GetOOMEventRequest := true
        default CopyFileRequest := false

        default state_containers := {}

        state_containers := data.pstate.containers

        CreateContainerRequest := {"allowed": true, "ops": ops} if {
            i_oci := input.OCI
            some p_container in policy_data.containers
            p_container.name == i_oci.Annotations["io.kubernetes.cri.container-name"]
            not input.container_id in object.keys(state_containers)
            allow_annotations(p_container.annotations, i_oci.Annotations)
            allow_process(p_container.process, i_oci.Process)
            allow_mounts(p_container.mounts, i_oci.Mounts)
            allow_layers(p_container.layers, input.storages)
            ops := [{"op": "add", "path": concat("/", ["/containers", input.container_id]), "value": p_container.name}]
        }

        allow_annotations(p_annotations, i_annotations) if {
            every key, value in i_annotations {
                allow_annotation(p_annotations, key, value)
            }
        }

        allow_annotation(p_annotations, key, value) if {
            p_annotations[key] == value
        }

        allow_annotation(p_annotations, key, value) if {
            some prefix in policy_data.common.ignored_annotation_prefixes
            startswith(key, prefix)
        }

        allow_process(p_process, i_process) if {
            p_process.Cwd == i_process.Cwd
            p_process.NoNewPrivileges == i_process.NoNewPrivileges
            p_process.User.UID == i_process.User.UID
            count(p_process.Args) == count(i_process.Args)
            every index, arg in i_process.Args {
                allow_arg(p_process.Args[index], arg)
            }
            every env in i_process.Env {
                allow_env(p_process.Env, env)
            }
            allow_caps(p_process.Capabilities.Bounding, i_process.Capabilities.Bounding)
        }

        allow_arg(p_arg, i_arg) if p_arg == i_arg

        allow_arg(p_arg, i_arg) if {
            startswith(p_arg, "$(")
            regex.match(policy_data.common.arg_regex, i_arg)
        }

        allow_env(p_env, i_env) if i_env in p_env

        allow_env(p_env, i_env) if {
            some pattern in policy_data.common.env_regex
            regex.match(pattern, i_env)
        }

        allow_caps(p_caps, i_caps) if {
            every cap in i_caps {
                cap in p_caps
            }
        }

        allow_mounts(p_mounts, i_mounts) if {
            every i_mount in i_mounts {
                allow_mount(p_mounts, i_mount)
            }
        }

        allow_mount(p_mounts, i_mount) if {
            some p_mount in p_mounts
            p_mount.destination == i_mount.destination
            p_mount.type == i_mount.type
            p_mount.options == i_mount.options
            source := replace(p_mount.source, "$(sfprefix)", policy_data.common.sfprefix)
            regex.match(source, i_mount.source)
        }

        allow_layers(p_layers, i_storages) if {
            some storage in i_storages
            storage.driver == "overlayfs"
            count(storage.layers) == count(p_layers)
            every index, layer in storage.layers {
                layer.root_hash == p_layers[index]
            }
        }

        ExecProcessRequest if {
            name := state_containers[input.container_id]
            some p_container in policy_data.containers
            p_container.name == name
            input.process.Args in p_container.exec_commands
        }

        CopyFileRequest if {
            some pattern in policy_data.common.copy_file_regex
            regex.match(pattern, input.path)
            not regex.match("(^|/)\\.\\.($|/)", input.path)
        }

        """;

    private static string Hash(int seed, int n) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{n}")));

    private static Value Container(int c)
    {
        var name = $"container-{c}";
        var env = Enumerable.Range(0, 40).Select(i => $"ENV_{c}_{i}=value-{i}-{Hash(c, i)[..16]}").Append("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").ToList();
        var mounts = Enumerable.Range(0, 20).Select(i => Obj(
            ("destination", S($"/var/lib/app-{c}/volume-{i}")),
            ("type", S("bind")),
            ("source", S($"$(sfprefix)volume-{i}$")),
            ("options", Value.Array(S("rbind"), S("rprivate"), S("rw"))))).ToList();
        var annotations = Enumerable.Range(0, 10).Select(i => ($"example.com/annotation-{i}", S($"value-{c}-{i}")))
            .Append(("io.kubernetes.cri.container-name", S(name)))
            .Append(("io.kubernetes.cri.sandbox-name", S("group-sandbox")));
        return Obj(
            ("name", S(name)),
            ("annotations", Obj(annotations.ToArray())),
            ("layers", Value.Array(Enumerable.Range(0, 10).Select(i => S(Hash(c + 1000, i))))),
            ("mounts", Value.Array(mounts)),
            ("exec_commands", Value.Array(Value.Array(S("/bin/sh"), S("-c"), S("echo ready")), Value.Array(S("/usr/bin/healthcheck")))),
            ("process", Obj(
                ("Cwd", S($"/srv/app-{c}")),
                ("NoNewPrivileges", Value.True),
                ("User", Obj(("UID", Value.Number(1000 + c)))),
                ("Args", Value.Array(S($"/usr/bin/app-{c}"), S("--config"), S($"/etc/app-{c}/config.yaml"), S("$(pod-name)"))),
                ("Env", Value.Array(env.Select(S))),
                ("Capabilities", Obj(("Bounding", Value.Array(S("CAP_CHOWN"), S("CAP_NET_BIND_SERVICE"), S("CAP_KILL"))))))));
    }

    /// <summary>The full policy text: rules plus policy_data for the given number of containers (~90 KB for 10).</summary>
    public static string Text(int containers = 10)
    {
        var data = Obj(
            ("containers", Value.Array(Enumerable.Range(0, containers).Select(Container))),
            ("common", Obj(
                ("sfprefix", S("^/run/kata-containers/shared/containers/[a-z0-9]{64}-[a-z0-9]{16}-")),
                ("arg_regex", S("^[a-z0-9-]{1,63}$")),
                ("env_regex", Value.Array(S("^HOSTNAME=[a-z0-9-]+$"), S("^KUBERNETES_[A-Z_]+=.*$"))),
                ("ignored_annotation_prefixes", Value.Array(S("io.kubernetes.cri."), S("io.katacontainers."))),
                ("copy_file_regex", Value.Array(S("^/run/kata-containers/shared/containers/[a-z0-9]{64}-[a-z0-9]{16}-(hostname|hosts|resolv.conf)$"))))));
        return Rules + "policy_data := " + data.ToJson(indented: true) + "\n";
    }

    /// <summary>A CreateContainerRequest for container 9 (the last one the policy lists), about 15 KB of JSON.</summary>
    public static Value CreateContainerInput(int container = 9)
    {
        var spec = Container(container);
        var process = spec["process"]!;
        var mounts = ((ArrayValue)spec["mounts"]!).Elements.Select((m, i) => Obj(
            ("destination", m["destination"]!),
            ("type", m["type"]!),
            ("source", S($"/run/kata-containers/shared/containers/{Hash(7, 7)}-0123456789abcdef-volume-{i}")),
            ("options", m["options"]!)));
        var annotations = ((ObjectValue)spec["annotations"]!).Pairs.Append(new KeyValuePair<Value, Value>(S("io.katacontainers.pkg.oci.bundle_path"), S("/run/containerd/io.containerd.runtime.v2.task/k8s.io/" + Hash(1, 1))));
        var args = ((ArrayValue)process["Args"]!).Elements.Select(a => a is StringValue { Text: "$(pod-name)" } ? S("group-pod-0") : a);
        var namespaces = Value.Array(Enumerable.Range(0, 5).Select(i => Obj(("Type", S("ns" + i.ToString(CultureInfo.InvariantCulture))), ("Path", S(string.Empty)))));
        var input = Obj(
            ("container_id", S(Hash(3, container))),
            ("exec_id", S(Hash(3, container))),
            ("storages", Value.Array(Obj(
                ("driver", S("overlayfs")),
                ("mount_point", S($"/run/kata-containers/{Hash(3, container)}/rootfs")),
                ("layers", Value.Array(((ArrayValue)spec["layers"]!).Elements.Select(h => Obj(("root_hash", h), ("digest", S("sha256:" + Hash(9, 9)))))))))),
            ("OCI", Obj(
                ("Version", S("1.1.0")),
                ("Annotations", Value.Object(annotations)),
                ("Mounts", Value.Array(mounts)),
                ("Process", Obj(
                    ("Cwd", process["Cwd"]!),
                    ("NoNewPrivileges", Value.True),
                    ("User", process["User"]!),
                    ("Args", Value.Array(args)),
                    ("Env", process["Env"]!),
                    ("Capabilities", process["Capabilities"]!))),
                ("Linux", Obj(
                    ("Namespaces", namespaces),
                    ("MaskedPaths", Value.Array(Enumerable.Range(0, 70).Select(i => S($"/proc/masked/path-number-{i}/{Hash(5, i)[..12]}")))),
                    ("ReadonlyPaths", Value.Array(Enumerable.Range(0, 70).Select(i => S($"/proc/readonly/path-number-{i}/{Hash(6, i)[..12]}")))),
                    ("Sysctl", Obj(Enumerable.Range(0, 20).Select(i => ($"net.ipv4.conf.eth{i}.forwarding", S("0"))).ToArray())))))));
        return input;
    }

    private static Value S(string s) => Value.String(s);

    private static Value Obj(params (string Key, Value Value)[] pairs) =>
        Value.Object(pairs.Select(p => new KeyValuePair<string, Value>(p.Key, p.Value)));
}
