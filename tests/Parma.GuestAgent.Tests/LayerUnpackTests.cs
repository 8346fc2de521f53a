using System.Formats.Tar;
using System.Text;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Oci.Verity;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>Unpacking layers for overlayfs: OCI whiteouts and opaque directories, and members that try to leave the layer.</summary>
public sealed class LayerUnpackTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("parma-unpack-").FullName;

    [LayerMountFact]
    public async Task Whiteouts_and_opaque_directories_hide_the_lower_layers_files_once_stacked()
    {
        var store = new LayerStore(new RuntimeOptions { StateDirectory = Path.Combine(_work, "state") }, MountSupport.Detect());
        var lower = await store.UnpackAsync(await LayerAsync("lower", w =>
        {
            AddDirectory(w, "etc/");
            AddFile(w, "etc/a", "lower a");
            AddFile(w, "etc/b", "lower b");
            AddDirectory(w, "data/");
            AddFile(w, "data/old", "old");
        }), CancellationToken.None);
        var upper = await store.UnpackAsync(await LayerAsync("upper", w =>
        {
            AddDirectory(w, "etc/");
            AddFile(w, "etc/.wh.a", string.Empty);
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "etc/c") { LinkName = "/etc/shadow" });
            AddDirectory(w, "data/");
            AddFile(w, "data/.wh..wh..opq", string.Empty);
            AddFile(w, "data/new", "new");
        }), CancellationToken.None);

        var merged = Directory.CreateDirectory(Path.Combine(_work, "merged")).FullName;
        (await ProcessRunner.RunAsync("mount", ["-t", "overlay", "overlay", "-o", $"lowerdir={upper}:{lower}", merged])).EnsureSuccess("mount overlay");
        try
        {
            File.Exists(Path.Combine(merged, "etc", "a")).Should().BeFalse("the upper layer whited it out");
            File.ReadAllText(Path.Combine(merged, "etc", "b")).Should().Be("lower b");
            File.Exists(Path.Combine(merged, "data", "old")).Should().BeFalse("data/ is opaque in the upper layer");
            File.ReadAllText(Path.Combine(merged, "data", "new")).Should().Be("new");
            new FileInfo(Path.Combine(merged, "etc", "c")).LinkTarget.Should().Be("/etc/shadow", "links are kept as the layer made them, not followed");
        }
        finally
        {
            (await ProcessRunner.RunAsync("umount", [merged])).EnsureSuccess("umount");
        }
    }

    [LayerMountFact]
    public async Task A_later_member_replaces_an_earlier_one_and_hard_links_stay_inside_the_layer()
    {
        var store = new LayerStore(new RuntimeOptions { StateDirectory = Path.Combine(_work, "state") }, MountSupport.Detect());
        var layer = await store.UnpackAsync(await LayerAsync("replace", w =>
        {
            AddDirectory(w, "x/");
            AddFile(w, "x/inside", "first");
            AddFile(w, "x", "now a file");
            AddFile(w, "y", "target");
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "z") { LinkName = "y" });
        }), CancellationToken.None);

        File.ReadAllText(Path.Combine(layer, "x")).Should().Be("now a file");
        File.ReadAllText(Path.Combine(layer, "z")).Should().Be("target");
    }

    [Theory]
    [InlineData("dotdot")]
    [InlineData("through-symlink")]
    [InlineData("hardlink-outside")]
    public async Task Members_that_would_land_outside_the_layer_are_refused_and_nothing_is_written_outside(string attack)
    {
        var outside = Directory.CreateDirectory(Path.Combine(_work, "outside")).FullName;
        var store = new LayerStore(new RuntimeOptions { StateDirectory = Path.Combine(_work, "state") }, MountSupport.Detect() with { CanChown = false });
        var source = await LayerAsync(attack, w =>
        {
            switch (attack)
            {
                case "dotdot":
                    AddFile(w, "../../outside/escaped", "x");
                    break;
                case "through-symlink":
                    w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = outside });
                    AddFile(w, "link/escaped", "x");
                    break;
                default:
                    w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "stolen") { LinkName = "../../../../etc/hostname" });
                    break;
            }
        });

        var act = () => store.UnpackAsync(source, CancellationToken.None);
        var error = (await act.Should().ThrowAsync<RuntimeException>()).Which;
        error.Code.Should().Be(StatusCode.FailedPrecondition);
        error.Message.Should().Contain($"cannot unpack layer {attack}").And.MatchRegex("leaves the layer|passes through the symbolic link");
        Directory.EnumerateFileSystemEntries(outside).Should().BeEmpty();
        Directory.EnumerateFileSystemEntries(store.Root).Should().BeEmpty("a refused layer leaves nothing behind");
    }

    [Fact]
    public async Task A_layer_whose_bytes_do_not_hash_to_the_requested_root_is_refused_as_tampered()
    {
        var store = new LayerStore(new RuntimeOptions { StateDirectory = Path.Combine(_work, "state") }, MountSupport.Detect());
        var source = await LayerAsync("good", w => AddFile(w, "f", "content"));
        var wrong = source with { ExpectedRootHash = new string('a', 64) };

        var act = () => store.UnpackAsync(wrong, CancellationToken.None);
        (await act.Should().ThrowAsync<RuntimeException>()).Which.Message.Should().Contain("tampered").And.Contain(source.ExpectedRootHash);
    }

    /// <summary>A tar layer file under the work directory and the storage that names it with its true root hash.</summary>
    private async Task<LayerSource> LayerAsync(string id, Action<TarWriter> members)
    {
        var path = Path.Combine(_work, "host", id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var stream = File.Create(path))
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            members(writer);
        }

        var rootHash = (await VerityHasher.HashFileAsync(path)).Hex;
        return new LayerSource(0, "/run/kata-containers/sandbox/layers/" + id, rootHash, path, MaxBytes: new FileInfo(path).Length);
    }

    private static void AddDirectory(TarWriter writer, string name) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ED });

    private static void AddFile(TarWriter writer, string name, string content) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)), Mode = (UnixFileMode)0x1A4 });

    public void Dispose()
    {
        foreach (var mount in LayerMountTests.MountedOverlays().Where(m => m.StartsWith(_work, StringComparison.Ordinal)))
        {
            ProcessRunner.RunAsync("umount", ["-l", mount]).GetAwaiter().GetResult();
        }

        Directory.Delete(_work, recursive: true);
    }
}
