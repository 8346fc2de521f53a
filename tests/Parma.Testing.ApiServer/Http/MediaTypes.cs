namespace Parma.Testing.ApiServer.Http;

/// <summary>
/// Reads the Accept header for the two alternative representations clients ask for by media-type
/// parameters: a meta.k8s.io Table (`application/json;as=Table;v=v1;g=meta.k8s.io`) and the aggregated
/// discovery list (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`). The first
/// acceptable range wins, as with kube-apiserver; anything else is answered with plain JSON.
/// </summary>
public static class MediaTypes
{
    public const string AggregatedDiscovery = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    /// <summary>"meta.k8s.io/v1" or "meta.k8s.io/v1beta1" when the client prefers a Table; null for the object itself.</summary>
    public static string? TableVersion(string? accept)
    {
        foreach (var range in Ranges(accept))
        {
            if (range.TryGetValue("as", out var type) && type == "Table" && range.GetValueOrDefault("g") == "meta.k8s.io"
                && range.GetValueOrDefault("v") is "v1" or "v1beta1")
            {
                return $"meta.k8s.io/{range["v"]}";
            }

            if (!range.ContainsKey("as"))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Whether the client prefers apidiscovery.k8s.io/v2 APIGroupDiscoveryList over the legacy documents.</summary>
    public static bool WantsAggregatedDiscovery(string? accept)
    {
        foreach (var range in Ranges(accept))
        {
            if (range.GetValueOrDefault("as") == "APIGroupDiscoveryList" && range.GetValueOrDefault("g") == "apidiscovery.k8s.io"
                && range.GetValueOrDefault("v") == "v2")
            {
                return true;
            }

            if (!range.ContainsKey("as"))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Each JSON media range of the header as its parameters (only application/json and */* count).</summary>
    private static IEnumerable<Dictionary<string, string>> Ranges(string? accept)
    {
        foreach (var range in (accept ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = range.Split(';', StringSplitOptions.TrimEntries);
            if (parts[0] is not ("application/json" or "*/*" or "application/*"))
            {
                continue;
            }

            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var parameter in parts.Skip(1))
            {
                var eq = parameter.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && parameter[..eq].Trim() != "q")
                {
                    parameters[parameter[..eq].Trim()] = parameter[(eq + 1)..].Trim();
                }
            }

            yield return parameters;
        }
    }
}
