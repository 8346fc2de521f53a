using System.Net;
using Parma.Oci.References;
using Parma.Oci.Registry;

namespace Parma.Oci.Tests.Registry;

[Collection(RegistryCollection.Name)]
public class RetryTests(RegistryFixture fixture)
{
    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task Transient_errors_are_retried_with_backoff(HttpStatusCode status)
    {
        using var handler = new FlakyHandler(failures: 2, status);
        using var client = new RegistryClient(Options(), handler);

        var manifest = await client.GetManifestAsync(ImageReference.Parse($"{fixture.Registry.Host}/team/app:v1"), "v1");

        manifest.Digest.ToString().Should().Be(fixture.AppDigest);
        handler.Requests.Should().Be(3);
    }

    [Fact]
    public async Task Gives_up_after_the_configured_attempts()
    {
        using var handler = new FlakyHandler(failures: 10, HttpStatusCode.InternalServerError);
        using var client = new RegistryClient(Options() with { MaxAttempts = 3 }, handler);

        var act = () => client.GetManifestAsync(ImageReference.Parse($"{fixture.Registry.Host}/team/app:v1"), "v1");

        (await act.Should().ThrowAsync<RegistryException>()).Which.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        handler.Requests.Should().Be(3);
    }

    [Fact]
    public async Task A_manifest_that_does_not_match_its_digest_is_rejected()
    {
        using var handler = new FlakyHandler(failures: 0, HttpStatusCode.OK) { TamperBody = true };
        using var client = new RegistryClient(Options(), handler);

        var act = () => client.GetManifestAsync(ImageReference.Parse($"{fixture.Registry.Host}/team/app:v1"), fixture.AppDigest);

        await act.Should().ThrowAsync<Parma.Oci.Digests.DigestMismatchException>();
    }

    private RegistryClientOptions Options() => new()
    {
        InsecureRegistries = [fixture.Registry.Host],
        InitialBackoff = TimeSpan.FromMilliseconds(5),
    };

    /// <summary>Answers the first N requests with an error status, then forwards to the real registry.</summary>
    private sealed class FlakyHandler(int failures, HttpStatusCode status) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int requests;

        public int Requests => requests;

        public bool TamperBody { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref requests) <= failures)
            {
                return new HttpResponseMessage(status) { Content = new StringContent("try later") };
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (TamperBody)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                body[^2] ^= 0x01;
                var contentType = response.Content.Headers.ContentType;
                response.Content = new ByteArrayContent(body);
                response.Content.Headers.ContentType = contentType;
            }

            return response;
        }
    }
}
