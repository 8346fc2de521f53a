using System.Globalization;
using System.Numerics;

namespace Parma.Rego.Builtins;

/// <summary>
/// json.verify_schema and json.match_schema: JSON Schema (draft 4 to 7 keywords) with errors shaped like OPA's
/// (gojsonschema's error type, field path relative to the root, and description).
/// </summary>
internal static class JsonSchema
{
    private static readonly HashSet<string> TypeNames = ["null", "boolean", "object", "array", "number", "string", "integer"];

    public static void Register(Registrar add)
    {
        add("json.verify_schema", 1, a =>
        {
            var schema = SchemaValue("json.verify_schema", a, 0);
            var problem = Check(schema, "(root)");
            return Value.Array(Value.Bool(problem is null), problem is null ? Value.Null : Value.String(problem));
        });
        add("json.match_schema", 2, a =>
        {
            var document = a[0] is StringValue s ? Parse("json.match_schema", s.Text) : a[0];
            var schema = SchemaValue("json.match_schema", a, 1);
            if (Check(schema, "(root)") is { } problem)
            {
                throw Args.Error("json.match_schema", $"schema is not valid: {problem}");
            }

            var errors = new List<Value>();
            new Validator(schema).Validate(document, schema, "(root)", errors, 0);
            return Value.Array(Value.Bool(errors.Count == 0), Value.Array(errors));
        });
    }

    private static Value SchemaValue(string name, Value[] a, int i) => a[i] switch
    {
        StringValue s => Parse(name, s.Text),
        ObjectValue or BooleanValue => a[i],
        _ => throw Args.TypeError(name, i + 1, "one of {string, object}", a[i]),
    };

    private static Value Parse(string name, string text)
    {
        try
        {
            return Value.FromJson(text);
        }
        catch (RegoException e)
        {
            throw Args.Error(name, $"invalid JSON: {e.Detail}");
        }
    }

