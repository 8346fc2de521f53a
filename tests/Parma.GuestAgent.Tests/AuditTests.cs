using System.Text.Json.Nodes;
using Parma.Agent.Enforcement;

namespace Parma.GuestAgent.Tests;

public sealed class AuditTests
{
    [Fact]
    public void Env_values_are_redacted_from_reasons()
    {
        var input = new JsonObject
        {
            ["OCI"] = new JsonObject { ["Process"] = new JsonObject { ["Env"] = new JsonArray("TOKEN=hunter2-secret", "N=1") } },
        };
        var redactor = EnvRedactor.For(input);
        redactor.Redact("env TOKEN=hunter2-secret and value hunter2-secret, N=1 at storages[1]")
            .Should().Be("env TOKEN=<redacted> and value <redacted>, N=<redacted> at storages[1]");
    }

    [Fact]
    public void Each_decision_is_one_JSON_line()
    {
        var writer = new StringWriter();
        using var log = new AuditLog(writer);
        log.Write(new AuditRecord(DateTimeOffset.UnixEpoch, "ExecProcessRequest", "c1", "e1", false, "exec.args: no", "denied", null, "ab"));
        var line = JsonNode.Parse(writer.ToString().TrimEnd('\n'))!;
        writer.ToString().Count(c => c == '\n').Should().Be(1);
        line["request"]!.GetValue<string>().Should().Be("ExecProcessRequest");
        line["container_id"]!.GetValue<string>().Should().Be("c1");
        line["allowed"]!.GetValue<bool>().Should().BeFalse();
        line["policy_sha256"]!.GetValue<string>().Should().Be("ab");
    }
}
