using System.Text;
using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;
using Parma.Testing.ApiServer.Validation;

namespace Parma.Testing.ApiServer.Http;

/// <summary>The per-write rules kube-apiserver's registry applies: schema validation, generation, status separation.</summary>
public static class ObjectRules
{
    /// <summary>kube-apiserver's limit on the total size of an object's annotations (keys and values, in bytes).</summary>
    public const int TotalAnnotationSizeLimit = 256 * 1024;

    /// <summary>
    /// Validates against the resource's schema (unknown fields: 400, strict decoding; other errors: 422) and
    /// the annotation size limit every object has (what makes a large CRD fail a client-side `kubectl
    /// apply`, whose last-applied-configuration annotation holds the whole object).
    /// </summary>
    public static void Validate(ApiResource resource, JsonObject obj, string? fieldValidation)
    {
        if (obj["metadata"]?["annotations"] is JsonObject annotations
            && annotations.Sum(a => Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(ObjectFields.Text(a.Value) ?? "")) is var size
            && size > TotalAnnotationSizeLimit)
        {
            throw ApiError.Invalid(resource, ObjectFields.Name(obj) ?? "",
                [new(FieldErrorKind.TooLong, "metadata.annotations", $"Too long: may not be more than {TotalAnnotationSizeLimit} bytes")]);
        }

        if (resource.Schema is null)
        {
            return;
        }

        var errors = resource.Schema.Validate(obj);
        var unknown = errors.Where(e => e.Kind == FieldErrorKind.Unknown).ToList();
        var strict = fieldValidation is null or "" or "Strict";
        if (unknown.Count > 0 && strict)
        {
            var list = string.Join(", ", unknown.Select(e => $"unknown field \"{e.Field}\""));
            throw ApiError.BadRequest($"strict decoding error: {list}");
        }

        var rest = errors.Where(e => e.Kind != FieldErrorKind.Unknown).ToList();
        if (rest.Count > 0)
        {
            throw ApiError.Invalid(resource, ObjectFields.Name(obj) ?? "", rest);
        }

        if (unknown.Count > 0)
        {
            // Warn/Ignore: unknown fields are dropped, as decoding into Go structs drops them.
            foreach (var error in unknown)
            {
                Drop(obj, error.Field);
            }
        }
    }

    /// <summary>The object without metadata (and without status when status is a subresource): what "spec changed" compares.</summary>
    public static JsonObject Content(ApiResource resource, JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        copy.Remove("apiVersion");
        copy.Remove("kind");
        if (resource.HasStatus)
        {
            copy.Remove("status");
        }

        return copy;
    }

    /// <summary>Equality ignoring the fields the server rewrites on every write.</summary>
    public static bool SameExceptBookkeeping(JsonObject a, JsonObject b)
    {
        static JsonObject Strip(JsonObject o)
        {
            var copy = (JsonObject)o.DeepClone();
            if (copy["metadata"] is JsonObject meta)
            {
                meta.Remove("resourceVersion");
                meta.Remove("managedFields");
            }

            return copy;
        }

        return JsonNode.DeepEquals(Strip(a), Strip(b));
    }

    private static void Drop(JsonObject obj, string field)
    {
        // field is a dotted path with [i] indexes, as produced by the validator.
        JsonNode? node = obj;
        var parts = field.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? part : part[..bracket];
            if (i == parts.Length - 1 && bracket < 0)
            {
                (node as JsonObject)?.Remove(name);
                return;
            }

            node = node?[name];
            while (bracket >= 0 && node is JsonArray array)
            {
                var end = part.IndexOf(']', bracket);
                node = array[int.Parse(part[(bracket + 1)..end], System.Globalization.CultureInfo.InvariantCulture)];
                bracket = part.IndexOf('[', end);
            }
        }
    }
}
