using Parma.Oci.Digests;
using Parma.Oci.References;
using Parma.Policy.Generation;

namespace Parma.KeyRelease.HostData;

/// <summary>
/// Image facts for the verifier: every image the generator asks for must be pinned by digest, either in its reference
/// (<c>name@sha256:…</c>) or in the configuration's <c>imageDigests</c>, and must resolve to exactly that digest. The
/// registry (and whatever serves a layout) is untrusted: without the pin, whoever can push a tag could make the verifier
/// approve a policy for an image of their choosing.
/// </summary>
internal sealed class PinnedDigestImageFacts(IImageFactsSource inner, IReadOnlyDictionary<string, Digest> pins) : IImageFactsSource
{
    public async Task<ImageFacts> GetAsync(string reference, CancellationToken cancellationToken)
    {
        var expected = PinFor(reference);
        var facts = await inner.GetAsync(reference, cancellationToken).ConfigureAwait(false);
        var at = facts.PinnedReference.LastIndexOf('@');
        var actual = at < 0 ? "(none)" : facts.PinnedReference[(at + 1)..];
        if (actual != expected.ToString())
        {
            throw new InvalidOperationException($"it resolved to {actual}, but the configuration pins it to {expected}; the image behind the reference changed, so its policy is not approved");
        }

        return facts;
    }

    private Digest PinFor(string reference)
    {
        var inReference = ImageReference.TryParse(reference, out var parsed, out _) ? parsed.Digest : null;
        var configured = pins.GetValueOrDefault(reference);
        if (inReference is not null && configured is not null && inReference != configured)
        {
            throw new InvalidOperationException($"the reference names {inReference} but imageDigests pins it to {configured}");
        }

        return inReference ?? configured
            ?? throw new InvalidOperationException(
                "it is not pinned by digest; write it as NAME@sha256:… or add it to generator.imageDigests (a tag can name another image tomorrow)");
    }
}
