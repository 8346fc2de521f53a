using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;

namespace Parma.Testing.ApiServer.Tables;

/// <summary>
/// Server-side printing (meta.k8s.io Table), what `kubectl get` asks for: a custom resource gets a Name
/// column and its CRD version's additionalPrinterColumns (Age when it has none), evaluated by JSONPath;
/// a built-in gets kube-apiserver's default table, Name and Created At (the test server has none of the
/// per-kind printers, so a pod shows no READY or STATUS column).
/// </summary>
public static class TableConverter
{
    private static readonly PrinterColumn DefaultAge =
        new("Age", "date", null, "The time the object was created.", 0, ".metadata.creationTimestamp");

    /// <param name="objects">The objects of a list, or the one object of a GET.</param>
    /// <param name="listMetadata">The list's metadata (resourceVersion, continue, remainingItemCount), or the object's for a GET.</param>
    /// <param name="apiVersion">meta.k8s.io/v1 or meta.k8s.io/v1beta1, as the client asked.</param>
    /// <param name="includeObject">The includeObject parameter: None, Metadata (the default) or Object.</param>
    public static JsonObject Convert(ApiResource resource, IEnumerable<JsonObject> objects, JsonObject listMetadata, string apiVersion, string? includeObject)
    {
        var custom = resource.IsCustom ? (resource.PrinterColumns is { Count: > 0 } defined ? defined : [DefaultAge]) : null;
        var columns = new JsonArray(Column("Name", "string", "name", "The object's name, unique in its namespace.", 0));
        if (custom is null)
        {
            columns.Add(Column("Created At", "date", null, "The time the object was created.", 0));
        }
        else
        {
            foreach (var column in custom)
            {
                columns.Add(Column(column.Name, column.Type, column.Format, column.Description ?? $"Custom resource definition column (in JSONPath format): {column.JsonPath}", column.Priority));
            }
        }

        var queries = custom?.Select(c => (c, Query(c))).ToList();
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray(ObjectFields.Name(obj));
            if (queries is null)
            {
                cells.Add(ObjectFields.Text(obj["metadata"]?["creationTimestamp"]));
            }
            else
            {
                foreach (var (column, query) in queries)
                {
                    cells.Add(Cell(column, query?.Evaluate(obj) ?? []));
                }
            }

            var row = new JsonObject { ["cells"] = cells };
            if (RowObject(resource, obj, includeObject) is { } attached)
            {
                row["object"] = attached;
            }

            rows.Add(row);
        }

        var metadata = new JsonObject();
        foreach (var key in new[] { "resourceVersion", "continue", "remainingItemCount" })
        {
            if (listMetadata[key] is { } value)
            {
                metadata[key] = value.DeepClone();
            }
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = apiVersion,
            ["metadata"] = metadata,
            ["columnDefinitions"] = columns,
            ["rows"] = rows,
        };
    }

    private static JsonObject Column(string name, string type, string? format, string description, int priority) => new()
    {
        ["name"] = name,
        ["type"] = type,
        ["format"] = format ?? "",
        ["description"] = description,
        ["priority"] = priority,
    };

    /// <summary>A column whose JSONPath does not parse shows no value, as kube does for a path it cannot evaluate.</summary>
    private static JsonPathQuery? Query(PrinterColumn column)
    {
        try
        {
            return JsonPathQuery.Parse(column.JsonPath);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The first value the path selects, typed as the column says; null (shown as &lt;none&gt;) when absent or mistyped.</summary>
    private static JsonNode? Cell(PrinterColumn column, IReadOnlyList<JsonNode?> found)
    {
        if (found.Count == 0 || found[0] is not { } value)
        {
            return null;
        }

        var kind = value.GetValueKind();
        return column.Type switch
        {
            "string" => kind == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString(),
            "integer" when kind == JsonValueKind.Number => (long)double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
            "number" when kind == JsonValueKind.Number => double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
            "boolean" when kind is JsonValueKind.True or JsonValueKind.False => kind == JsonValueKind.True,
            "date" when kind == JsonValueKind.String => Age(value.GetValue<string>()),
            _ => null,
        };
    }

    private static string Age(string timestamp) =>
        DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? HumanDuration.Format(DateTimeOffset.UtcNow - time)
            : "<invalid>";

    /// <summary>What a row carries besides its cells: nothing, the object's metadata (the default), or the object.</summary>
    private static JsonObject? RowObject(ApiResource resource, JsonObject obj, string? includeObject)
    {
        switch (includeObject)
        {
            case "None":
                return null;
            case "Object":
                var full = (JsonObject)obj.DeepClone();
                full["apiVersion"] = resource.ApiVersion;
                full["kind"] = resource.Kind;
                return full;
            default:
                return new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = obj["metadata"]?.DeepClone(),
                };
        }
    }
}
