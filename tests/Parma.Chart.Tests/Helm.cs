using Parma.Testing;

namespace Parma.Chart.Tests;

/// <summary>Runs the helm binary scripts/setup.sh installs into .tools/, isolated from the user's helm configuration.</summary>
public static class Helm
{
    public static string ChartDirectory => RepoPaths.InRepo("charts", "parma-operator");

    public static string ValuesFile(string name) => Path.Combine(ChartDirectory, "ci", name);

    private static readonly Lazy<string> Home = new(() => Directory.CreateTempSubdirectory("parma-helm-").FullName);

    public static async Task<ProcessResult> RunAsync(params string[] arguments)
    {
        var helm = RepoPaths.InRepo(".tools", "helm");
        if (!File.Exists(helm))
        {
            throw new FileNotFoundException($"{helm} is missing; run scripts/setup.sh (it installs helm 3.18 into .tools/).");
        }

        var environment = new Dictionary<string, string?>
        {
            ["HELM_CACHE_HOME"] = Path.Combine(Home.Value, "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(Home.Value, "config"),
            ["HELM_DATA_HOME"] = Path.Combine(Home.Value, "data"),
            ["KUBECONFIG"] = Path.Combine(Home.Value, "no-cluster"),
        };
        return await ProcessRunner.RunAsync(helm, arguments, environment: environment, timeout: TimeSpan.FromMinutes(1));
    }

    /// <summary>`helm template` of the chart as release "parma-operator" (so object names are parma-operator-<component>) in <paramref name="releaseNamespace"/>.</summary>
    public static async Task<RenderedChart> TemplateAsync(string releaseNamespace = "parma-system", params string[] extraArguments)
    {
        var result = await RunAsync(["template", "parma-operator", ChartDirectory, "--namespace", releaseNamespace, .. extraArguments]);
        result.EnsureSuccess("helm template " + string.Join(' ', extraArguments));
        return new RenderedChart(result.StandardOutput, releaseNamespace);
    }

    /// <summary>
    /// NOTES.txt as `helm install` would print it for release "parma-operator" in parma-system (helm template skips NOTES,
    /// so a copy of the chart renders the real NOTES.txt text through tpl with the real values).
    /// </summary>
    public static async Task<string> RenderNotesAsync(params string[] extraArguments)
    {
        var copy = Directory.CreateTempSubdirectory("parma-notes-").FullName;
        try
        {
            CopyDirectory(ChartDirectory, copy);
            File.Copy(Path.Combine(copy, "templates", "NOTES.txt"), Path.Combine(copy, "rendered-notes.txt"));
            await File.WriteAllTextAsync(Path.Combine(copy, "templates", "notes-probe.yaml"), "notes: {{ tpl (.Files.Get \"rendered-notes.txt\") . | toJson }}\n");
            var result = await RunAsync(["template", "parma-operator", copy, "--namespace", "parma-system", "--show-only", "templates/notes-probe.yaml", .. extraArguments]);
            result.EnsureSuccess("helm template (NOTES.txt) " + string.Join(' ', extraArguments));
            var line = result.StandardOutput.Split('\n').Single(l => l.StartsWith("notes: ", StringComparison.Ordinal));
            return System.Text.Json.JsonSerializer.Deserialize<string>(line["notes: ".Length..])!;
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        foreach (var directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        }

        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
        }
    }
}
