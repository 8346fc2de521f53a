using Parma.Testing.ApiServer.Resources;

namespace Parma.Testing.ApiServer.Tests.Units;

public sealed class VersionPriorityTests
{
    [Fact]
    public void Orders_ga_then_beta_then_alpha_by_number_and_others_last()
    {
        string[] versions = ["v1alpha1", "foo", "v2beta1", "v1", "v11alpha2", "v2", "v1beta2", "bar", "v1beta1"];

        versions.Order(VersionPriority.Instance).Should().Equal("v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v11alpha2", "v1alpha1", "bar", "foo");
    }
}
