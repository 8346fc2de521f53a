namespace Parma.Chart.Tests.EndToEnd;

/// <summary>One request to the API server as RBAC sees it: who, which verb on which resource, where.</summary>
public sealed record ApiCall(string User, string Verb, string Group, string Resource, string? Namespace, string? Name)
{
    public string GroupResource => Group.Length == 0 ? Resource : $"{Resource}.{Group}";

    public override string ToString() => $"{Verb} {GroupResource}" + (Namespace is null ? "" : $" in {Namespace}") + (Name is null ? "" : $" ({Name})");

    /// <summary>RBAC's reading of a request line ("GET /api/v1/namespaces/demo/pods?watch=true"); null for non-resource paths.</summary>
    public static ApiCall? Parse(string user, string method, string pathAndQuery)
    {
        var queryStart = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? pathAndQuery : pathAndQuery[..queryStart];
        var query = queryStart < 0 ? "" : pathAndQuery[(queryStart + 1)..];
        var segments = path.Trim('/').Split('/');
        string group;
        int rest;
        if (segments is ["api", "v1", ..])
        {
            (group, rest) = ("", 2);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (group, rest) = (segments[1], 3);
        }
        else
        {
            return null;
        }

        var tail = segments[rest..];
        string? ns = null;
        if (tail.Length >= 3 && tail[0] == "namespaces")
        {
            ns = tail[1];
            tail = tail[2..];
        }

        if (tail.Length == 0)
        {
            return null;
        }

        var resource = tail.Length >= 3 ? $"{tail[0]}/{tail[2]}" : tail[0];
        var name = tail.Length >= 2 ? tail[1] : null;
        var watch = query.Split('&').Any(p => p is "watch=true" or "watch=1");
        var verb = method switch
        {
            "GET" when watch => "watch",
            "GET" => name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
        return new ApiCall(user, verb, group, resource, ns, name);
    }
}
