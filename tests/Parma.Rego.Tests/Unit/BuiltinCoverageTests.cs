using Parma.Testing;

namespace Parma.Rego.Tests.Unit;

/// <summary>
/// Every builtin in OPA's capabilities document (testdata/opa-builtins.txt, names only) is either implemented, a form of
/// the language, or excluded on purpose with a reason that lib/Parma.Rego/README.md repeats.
/// </summary>
public sealed class BuiltinCoverageTests
{
    private static readonly string[] OpaNames = File.ReadAllLines(RepoPaths.InRepo("tests", "Parma.Rego.Tests", "testdata", "opa-builtins.txt"))
        .Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    [Fact]
    public void Every_opa_builtin_is_implemented_or_excluded_with_a_reason()
    {
        OpaNames.Should().HaveCountGreaterThan(150, "the list is OPA's whole builtin set");
        var missing = OpaNames
            .Where(n => !RegoBuiltins.Implemented.Contains(n) && !RegoBuiltins.LanguageForms.ContainsKey(n) && !RegoBuiltins.Excluded.ContainsKey(n))
            .ToList();
        missing.Should().BeEmpty("each OPA builtin must be implemented or listed in RegoBuiltins.Excluded with a reason");
    }

    [Fact]
    public void Exclusions_are_real_opa_builtins_not_implemented_and_have_reasons()
    {
        foreach (var (name, reason) in RegoBuiltins.Excluded)
        {
            OpaNames.Should().Contain(name, "an exclusion names an OPA builtin");
            RegoBuiltins.Implemented.Should().NotContain(name, $"{name} is implemented, so it is not excluded");
            reason.Should().NotBeNullOrWhiteSpace();
        }
    }

    [Fact]
    public void Every_implemented_builtin_is_an_opa_builtin()
    {
        RegoBuiltins.Implemented.Except(OpaNames).Should().BeEmpty("the engine adds no builtins of its own");
    }

    [Fact]
    public void The_readme_lists_every_exclusion()
    {
        var readme = File.ReadAllText(RepoPaths.InRepo("lib", "Parma.Rego", "README.md"));
        foreach (var name in RegoBuiltins.Excluded.Keys)
        {
            readme.Should().Contain($"`{name}`", "README.md documents what is left out and why");
        }
    }
}
