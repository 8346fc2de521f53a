using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class MiscBuiltinTests
{
    [Theory]
    [InlineData("urn:foo:{.*}", "urn:foo:bar:baz", true)]
    [InlineData("urn:foo:{.*}", "urn:bar:baz", false)]
    [InlineData("urn:foo.bar.com:{.*}", "urn:foo.bar.com:x", true)]
    [InlineData("urn:foo.bar.com:{.*}", "urn:fooxbarxcom:x", false)]
    [InlineData("id-{[0-9]{3}}", "id-123", true)]
    [InlineData("id-{[0-9]{3}}", "id-1234", false)]
    public void Template_match_treats_delimited_parts_as_regular_expressions(string template, string value, bool expected)
    {
        Eval($"regex.template_match({Value.Quote(template)}, {Value.Quote(value)}, \"{{\", \"}}\")").Should().Be(Value.Bool(expected));
    }

    [Fact]
    public void Template_match_rejects_unbalanced_delimiters_and_bad_patterns()
    {
        Fails("regex.template_match(\"a{b\", \"ab\", \"{\", \"}\")").Message.Should().Contain("unbalanced braces");
        Fails("regex.template_match(\"a{(}\", \"a\", \"{\", \"}\")");
        Fails("regex.template_match(\"a\", \"a\", \"{{\", \"}\")");
    }

    [Fact]
    public void Uuid_parse_reads_versions_and_time_based_fields()
    {
        Is("uuid.parse(\"00000000-0000-4000-8000-000000000000\")", """{"version": 4, "variant": "RFC4122"}""");
        Is("uuid.parse(\"{00000000-0000-4000-8000-000000000000}\")", """{"version": 4, "variant": "RFC4122"}""");
        // Version 1: 1970-01-01T00:00:00Z is 0x01b21dd213814000 intervals after 1582-10-15.
        Is("uuid.parse(\"13814000-1dd2-11b2-8123-0242ac120003\")",
            """{"version": 1, "variant": "RFC4122", "time": 0, "clocksequence": 291, "nodeid": "02-42-ac-12-00-03", "macvariables": "local:unicast"}""");
        Eval("uuid.parse(\"not-a-uuid\")").Should().BeNull();
        Fails("uuid.parse(1)", "eval_type_error");
    }
}
