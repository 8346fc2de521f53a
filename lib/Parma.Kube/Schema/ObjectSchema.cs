using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Kube.Schema;

/// <summary>
/// A small OpenAPI v3 structural-schema validator over JSON nodes: type, properties (unknown ones are
/// errors unless preserved), required, items, additionalProperties, enum, $ref/allOf, oneOf/anyOf,
/// int-or-string, and the formats the Kubernetes documents use.
/// </summary>
public sealed class ObjectSchema
{
    private readonly JsonElement _root;
    private readonly JsonElement _components;
    private readonly bool _isCustomResource;

    /// <param name="schema">The schema of the top-level object.</param>
    /// <param name="document">The OpenAPI document that $refs resolve in (null for CRD schemas).</param>
    /// <param name="isCustomResource">CRD schemas leave apiVersion/kind/metadata implicit.</param>
    public ObjectSchema(JsonElement schema, JsonElement? document, bool isCustomResource)
    {
        _root = schema;
        _isCustomResource = isCustomResource;
        _components = document is { } doc && doc.TryGetProperty("components", out var c) && c.TryGetProperty("schemas", out var s)
            ? s
            : default;
    }

    public IReadOnlyList<FieldError> Validate(JsonNode? value)
    {
        var errors = new List<FieldError>();
        if (_isCustomResource && value is JsonObject obj)
        {
            // apiVersion, kind and metadata are checked by the server itself, not by the CRD's schema.
            var rest = new JsonObject();
            foreach (var (key, child) in obj)
            {
                if (key is not ("apiVersion" or "kind" or "metadata"))
                {
                    rest[key] = child?.DeepClone();
                }
            }

            Check(_root, rest, "", errors);
        }
        else
        {
            Check(_root, value, "", errors);
        }

        return errors;
    }

    private void Check(JsonElement schema, JsonNode? value, string path, List<FieldError> errors)
    {
        if (value is null)
        {
            // kube-apiserver decodes null as "not set" for optional fields.
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            Check(Resolve(reference.GetString()!), value, path, errors);
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var part in allOf.EnumerateArray())
            {
                Check(part, value, path, errors);
            }
        }

        var intOrString = (schema.TryGetProperty("x-kubernetes-int-or-string", out var ios) && ios.ValueKind == JsonValueKind.True)
            || (schema.TryGetProperty("format", out var fmt) && fmt.GetString() == "int-or-string");
        if (intOrString)
        {
            if (!IsInteger(value) && Kind(value) != JsonValueKind.String)
            {
                errors.Add(new(FieldErrorKind.TypeInvalid, path, $"must be an integer or a string, got {Describe(value)}"));
                return;
            }

            if (!schema.TryGetProperty("anyOf", out _) && !schema.TryGetProperty("oneOf", out _))
            {
                return;
            }
        }

