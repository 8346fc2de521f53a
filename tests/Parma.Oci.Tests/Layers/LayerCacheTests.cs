using Parma.Oci.Digests;
using Parma.Oci.Layers;
using Parma.Oci.Tests.Support;

namespace Parma.Oci.Tests.Layers;

public class LayerCacheTests
{
    private static readonly Digest Layer = Digest.Sha256Of("layer"u8);
    private static readonly LayerHash Hash = new(new string('a', 64), LayerHashFormat.Tarfs, Digest.Sha256Of("tar"u8), 2048, 8192);

    [Fact]
    public async Task Computes_once_then_reads_the_entry()
    {
        using var temp = new TempDirectory();
        var cache = new LayerCache(temp.Path);
        var calls = 0;

        var first = await cache.GetOrComputeAsync(Layer, LayerHashFormat.Tarfs, _ => { calls++; return Task.FromResult(Hash); });
        var second = await new LayerCache(temp.Path).GetOrComputeAsync(Layer, LayerHashFormat.Tarfs, _ => { calls++; return Task.FromResult(Hash); });

        calls.Should().Be(1);
        second.Should().Be(first);
    }

    [Fact]
    public async Task Formats_are_cached_separately()
    {
        using var temp = new TempDirectory();
        var cache = new LayerCache(temp.Path);
        await cache.GetOrComputeAsync(Layer, LayerHashFormat.Tarfs, _ => Task.FromResult(Hash));

        cache.TryGet(Layer, LayerHashFormat.Raw).Should().BeNull();
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"version\":1}")]
    [InlineData("")]
    [InlineData("tampered-hash")]
    public async Task Corrupt_entries_are_detected_and_recomputed(string damage)
    {
        using var temp = new TempDirectory();
        var cache = new LayerCache(temp.Path);
        await cache.GetOrComputeAsync(Layer, LayerHashFormat.Tarfs, _ => Task.FromResult(Hash));
        var path = cache.EntryPath(Layer, LayerHashFormat.Tarfs);
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, damage == "tampered-hash" ? text.Replace(new string('a', 64), new string('b', 64), StringComparison.Ordinal) : damage);
        var calls = 0;

        var result = await cache.GetOrComputeAsync(Layer, LayerHashFormat.Tarfs, _ => { calls++; return Task.FromResult(Hash); });

        calls.Should().Be(1);
        result.RootHash.Should().Be(Hash.RootHash);
        cache.CorruptEntriesRecomputed.Should().Be(1);
        cache.TryGet(Layer, LayerHashFormat.Tarfs).Should().Be(Hash, "the recomputed entry replaced the corrupt one");
    }

    [Fact]
    public async Task Concurrent_callers_compute_once()
    {
        using var temp = new TempDirectory();
        var calls = 0;
        async Task<LayerHash> Slow(CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(200);
            return Hash;
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new LayerCache(temp.Path).GetOrComputeAsync(Layer, LayerHashFormat.Tarfs, Slow)));

        calls.Should().Be(1);
        results.Should().OnlyContain(r => r == Hash);
    }
}
