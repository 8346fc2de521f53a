using System.Text.Json.Nodes;
using Parma.Policy.Input;
using Parma.Policy.Settings;

namespace Parma.Policy.Generation;

/// <summary>Works out a <see cref="ContainerPlan"/> for the pause container and for each container of a pod spec.</summary>
internal sealed class ContainerPlanner(PolicySettings settings, ManifestSet manifests, Workload workload, GroupPolicyOptions options)
{
    private readonly string _podName = PodNames.Pattern(workload);

    public ContainerPlan PlanPause(ImageFacts pause)
    {
        var pauseSettings = settings.Runtime.Pause;
        var env = pause.Env.Count > 0 ? pause.Env : pauseSettings.Env;
        var args = pause.Entrypoint.Concat(pause.Cmd).ToList();
        var (uid, gid) = ParseNumericUser(pause.User);
        return new ContainerPlan(
            Name: "pause",
            Role: ContainerRole.Pause,
            Image: pause,
            Args: args.Count > 0 ? args : pauseSettings.Args,
            Cwd: string.IsNullOrEmpty(pause.WorkingDir) ? pauseSettings.Cwd : pause.WorkingDir,
            Env: new ContainerEnvironment(env, [], new Dictionary<string, string>()),
            User: new ProcessUser(uid, gid, [gid]),
            Terminal: false,
            NoNewPrivileges: false,
            ReadOnlyRoot: true,
            Capabilities: Capabilities(null, uid),
            Privileged: false,
            Mounts: new MountBuilder(settings, workload, options.EmptyDirMode).ForPause(),
            Exec: new ExecPlan([], [], [], false),
            Sysctls: Sysctls(),
            VerifyLayers: options.VerifyLayers,
            OomScoreAdj: Range(settings.Runtime.OomScoreAdj.Pause),
            ApparmorProfiles: settings.Runtime.ApparmorProfiles);
    }

    public ContainerPlan Plan(JsonObject container, ContainerRole role, ImageFacts image)
    {
        var name = container.Str("name") ?? throw new PolicyInputException($"{workload.Kind} {workload.Name}: a container has no name.");
        var env = new EnvironmentBuilder(manifests, workload, _podName).Build(container, image);
        var securityContext = container.Obj("securityContext");
        var user = ProcessUser.Resolve(workload, container, image.User);
        return new ContainerPlan(
            Name: name,
            Role: role,
            Image: image,
            Args: Arguments(container, image, env),
            Cwd: container.Str("workingDir") ?? (string.IsNullOrEmpty(image.WorkingDir) ? "/" : image.WorkingDir),
            Env: env,
            User: user,
            Terminal: container.Bool("tty") ?? false,
            NoNewPrivileges: securityContext.Bool("allowPrivilegeEscalation") == false,
            ReadOnlyRoot: securityContext.Bool("readOnlyRootFilesystem") ?? false,
            Capabilities: Capabilities(securityContext, user.Uid),
            Privileged: securityContext.Bool("privileged") ?? false,
            Mounts: new MountBuilder(settings, workload, options.EmptyDirMode).ForContainer(container),
            Exec: ExecRules(container),
            Sysctls: Sysctls(),
            VerifyLayers: options.VerifyLayers,
            OomScoreAdj: Range(settings.Runtime.OomScoreAdj.Container),
            ApparmorProfiles: ApparmorProfiles(container));
    }

    /// <summary>Kubernetes: command replaces the entrypoint, args replace the image's cmd; a command alone drops the cmd.</summary>
    private static IReadOnlyList<string> Arguments(JsonObject container, ImageFacts image, ContainerEnvironment env)
    {
        var command = container["command"] is JsonArray ? container.Strings("command") : null;
        var args = container["args"] is JsonArray ? container.Strings("args") : null;
        IEnumerable<string> result = (command, args) switch
        {
            (null, null) => image.Entrypoint.Concat(image.Cmd),
            (null, { } a) => image.Entrypoint.Concat(a),
            ({ } c, null) => c,
            ({ } c, { } a) => c.Concat(a),
        };
        return result.Select(a => EnvironmentBuilder.ExpandReferences(a, env.Known)).ToList();
    }

