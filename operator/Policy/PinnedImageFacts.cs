using Parma.Policy.Generation;

namespace Parma.Operator.Policy;

/// <summary>
/// The image facts of one reconcile, already resolved: the generator sees the digest-pinned references
/// (and the runtime's pause image by its own reference) and gets exactly the facts the pods were pinned to.
/// </summary>
internal sealed class PinnedImageFacts(IReadOnlyDictionary<string, ImageFacts> byReference) : IImageFactsSource
{
    public Task<ImageFacts> GetAsync(string reference, CancellationToken cancellationToken) =>
        byReference.TryGetValue(reference, out var facts)
            ? Task.FromResult(facts)
            : throw new InvalidOperationException($"image {reference} was not resolved before generating the policy.");
}
