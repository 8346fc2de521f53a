using Parma.Cli.Commands;

namespace Parma.Cli.Tests;

public sealed class RequestFieldTests
{
    private const string Request = """
        {"container_id": "", "OCI": {"Version": "1.1.0", "Annotations": {"io.kubernetes.cri.container-name": "web"}},
         "process": {"Env": ["A=1"], "Args": []}}
        """;

    [Theory]
    [InlineData("create.oci_version: OCI.Version: OCI version , policy expects 1.1.0", "OCI.Version")]
    [InlineData("create.container_name: OCI.Annotations[io.kubernetes.cri.container-name]: the policy has no container named ", "OCI.Annotations[io.kubernetes.cri.container-name]")]
    [InlineData("exec.env: process.Env[3]: not allowed", "process.Env[3]")]
    [InlineData("not allowed by the policy", null)]
    [InlineData("set_policy: policy: the policy cannot be replaced", "policy")]
    public void The_field_of_a_reason_is_found(string reason, string? field) => RequestField.Named(reason).Should().Be(field);

    [Theory]
    [InlineData("OCI.Version", false)]
    [InlineData("OCI.Annotations[io.kubernetes.cri.container-name]", false)]
    [InlineData("OCI.Annotations[io.kubernetes.cri.sandbox-id]", true)]
    [InlineData("container_id", true)]
    [InlineData("process.Env[0]", false)]
    [InlineData("process.Env[1]", true)]
    [InlineData("process.Env[LD_PRELOAD]", false)]
    [InlineData("process.Args", true)]
    [InlineData("OCI.Linux.Namespaces[0].Path", true)]
    public void Absent_or_empty_fields_are_missing(string field, bool missing) => RequestField.IsMissing(Request, field).Should().Be(missing);
}
