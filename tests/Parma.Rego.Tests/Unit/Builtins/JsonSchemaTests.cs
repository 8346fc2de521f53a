using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class JsonSchemaTests
{
    private const string Schema = """
        {"type": "object", "required": ["name", "age"], "additionalProperties": false,
         "properties": {"name": {"type": "string", "minLength": 2, "pattern": "^[a-z]+$"},
                        "age": {"type": "integer", "minimum": 0, "maximum": 150},
                        "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "uniqueItems": true},
                        "ref": {"$ref": "#/definitions/positive"}},
         "definitions": {"positive": {"type": "number", "exclusiveMinimum": 0}}}
        """;

    private static Value Match(string document) => Eval($"json.match_schema({document}, {Schema})")!;

    [Fact]
    public void A_matching_document_has_no_errors()
    {
        Match("""{"name": "alice", "age": 30, "tags": ["a", "b"], "ref": 1.5}""").Should().Be(Value.FromJson("[true, []]"));
        Match(Value.Quote("""{"name": "alice", "age": 30}""")).Should().Be(Value.FromJson("[true, []]"));
    }

    [Theory]
    [InlineData("""{"age": 30}""", "required", "(root)", "name is required")]
    [InlineData("""{"name": 5, "age": 30}""", "invalid_type", "name", "Invalid type. Expected: string, given: integer")]
    [InlineData("""{"name": "a", "age": 30}""", "string_gte", "name", "String length must be greater than or equal to 2")]
    [InlineData("""{"name": "Al", "age": 30}""", "pattern", "name", "Does not match pattern '^[a-z]+$'")]
    [InlineData("""{"name": "al", "age": -1}""", "number_gte", "age", "Must be greater than or equal to 0")]
    [InlineData("""{"name": "al", "age": 1.5}""", "invalid_type", "age", "Invalid type. Expected: integer, given: number")]
    [InlineData("""{"name": "al", "age": 1, "x": 1}""", "additional_property_not_allowed", "(root)", "Additional property x is not allowed")]
    [InlineData("""{"name": "al", "age": 1, "tags": ["c"]}""", "enum", "tags.0", "tags.0 must be one of the following: \"a\", \"b\"")]
    [InlineData("""{"name": "al", "age": 1, "tags": ["a", "a"]}""", "unique", "tags", "array items[0,1] must be unique")]
    [InlineData("""{"name": "al", "age": 1, "ref": 0}""", "number_gt", "ref", "Must be greater than 0")]
    public void Each_violation_is_reported_with_type_field_and_description(string document, string type, string field, string desc)
    {
        var result = (ArrayValue)Match(document);
        result.Elements[0].Should().Be(Value.False);
        ((ArrayValue)result.Elements[1]).Elements.Should().ContainSingle().Which.Should().Be(Value.Object(new KeyValuePair<string, Value>[]
        {
            new("error", Value.String($"{field}: {desc}")), new("type", Value.String(type)), new("field", Value.String(field)), new("desc", Value.String(desc)),
        }));
    }

    [Fact]
    public void Combinators_apply()
    {
        Is("""json.match_schema(3, {"anyOf": [{"type": "string"}, {"minimum": 2}]})[0]""", "true");
        Is("""json.match_schema(1, {"anyOf": [{"type": "string"}, {"minimum": 2}]})[0]""", "false");
        Is("""json.match_schema(5, {"oneOf": [{"minimum": 2}, {"maximum": 9}]})[0]""", "false");
        Is("""json.match_schema("\"x\"", {"not": {"type": "string"}})[0]""", "false");
        Is("""json.match_schema([1, "a"], {"type": "array", "items": [{"type": "integer"}, {"type": "string"}], "additionalItems": false})[0]""", "true");
    }

    [Fact]
    public void Verify_schema_checks_the_schema_itself()
    {
        Is($"json.verify_schema({Schema})", "[true, null]");
        Is("""json.verify_schema("{\"type\": \"string\"}")""", "[true, null]");
        var bad = (ArrayValue)Eval("""json.verify_schema({"type": "strin"})""")!;
        bad.Elements[0].Should().Be(Value.False);
        bad.Elements[1].Should().BeOfType<StringValue>().Which.Text.Should().Contain("strin is not a valid type");
        Is("""json.verify_schema({"properties": {"a": {"minLength": -1}}})[0]""", "false");
        Fails("json.verify_schema(\"{not json\")").Message.Should().Contain("invalid JSON");
        Fails("json.verify_schema(1)", "eval_type_error");
        Fails("""json.match_schema({}, {"type": 5})""").Message.Should().Contain("schema is not valid");
    }
}
