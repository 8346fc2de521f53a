using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Selectors;
using Parma.Testing.ApiServer.Storage;

namespace Parma.Testing.ApiServer.Admission;

/// <summary>Whether a webhook's rules, namespaceSelector and objectSelector select a request.</summary>
public static class WebhookRules
{
    public static bool Matches(JsonObject webhook, AdmissionOperation operation, ApiResource resource, string? subresource)
    {
        if (webhook["rules"] is not JsonArray rules)
        {
            return false;
        }

        var op = operation.ToString().ToUpperInvariant();
        var resourceName = subresource is null ? resource.Plural : $"{resource.Plural}/{subresource}";
        return rules.OfType<JsonObject>().Any(rule =>
            Contains(rule["operations"], op)
            && Contains(rule["apiGroups"], resource.Group)
            && Contains(rule["apiVersions"], resource.Version)
            && ResourceMatches(rule["resources"], resource.Plural, subresource)
            && ScopeMatches(ObjectFields.Text(rule["scope"]), resource.Namespaced)
            && resourceName.Length > 0);
    }

    public static bool SelectorsMatch(JsonObject webhook, ServerState state, ApiResource resource, JsonObject? obj, JsonObject? old)
    {
        var subject = obj ?? old;
        if (subject is null)
        {
            return true;
        }

        if (webhook["objectSelector"] is JsonObject objectSelector
            && !Matches(objectSelector, ObjectFields.Labels(subject)) && (old is null || !Matches(objectSelector, ObjectFields.Labels(old))))
        {
            return false;
        }

        if (webhook["namespaceSelector"] is JsonObject namespaceSelector)
        {
            Dictionary<string, string> labels;
            if (resource.Kind == "Namespace" && resource.Group.Length == 0)
            {
                labels = ObjectFields.Labels(subject);
            }
            else if (!resource.Namespaced)
            {
                return true;
            }
            else
            {
                var namespaces = state.Catalog.Find("", "v1", "namespaces")!;
                var ns = state.Store.Get(namespaces, null, ObjectFields.Namespace(subject) ?? "");
                labels = ns is null ? [] : ObjectFields.Labels(ns);
            }

            if (!Matches(namespaceSelector, labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A metav1.LabelSelector object (matchLabels + matchExpressions).</summary>
    public static bool Matches(JsonObject selector, IReadOnlyDictionary<string, string> labels)
    {
        var parts = new List<string>();
        if (selector["matchLabels"] is JsonObject matchLabels)
        {
            parts.AddRange(matchLabels.Select(p => $"{p.Key}={ObjectFields.Text(p.Value)}"));
        }

        if (selector["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions.OfType<JsonObject>())
            {
                var key = ObjectFields.Text(expression["key"]);
                var values = expression["values"] is JsonArray v ? string.Join(",", v.Select(ObjectFields.Text)) : "";
                parts.Add(ObjectFields.Text(expression["operator"]) switch
                {
                    "In" => $"{key} in ({values})",
                    "NotIn" => $"{key} notin ({values})",
                    "Exists" => key!,
                    "DoesNotExist" => $"!{key}",
                    var other => throw new FormatException($"unsupported label selector operator {other}"),
                });
            }
        }

        return LabelSelector.Parse(string.Join(",", parts)).Matches(labels);
    }

    private static bool Contains(JsonNode? list, string value) =>
        list is JsonArray array && array.Any(v => ObjectFields.Text(v) is "*" || ObjectFields.Text(v) == value);

    private static bool ResourceMatches(JsonNode? list, string plural, string? subresource)
    {
        if (list is not JsonArray array)
        {
            return false;
        }

        foreach (var entry in array.Select(ObjectFields.Text))
        {
            var slash = entry?.IndexOf('/', StringComparison.Ordinal) ?? -1;
            var (res, sub) = slash < 0 ? (entry, null) : (entry![..slash], entry[(slash + 1)..]);
            var resourceOk = res == "*" || res == plural;
            var subOk = subresource is null ? sub is null : sub == "*" || sub == subresource;
            if (resourceOk && subOk)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ScopeMatches(string? scope, bool namespaced) => scope switch
    {
        null or "*" => true,
        "Namespaced" => namespaced,
        "Cluster" => !namespaced,
        _ => false,
    };
}