        foreach (var keyword in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(keyword, out var branches))
            {
                var any = branches.EnumerateArray().Any(b =>
                {
                    var trial = new List<FieldError>();
                    Check(b, value, path, trial);
                    return trial.Count == 0;
                });
                if (!any)
                {
                    errors.Add(new(FieldErrorKind.TypeInvalid, path, $"{Describe(value)} matches none of the allowed forms"));
                    return;
                }
            }
        }

        if (intOrString)
        {
            return;
        }

        if (schema.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String)
        {
            if (!CheckType(typeElement.GetString()!, schema, value, path, errors))
            {
                return;
            }
        }

        if (schema.TryGetProperty("enum", out var allowed) && value is JsonValue)
        {
            var ok = allowed.EnumerateArray().Any(a => JsonNode.DeepEquals(JsonNode.Parse(a.GetRawText()), value));
            if (!ok)
            {
                var list = string.Join(", ", allowed.EnumerateArray().Select(a => a.GetRawText()));
                errors.Add(new(FieldErrorKind.NotSupported, path, $"Unsupported value: {value.ToJsonString()}: supported values: {list}"));
            }
        }

        ValueConstraints.Check(schema, value, PathOrRoot(path), errors);

        if (value is JsonObject obj)
        {
            CheckObject(schema, obj, path, errors);
        }
        else if (value is JsonArray array && schema.TryGetProperty("items", out var items))
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(items, array[i], $"{path}[{i}]", errors);
            }
        }
    }

    private void CheckObject(JsonElement schema, JsonObject obj, string path, List<FieldError> errors)
    {
        var hasProperties = schema.TryGetProperty("properties", out var properties);
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (obj[name] is null)
                {
                    errors.Add(new(FieldErrorKind.Required, Join(path, name), "Required value"));
                }
            }
        }

        var preserve = schema.TryGetProperty("x-kubernetes-preserve-unknown-fields", out var p) && p.ValueKind == JsonValueKind.True;
        var embedded = schema.TryGetProperty("x-kubernetes-embedded-resource", out var e) && e.ValueKind == JsonValueKind.True;
        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var (key, child) in obj)
        {
            var childPath = Join(path, key);
            if (hasProperties && properties.TryGetProperty(key, out var childSchema))
            {
                Check(childSchema, child, childPath, errors);
            }
            else if (additional.ValueKind == JsonValueKind.Object)
            {
                Check(additional, child, childPath, errors);
            }
            else if (additional.ValueKind == JsonValueKind.True || preserve)
            {
                // Allowed, unchecked.
            }
            else if (embedded && key is "apiVersion" or "kind" or "metadata")
            {
                // Embedded resources carry their own type and metadata.
            }
            else if (hasProperties || additional.ValueKind == JsonValueKind.False || _isCustomResource)
            {
                errors.Add(new(FieldErrorKind.Unknown, childPath, "field not declared in schema"));
            }
        }
    }

    private static bool CheckType(string type, JsonElement schema, JsonNode value, string path, List<FieldError> errors)
    {
        var kind = Kind(value);
        var ok = type switch
        {
            "object" => value is JsonObject,
            "array" => value is JsonArray,
            "string" => kind == JsonValueKind.String,
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "integer" => IsInteger(value),
            "number" => kind == JsonValueKind.Number,
            _ => true,
        };
        if (!ok)
        {
            errors.Add(new(FieldErrorKind.TypeInvalid, path, $"Invalid value: {Describe(value)}: {PathOrRoot(path)} in body must be of type {type}: {Describe(value)}"));
            return false;
        }

        if (!schema.TryGetProperty("format", out var formatElement))
        {
            return true;
        }

        var format = formatElement.GetString();
        var formatOk = format switch
        {
            "int32" => Element(value).TryGetInt32(out _),
            "int64" => Element(value).TryGetInt64(out _),
            "byte" => IsBase64(Element(value).GetString()!),
            "date-time" => DateTimeOffset.TryParse(Element(value).GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            _ => true,
        };
        if (!formatOk)
        {
            errors.Add(new(FieldErrorKind.Invalid, path, $"Invalid value: {Describe(value)}: {PathOrRoot(path)} in body must be of format {format}"));
        }

        return formatOk;
    }

    private JsonElement Resolve(string reference)
    {
        const string prefix = "#/components/schemas/";
        if (!reference.StartsWith(prefix, StringComparison.Ordinal) || _components.ValueKind != JsonValueKind.Object
            || !_components.TryGetProperty(reference[prefix.Length..], out var target))
        {
            throw new InvalidOperationException($"Unresolvable $ref {reference}.");
        }

        return target;
    }

    private static JsonValueKind Kind(JsonNode value) => value.GetValueKind();

    private static bool IsInteger(JsonNode value) =>
        Kind(value) == JsonValueKind.Number && Element(value).TryGetInt64(out _);

    /// <summary>The value as a JsonElement, whether the node was parsed or built from a CLR value.</summary>
    private static JsonElement Element(JsonNode value) => JsonSerializer.SerializeToElement(value);

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    private static string Describe(JsonNode value) => Kind(value) switch
    {
        JsonValueKind.String => $"\"{value.GetValue<string>()}\"",
        JsonValueKind.Object => "\"object\"",
        JsonValueKind.Array => "\"array\"",
        JsonValueKind.True or JsonValueKind.False => "\"boolean\"",
        _ => value.ToJsonString(),
    };

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string PathOrRoot(string path) => path.Length == 0 ? "body" : path;
}
