using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Parma.Testing.ApiServer.Discovery;

namespace Parma.Testing.ApiServer.Http;

/// <summary>The non-resource GETs clients make before any resource request: version, discovery and OpenAPI v3.</summary>
public sealed class DiscoveryHandlers(ServerState state)
{
    private readonly ApiDiscovery _discovery = new(state.Catalog);
    private readonly OpenApiV3 _openApi = new(state.Catalog, state.Documents);

    /// <summary>Answers the request when its path is one of these documents; false leaves it to the resource handlers.</summary>
    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = (request.Path.Value ?? "/").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (request.Method != "GET" || segments.Length == 0 || !(segments[0] is "version" or "api" or "apis" or "openapi"))
        {
            return false;
        }

        var aggregated = MediaTypes.WantsAggregatedDiscovery(request.Headers.Accept.ToString());
        JsonObject? answer;
        var contentType = "application/json";
        switch (segments)
        {
            case ["version"]:
                answer = Version();
                break;
            case ["api"] or ["apis"] when aggregated:
                answer = _discovery.Aggregated(core: segments[0] == "api");
                contentType = MediaTypes.AggregatedDiscovery;
                break;
            case ["api"]:
                answer = ApiDiscovery.CoreVersions($"{request.Host.Host}:{request.Host.Port}");
                break;
            case ["apis"]:
                answer = _discovery.GroupList();
                break;
            case ["api", var version]:
                answer = _discovery.ResourceList("", version);
                break;
            case ["apis", var group]:
                answer = _discovery.Group(group);
                break;
            case ["apis", var group, var version]:
                answer = _discovery.ResourceList(group, version);
                break;
            case ["openapi", "v3"]:
                answer = _openApi.Index();
                break;
            case ["openapi", "v3", .. var rest]:
            {
                var document = _openApi.Document(string.Join('/', rest)) ?? throw NotFound();
                await WriteAsync(context, "application/json", document).ConfigureAwait(false);
                return true;
            }

            case ["openapi", ..]:
                // No OpenAPI v2: kubectl uses v3 when the server publishes it.
                throw NotFound();
            default:
                return false;
        }

        await WriteAsync(context, contentType, System.Text.Encoding.UTF8.GetBytes((answer ?? throw NotFound()).ToJsonString() + "\n")).ConfigureAwait(false);
        return true;
    }

    private JsonObject Version()
    {
        var minor = state.Options.KubernetesVersion.Split('.').Last();
        return new JsonObject
        {
            ["major"] = "1",
            ["minor"] = minor,
            ["emulationMajor"] = "1",
            ["emulationMinor"] = minor,
            ["gitVersion"] = $"{state.Options.KubernetesVersion}.0-parma-test",
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2025-01-01T00:00:00Z",
            ["goVersion"] = "go1.23.0",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    private static ApiError NotFound() => new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    private static async Task WriteAsync(HttpContext context, string contentType, byte[] body)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
