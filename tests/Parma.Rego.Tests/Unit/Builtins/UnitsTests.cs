using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("\"0\"", "0")]
    [InlineData("\".0\"", "0")]
    [InlineData("\"12345\"", "12345")]
    [InlineData("\"10K\"", "10000")]
    [InlineData("\"10k\"", "10000")]
    [InlineData("\"10Ki\"", "10240")]
    [InlineData("\"10KI\"", "10240")]
    [InlineData("\"200M\"", "200000000")]
    [InlineData("\"100Mi\"", "104857600")]
    [InlineData("\"100mi\"", "104857600")]
    [InlineData("\"300Gi\"", "322122547200")]
    [InlineData("\"1.1K\"", "1100")]
    [InlineData("\"1.1Ki\"", "1126.4")]
    [InlineData("\".5K\"", "500")]
    [InlineData("\"100m\"", "0.1")]
    [InlineData("\"10Ei\"", "11529215046068469760")]
    [InlineData("\"10e\"", "10000000000000000000")]
    [InlineData("\"5E\"", "5000000000000000000")]
    [InlineData("\"1e10\"", "10000000000")]
    [InlineData("\"2.5e3K\"", "2500000")]
    [InlineData("\"1e-2\"", "0.01")]
    [InlineData("\"-3.5E2m\"", "-0.35")]
    [InlineData("\"\\\"100TI\\\"\"", "109951162777600")]
    public void Parse_reads_si_and_iec_suffixes_with_m_as_milli(string argument, string expected)
    {
        Is($"units.parse({argument})", expected);
    }

    [Fact]
    public void Parse_keeps_integers_exact()
    {
        Is("json.marshal(units.parse(\"1G\"))", "\"1000000000\"");
    }

    [Theory]
    [InlineData("\"12345\"", "12345")]
    [InlineData("\"10KB\"", "10000")]
    [InlineData("\"10kib\"", "10240")]
    [InlineData("\"100m\"", "100000000")]
    [InlineData("\"200mb\"", "200000000")]
    [InlineData("\"300GiB\"", "322122547200")]
    [InlineData("\"1.1KiB\"", "1126")]
    [InlineData("\"1e-2KB\"", "10")]
    [InlineData("\"4.5e1GiB\"", "48318382080")]
    [InlineData("\"10eib\"", "11529215046068469760")]
    public void Parse_bytes_is_case_insensitive_and_rounds_down_to_whole_bytes(string argument, string expected)
    {
        Is($"units.parse_bytes({argument})", expected);
    }

    [Theory]
    [InlineData("units.parse(\"\")", "units.parse: no amount provided")]
    [InlineData("units.parse(\"G\")", "units.parse: no amount provided")]
    [InlineData("units.parse(\"0.0.0\")", "units.parse: could not parse amount to a number")]
    [InlineData("units.parse(\"100 k\")", "units.parse: spaces not allowed in resource strings")]
    [InlineData("units.parse(\"10e10000000Ei\")", "units.parse: exponent too large")]
    [InlineData("units.parse(\"10Q\")", "units.parse: unit Q not recognized")]
    [InlineData("units.parse_bytes(\"foo\")", "units.parse_bytes: no byte amount provided")]
    [InlineData("units.parse_bytes(\".5.2\")", "units.parse_bytes: could not parse byte amount to a number")]
    [InlineData("units.parse_bytes(\" 327MiB \")", "units.parse_bytes: spaces not allowed in resource strings")]
    [InlineData("units.parse_bytes(\"10e10000000EiB\")", "units.parse_bytes: exponent too large")]
    [InlineData("units.parse_bytes(\"5XB\")", "units.parse_bytes: byte unit XB not recognized")]
    public void Bad_amounts_are_builtin_errors(string expression, string message)
    {
        Fails(expression).Message.Should().Contain(message);
    }

    [Fact]
    public void A_non_string_is_a_type_error()
    {
        Fails("units.parse(input.n)", "eval_type_error", """{"n": 1}""").Message.Should().Contain("operand 1 must be string");
    }
}
