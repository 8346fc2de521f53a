using System.Text;
using System.Text.Json.Nodes;
using Parma.Policy.Input;

namespace Parma.Policy.Generation;

/// <summary>The environment a container will see: exact entries the policy pins, and patterns for values only known at run time.</summary>
public sealed record ContainerEnvironment(IReadOnlyList<string> Exact, IReadOnlyList<string> Patterns, IReadOnlyDictionary<string, string> Known);

/// <summary>
/// Resolves a container's environment as the kubelet builds it: the image's env, then envFrom,
/// then env (later wins), with $(VAR) references expanded and values from ConfigMaps and Secrets
/// that were supplied. Values that only exist at run time (pod IP, node name, unsupplied
/// secrets) become patterns on the variable name.
/// </summary>
internal sealed class EnvironmentBuilder(ManifestSet manifests, Workload workload, string podNamePattern)
{
    private static readonly Dictionary<string, string> RuntimeFieldPatterns = new(StringComparer.Ordinal)
    {
        ["metadata.uid"] = "[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}",
        ["status.podIP"] = "[0-9a-fA-F.:]*",
        ["status.podIPs"] = "[0-9a-fA-F.:,]*",
        ["status.hostIP"] = "[0-9a-fA-F.:]*",
        ["status.hostIPs"] = "[0-9a-fA-F.:,]*",
        ["spec.nodeName"] = "[a-zA-Z0-9.-]*",
        ["spec.serviceAccountName"] = "[a-z0-9.-]*",
    };

    public ContainerEnvironment Build(JsonObject container, ImageFacts image)
    {
        // Ordered map: name -> (exact value | null for pattern-only, pattern)
        var entries = new Dictionary<string, (string? Value, string? Pattern)>(StringComparer.Ordinal);
        var order = new List<string>();
        void Set(string name, string? value, string? pattern)
        {
            if (!entries.ContainsKey(name))
            {
                order.Add(name);
            }

            entries[name] = (value, pattern);
        }

        foreach (var entry in image.Env)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                Set(entry[..eq], entry[(eq + 1)..], null);
            }
        }

        foreach (var source in container.Objects("envFrom"))
        {
            var prefix = source.Str("prefix") ?? string.Empty;
            var (values, refName, optional, what) = source.Obj("configMapRef") is { } cm
                ? (manifests.ConfigMap(workload.Namespace, cm.Str("name") ?? string.Empty), cm.Str("name"), cm.Bool("optional") ?? false, "ConfigMap")
                : source.Obj("secretRef") is { } sec
                    ? (manifests.Secret(workload.Namespace, sec.Str("name") ?? string.Empty), sec.Str("name"), sec.Bool("optional") ?? false, "Secret")
                    : throw new PolicyInputException($"{workload.Kind} {workload.Name}: envFrom entry names neither configMapRef nor secretRef.");
            if (values is null)
            {
                if (!optional)
                {
                    throw new PolicyInputException(
                        $"{workload.Kind} {workload.Name}: envFrom references {what} {refName}, which was not supplied; pass it with the manifests so its values can be pinned.");
                }

                continue;
            }

            foreach (var (key, value) in values)
            {
                Set(prefix + key, value, null);
            }
        }

        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, (value, _)) in entries)
        {
            if (value is not null)
            {
                known[name] = value;
            }
        }

        foreach (var env in container.Objects("env"))
        {
            var name = env.Str("name") ?? throw new PolicyInputException($"{workload.Kind} {workload.Name}: an env entry has no name.");
            if (env.Obj("valueFrom") is { } from)
            {
                var (value, pattern) = ResolveValueFrom(name, from, container);
                Set(name, value, pattern);
                if (value is not null)
                {
                    known[name] = value;
                }
                else
                {
                    known.Remove(name);
                }
            }
            else
            {
                var value = ExpandReferences(env.Str("value") ?? string.Empty, known);
                Set(name, value, null);
                known[name] = value;
            }
        }

        var hostname = workload.Spec.Str("hostname");
        if (!entries.ContainsKey("HOSTNAME"))
        {
            Set("HOSTNAME", null, hostname is null ? podNamePattern : RegexText.Escape(hostname));
        }

        var exact = new List<string>();
        var patterns = new List<string>();
        foreach (var name in order)
        {
            var (value, pattern) = entries[name];
            if (value is not null)
            {
                exact.Add($"{name}={value}");
            }
            else
            {
                patterns.Add(RegexText.Anchored($"{RegexText.Escape(name)}={pattern}"));
            }
        }

        return new ContainerEnvironment(exact, patterns, known);
    }

    private (string? Value, string? Pattern) ResolveValueFrom(string name, JsonObject from, JsonObject container)
    {
        if (from.Obj("fieldRef") is { } field)
        {
            var path = field.Str("fieldPath") ?? string.Empty;
            return path switch
            {
                "metadata.name" => (null, podNamePattern),
                "metadata.namespace" => (workload.Namespace, null),
                _ when path.StartsWith("metadata.labels['", StringComparison.Ordinal) => LabelOrAnnotation(path, "labels"),
                _ when path.StartsWith("metadata.annotations['", StringComparison.Ordinal) => LabelOrAnnotation(path, "annotations"),
                _ when RuntimeFieldPatterns.TryGetValue(path, out var pattern) => (null, pattern),
                _ => throw new PolicyInputException($"{workload.Kind} {workload.Name}: env {name}: fieldRef {path} is not supported."),
            };
        }

        if (from.Obj("resourceFieldRef") is not null)
        {
            return (null, "[0-9]+");
        }

        var (reference, kind) = from.Obj("configMapKeyRef") is { } cm ? (cm, "ConfigMap") : (from.Obj("secretKeyRef"), "Secret");
        if (reference is null)
        {
            throw new PolicyInputException($"{workload.Kind} {workload.Name}: env {name}: valueFrom has no supported source.");
        }

        var refName = reference.Str("name") ?? string.Empty;
        var key = reference.Str("key") ?? string.Empty;
        var values = kind == "ConfigMap" ? manifests.ConfigMap(workload.Namespace, refName) : manifests.Secret(workload.Namespace, refName);
        if (values is not null && values.TryGetValue(key, out var value))
        {
            return (value, null);
        }

        // A secret the generator was not given: the policy allows any value for that name only.
        return (null, ".*");
    }

    private (string? Value, string? Pattern) LabelOrAnnotation(string path, string which)
    {
        var key = path[(path.IndexOf('\'', StringComparison.Ordinal) + 1)..path.LastIndexOf('\'')];
        var map = workload.Metadata.StringMap(which);
        return map.TryGetValue(key, out var value) ? (value, null) : (string.Empty, null);
    }

    /// <summary>Kubernetes' $(VAR) expansion: defined names are replaced, $$ escapes, anything else is kept.</summary>
    public static string ExpandReferences(string text, IReadOnlyDictionary<string, string> known)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || i + 1 >= text.Length)
            {
                builder.Append(text[i]);
                continue;
            }

            if (text[i + 1] == '$')
            {
                builder.Append('$');
                i++;
                continue;
            }

            if (text[i + 1] == '(')
            {
                var close = text.IndexOf(')', i + 2);
                if (close > 0)
                {
                    var name = text[(i + 2)..close];
                    if (known.TryGetValue(name, out var value))
                    {
                        builder.Append(value);
                    }
                    else
                    {
                        builder.Append(text, i, close - i + 1);
                    }

                    i = close;
                    continue;
                }
            }

            builder.Append(text[i]);
        }

        return builder.ToString();
    }
}
