using System.Text.Json.Nodes;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>The rules a ServiceAccount gets from the chart's (Cluster)Roles and their bindings, evaluated like the RBAC authorizer.</summary>
public sealed class RbacRules
{
    private readonly List<(string? Namespace, JsonObject Rule)> _rules = [];

    public RbacRules(RenderedChart chart, string serviceAccountNamespace, string serviceAccount)
    {
        foreach (var binding in chart.OfKind("ClusterRoleBinding").Concat(chart.OfKind("RoleBinding")))
        {
            var boundHere = binding["subjects"]!.AsArray().Any(s =>
                s!["kind"]!.GetValue<string>() == "ServiceAccount"
                && s["name"]!.GetValue<string>() == serviceAccount
                && s["namespace"]!.GetValue<string>() == serviceAccountNamespace);
            if (!boundHere)
            {
                continue;
            }

            var roleRef = binding["roleRef"]!;
            var bindingNamespace = RenderedChart.Kind(binding) == "RoleBinding" ? binding["metadata"]!["namespace"]!.GetValue<string>() : null;
            var role = chart.Get(roleRef["kind"]!.GetValue<string>(), roleRef["name"]!.GetValue<string>());
            foreach (var rule in role["rules"]!.AsArray())
            {
                _rules.Add((bindingNamespace, rule!.AsObject()));
            }
        }
    }

    public bool Allows(ApiCall call) => _rules.Any(r =>
        (r.Namespace is null || r.Namespace == call.Namespace)
        && Strings(r.Rule, "apiGroups").Contains(call.Group)
        && Strings(r.Rule, "resources").Contains(call.Resource)
        && Strings(r.Rule, "verbs").Contains(call.Verb)
        && (r.Rule["resourceNames"] is null || (call.Name is not null && Strings(r.Rule, "resourceNames").Contains(call.Name))));

    /// <summary>Every (verb, group/resource) granted, in the form <see cref="Grant"/> returns.</summary>
    public IReadOnlySet<string> Granted =>
        _rules.SelectMany(r => Strings(r.Rule, "verbs").SelectMany(verb => Strings(r.Rule, "apiGroups").SelectMany(group =>
            Strings(r.Rule, "resources").Select(resource => Grant(verb, group, resource))))).ToHashSet();

    public static string Grant(string verb, string group, string resource) => $"{verb} {(group.Length == 0 ? resource : $"{resource}.{group}")}";

    public static string Grant(ApiCall call) => Grant(call.Verb, call.Group, call.Resource);

    private static IReadOnlyList<string> Strings(JsonObject rule, string key) =>
        rule[key]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [];
}
