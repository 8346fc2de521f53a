namespace Parma.Hosting.Tests;

public sealed class FlagReaderTests
{
    [Fact]
    public void Reads_separate_and_inline_values_and_skips_foreign_switches()
    {
        var reader = new FlagReader(["--port", "8443", "--settings=/etc/s.json", "--urls", "http://x", "--last"], m => new InvalidOperationException(m));
        var seen = new List<string>();
        while (reader.MoveNext())
        {
            switch (reader.Flag)
            {
                case "--urls": reader.SkipValue(); break;
                case "--last": seen.Add("last"); break;
                default: seen.Add($"{reader.Flag}={reader.Value()}"); break;
            }
        }

        seen.Should().Equal("--port=8443", "--settings=/etc/s.json", "last");
    }

    [Fact]
    public void A_flag_without_its_value_is_an_error_of_the_callers_type()
    {
        var reader = new FlagReader(["--port"], m => new InvalidOperationException(m));
        reader.MoveNext().Should().BeTrue();
        reader.Invoking(r => r.Value()).Should().Throw<InvalidOperationException>().WithMessage("--port needs a value.");
    }
}
