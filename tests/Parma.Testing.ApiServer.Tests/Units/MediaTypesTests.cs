using Parma.Testing.ApiServer.Http;

namespace Parma.Testing.ApiServer.Tests.Units;

public sealed class MediaTypesTests
{
    [Theory]
    [InlineData("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", "meta.k8s.io/v1")]
    [InlineData("application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json", "meta.k8s.io/v1beta1")]
    [InlineData("application/json; as=Table; g=meta.k8s.io; v=v1", "meta.k8s.io/v1")]
    [InlineData("application/json,application/json;as=Table;v=v1;g=meta.k8s.io", null)]
    [InlineData("application/json;as=Table;v=v2;g=meta.k8s.io,application/json", null)]
    [InlineData("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io", "meta.k8s.io/v1")]
    [InlineData("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io", null)]
    [InlineData("", null)]
    public void Table_is_chosen_only_when_preferred(string accept, string? expected) =>
        MediaTypes.TableVersion(accept).Should().Be(expected);

    [Theory]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", true)]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", false)]
    [InlineData("application/json, */*", false)]
    [InlineData(null, false)]
    public void Aggregated_discovery_is_chosen_only_for_v2(string? accept, bool expected) =>
        MediaTypes.WantsAggregatedDiscovery(accept).Should().Be(expected);
}
