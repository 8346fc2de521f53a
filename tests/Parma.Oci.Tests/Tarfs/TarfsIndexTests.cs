using System.Buffers.Binary;
using System.Formats.Tar;
using System.Text;
using Parma.Oci.Layers;
using Parma.Oci.Model;
using Parma.Oci.Tarfs;
using Parma.Oci.Tests.Support;

namespace Parma.Oci.Tests.Tarfs;

public class TarfsIndexTests
{
    [Fact]
    public async Task One_file_layer_has_exactly_the_expected_index_bytes()
    {
        var tar = TestTars.Build(("a", "hi"));
        tar.Length.Should().Be(2048, "header + one data block + two end blocks");

        var image = await TardevImage(tar);

        image.Length.Should().Be(8192);
        image.AsSpan(0, 2048).SequenceEqual(tar).Should().BeTrue("the tar comes first, unchanged");
        var expected = new byte[8192 - 2048];
        var mtime = (ulong)TestTars.Epoch.ToUnixTimeSeconds();
        // Inode 1: the root directory, mode 040555, one 32-byte entry at 2048 + 2*32.
        Inode(expected, 0, mode: 0x416D, hmtime: 0, owner: 0, group: 0, lmtime: 0, size: 32, offset: 2112);
        // Inode 2: "a", a regular 0644 file whose data starts right after its header.
        Inode(expected, 32, mode: 0x81A4, hmtime: (byte)((mtime >> 32) & 0xF), owner: 0, group: 0, lmtime: (uint)mtime, size: 2, offset: 512);
        // The root's one directory entry: inode 2, name at 2144, length 1, DT_REG.
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(64), 2);
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(72), 2144);
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(80), 1);
        expected[88] = 8;
        expected[96] = (byte)'a';
        // Super block in the last 4096-byte block at 3584: inode table offset 2048, two inodes.
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(4096 + 3584 - 2048), 2048);
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(4096 + 3584 - 2048 + 8), 2);

        Convert.ToHexString(image.AsSpan(2048)).Should().Be(Convert.ToHexString(expected));
    }

    [Fact]
    public async Task Rich_layer_index_describes_every_member()
    {
        var tar = TestTars.Rich();
        var image = await TardevImage(tar);
        var fs = TarfsReader.Read(image);

        image.Length.Should().Be((image.Length + 4095) / 4096 * 4096);
        fs.InodeTableOffset.Should().Be((ulong)tar.Length);

        var passwd = fs.Lookup("etc/passwd");
        (passwd.Mode & 0xF000).Should().Be(0x8000);
        Encoding.UTF8.GetString(image, (int)passwd.Offset, (int)passwd.Size).Should().Be("root:x:0:0:root:/root:/bin/sh\n");

        var group = fs.Lookup("etc/group");
        group.Owner.Should().Be(1000);
        group.Group.Should().Be(1001);

        var symlink = fs.Lookup("usr/bin/sh");
        (symlink.Mode & 0xF000).Should().Be(0xA000);
        Encoding.UTF8.GetString(image, (int)symlink.Offset, (int)symlink.Size).Should().Be("app");

        fs.LookupIno("usr/bin/app2").Should().Be(fs.LookupIno("usr/bin/app"), "a hard link shares its target's inode");
        fs.Lookup("usr/bin/app").Size.Should().Be(10_000);

        var longFile = fs.Lookup("usr/share/" + new string('n', 150) + "/file");
        Encoding.UTF8.GetString(image, (int)longFile.Offset, (int)longFile.Size).Should().Be("long");

        fs.Lookup("var").Flags.Should().Be(TarfsFormat.OpaqueFlag);
        var shadow = fs.Lookup("etc/shadow");
        (shadow.Mode & 0xF000).Should().Be(0x2000, "a whiteout becomes a 0/0 character device");
        shadow.Offset.Should().Be(0);
        fs.Children("etc").Should().NotContain(".wh.shadow");
    }

    [Fact]
    public async Task Tarfs_root_hash_equals_veritysetup_over_the_tardev_image()
    {
        var tar = TestTars.Rich();
        using var temp = new TempDirectory();
        var imagePath = temp.File("image");
        await File.WriteAllBytesAsync(imagePath, await TardevImage(tar));

        var hash = await TarfsLayerHasher.HashAsync(new MemoryStream(TestTars.Gzip(tar)), LayerCompression.Gzip, LayerHashFormat.Tarfs);

        hash.RootHash.Should().Be(await VeritySetup.RootHashAsync(imagePath));
        hash.ImageSize.Should().Be(new FileInfo(imagePath).Length);
        hash.TarSize.Should().Be(tar.Length);
        hash.DiffId.ToString().Should().Be(Parma.Oci.Digests.Digest.Sha256Of(tar).ToString());
    }

    [Fact]
    public async Task Raw_root_hash_equals_veritysetup_over_the_padded_tar()
    {
        var tar = TestTars.Build(("x", new string('z', 5000)));
        using var temp = new TempDirectory();
        var path = temp.File("layer.tar");
        await File.WriteAllBytesAsync(path, tar);

        var hash = await TarfsLayerHasher.HashFileAsync(path, LayerHashFormat.Raw);

        hash.RootHash.Should().Be(await VeritySetup.RootHashAsync(path));
    }

    [Theory]
    [InlineData(LayerCompression.Zstd)]
    [InlineData(null)]
    public async Task Zstd_layers_hash_like_their_gzip_form(LayerCompression? compression)
    {
        var tar = TestTars.Rich();

        var gzip = await TarfsLayerHasher.HashAsync(new MemoryStream(TestTars.Gzip(tar)), LayerCompression.Gzip);
        var zstd = await TarfsLayerHasher.HashAsync(new MemoryStream(TestTars.Zstd(tar)), compression);

        zstd.Should().BeEquivalentTo(gzip);
        zstd.DiffId.ToString().Should().Be(Parma.Oci.Digests.Digest.Sha256Of(tar).ToString());
    }

    [Fact]
    public async Task A_zstd_layer_of_several_frames_is_read_to_its_end()
    {
        var tar = TestTars.Rich();
        var half = tar.Length / 2;
        var frames = TestTars.Zstd(tar[..half]).Concat(TestTars.Zstd(tar[half..])).ToArray();

        var hash = await TarfsLayerHasher.HashAsync(new MemoryStream(frames), LayerCompression.Zstd);

        hash.DiffId.ToString().Should().Be(Parma.Oci.Digests.Digest.Sha256Of(tar).ToString());
    }

    [Fact]
    public async Task A_truncated_or_corrupt_zstd_layer_is_invalid_data()
    {
        var zstd = TestTars.Zstd(TestTars.Rich());
        var corrupt = zstd.ToArray();
        corrupt[corrupt.Length / 2] ^= 0xff;

        var truncated = () => TarfsLayerHasher.HashAsync(new MemoryStream(zstd[..(zstd.Length / 2)]), LayerCompression.Zstd);
        var flipped = () => TarfsLayerHasher.HashAsync(new MemoryStream(corrupt), LayerCompression.Zstd);

        await truncated.Should().ThrowAsync<InvalidDataException>();
        await flipped.Should().ThrowAsync<InvalidDataException>();
    }

    [Fact]
    public async Task A_truncated_tar_is_an_error()
    {
        var tar = TestTars.Build(("a", new string('q', 3000)));

        var act = () => TarfsLayerHasher.HashAsync(new MemoryStream(tar[..1000]), LayerCompression.None);

        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("*truncated*");
    }

    [Fact]
    public async Task A_corrupt_header_checksum_is_an_error()
    {
        var tar = TestTars.Build(("a", "b"));
        tar[0] ^= 0x20;

        var act = () => TarfsLayerHasher.HashAsync(new MemoryStream(tar), LayerCompression.None);

        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("*checksum*");
    }

    [Fact]
    public void Later_member_at_the_same_path_replaces_the_earlier_one()
    {
        var tar = TestTars.Build(writer =>
        {
            TestTars.AddFile(writer, "d/f", "1");
            TestTars.AddDirectory(writer, "d/");
        });
        var image = new List<byte>(tar);
        var index = new TarfsIndexBuilder();
        var parser = new TarStreamParser(index.Add);
        parser.Feed(tar);
        parser.Complete();
        index.WriteIndex(tar.Length, data => image.AddRange(data.ToArray()));

        TarfsReader.Read([.. image]).Children("d").Should().BeEmpty("as in Kata's tarindex, a directory member after its children drops them");
    }

    private static async Task<byte[]> TardevImage(byte[] tar)
    {
        using var output = new MemoryStream();
        await TarfsLayerHasher.WriteTardevImageAsync(new MemoryStream(tar), LayerCompression.None, output);
        return output.ToArray();
    }

    private static void Inode(byte[] buffer, int at, ushort mode, byte hmtime, uint owner, uint group, uint lmtime, ulong size, ulong offset)
    {
        var span = buffer.AsSpan(at);
        BinaryPrimitives.WriteUInt16LittleEndian(span, mode);
        span[3] = hmtime;
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], owner);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], group);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], lmtime);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], size);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], offset);
    }
}
