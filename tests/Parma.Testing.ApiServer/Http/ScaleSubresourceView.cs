using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;

namespace Parma.Testing.ApiServer.Http;

/// <summary>The autoscaling/v1 Scale view of a custom resource with a scale subresource.</summary>
public static class ScaleSubresourceView
{
    public static JsonObject From(ApiResource resource, JsonObject obj)
    {
        var scale = resource.Scale ?? throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        var meta = ObjectFields.Metadata(obj);
        var status = new JsonObject { ["replicas"] = Read(obj, scale.StatusReplicasPath)?.DeepClone() ?? 0 };
        if (scale.LabelSelectorPath is { } selectorPath && Read(obj, selectorPath) is { } selector)
        {
            status["selector"] = selector.DeepClone();
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = meta["name"]?.DeepClone(),
                ["namespace"] = meta["namespace"]?.DeepClone(),
                ["uid"] = meta["uid"]?.DeepClone(),
                ["resourceVersion"] = meta["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = meta["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = Read(obj, scale.SpecReplicasPath)?.DeepClone() ?? 0 },
            ["status"] = status,
        };
    }

    /// <summary>Writes spec.replicas of a Scale back into the object at the CRD's specReplicasPath.</summary>
    public static void ApplyTo(ApiResource resource, JsonObject obj, JsonObject scaleObject)
    {
        var scale = resource.Scale!;
        var replicas = scaleObject["spec"]?["replicas"]?.DeepClone();
        var parts = scale.SpecReplicasPath.TrimStart('.').Split('.');
        var node = obj;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = [];
                node[part] = child;
            }

            node = child;
        }

        node[parts[^1]] = replicas;
    }

    private static JsonNode? Read(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.TrimStart('.').Split('.'))
        {
            node = node?[part];
        }

        return node;
    }
}
