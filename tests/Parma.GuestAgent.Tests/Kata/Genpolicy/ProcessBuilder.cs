using System.Text.Json.Nodes;

namespace Parma.GuestAgent.Tests.Kata.Genpolicy;

/// <summary>
/// A container's expected OCI process the way genpolicy derives it: containerd's defaults, the
/// container's capabilities and command, the image config, the environment (with $(VAR)
/// substitution), the settings' process defaults, then the pod's and the container's security
/// contexts, users and groups from the image's /etc/passwd and /etc/group.
/// </summary>
internal sealed class ProcessBuilder(GenpolicySettings settings, PodResource pod, IReadOnlyList<JsonObject> configMaps)
{
    /// <summary>Variables genpolicy's rules fill in at enforcement time; other variables are not substituted into them.</summary>
    private static readonly string[] InternalVariables = ["bundle-id", "host-ip", "node-name", "pod-ip", "pod-uid", "sandbox-id", "sandbox-name", "sandbox-namespace"];

    public KataProcess Build(JsonObject container, ImageFacts image, bool pause)
    {
        var context = container.Obj("securityContext");
        var privileged = context.Bool("privileged") ?? false;
        var caps = privileged ? settings.PrivilegedCaps : settings.DefaultCaps;
        var process = new KataProcess { Bounding = [.. caps], Effective = [.. caps], Permitted = [.. caps] };
        ApplyCapabilities(process, context);

        var command = container.Strings("command");
        var args = container.Strings("args");
        process.Args.AddRange(command ?? []);
        process.Args.AddRange(args ?? []);
        ApplyImage(process, image, command is not null, args is not null, pause);
        if (!pause)
        {
            process.AdditionalGids.Add(process.Gid);
        }

        if (container.Bool("tty") is { } tty)
        {
            process.Terminal = tty;
            if (tty && !pause)
            {
                process.Env.Add("TERM=xterm");
            }
        }

        if (!pause)
        {
            process.Env.Add("HOSTNAME=$(host-name)");
        }

        AddEnvironment(process.Env, container);
        SubstituteEnvironment(process.Env);
        for (var i = 0; i < process.Args.Count; i++)
        {
            process.Args[i] = SubstituteArgument(process.Args[i], process.Env);
        }

        var template = settings.Container(pause).Obj("Process");
        AddMissing(template.Strings("Args") ?? [], process.Args);
        AddMissing(template.Strings("Env") ?? [], process.Env);

        ApplyPodSecurityContext(process, image);
        ApplyPodGroups(process, pause, image.HasConfiguredUser);
        ApplyContainerSecurityContext(process, context, image);
        RequireExplicitIdentityForGuestPull(container, process, pause);
        return process;
    }

    private void ApplyCapabilities(KataProcess process, JsonObject? context)
    {
        if (context.Obj("capabilities") is { } yaml)
        {
            foreach (var drop in yaml.Strings("drop") ?? [])
            {
                foreach (var set in new[] { process.Bounding, process.Permitted, process.Effective })
                {
                    if (drop == "ALL")
                    {
                        set.Clear();
                    }
                    else
                    {
                        set.RemoveAll(c => c == "CAP_" + drop);
                    }
                }
            }

            foreach (var add in yaml.Strings("add") ?? [])
            {
                foreach (var set in new[] { process.Bounding, process.Permitted, process.Effective })
                {
                    if (!set.Contains("CAP_" + add))
                    {
                        set.Add("CAP_" + add);
                    }
                }
            }
        }

        process.Bounding = Compress(process.Bounding);
        process.Permitted = Compress(process.Permitted);
        process.Effective = Compress(process.Effective);
    }

    /// <summary>A capability set equal to the settings' default or privileged set becomes its $(…) name.</summary>
    private List<string> Compress(List<string> caps) =>
        caps.SequenceEqual(settings.DefaultCaps) ? ["$(default_caps)"]
        : caps.SequenceEqual(settings.PrivilegedCaps) ? ["$(privileged_caps)"]
        : caps;

