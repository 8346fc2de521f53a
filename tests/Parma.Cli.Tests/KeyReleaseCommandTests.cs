using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Attestation.Guest;
using Parma.Attestation.KeyRelease;
using Parma.Testing;

namespace Parma.Cli.Tests;

/// <summary>
/// <c>parma key-release check|serve</c> as real processes. The host_data key release recomputes from a manifest is
/// byte-for-byte what <c>parma policy generate</c> prints for the same manifest, images and settings.
/// </summary>
public sealed class KeyReleaseCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("parma-cli-keyrelease-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string Example(string name) => RepoPaths.InRepo("examples", name);

    private static readonly string Measurement = new('4', 96);

    /// <summary>Every tag in examples/images, pinned to its digest (key release takes no tag on trust).</summary>
    private static Dictionary<string, string> ExampleDigests() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Example("images"), "index.json")))!["manifests"]!.AsArray().ToDictionary(
            entry => entry!["annotations"]!["org.opencontainers.image.ref.name"]!.GetValue<string>(),
            entry => entry!["digest"]!.GetValue<string>());

    private string WriteConfig(string[] manifests, string? format = null, object? roots = null)
    {
        File.WriteAllText(Path.Combine(_work, "db.secret"), "s3cret");
        var path = Path.Combine(_work, "config.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            keys = new[] { new { id = "db", secretFile = "db.secret", policy = new { manifests, allowedMeasurements = new[] { Measurement } } } },
            generator = new { format, imageLayouts = new[] { Example("images") }, imageDigests = ExampleDigests() },
            additionalRoots = roots ?? Array.Empty<object>(),
        }));
        return path;
    }

    private async Task<string> GeneratedHostData(string manifest, params string[] extra)
    {
        var output = Path.Combine(_work, "generated-" + Guid.NewGuid().ToString("N"));
        var result = await CliRunner.RunAsync(["policy", "generate", "-f", manifest, "--images", Example("images"), "--no-cache", "--output", output, .. extra]);
        result.ExitCode.Should().Be(0, result.StandardError);
        return (await File.ReadAllTextAsync(Directory.GetFiles(output, "*.host-data").Single())).Trim();
    }

    private static async Task<IReadOnlyList<string>> ApprovedHostData(string config)
    {
        var result = await CliRunner.RunAsync("key-release", "check", "--config", config, "-o", "json");
        result.ExitCode.Should().Be(0, result.StandardError);
        return JsonNode.Parse(result.StandardOutput)!.AsArray().Single()!["host_data"]!.AsArray().Select(value => value!["value"]!.GetValue<string>()).ToList();
    }

    [Theory]
    [InlineData("confidential-pod-group.yaml", null)]
    [InlineData("confidential-pod-group.yaml", "initdata")]
    [InlineData("deployment.yaml", null)]
    public async Task Key_release_recomputes_exactly_the_host_data_policy_generate_prints(string example, string? format)
    {
        var manifest = Path.Combine(_work, example);
        File.Copy(Example(example), manifest);
        string[] formatFlag = format is null ? [] : ["--format", format];

        var generated = await GeneratedHostData(manifest, formatFlag);
        var approved = await ApprovedHostData(WriteConfig([example], format));

        approved.Should().Equal(generated);
    }

    [Fact]
    public async Task Check_lists_both_policies_of_a_roll_and_names_a_manifest_that_does_not_generate()
    {
        File.Copy(Example("confidential-pod-group.yaml"), Path.Combine(_work, "hello.yaml"));
        File.WriteAllText(Path.Combine(_work, "hello-next.yaml"), File.ReadAllText(Example("confidential-pod-group.yaml")).Replace("value: bonjour", "value: hello", StringComparison.Ordinal));
        var config = WriteConfig(["hello.yaml", "hello-next.yaml"]);

        var text = await CliRunner.RunAsync("key-release", "check", "--config", config);
        text.ExitCode.Should().Be(0, text.StandardError);
        text.StandardOutput.Should().Contain($"host_data {await GeneratedHostData(Path.Combine(_work, "hello.yaml"))}  {Path.Combine(_work, "hello.yaml")}: ConfidentialPodGroup demo/hello")
            .And.Contain($"host_data {await GeneratedHostData(Path.Combine(_work, "hello-next.yaml"))}  {Path.Combine(_work, "hello-next.yaml")}: ConfidentialPodGroup demo/hello")
            .And.Contain($"measurement: {Measurement}").And.Contain("migration agent: refused; debug: refused; VMPL: 0");

        File.WriteAllText(Path.Combine(_work, "hello-next.yaml"), "kind: ConfidentialPodGroup\nmetadata: {name: broken}\nspec: {template: {spec: {containers: []}}}\n");
        var failed = await CliRunner.RunAsync("key-release", "check", "--config", config);
        failed.ExitCode.Should().Be(2);
        failed.StandardError.Should().Contain($"manifest {Path.Combine(_work, "hello-next.yaml")}").And.Contain("no containers");
    }

    [Fact]
    public async Task Serve_releases_to_the_recomputed_policy_and_refuses_others_naming_it()
    {
        using var authority = DevelopmentAuthority.Create();
        File.WriteAllText(Path.Combine(_work, "dev-ark.pem"), authority.Ark.ExportCertificatePem());
        File.Copy(Example("confidential-pod-group.yaml"), Path.Combine(_work, "hello.yaml"));
        var config = WriteConfig(["hello.yaml"], roots: new[] { new { product = "Milan", arkFile = "dev-ark.pem", sha256 = authority.ArkFingerprint } });
        var hostData = await GeneratedHostData(Path.Combine(_work, "hello.yaml"));

        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "parma.dll"), "key-release", "serve", "--config", config, "--urls", $"http://127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!await ReadyAsync(http))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"parma key-release serve exited with {process.ExitCode}: {await stderr}");
                }

                DateTime.UtcNow.Should().BeBefore(deadline, "the service should be ready within two minutes");
                await Task.Delay(200);
            }

            DevelopmentReportProvider Guest(string host) => new(authority, new DevelopmentReportSettings { HostData = Convert.FromHexString(host), Measurement = Convert.FromHexString(Measurement) });
            (await new KeyReleaseClient(http, Guest(hostData), rsaKeySize: 2048).ReleaseAsync("db")).Should().Equal(Encoding.UTF8.GetBytes("s3cret"));

            var other = new string('0', 64);
            var act = () => new KeyReleaseClient(http, Guest(other), rsaKeySize: 2048).ReleaseAsync("db");
            (await act.Should().ThrowAsync<KeyReleaseRefusedException>()).Which.Refusal.Message.Should().EndWith($"HOST_DATA {other} is not the approved policy: {hostData}");
        }
        finally
        {
            if (!process.HasExited)
            {
                using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        (await stdout).Should().Contain($"key db approves host_data {hostData}");
    }

    private static async Task<bool> ReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("readyz");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
