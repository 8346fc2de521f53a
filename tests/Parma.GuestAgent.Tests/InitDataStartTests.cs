using System.Security.Cryptography;
using System.Text;
using Parma.Agent.Ttrpc;
using Parma.Policy.Output;
using Parma.Policy.Simulation;

namespace Parma.GuestAgent.Tests;

/// <summary>A policy delivered as Kata initdata: host_data is the TOML's digest, not the policy text's.</summary>
public sealed class InitDataStartTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    [Theory]
    [InlineData("sha256")]
    [InlineData("sha384")]
    public async Task An_initdata_policy_is_bound_by_the_digest_of_the_TOML(string algorithm)
    {
        var initData = InitData.Create(group.Policy.PolicyText, algorithm);
        var path = Path.Combine(group.NewDirectory("initdata"), "initdata.toml");
        await File.WriteAllTextAsync(path, initData.Toml);
        var expected = algorithm == "sha256" ? SHA256.HashData(Encoding.UTF8.GetBytes(initData.Toml)) : SHA384.HashData(Encoding.UTF8.GetBytes(initData.Toml))[..32];

        await using var agent = await RunningAgent.StartAsync(group, launchHostData: expected, policyPath: path);
        agent.Host.Policy.Refusal.Should().BeNull();
        agent.Host.Policy.HostData.Should().Equal(expected);
        var host = new KataHostSimulator(group.Settings, group.Plan);
        (await agent.SendAsync("CreateSandboxRequest", host.CreateSandbox())).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task HOST_DATA_of_the_bare_policy_text_does_not_bind_an_initdata_policy()
    {
        var initData = InitData.Create(group.Policy.PolicyText);
        var path = Path.Combine(group.NewDirectory("initdata"), "initdata.toml");
        await File.WriteAllTextAsync(path, initData.Toml);
        await using var agent = await RunningAgent.StartAsync(group, launchHostData: HostData.OfPolicy(group.Policy.PolicyText), policyPath: path);
        var answer = await agent.SendAsync("CreateSandboxRequest", new KataHostSimulator(group.Settings, group.Plan).CreateSandbox());
        answer.Code.Should().Be(StatusCode.PermissionDenied);
        answer.Message.Should().Contain("refuses every request");
    }
}
