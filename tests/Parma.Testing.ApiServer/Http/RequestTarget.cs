using Parma.Testing.ApiServer.Resources;

namespace Parma.Testing.ApiServer.Http;

/// <summary>What a REST path names: a resource, an optional namespace, object name and subresource.</summary>
public sealed record RequestTarget(ApiResource Resource, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>
    /// Parses /api/v1/... and /apis/{group}/{version}/...; null when the path is not a served resource.
    /// </summary>
    public static RequestTarget? Parse(string path, ResourceCatalog catalog)
    {
        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        string group;
        string version;
        int rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], 2);
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], 3);
        }
        else
        {
            return null;
        }

        var tail = segments[rest..];
        if (tail.Length >= 3 && tail[0] == "namespaces" && catalog.Find(group, version, tail[2]) is { Namespaced: true } namespaced)
        {
            return tail.Length switch
            {
                3 => new RequestTarget(namespaced, tail[1], null, null),
                4 => new RequestTarget(namespaced, tail[1], tail[3], null),
                5 => new RequestTarget(namespaced, tail[1], tail[3], tail[4]),
                _ => null,
            };
        }

        if (catalog.Find(group, version, tail[0]) is not { } resource)
        {
            return null;
        }

        return tail.Length switch
        {
            1 => new RequestTarget(resource, null, null, null),
            2 => new RequestTarget(resource, null, tail[1], null),
            3 => new RequestTarget(resource, null, tail[1], tail[2]),
            _ => null,
        };
    }
}
