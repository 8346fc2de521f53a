using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Parma.Kube.Schema;

/// <summary>
/// The OpenAPI value keywords kube-apiserver enforces for CRDs (minimum/maximum, pattern,
/// minLength/maxLength, minItems/maxItems), with its message wording ("in body should be …").
/// </summary>
internal static class ValueConstraints
{
    public static void Check(JsonElement schema, JsonNode value, string path, List<FieldError> errors)
    {
        var kind = value.GetValueKind();
        if (kind == JsonValueKind.Number)
        {
            var number = JsonSerializer.SerializeToElement(value).GetDouble();
            if (schema.TryGetProperty("minimum", out var minimum) && number < minimum.GetDouble())
            {
                errors.Add(Invalid(path, value, $"should be greater than or equal to {minimum.GetRawText()}"));
            }

            if (schema.TryGetProperty("maximum", out var maximum) && number > maximum.GetDouble())
            {
                errors.Add(Invalid(path, value, $"should be less than or equal to {maximum.GetRawText()}"));
            }
        }
        else if (kind == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            var length = text.EnumerateRunes().Count();
            if (schema.TryGetProperty("minLength", out var minLength) && length < minLength.GetInt32())
            {
                errors.Add(Invalid(path, value, $"should be at least {minLength.GetInt32()} chars long"));
            }

            if (schema.TryGetProperty("maxLength", out var maxLength) && length > maxLength.GetInt32())
            {
                errors.Add(new(FieldErrorKind.Invalid, path, $"Too long: may not be more than {maxLength.GetInt32()} bytes"));
            }

            if (schema.TryGetProperty("pattern", out var pattern)
                && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                errors.Add(Invalid(path, value, $"should match '{pattern.GetString()}'"));
            }
        }
        else if (value is JsonArray array)
        {
            if (schema.TryGetProperty("minItems", out var minItems) && array.Count < minItems.GetInt32())
            {
                errors.Add(Invalid(path, value, $"should have at least {minItems.GetInt32()} items"));
            }

            if (schema.TryGetProperty("maxItems", out var maxItems) && array.Count > maxItems.GetInt32())
            {
                errors.Add(new(FieldErrorKind.Invalid, path, $"Too many: {array.Count}: must have at most {maxItems.GetInt32()} items"));
            }
        }
    }

    private static FieldError Invalid(string path, JsonNode value, string rule) =>
        new(FieldErrorKind.Invalid, path, string.Create(CultureInfo.InvariantCulture, $"Invalid value: {Short(value)}: {path} in body {rule}"));

    private static string Short(JsonNode value) => value is JsonArray ? "\"array\"" : value.ToJsonString();
}
