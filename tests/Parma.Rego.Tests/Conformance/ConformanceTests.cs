namespace Parma.Rego.Tests.Conformance;

public sealed class ConformanceTests
{
    private static readonly Lazy<Dictionary<string, ConformanceCase>> ByName = new(() =>
    {
        var byName = new Dictionary<string, ConformanceCase>(StringComparer.Ordinal);
        foreach (var c in ConformanceCases.All)
        {
            var name = c.Note;
            for (var n = 2; byName.ContainsKey(name); n++)
            {
                name = $"{c.Note} #{n}";
            }

            byName[name] = c;
        }

        return byName;
    });

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in ByName.Value.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Case(string note)
    {
        var c = ByName.Value[note];
        var failure = ConformanceRunner.Run(c);
        if (KnownFailures.Cases.TryGetValue(note, out var reason))
        {
            failure.Should().NotBeNull($"'{note}' is listed as a known failure ({reason}) but now passes: remove it from KnownFailures and README.md");
            return;
        }

        failure.Should().BeNull($"{c.File}: {c.Query}");
    }

    [Fact]
    public void All_case_files_are_found()
    {
        ConformanceCases.All.Count.Should().BeGreaterThan(700);
    }
}
