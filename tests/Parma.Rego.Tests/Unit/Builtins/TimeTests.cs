using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class TimeTests
{
    private const long Day = 86_400_000_000_000;

    [Theory]
    [InlineData("time.parse_rfc3339_ns(\"1970-01-01T00:00:00Z\")", "0")]
    [InlineData("time.parse_rfc3339_ns(\"2017-06-02T19:00:00-07:00\")", "1496455200000000000")]
    [InlineData("time.parse_rfc3339_ns(\"1970-01-01T00:00:01.5Z\")", "1500000000")]
    [InlineData("time.parse_ns(\"2006-01-02\", \"1970-01-02\")", "86400000000000")]
    [InlineData("time.parse_ns(\"02 Jan 06 15:04 MST\", \"02 Jan 70 01:00 UTC\")", "90000000000000")]
    [InlineData("time.parse_ns(\"Mon Jan _2 15:04:05 2006\", \"Thu Jan  1 00:00:10 1970\")", "10000000000")]
    [InlineData("time.parse_ns(\"2006-01-02T15:04:05.000Z07:00\", \"1970-01-01T00:00:00.250+01:00\")", "-3599750000000")]
    [InlineData("time.parse_ns(\"RFC3339\", \"1970-01-01T00:00:00Z\")", "0")]
    [InlineData("time.parse_duration_ns(\"1h30m\")", "5400000000000")]
    [InlineData("time.parse_duration_ns(\"1.5s\")", "1500000000")]
    [InlineData("time.parse_duration_ns(\"-2ms\")", "-2000000")]
    [InlineData("time.parse_duration_ns(\"1us500ns\")", "1500")]
    [InlineData("time.parse_duration_ns(\"0\")", "0")]
    public void Parsing_follows_go_layouts_and_durations(string expression, string expected)
    {
        Is(expression, expected);
    }

    [Theory]
    [InlineData("time.format(0)", "1970-01-01T00:00:00Z")]
    [InlineData("time.format(1500000000)", "1970-01-01T00:00:01.5Z")]
    [InlineData("time.format([0, \"America/New_York\"])", "1969-12-31T19:00:00-05:00")]
    [InlineData("time.format([0, \"UTC\", \"Mon Jan _2 15:04:05 MST 2006\"])", "Thu Jan  1 00:00:00 UTC 1970")]
    [InlineData("time.format([1500000000, \"\", \"2006-01-02 03:04:05.000 PM\"])", "1970-01-01 12:00:01.500 AM")]
    [InlineData("time.format([0, \"Asia/Kolkata\", \"RFC1123Z\"])", "Thu, 01 Jan 1970 05:30:00 +0530")]
    [InlineData("time.weekday(0)", "Thursday")]
    public void Formatting_follows_go_layouts(string expression, string expected)
    {
        Eval(expression).Should().Be(Value.String(expected));
    }

    [Theory]
    [InlineData("time.date(0)", "[1970, 1, 1]")]
    [InlineData("time.date([0, \"America/New_York\"])", "[1969, 12, 31]")]
    [InlineData("time.clock(3661000000000)", "[1, 1, 1]")]
    [InlineData("time.add_date(0, 0, 1, 30)", "5270400000000000")]
    [InlineData("time.format(time.add_date(time.parse_rfc3339_ns(\"2021-10-31T10:00:00Z\"), 0, 1, 0))", "\"2021-12-01T10:00:00Z\"")]
    [InlineData("time.add_date(0, -1, 0, 0)", "-31536000000000000")]
    [InlineData("time.diff(0, 31539661000000000)", "[1, 0, 0, 1, 1, 1]")]
    [InlineData("time.diff(31539661000000000, 0)", "[1, 0, 0, 1, 1, 1]")]
    [InlineData("time.diff(time.parse_rfc3339_ns(\"2021-01-31T00:00:00Z\"), time.parse_rfc3339_ns(\"2021-03-01T00:00:00Z\"))", "[0, 1, 1, 0, 0, 0]")]
    public void Calendar_arithmetic_matches_go(string expression, string expected)
    {
        Is(expression, expected);
    }

    [Fact]
    public void Days_are_whole_days()
    {
        Is($"time.add_date(0, 0, 0, 1) == {Day}", "true");
    }

    [Theory]
    [InlineData("time.parse_rfc3339_ns(\"not a time\")", "eval_builtin_error")]
    [InlineData("time.parse_ns(\"2006-01-02\", \"1970-13-01\")", "eval_builtin_error")]
    [InlineData("time.parse_ns(\"2006-01-02\", \"1970-02-30\")", "eval_builtin_error")]
    [InlineData("time.parse_ns(\"2006-01-02\", \"1970-01-01 extra\")", "eval_builtin_error")]
    [InlineData("time.parse_duration_ns(\"1d\")", "eval_builtin_error")]
    [InlineData("time.parse_duration_ns(\"10\")", "eval_builtin_error")]
    [InlineData("time.date([0, \"Mars/Olympus\"])", "eval_builtin_error")]
    [InlineData("time.date([0])", "eval_builtin_error")]
    [InlineData("time.date(\"0\")", "eval_type_error")]
    [InlineData("time.add_date(0, 9000, 0, 0)", "eval_builtin_error")]
    public void Bad_input_is_an_error(string expression, string code)
    {
        Fails(expression, code);
    }
}
