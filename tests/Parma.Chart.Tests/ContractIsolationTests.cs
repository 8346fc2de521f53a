using System.Reflection;

namespace Parma.Chart.Tests;

/// <summary>
/// The operator and the webhook compute host_data (Parma.Claims, through the generator) but link none of the
/// attestation library's report parsing, certificate chains or /dev/sev-guest code, and share the group
/// contract through Parma.Groups.
/// </summary>
public sealed class ContractIsolationTests
{
    [Theory]
    [InlineData("Parma.Operator")]
    [InlineData("Parma.Webhook")]
    public void A_cluster_host_reaches_the_contract_and_host_data_but_not_the_attestation_library(string host)
    {
        var reachable = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([Assembly.Load(host)]);
        while (pending.TryPop(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies().Where(name => name.Name!.StartsWith("Parma", StringComparison.Ordinal)))
            {
                if (reachable.Add(reference.Name!))
                {
                    pending.Push(Assembly.Load(reference));
                }
            }
        }

        reachable.Should().Contain(["Parma.Groups", "Parma.Policy", "Parma.Claims"]);
        reachable.Should().NotContain("Parma.Attestation", "host_data is a hash; SEV report and guest-device code has no place in a cluster host");
    }
}
