using Parma.Oci.Tests.Support;
using Parma.Oci.Verity;

namespace Parma.Oci.Tests.Verity;

public class VerityHasherTests
{
    public static TheoryData<long> Sizes => new()
    {
        4096,                    // one block: the root is the data block's own hash
        5000,                    // not a multiple of 4096
        1,                       // a single byte
        4096 * 128,              // exactly one full hash block
        4096 * 129,              // two hash levels
        4096L * 128 * 128 + 4096, // three hash levels
        64L * 1024 * 1024,       // 64 MiB
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Root_hash_equals_veritysetup(long size)
    {
        using var temp = new TempDirectory();
        var path = temp.File("data");
        WriteRandom(path, size, seed: (int)(size % int.MaxValue));

        var ours = await VerityHasher.HashFileAsync(path);
        var reference = await VeritySetup.RootHashAsync(path);

        ours.Hex.Should().Be(reference);
        ours.DataSize.Should().Be(size);
        ours.PaddedDataSize.Should().Be((size + 4095) / 4096 * 4096);
    }

    [Fact]
    public async Task Chunked_appends_give_the_same_hash_as_one_stream()
    {
        var data = new byte[4096 * 300 + 123];
        new Random(7).NextBytes(data);
        using var builder = new VerityTreeBuilder();
        var random = new Random(1);
        for (var offset = 0; offset < data.Length;)
        {
            var take = Math.Min(random.Next(1, 70000), data.Length - offset);
            builder.Append(data.AsSpan(offset, take));
            offset += take;
        }

        var chunked = builder.Finish();
        var whole = await VerityHasher.HashStreamAsync(new MemoryStream(data));

        chunked.Hex.Should().Be(whole.Hex);
    }

    [Fact]
    public void Appending_zeros_equals_appending_zero_bytes()
    {
        using var a = new VerityTreeBuilder();
        a.Append(new byte[] { 1, 2, 3 });
        a.AppendZeros(4096 * 1500);
        using var b = new VerityTreeBuilder();
        b.Append(new byte[] { 1, 2, 3 });
        b.Append(new byte[4096 * 1500]);

        a.Finish().Hex.Should().Be(b.Finish().Hex);
    }

    [Fact]
    public void Changing_one_byte_changes_the_root_hash()
    {
        var data = new byte[4096 * 200];
        var before = VerityHasher.HashBytes(data).Hex;
        data[4096 * 150 + 7] = 1;

        VerityHasher.HashBytes(data).Hex.Should().NotBe(before);
    }

    [Fact]
    public async Task Empty_input_is_a_clear_error()
    {
        var act = () => VerityHasher.HashStreamAsync(new MemoryStream());

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*empty*");
    }

    private static void WriteRandom(string path, long size, int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[1 << 20];
        using var file = File.Create(path);
        for (var left = size; left > 0;)
        {
            random.NextBytes(buffer);
            var take = (int)Math.Min(left, buffer.Length);
            file.Write(buffer, 0, take);
            left -= take;
        }
    }
}