    /// <summary>The first structural problem of a schema, or null when it is a valid schema.</summary>
    private static string? Check(Value schema, string path)
    {
        if (schema is BooleanValue)
        {
            return null;
        }

        if (schema is not ObjectValue o)
        {
            return $"{path}: Invalid type. Expected: object, given: {TypeOf(schema)}";
        }

        foreach (var (keyValue, value) in o.Pairs.Select(p => (p.Key, p.Value)))
        {
            var key = keyValue is StringValue ks ? ks.Text : string.Empty;
            var at = $"{path}.{key}";
            string? problem = key switch
            {
                "type" => value switch
                {
                    StringValue t => TypeNames.Contains(t.Text) ? null : $"{at}: {t.Text} is not a valid type",
                    ArrayValue arr => arr.Items.All(v => v is StringValue t && TypeNames.Contains(t.Text)) ? null : $"{at}: Invalid type array",
                    _ => $"{at}: Invalid type. Expected: string or array, given: {TypeOf(value)}",
                },
                "properties" or "patternProperties" or "definitions" or "$defs" or "dependencies" => value is ObjectValue sub
                    ? sub.Pairs.Select(p => p.Value is ArrayValue && key == "dependencies" ? null : Check(p.Value, $"{at}.{(p.Key as StringValue)?.Text}")).FirstOrDefault(x => x is not null)
                    : $"{at}: Invalid type. Expected: object, given: {TypeOf(value)}",
                "items" => value is ArrayValue items ? items.Items.Select((v, n) => Check(v, $"{at}.{n}")).FirstOrDefault(x => x is not null) : Check(value, at),
                "additionalProperties" or "additionalItems" or "not" or "contains" or "propertyNames" or "if" or "then" or "else" => Check(value, at),
                "allOf" or "anyOf" or "oneOf" => value is ArrayValue { Items.Length: > 0 } list
                    ? list.Items.Select((v, n) => Check(v, $"{at}.{n}")).FirstOrDefault(x => x is not null)
                    : $"{at}: Invalid type. Expected: non-empty array, given: {TypeOf(value)}",
                "required" => value is ArrayValue req && req.Items.All(v => v is StringValue) ? null : $"{at}: Invalid type. Expected: array of strings, given: {TypeOf(value)}",
                "enum" => value is ArrayValue ? null : $"{at}: Invalid type. Expected: array, given: {TypeOf(value)}",
                "minimum" or "maximum" or "multipleOf" => value is NumberValue ? null : $"{at}: Invalid type. Expected: number, given: {TypeOf(value)}",
                "exclusiveMinimum" or "exclusiveMaximum" => value is NumberValue or BooleanValue ? null : $"{at}: Invalid type. Expected: number or boolean, given: {TypeOf(value)}",
                "minLength" or "maxLength" or "minItems" or "maxItems" or "minProperties" or "maxProperties" => value is NumberValue { IsInteger: true } n && n.Integer >= 0 ? null : $"{at}: Invalid type. Expected: non-negative integer, given: {TypeOf(value)}",
                "pattern" => value is StringValue p ? (TryPattern(p.Text) ? null : $"{at}: invalid regular expression {p.Text}") : $"{at}: Invalid type. Expected: string, given: {TypeOf(value)}",
                "uniqueItems" => value is BooleanValue ? null : $"{at}: Invalid type. Expected: boolean, given: {TypeOf(value)}",
                _ => null,
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static bool TryPattern(string pattern)
    {
        try
        {
            Re2.Get("json.match_schema", pattern);
            return true;
        }
        catch (RegoException)
        {
            return false;
        }
    }

    private static string TypeOf(Value v) => v switch
    {
        NullValue => "null",
        BooleanValue => "boolean",
        NumberValue n => n.IsInteger ? "integer" : "number",
        StringValue => "string",
        ArrayValue => "array",
        _ => "object",
    };

    private sealed class Validator(Value root)
    {
        private const int MaxDepth = 256;

        public void Validate(Value doc, Value schema, string path, List<Value> errors, int depth)
        {
            if (depth > MaxDepth)
            {
                throw Args.Error("json.match_schema", "schema recursion too deep");
            }

            switch (schema)
            {
                case BooleanValue { BoolValue: true }:
                    return;
                case BooleanValue:
                    Error(errors, "false", path, "False always fails validation");
                    return;
                case not ObjectValue:
                    return;
            }

            var s = (ObjectValue)schema;
            if (s["$ref"] is StringValue reference)
            {
                Validate(doc, Resolve(reference.Text), path, errors, depth + 1);
                return;
            }

            if (s["type"] is { } type && !TypeMatches(doc, type))
            {
                var expected = type is ArrayValue list ? string.Join(",", list.Items.Select(t => ((StringValue)t).Text)) : ((StringValue)type).Text;
                Error(errors, "invalid_type", path, $"Invalid type. Expected: {expected}, given: {TypeOf(doc)}");
                return;
            }

            if (s["enum"] is ArrayValue allowed && !allowed.Items.Contains(doc))
            {
                Error(errors, "enum", path, $"{Field(path)} must be one of the following: {string.Join(", ", allowed.Items.Select(v => v.ToJson()))}");
            }

            if (s["const"] is { } constant && !constant.Equals(doc))
            {
                Error(errors, "const", path, $"{Field(path)} does not match: {constant.ToJson()}");
            }

            switch (doc)
            {
                case NumberValue n:
                    Numbers(n, s, path, errors);
                    break;
                case StringValue str:
                    Strings(str.Text, s, path, errors);
                    break;
                case ArrayValue arr:
                    Arrays(arr, s, path, errors, depth);
                    break;
                case ObjectValue obj:
                    Objects(obj, s, path, errors, depth);
                    break;
            }

            Combinators(doc, s, path, errors, depth);
        }

        private Value Resolve(string reference)
        {
            if (reference == "#")
            {
                return root;
            }

            if (!reference.StartsWith("#/", StringComparison.Ordinal))
            {
                throw Args.Error("json.match_schema", $"unsupported $ref {reference}: only references within the schema are resolved");
            }

            Value current = root;
            foreach (var part in reference[2..].Split('/'))
            {
                var key = Uri.UnescapeDataString(part).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                current = current[key] ?? throw Args.Error("json.match_schema", $"$ref {reference} does not resolve");
            }

            return current;
        }

        private static bool TypeMatches(Value doc, Value type) => type switch
        {
            StringValue t => Is(doc, t.Text),
            ArrayValue list => list.Items.Any(t => t is StringValue ts && Is(doc, ts.Text)),
            _ => true,
        };

        private static bool Is(Value doc, string type) => type switch
        {
            "integer" => doc is NumberValue { IsInteger: true },
            "number" => doc is NumberValue,
            _ => TypeOf(doc) == type || (type == "number" && doc is NumberValue),
        };

        private static void Numbers(NumberValue n, ObjectValue s, string path, List<Value> errors)
        {
            if (s["minimum"] is NumberValue min)
            {
                var exclusive = s["exclusiveMinimum"] is BooleanValue { BoolValue: true };
                if (exclusive ? n.CompareTo(min) <= 0 : n.CompareTo(min) < 0)
                {
                    Error(errors, exclusive ? "number_gt" : "number_gte", path, $"Must be greater than {(exclusive ? string.Empty : "or equal to ")}{min.ToText()}");
                }
            }

            if (s["exclusiveMinimum"] is NumberValue xmin && n.CompareTo(xmin) <= 0)
            {
                Error(errors, "number_gt", path, $"Must be greater than {xmin.ToText()}");
            }

            if (s["maximum"] is NumberValue max)
            {
                var exclusive = s["exclusiveMaximum"] is BooleanValue { BoolValue: true };
                if (exclusive ? n.CompareTo(max) >= 0 : n.CompareTo(max) > 0)
                {
                    Error(errors, exclusive ? "number_lt" : "number_lte", path, $"Must be less than {(exclusive ? string.Empty : "or equal to ")}{max.ToText()}");
                }
            }

            if (s["exclusiveMaximum"] is NumberValue xmax && n.CompareTo(xmax) >= 0)
            {
                Error(errors, "number_lt", path, $"Must be less than {xmax.ToText()}");
            }

            if (s["multipleOf"] is NumberValue m && !IsMultiple(n, m))
            {
                Error(errors, "multiple_of", path, $"Must be a multiple of {m.ToText()}");
            }
        }

        private static bool IsMultiple(NumberValue n, NumberValue m)
        {
            if (n.IsInteger && m.IsInteger)
            {
                return m.Integer.IsZero || BigInteger.Remainder(n.Integer, m.Integer).IsZero;
            }

            var q = n.AsDouble / m.AsDouble;
            return Math.Abs(q - Math.Round(q)) < 1e-9;
        }

        private static void Strings(string text, ObjectValue s, string path, List<Value> errors)
        {
            var length = text.EnumerateRunes().Count();
            if (s["minLength"] is NumberValue min && length < min.AsDouble)
            {
                Error(errors, "string_gte", path, $"String length must be greater than or equal to {min.ToText()}");
            }

            if (s["maxLength"] is NumberValue max && length > max.AsDouble)
            {
                Error(errors, "string_lte", path, $"String length must be less than or equal to {max.ToText()}");
            }

            if (s["pattern"] is StringValue pattern && !Re2.Get("json.match_schema", pattern.Text).Regex.IsMatch(text))
            {
                Error(errors, "pattern", path, $"Does not match pattern '{pattern.Text}'");
            }
        }

        private void Arrays(ArrayValue arr, ObjectValue s, string path, List<Value> errors, int depth)
        {
            if (s["minItems"] is NumberValue min && arr.Items.Length < min.AsDouble)
            {
                Error(errors, "array_min_items", path, $"Array must have at least {min.ToText()} items");
            }

            if (s["maxItems"] is NumberValue max && arr.Items.Length > max.AsDouble)
            {
                Error(errors, "array_max_items", path, $"Array must have at most {max.ToText()} items");
            }

            if (s["uniqueItems"] is BooleanValue { BoolValue: true })
            {
                for (var i = 0; i < arr.Items.Length; i++)
                {
                    for (var j = i + 1; j < arr.Items.Length; j++)
                    {
                        if (arr.Items[i].Equals(arr.Items[j]))
                        {
                            Error(errors, "unique", path, $"array items[{i},{j}] must be unique");
                        }
                    }
                }
            }

            switch (s["items"])
            {
                case ArrayValue tuple:
                    for (var i = 0; i < arr.Items.Length; i++)
                    {
                        if (i < tuple.Items.Length)
                        {
                            Validate(arr.Items[i], tuple.Items[i], $"{path}.{i}", errors, depth + 1);
                        }
                        else if (s["additionalItems"] is BooleanValue { BoolValue: false })
                        {
                            Error(errors, "array_no_additional_items", path, "No additional items allowed on array");
                            break;
                        }
                        else if (s["additionalItems"] is ObjectValue extra)
                        {
                            Validate(arr.Items[i], extra, $"{path}.{i}", errors, depth + 1);
                        }
                    }

                    break;
                case { } items:
                    for (var i = 0; i < arr.Items.Length; i++)
                    {
                        Validate(arr.Items[i], items, $"{path}.{i}", errors, depth + 1);
                    }

                    break;
            }

            if (s["contains"] is { } contains && !arr.Items.Any(item => Passes(item, contains, path, depth)))
            {
                Error(errors, "contains", path, "At least one of the items must match");
            }
        }

        private void Objects(ObjectValue obj, ObjectValue s, string path, List<Value> errors, int depth)
        {
            if (s["required"] is ArrayValue required)
            {
                foreach (var name in required.Items.OfType<StringValue>())
                {
                    if (obj[name] is null)
                    {
                        Error(errors, "required", path, $"{name.Text} is required");
                    }
                }
            }

            if (s["minProperties"] is NumberValue min && obj.Count < min.AsDouble)
            {
                Error(errors, "array_min_properties", path, $"Must have at least {min.ToText()} properties");
            }

            if (s["maxProperties"] is NumberValue max && obj.Count > max.AsDouble)
            {
                Error(errors, "array_max_properties", path, $"Must have at most {max.ToText()} properties");
            }

            var properties = s["properties"] as ObjectValue;
            var patterns = s["patternProperties"] as ObjectValue;
            foreach (var (keyValue, value) in obj.Pairs.Select(p => (p.Key, p.Value)))
            {
                var key = keyValue is StringValue ks ? ks.Text : keyValue.ToJson();
                var matched = false;
                if (properties?[keyValue] is { } propertySchema)
                {
                    matched = true;
                    Validate(value, propertySchema, $"{path}.{key}", errors, depth + 1);
                }

                foreach (var (pattern, patternSchema) in patterns?.Pairs.Select(p => (((StringValue)p.Key).Text, p.Value)) ?? [])
                {
                    if (Re2.Get("json.match_schema", pattern).Regex.IsMatch(key))
                    {
                        matched = true;
                        Validate(value, patternSchema, $"{path}.{key}", errors, depth + 1);
                    }
                }

                if (!matched)
                {
                    switch (s["additionalProperties"])
                    {
                        case BooleanValue { BoolValue: false }:
                            Error(errors, "additional_property_not_allowed", path, $"Additional property {key} is not allowed");
                            break;
                        case ObjectValue extra:
                            Validate(value, extra, $"{path}.{key}", errors, depth + 1);
                            break;
                    }
                }

                if (s["propertyNames"] is { } names && !Passes(keyValue, names, path, depth))
                {
                    Error(errors, "invalid_property_name", path, $"Property \"{key}\" does not match the schema");
                }
            }

            if (s["dependencies"] is ObjectValue dependencies)
            {
                foreach (var (keyValue, dependency) in dependencies.Pairs.Select(p => (p.Key, p.Value)))
                {
                    if (obj[keyValue] is null)
                    {
                        continue;
                    }

                    if (dependency is ArrayValue needed)
                    {
                        foreach (var name in needed.Items.OfType<StringValue>().Where(n => obj[n] is null))
                        {
                            Error(errors, "missing_dependency", path, $"Has a dependency on {name.Text}");
                        }
                    }
                    else
                    {
                        Validate(obj, dependency, path, errors, depth + 1);
                    }
                }
            }
        }

        private void Combinators(Value doc, ObjectValue s, string path, List<Value> errors, int depth)
        {
            if (s["allOf"] is ArrayValue all && !all.Items.All(sub => Passes(doc, sub, path, depth)))
            {
                foreach (var sub in all.Items)
                {
                    Validate(doc, sub, path, errors, depth + 1);
                }

                Error(errors, "number_all_of", path, "Must validate all the schemas (allOf)");
            }

            if (s["anyOf"] is ArrayValue any && !any.Items.Any(sub => Passes(doc, sub, path, depth)))
            {
                Error(errors, "number_any_of", path, "Must validate at least one schema (anyOf)");
            }

            if (s["oneOf"] is ArrayValue one && one.Items.Count(sub => Passes(doc, sub, path, depth)) != 1)
            {
                Error(errors, "number_one_of", path, "Must validate one and only one schema (oneOf)");
            }

            if (s["not"] is { } not && Passes(doc, not, path, depth))
            {
                Error(errors, "number_not", path, "Must not validate the schema (not)");
            }

            if (s["if"] is { } condition)
            {
                if (Passes(doc, condition, path, depth))
                {
                    if (s["then"] is { } then && !Passes(doc, then, path, depth))
                    {
                        Validate(doc, then, path, errors, depth + 1);
                        Error(errors, "condition_then", path, "Must validate \"then\" as \"if\" was valid");
                    }
                }
                else if (s["else"] is { } otherwise && !Passes(doc, otherwise, path, depth))
                {
                    Validate(doc, otherwise, path, errors, depth + 1);
                    Error(errors, "condition_else", path, "Must validate \"else\" as \"if\" was not valid");
                }
            }
        }

        private bool Passes(Value doc, Value schema, string path, int depth)
        {
            var errors = new List<Value>();
            Validate(doc, schema, path, errors, depth + 1);
            return errors.Count == 0;
        }

        private static string Field(string path) => path == "(root)" ? path : path["(root).".Length..];

        private static void Error(List<Value> errors, string type, string path, string description)
        {
            var field = Field(path);
            errors.Add(Value.Object(new KeyValuePair<string, Value>[]
            {
                new("error", Value.String($"{field}: {description}")),
                new("type", Value.String(type)),
                new("field", Value.String(field)),
                new("desc", Value.String(description)),
            }));
        }
    }
}
