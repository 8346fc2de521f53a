using Parma.Oci.Resolution;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;

namespace Parma.KeyRelease.Tests;

/// <summary>What <c>parma policy generate --images examples/images</c> produces for a manifest: the expected side of the tests.</summary>
internal static class ExamplePolicies
{
    public static async Task<string> HostDataAsync(string manifestYaml)
    {
        using var resolver = new ImageResolver();
        var generator = new PolicyGenerator(PolicySettingsLoader.Defaults(), new ResolvingImageFactsSource(resolver, [TenantDirectory.ImageLayout]));
        var manifests = ManifestSet.Parse(manifestYaml, "expected.yaml");
        var policy = await generator.GenerateAsync(manifests.Workloads.Single(), manifests, new GroupPolicyOptions());
        return policy.HostDataHex;
    }

    /// <summary>The example group as an attacker would rewrite it: the same containers, plus a shell the host may exec.</summary>
    public static string AttackerGroup
    {
        get
        {
            const string Allowed = "        - [\"/bin/sh\", \"-c\", \"cat /proc/loadavg\"]\n";
            var group = TenantDirectory.ExampleGroup;
            return group.Contains(Allowed, StringComparison.Ordinal)
                ? group.Replace(Allowed, Allowed + "        - [\"/bin/sh\"]\n", StringComparison.Ordinal)
                : throw new InvalidOperationException("examples/confidential-pod-group.yaml no longer has the exec entry this test extends");
        }
    }
}