    /// <summary>The image config: its user (group kept only for the pause container, as containerd does), env, entrypoint, cmd and working directory.</summary>
    private static void ApplyImage(KataProcess process, ImageFacts image, bool yamlHasCommand, bool yamlHasArgs, bool pause)
    {
        if (image.User is { Length: > 0 } user)
        {
            uint? imageGid = null;
            if (user.Contains(':', StringComparison.Ordinal))
            {
                var parts = user.Split(':');
                if (parts.Length == 2)
                {
                    process.Uid = image.ParseUser(parts[0]);
                    if (pause)
                    {
                        imageGid = image.ParseGroup(parts[1]);
                    }
                }
            }
            else
            {
                process.Uid = image.ParseUser(user);
            }

            if ((imageGid ?? image.GidOfUid(process.Uid)) is { } gid)
            {
                process.Gid = gid;
                process.AdditionalGids.Add(gid);
            }
        }

        process.Terminal = image.Tty ?? false;
        process.Env.AddRange(image.Env ?? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
        if (image.Entrypoint is { } entrypoint && !yamlHasCommand)
        {
            process.Args.InsertRange(0, entrypoint);
        }

        if (!yamlHasCommand && !yamlHasArgs && image.Cmd is { } cmd)
        {
            process.Args.AddRange(cmd);
        }

        if (image.WorkingDir is { Length: > 0 } cwd)
        {
            process.Cwd = cwd;
        }
    }

    private void AddEnvironment(List<string> env, JsonObject container)
    {
        var serviceAccount = container.Str("serviceAccountName") ?? "default";
        foreach (var variable in container.Objects("env"))
        {
            var entry = $"{variable.Str("name")}={Value(variable, serviceAccount)}";
            if (!env.Contains(entry))
            {
                env.Add(entry);
            }
        }

        foreach (var source in container.Objects("envFrom"))
        {
            var name = source.Obj("configMapRef")?.Str("name") ?? throw new NotSupportedException("envFrom: only configMapRef is handled here");
            var map = configMaps.FirstOrDefault(m => m.Obj("metadata").Str("name") == name) ?? throw new InvalidDataException($"envFrom: no ConfigMap {name}");
            foreach (var (key, value) in map.StringMap("data") ?? [])
            {
                if (!env.Contains($"{key}={value}"))
                {
                    env.Add($"{key}={value}");
                }
            }
        }
    }

    private string Value(JsonObject variable, string serviceAccount)
    {
        if (variable.Str("value") is { } value)
        {
            return value;
        }

        if (variable.Obj("valueFrom") is not { } from)
        {
            return string.Empty;
        }

        if (from.Obj("configMapKeyRef") is { } keyRef)
        {
            var map = configMaps.FirstOrDefault(m => m.Obj("metadata").Str("name") == keyRef.Str("name"));
            if (map?.StringMap("data") is { } data && data.TryGetValue(keyRef.Str("key") ?? string.Empty, out var mapped))
            {
                return mapped;
            }
        }

        if (from.Obj("fieldRef")?.Str("fieldPath") is { } path)
        {
            return FieldReference(path, serviceAccount);
        }

        if (from.Obj("resourceFieldRef") is not null)
        {
            return "$(resource-field)";
        }

        throw new InvalidDataException($"env {variable.Str("name")}: no value genpolicy can derive");
    }

    private string FieldReference(string path, string serviceAccount)
    {
        switch (path)
        {
            case "metadata.name": return "$(sandbox-name)";
            case "metadata.namespace": return pod.Namespace.Length == 0 ? "$(sandbox-namespace)" : pod.Namespace;
            case "metadata.uid": return "$(pod-uid)";
            case "status.hostIP": return "$(host-ip)";
            case "status.podIP": return "$(pod-ip)";
            case "spec.nodeName": return "$(node-name)";
            case "spec.serviceAccountName": return serviceAccount;
        }

        if (Bracketed(path, "metadata.annotations['") is { } annotation)
        {
            return pod.Annotations?.GetValueOrDefault(annotation) ?? "$(todo-annotation)";
        }

        if (Bracketed(path, "metadata.labels['") is { } label && pod.Labels is { } labels)
        {
            return labels.TryGetValue(label, out var value) ? value : throw new InvalidDataException($"no label {label}");
        }

        throw new InvalidDataException($"unsupported field reference {path}");
    }

    private static string? Bracketed(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal) ? path[prefix.Length..^2] : null;

    /// <summary>Replaces $(NAME) in NAME=VALUE entries by another entry's value, until nothing changes.</summary>
    private static void SubstituteEnvironment(List<string> env)
    {
        for (var round = 0; ; round++)
        {
            var substituted = false;
            for (var i = 0; i < env.Count; i++)
            {
                var parts = env[i].Split('=');
                if (parts.Length == 2 && Target(parts[1]) is { } target && Substitute(parts[1], target, env) is { } value)
                {
                    env[i] = $"{parts[0]}={value}";
                    substituted = true;
                }
            }

            if (!substituted)
            {
                return;
            }

            Guard(round);
        }
    }

    private static string SubstituteArgument(string arg, List<string> env)
    {
        for (var round = 0; Target(arg) is { } target && Substitute(arg, target, env) is { } value; round++)
        {
            arg = value;
            Guard(round);
        }

        return arg;
    }

    private static void Guard(int round)
    {
        if (round > 1000)
        {
            throw new InvalidDataException("environment substitution does not settle");
        }
    }

    /// <summary>The variable name of the first "$(" … ")" in the text.</summary>
    private static (int Start, int End)? Target(string text)
    {
        var open = text.IndexOf("$(", StringComparison.Ordinal);
        if (open < 0 || text.Length <= open + 2)
        {
            return null;
        }

        var close = text.IndexOf(')', open + 2);
        return close < 0 ? null : (open + 2, close);
    }

    private static string? Substitute(string text, (int Start, int End) target, List<string> env)
    {
        var name = text[target.Start..target.End];
        foreach (var other in env)
        {
            var parts = other.Split('=');
            if (parts[0] != name)
            {
                continue;
            }

            if (parts.Length == 2)
            {
                var value = parts[1];
                if (Target(value) is { } inner && !InternalVariables.Contains(value[inner.Start..inner.End]))
                {
                    continue;
                }

                return text.Replace($"$({name})", value, StringComparison.Ordinal);
            }
        }

        return null;
    }

    private static void AddMissing(IEnumerable<string> source, List<string> destination)
    {
        foreach (var item in source)
        {
            if (!destination.Contains(item))
            {
                destination.Add(item);
            }
        }
    }

    /// <summary>The pod's runAsUser/runAsGroup; a runAsUser without runAsGroup takes the user's group from /etc/passwd (or 0).</summary>
    private void ApplyPodSecurityContext(KataProcess process, ImageFacts image)
    {
        var context = pod.SecurityContext;
        var checkPasswd = false;
        if (context.Long("runAsUser") is { } uid)
        {
            process.Uid = (uint)uid;
            checkPasswd = true;
        }

        if (context.Long("runAsGroup") is { } gid)
        {
            process.Gid = (uint)gid;
            process.AdditionalGids.Clear();
            process.AdditionalGids.Add(process.Gid);
            checkPasswd = false;
        }

        if (context.Bool("allowPrivilegeEscalation") is { } allow)
        {
            process.NoNewPrivileges = !allow;
        }

        if (checkPasswd)
        {
            process.Gid = image.GidOfUid(process.Uid) ?? 0;
            process.AdditionalGids.Clear();
            process.AdditionalGids.Add(process.Gid);
        }
    }

    /// <summary>fsGroup and supplementalGroups, except for a pause container whose user the image or the pod sets.</summary>
    private void ApplyPodGroups(KataProcess process, bool pause, bool imageHasUser)
    {
        var context = pod.SecurityContext;
        var pauseUserOverridden = pause && (context.Long("runAsUser") is not null || context.Long("runAsGroup") is not null);
        if (context is null || (pause && (imageHasUser || pauseUserOverridden)))
        {
            return;
        }

        if (context.Long("fsGroup") is { } fsGroup)
        {
            process.AdditionalGids.Add((uint)fsGroup);
        }

        foreach (var group in context["supplementalGroups"] as JsonArray ?? [])
        {
            process.AdditionalGids.Add(uint.Parse(group.Text()!, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void ApplyContainerSecurityContext(KataProcess process, JsonObject? context, ImageFacts image)
    {
        if (context.Long("runAsUser") is { } uid)
        {
            process.Uid = (uint)uid;
            process.Gid = image.GidOfUid(process.Uid) ?? process.Gid;
            process.AdditionalGids.Add(process.Gid);
        }

        if (context.Long("runAsGroup") is { } gid)
        {
            process.Gid = (uint)gid;
            process.AdditionalGids.Add(process.Gid);
        }

        if (context.Bool("allowPrivilegeEscalation") is { } allow)
        {
            process.NoNewPrivileges = !allow;
        }

        foreach (var group in image.AdditionalGroupsOfUid(process.Uid))
        {
            process.AdditionalGids.Add(group);
        }
    }

    /// <summary>
    /// With guest pull, genpolicy refuses to generate a policy whose non-root user, group or extra
    /// groups came from the image rather than the pod's security contexts (containerd may not
    /// reproduce them when the guest pulls the image).
    /// </summary>
    private void RequireExplicitIdentityForGuestPull(JsonObject container, KataProcess process, bool pause)
    {
        if (pause || settings.ClusterConfig.Bool("guest_pull") != true)
        {
            return;
        }

        var podContext = pod.SecurityContext;
        var context = container.Obj("securityContext");
        var runAsUser = context.Long("runAsUser") ?? podContext.Long("runAsUser");
        var runAsGroup = context.Long("runAsGroup") ?? podContext.Long("runAsGroup");
        var explicitGroups = new HashSet<uint>();
        if (podContext.Long("fsGroup") is { } fsGroup)
        {
            explicitGroups.Add((uint)fsGroup);
        }

        foreach (var group in podContext?["supplementalGroups"] as JsonArray ?? [])
        {
            explicitGroups.Add(uint.Parse(group.Text()!, System.Globalization.CultureInfo.InvariantCulture));
        }

        var missingUid = process.Uid != 0 && runAsUser != process.Uid;
        var missingGid = process.Gid != 0 && runAsGroup != process.Gid;
        var missingGroups = process.AdditionalGids.Where(g => g != process.Gid && !explicitGroups.Contains(g)).ToList();
        if (missingUid || missingGid || missingGroups.Count > 0)
        {
            throw new InvalidDataException(
                $"genpolicy refuses container {container.Str("name")}: with guest pull the image-derived UID {process.Uid}, GID {process.Gid} or groups [{string.Join(", ", missingGroups)}] must be explicit in the securityContext");
        }
    }
}
