using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Parma.Api;

/// <summary>
/// Builds a structural OpenAPI v3 schema (as CRDs need it) from the C# model types by reflection:
/// property names as JSON writes them, required/enum/pattern/range/default from the standard
/// DataAnnotations attributes, descriptions from [Description].
/// </summary>
public static class OpenApiSchemaBuilder
{
    /// <summary>
    /// Small official models reflected field by field. Anything larger (the pod template) keeps an open
    /// schema: a CRD must stay under the 256 KiB a client-side kubectl apply can carry.
    /// </summary>
    private static readonly HashSet<Type> ReflectedKubeModels = [typeof(V1Toleration), typeof(V1LocalObjectReference), typeof(V1Condition)];

    private static readonly Dictionary<Type, string[]> RequiredKubeFields = new()
    {
        [typeof(V1Condition)] = ["type", "status", "lastTransitionTime", "reason", "message"],
        [typeof(V1LocalObjectReference)] = ["name"],
    };

    public static JsonObject ForType(Type type)
    {
        if (type == typeof(V1PodTemplateSpec))
        {
            return PodTemplateSchema();
        }

        if (!type.IsClass || type == typeof(string))
        {
            throw new InvalidOperationException($"{type.Name} is not a model type");
        }

        if (type.Namespace != typeof(ConfidentialPodGroup).Namespace && !ReflectedKubeModels.Contains(type))
        {
            throw new InvalidOperationException(
                $"{type.FullName} is an official Kubernetes model too large to inline in the CRD; give it an explicit (open) schema.");
        }

        var properties = new JsonObject();
        var required = new List<string>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.GetCustomAttribute<JsonExtensionDataAttribute>() is null && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
                     .OrderBy(p => p.MetadataToken))
        {
            var name = JsonName(property);
            properties[name] = ForProperty(property);
            if (property.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        if (RequiredKubeFields.TryGetValue(type, out var kubeRequired))
        {
            required.AddRange(kubeRequired);
        }

        var schema = new JsonObject { ["type"] = "object" };
        if (type.GetCustomAttribute<DescriptionAttribute>() is { } description)
        {
            schema["description"] = description.Description;
        }

        if (required.Count > 0)
        {
            schema["required"] = new JsonArray([.. required.Select(r => JsonValue.Create(r))]);
        }

        schema["properties"] = properties;
        return schema;
    }

    private static JsonObject ForProperty(PropertyInfo property)
    {
        var schema = property.GetCustomAttribute<IntOrStringSchemaAttribute>() is { } intOrString
            ? IntOrStringSchema(intOrString.Pattern)
            : ForClrType(property.PropertyType);

        if (property.GetCustomAttribute<DescriptionAttribute>() is { } description)
        {
            schema["description"] = description.Description;
        }

        if (property.GetCustomAttribute<DefaultValueAttribute>() is { Value: { } defaultValue })
        {
            schema["default"] = JsonValue.Create(defaultValue);
        }

        if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
        {
            schema["enum"] = new JsonArray([.. allowed.Values.Select(v => JsonValue.Create(v?.ToString()))]);
        }

        if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } pattern)
        {
            schema["pattern"] = pattern.Pattern;
        }

        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength)
        {
            schema["maxLength"] = maxLength.Length;
        }

        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            schema["minimum"] = JsonValue.Create(Convert.ToInt64(range.Minimum, System.Globalization.CultureInfo.InvariantCulture));
            var maximum = Convert.ToInt64(range.Maximum, System.Globalization.CultureInfo.InvariantCulture);
            if (maximum != int.MaxValue)
            {
                schema["maximum"] = maximum;
            }
        }

        return schema;
    }

    private static JsonObject ForClrType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(int))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = "int32" };
        }

        if (type == typeof(long))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = "int64" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(DateTime))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() is var generic && (generic == typeof(Dictionary<,>) || generic == typeof(IDictionary<,>)))
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = ForClrType(type.GetGenericArguments()[1]) };
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() is var list && (list == typeof(List<>) || list == typeof(IList<>)))
        {
            return new JsonObject { ["type"] = "array", ["items"] = ForClrType(type.GetGenericArguments()[0]) };
        }

        return ForType(type);
    }

    private static JsonObject IntOrStringSchema(string pattern) => new()
    {
        ["x-kubernetes-int-or-string"] = true,
        ["anyOf"] = new JsonArray(
            new JsonObject { ["type"] = "integer", ["minimum"] = 0 },
            new JsonObject { ["type"] = "string", ["pattern"] = pattern }),
    };

    /// <summary>
    /// The template: the fields the operator needs are checked here; the rest of the PodSpec is kept as
    /// written (x-kubernetes-preserve-unknown-fields). Inlining the official PodTemplateSpec schema would
    /// take the CRD past the 256 KiB that a client-side <c>kubectl apply</c> can store in its annotation;
    /// the webhook's group validation checks the whole template against the official Pod schema instead.
    /// </summary>
    private static JsonObject PodTemplateSchema()
    {
        var container = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("name", "image"),
            ["properties"] = new JsonObject
            {
                ["name"] = new JsonObject { ["type"] = "string", ["pattern"] = Patterns.Dns1123Label, ["maxLength"] = 63 },
                ["image"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 },
            },
            ["x-kubernetes-preserve-unknown-fields"] = true,
        };
        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("spec"),
            ["properties"] = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["labels"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } },
                        ["annotations"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } },
                    },
                    ["x-kubernetes-preserve-unknown-fields"] = true,
                },
                ["spec"] = new JsonObject
                {
                    ["type"] = "object",
                    ["required"] = new JsonArray("containers"),
                    ["properties"] = new JsonObject
                    {
                        ["containers"] = new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = container },
                        ["initContainers"] = new JsonObject { ["type"] = "array", ["items"] = container.DeepClone() },
                    },
                    ["x-kubernetes-preserve-unknown-fields"] = true,
                },
            },
        };
    }

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
        ?? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name);
}
