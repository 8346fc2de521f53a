using System.Reflection;
using System.Text.RegularExpressions;
using Parma.Testing;

namespace Parma.Chart.Tests;

/// <summary>The install and operations pages name what the chart and the code really have.</summary>
public sealed partial class DocumentationTests
{
    public static TheoryData<string> Pages => new()
    {
        "README.md", "docs/install.md", "docs/threat-model.md", "docs/attestation.md", "docs/operations.md",
        "docs/gitops.md", "docs/guest-image.md", "docs/architecture.md", "charts/parma-operator/README.md",
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public void Relative_links_point_at_existing_files(string page)
    {
        var path = RepoPaths.InRepo(page);
        foreach (Match link in Link().Matches(File.ReadAllText(path)))
        {
            var target = link.Groups[1].Value.Split('#')[0];
            File.Exists(Path.Combine(Path.GetDirectoryName(path)!, target)).Should().BeTrue($"{page} links to {target}");
        }
    }

    [Fact]
    public async Task Install_page_names_the_objects_the_chart_renders()
    {
        var text = File.ReadAllText(RepoPaths.InRepo("docs", "install.md"));
        var chart = await Helm.TemplateAsync();

        text.Should().Contain("helm install parma-operator charts/parma-operator --namespace parma-system --create-namespace");
        foreach (var deployment in chart.OfKind("Deployment"))
        {
            text.Should().Contain($"deploy/{RenderedChart.Name(deployment)}");
        }

        text.Should().Contain(RenderedChart.Name(chart.Single("ConfigMap")));
        text.Should().Contain(RenderedChart.Name(chart.Single("Secret")));
        var nodeLabel = chart.Single("RuntimeClass")["scheduling"]!["nodeSelector"]!.AsObject().Single();
        text.Should().Contain($"{nodeLabel.Key}={nodeLabel.Value!.GetValue<string>()}");
        foreach (var webhook in chart.OfKind("ValidatingWebhookConfiguration").Single()["webhooks"]!.AsArray())
        {
            var prefix = webhook!["name"]!.GetValue<string>().Split('.')[0];
            if (prefix.EndsWith("pods", StringComparison.Ordinal))
            {
                text.Should().Contain($"`{prefix}.*.parma.dev`");
            }
        }
    }

    [Fact]
    public void Operations_page_lists_the_metrics_the_code_exports()
    {
        var text = File.ReadAllText(RepoPaths.InRepo("docs", "operations.md"));
        var source = string.Concat(new[] { "operator", "webhook" }.SelectMany(dir =>
            Directory.EnumerateFiles(RepoPaths.InRepo(dir), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Select(File.ReadAllText)));
        var exported = MetricName().Matches(source).Select(m => m.Groups[1].Value).ToHashSet();
        var documented = MetricName().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();

        exported.Should().NotBeEmpty();
        documented.Should().BeEquivalentTo(exported, "every metric is documented and every documented metric exists");
    }

    [Fact]
    public void Operations_page_explains_every_webhook_denial_reason()
    {
        var text = File.ReadAllText(RepoPaths.InRepo("docs", "operations.md"));
        var reasons = typeof(Parma.Webhook.WebhookApp).Assembly.GetType("Parma.Webhook.Admission.DenialReasons")!
            .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!).ToList();

        reasons.Should().NotBeEmpty();
        foreach (var reason in reasons)
        {
            text.Should().Contain($"`{reason}`");
        }
    }

    [GeneratedRegex(@"\]\((?!https?:|#|mailto:)([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"""?(parma_(?:operator|webhook)_[a-z_]+)""?")]
    private static partial Regex MetricName();
}
