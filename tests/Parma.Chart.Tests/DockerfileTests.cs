using System.Text.RegularExpressions;
using System.Xml.Linq;
using Parma.Testing;

namespace Parma.Chart.Tests;

/// <summary>
/// The Dockerfiles are not built here (no container daemon in CI), so this checks what breaks them
/// silently: the published project exists, every project it references is inside the copied
/// folders, the entrypoint names the assembly the project produces, and the image runs as non-root.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string> Images => new()
    {
        { "operator/Dockerfile", "aspnet" },
        { "webhook/Dockerfile", "aspnet" },
        { "key-release/Dockerfile", "aspnet" },
        { "guest-agent/Dockerfile", "runtime-deps" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void Dockerfile_publishes_an_existing_project_and_runs_its_assembly(string dockerfile, string runtimeImage)
    {
        var text = File.ReadAllText(RepoPaths.InRepo(dockerfile));
        var from = FromLine().Matches(text).Select(m => m.Groups[1].Value).ToList();
        from.Should().Equal("mcr.microsoft.com/dotnet/sdk:10.0", $"mcr.microsoft.com/dotnet/{runtimeImage}:10.0");

        var project = PublishLine().Match(text).Groups[1].Value;
        File.Exists(RepoPaths.InRepo(project)).Should().BeTrue($"{dockerfile} publishes {project}");

        var copied = CopyLine().Matches(text).Select(m => m.Groups[1].Value.TrimEnd('/')).ToHashSet();
        foreach (var referenced in ProjectClosure(RepoPaths.InRepo(project)))
        {
            var relative = Path.GetRelativePath(RepoPaths.Root, referenced).Replace('\\', '/');
            copied.Should().Contain(relative.Split('/')[0], $"{dockerfile} must copy {relative} into the build stage");
        }

        var assembly = AssemblyName(RepoPaths.InRepo(project));
        var entrypoint = EntrypointLine().Match(text).Groups[1].Value;
        if (runtimeImage == "aspnet")
        {
            entrypoint.Should().Be($"\"dotnet\", \"{assembly}.dll\"");
        }
        else
        {
            text.Should().Contain($"mv /out/{assembly} /out/parma-guest-agent", "the single-file executable is named after the assembly");
            entrypoint.Should().Be("\"/usr/local/bin/parma-guest-agent\"");
        }

        UserLine().Match(text).Groups[1].Value.Should().Be("1654:1654", "the chart's runAsUser/runAsGroup and runAsNonRoot need a numeric non-root user");
    }

    [Fact]
    public void Chart_runs_the_images_as_the_user_the_dockerfiles_declare()
    {
        var values = File.ReadAllText(Path.Combine(Helm.ChartDirectory, "values.yaml"));
        values.Should().Contain("runAsUser: 1654").And.Contain("runAsGroup: 1654");
    }

    [Fact]
    public void Build_context_excludes_build_outputs_and_the_tools_folder()
    {
        var ignored = File.ReadAllLines(RepoPaths.InRepo(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        ignored.Should().Contain(["**/bin", "**/obj", ".tools", ".git"]);
        foreach (var dockerfile in Images.Select(row => (string)row[0]))
        {
            foreach (Match copy in CopyLine().Matches(File.ReadAllText(RepoPaths.InRepo(dockerfile))))
            {
                ignored.Should().NotContain(copy.Groups[1].Value.TrimEnd('/'), $"{dockerfile} copies it");
            }
        }
    }

    /// <summary>The project and every project it references, transitively.</summary>
    private static IReadOnlySet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (var reference in XDocument.Load(current).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
            }
        }

        return seen;
    }

    private static string AssemblyName(string project) =>
        XDocument.Load(project).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(project);

    [GeneratedRegex(@"^FROM\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"dotnet publish\s+(\S+\.csproj)")]
    private static partial Regex PublishLine();

    [GeneratedRegex(@"^COPY\s+(?!--from)(\S+)\s+\S+\s*$", RegexOptions.Multiline)]
    private static partial Regex CopyLine();

    [GeneratedRegex(@"^ENTRYPOINT\s+\[(.*)\]\s*$", RegexOptions.Multiline)]
    private static partial Regex EntrypointLine();

    [GeneratedRegex(@"^USER\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex UserLine();
}