    private ExecPlan ExecRules(JsonObject container)
    {
        var probes = new List<IReadOnlyList<string>>();
        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (container.Obj(probe).Obj("exec") is { } exec)
            {
                probes.Add(exec.Strings("command"));
            }
        }

        var declared = settings.Exec.Commands.Concat(options.ExecCommands).DistinctBy(c => string.Join('\0', c)).ToList();
        var patterns = settings.Exec.Regex.Concat(options.ExecRegex).Select(AnchorEach).ToList();
        return new ExecPlan(probes.DistinctBy(c => string.Join('\0', c)).ToList(), declared, patterns, settings.Exec.Terminal || options.ExecTerminal);
    }

    /// <summary>Each pattern of a rule matches its whole argument.</summary>
    private static IReadOnlyList<string> AnchorEach(IReadOnlyList<string> patterns) => patterns.Select(p => $"^(?:{p})$").ToList();

    private static OomScoreRange Range(IReadOnlyList<long> bounds) =>
        bounds is [var min, var max] && min <= max
            ? new OomScoreRange(min, max)
            : throw new PolicyInputException($"settings: oom_score_adj ranges are [min, max]; got [{string.Join(", ", bounds)}].");

    /// <summary>
    /// What containerd names as the AppArmor profile: the settings' defaults (its own profile, or none on a
    /// host without AppArmor), plus the Localhost profile the container or the pod asks for.
    /// </summary>
    private IReadOnlyList<string> ApparmorProfiles(JsonObject container)
    {
        var profiles = new List<string>(settings.Runtime.ApparmorProfiles);
        var requested = container.Obj("securityContext").Obj("appArmorProfile") ?? workload.Spec.Obj("securityContext").Obj("appArmorProfile");
        if (requested.Str("type") == "Localhost" && requested.Str("localhostProfile") is { Length: > 0 } profile && !profiles.Contains(profile))
        {
            profiles.Add(profile);
        }

        return profiles;
    }

    private CapabilitySets Capabilities(JsonObject? securityContext, long uid)
    {
        var privileged = securityContext.Bool("privileged") ?? false;
        var set = new SortedSet<string>(privileged ? settings.Capabilities.All : settings.Capabilities.Default, StringComparer.Ordinal);
        var capabilities = securityContext.Obj("capabilities");
        foreach (var drop in capabilities.Strings("drop"))
        {
            if (drop == "ALL")
            {
                set.Clear();
            }
            else
            {
                set.Remove(CapabilityName(drop));
            }
        }

        foreach (var add in capabilities.Strings("add"))
        {
            if (add == "ALL")
            {
                set.UnionWith(settings.Capabilities.All);
            }
            else
            {
                set.Add(CapabilityName(add));
            }
        }

        var list = set.ToList();
        // A non-root process starts with no effective or permitted capabilities.
        IReadOnlyList<string> forRoot = uid == 0 ? list : [];
        return new CapabilitySets([], list, forRoot, [], forRoot);
    }

    private static string CapabilityName(string name) =>
        name.StartsWith("CAP_", StringComparison.Ordinal) ? name : "CAP_" + name.ToUpperInvariant();

    private SortedDictionary<string, string> Sysctls()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var sysctl in workload.Spec.Obj("securityContext").Objects("sysctls"))
        {
            result[sysctl.Str("name") ?? string.Empty] = sysctl.Str("value") ?? string.Empty;
        }

        return result;
    }

    private static (long Uid, long Gid) ParseNumericUser(string user)
    {
        var parts = user.Split(':', 2);
        _ = long.TryParse(parts[0], out var uid);
        long gid = 0;
        if (parts.Length == 2)
        {
            _ = long.TryParse(parts[1], out gid);
        }

        return (uid, gid);
    }
}
