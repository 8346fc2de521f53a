using System.Text.Json.Nodes;
using Parma.Agent.Hosting;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.GuestAgent.Tests.Kata.Genpolicy;
using Parma.Policy.Enforcement;
using Parma.Policy.Output;
using Parma.Rego;
using Parma.Testing;
using Xunit.Abstractions;

namespace Parma.GuestAgent.Tests.Kata;

/// <summary>
/// Kata's own genpolicy policy tests, served by our agent as a stock kata-agent would serve them:
/// for each test pod, the stock rules.rego and genpolicy-settings.json with the policy_data genpolicy
/// makes for that pod (<see cref="GenpolicyPolicy"/>), an agent with the decisions-only backend on a
/// real Unix socket, and every recorded request of the pod's testcases.json sent over ttrpc in order.
/// Each must be answered as Kata expects: allowed requests succeed, denied ones PERMISSION_DENIED.
/// The fixtures are Kata's (testdata/kata, Apache-2.0, see its NOTICE).
/// </summary>
public sealed class KataGenpolicyReplayTests(ITestOutputHelper output)
{
    private static readonly string Root = RepoPaths.InRepo("tests", "Parma.GuestAgent.Tests", "testdata", "kata");

    private static readonly Lazy<GenpolicyPolicy> Generator = new(() => new GenpolicyPolicy(
        GenpolicySettings.Load(Path.Combine(Root, "genpolicy-settings.json")),
        ImageFacts.Load(RepoPaths.InRepo("tests", "Parma.GuestAgent.Tests", "Kata", "image-facts.json"))));

    /// <summary>Every test pod: a directory under policy/ with a testcases.json, named by its relative path.</summary>
    public static TheoryData<string> Pods()
    {
        var pods = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "policy"), "testcases.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            pods.Add(Path.GetRelativePath(Path.Combine(Root, "policy"), Path.GetDirectoryName(file)!).Replace('\\', '/'));
        }

        return pods;
    }

    [Fact]
    public void The_fixtures_are_all_of_Kata_policy_test_pods()
    {
        Pods().Count.Should().BeGreaterThanOrEqualTo(20, "Kata's genpolicy tests cover sandbox, containers of many kinds, exec state, CopyFile and networking");
        File.ReadAllText(Path.Combine(Root, "NOTICE")).Should().Contain("Apache License 2.0").And.Contain("7c6ba40c54ea29b459b4997cff948caaba4e658b");
    }

    [Theory]
    [MemberData(nameof(Pods))]
    public async Task Every_recorded_request_is_decided_over_the_socket_as_Kata_expects(string pod)
    {
        var directory = Path.Combine(Root, "policy", pod);
        var configMap = Path.Combine(directory, "config_map.yaml");
        var policyText = Generator.Value.Compose(
            await File.ReadAllTextAsync(Path.Combine(Root, "rules.rego")),
            await File.ReadAllTextAsync(Path.Combine(directory, "pod.yaml")),
            File.Exists(configMap) ? await File.ReadAllTextAsync(configMap) : null);
        var cases = Trace.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "testcases.json")), $"{pod}/testcases.json");

        var work = Directory.CreateTempSubdirectory("parma-kata-replay-").FullName;
        try
        {
            var policyPath = Path.Combine(work, "policy.rego");
            await File.WriteAllTextAsync(policyPath, policyText);
            await using var host = await AgentHost.StartAsync(new AgentHostOptions
            {
                Address = Path.Combine(work, "agent.sock"),
                PolicyPath = policyPath,
                ReportProvider = ReportProviderChoice.Create("dev", PolicyFile.Read(policyPath).HostData),
                Backend = new DecisionsOnlyBackend(),
                AuditWriter = TextWriter.Null,
            });
            host.Policy.Refusal.Should().BeNull();
            await using var client = await AgentClient.ConnectAsync(host.Address);
            var inProcess = PolicyEngine.Load(policyText).NewSession();

            var mismatches = new List<string>();
            foreach (var (c, i) in cases.Select((c, i) => (c, i + 1)))
            {
                var (code, message) = await SendAsync(client, c);
                var socketAllowed = code == StatusCode.Ok;
                if (c.Allowed ? !socketAllowed : code != StatusCode.PermissionDenied)
                {
                    mismatches.Add($"{i}. {c.Kind} '{c.Description}': expected {(c.Allowed ? "allowed" : "denied")}, got {code} {message}");
                }

                var method = AgentMethods.ForKind(c.Kind)!;
                var input = Value.FromJson(PolicyInput.From(PolicyInputReader.Read(c.Request, method.Request)).ToJsonString());
                inProcess.Decide(c.Kind, input).Allowed.Should().Be(socketAllowed, $"{pod} case {i} is decided in process as over the socket");
            }

            output.WriteLine($"{pod}: {cases.Count - mismatches.Count} of {cases.Count} requests answered as Kata expects");
            mismatches.Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The assembled policies decide on the containers' data, not by letting things through: before each
    /// allowed create, exec or copy, the same request with a host's tampering (another command, an
    /// injected variable, another path) is denied.
    /// </summary>
    [Theory]
    [MemberData(nameof(Pods))]
    public async Task The_same_requests_tampered_by_the_host_are_denied(string pod)
    {
        var directory = Path.Combine(Root, "policy", pod);
        var configMap = Path.Combine(directory, "config_map.yaml");
        var engine = PolicyEngine.Load(Generator.Value.Compose(
            await File.ReadAllTextAsync(Path.Combine(Root, "rules.rego")),
            await File.ReadAllTextAsync(Path.Combine(directory, "pod.yaml")),
            File.Exists(configMap) ? await File.ReadAllTextAsync(configMap) : null));
        var session = engine.NewSession();
        var tampered = 0;
        foreach (var c in Trace.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "testcases.json")), pod))
        {
            if (c.Allowed)
            {
                foreach (var (what, request) in Tamperings(c))
                {
                    session.Evaluate(c.Kind, Input(c.Kind, request)).Allowed.Should().BeFalse($"{pod}: '{c.Description}' with {what}");
                    tampered++;
                }
            }

            session.Decide(c.Kind, Input(c.Kind, c.Request));
        }

        output.WriteLine($"{pod}: {tampered} tampered requests denied");
    }

    private static Value Input(string kind, JsonObject request) =>
        Value.FromJson(PolicyInput.From(PolicyInputReader.Read(request, AgentMethods.ForKind(kind)!.Request)).ToJsonString());

    private static IEnumerable<(string What, JsonObject Request)> Tamperings(TraceCase c)
    {
        JsonObject Copy() => c.Request.DeepClone().AsObject();
        switch (c.Kind)
        {
            case "CreateContainerRequest" when c.Request.Obj("OCI").Obj("Process") is not null:
                var command = Copy();
                command["OCI"]!["Process"]!["Args"] = new JsonArray("/bin/sh", "-c", "cat /proc/self/environ");
                yield return ("another command", command);
                var env = Copy();
                var variables = env["OCI"]!["Process"]!["Env"] as JsonArray ?? [];
                variables.Add("LD_PRELOAD=/tmp/evil.so");
                env["OCI"]!["Process"]!["Env"] = variables;
                yield return ("an injected LD_PRELOAD", env);
                break;
            case "ExecProcessRequest":
                var exec = Copy();
                exec["process"]!["Args"] = new JsonArray("/bin/sh", "-c", "cat /etc/shadow");
                yield return ("another command", exec);
                break;
            case "CopyFileRequest":
                var copy = Copy();
                copy["path"] = "/etc/ld.so.preload";
                yield return ("a path outside the shared directory", copy);
                break;
        }
    }

    private static async Task<(StatusCode Code, string Message)> SendAsync(AgentClient client, TraceCase c)
    {
        try
        {
            await client.SendAsync(c.Kind, c.Request);
            return (StatusCode.Ok, string.Empty);
        }
        catch (TtrpcException e)
        {
            return (e.Code, e.Message);
        }
    }
}
