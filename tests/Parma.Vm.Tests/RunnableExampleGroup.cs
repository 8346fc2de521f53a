using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Parma.Oci.Layers;
using Parma.Oci.Model;
using Parma.Oci.Resolution;
using Parma.Oci.Verity;
using Parma.Policy;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Testing;
using Parma.Testing.Registry;

namespace Parma.Vm.Tests;

/// <summary>
/// The example group (examples/confidential-pod-group.yaml) with the example images
/// (examples/images), each given one more layer on top: a static busybox as /bin/sh and the few
/// commands the images' stand-in scripts call, so that their processes really run under runc. The
/// policy is generated from these images as the operator would (its emptyDir an encrypted block
/// volume, the default), with two more exec commands that write the shared scratch volume from one
/// container and read it back from the other; each distinct layer is written as a tardev block-device
/// image with its hash tree, for the VM to attach read-only.
/// </summary>
public sealed class RunnableExampleGroup : IDisposable
{
    private static readonly string[] Applets = ["sh", "sleep", "cat", "echo", "ls", "true"];

    /// <summary>What the scratch commands write, many times over: a host that could read the volume would find it.</summary>
    public const string ScratchMarker = "parma-scratch-plaintext-7f3a9c";

    /// <summary>Run in hello: writes the marker 4000 times (about 120 KiB) to its /scratch.</summary>
    public static readonly IReadOnlyList<string> WriteScratch =
        ["/bin/sh", "-c", $"i=0; while [ $i -lt 4000 ]; do echo {ScratchMarker}; i=$((i+1)); done > /scratch/parma-test"];

    /// <summary>Run in log-shipper, which mounts the same volume at /var/log/hello: exits 0 when it reads the marker back.</summary>
    public static readonly IReadOnlyList<string> ReadScratch =
        ["/bin/sh", "-c", $"read -r first < /var/log/hello/parma-test && [ \"$first\" = {ScratchMarker} ]"];

    private readonly string _work = Directory.CreateTempSubdirectory("parma-vm-group-").FullName;
    private ImageResolver? _resolver;

    public PolicySettings Settings { get; } = PolicySettingsLoader.Defaults();

    public PodPlan Plan { get; private set; } = null!;

    public GeneratedPolicy Policy { get; private set; } = null!;

    /// <summary>One disk per distinct layer (by root hash), in the VM's slots from <see cref="TestVm.FirstDiskSlot"/>.</summary>
    public IReadOnlyDictionary<string, VmDisk> LayerDisks { get; private set; } = new Dictionary<string, VmDisk>();

    public string Work => _work;

    public static async Task<RunnableExampleGroup> CreateAsync()
    {
        var group = new RunnableExampleGroup();
        try
        {
            await group.BuildAsync();
            return group;
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    private async Task BuildAsync()
    {
        var layout = Path.Combine(_work, "images");
        WriteRunnableLayout(RepoPaths.InRepo("examples", "images"), layout);
        _resolver = new ImageResolver(cache: new LayerCache(Path.Combine(_work, "cache")));
        var facts = new ResolvingImageFactsSource(_resolver, [layout]);
        var manifest = RepoPaths.InRepo("examples", "confidential-pod-group.yaml");
        var manifests = ManifestSet.Parse(await File.ReadAllTextAsync(manifest), manifest);
        Plan = await new PolicyPipeline(Settings, facts).PlanAsync(manifests.Workloads.Single(), manifests, new GroupPolicyOptions { ExecCommands = [WriteScratch, ReadScratch] });
        Policy = new PolicyGenerator(Settings, facts).Render(Plan);
        LayerDisks = await WriteLayerDisksAsync(layout);
    }

    /// <summary>Copies every tagged image of the example layout with the busybox layer added on top.</summary>
    private static void WriteRunnableLayout(string examples, string destination)
    {
        var busybox = BusyboxLayer();
        var builder = new OciLayoutBuilder();
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(examples, "index.json")))!.AsObject();
        foreach (var entry in index["manifests"]!.AsArray())
        {
            var tag = entry!["annotations"]!["org.opencontainers.image.ref.name"]!.GetValue<string>();
            var manifest = Blob(examples, entry["digest"]!.GetValue<string>());
            var config = Blob(examples, manifest["config"]!["digest"]!.GetValue<string>())["config"]!;
            var layers = manifest["layers"]!.AsArray().Select(l => Gunzip(File.ReadAllBytes(BlobPath(examples, l!["digest"]!.GetValue<string>())))).ToList();
            builder.AddImage(
                new OciTestImage
                {
                    Layers = [.. layers, busybox],
                    Env = Strings(config["Env"]),
                    Entrypoint = Strings(config["Entrypoint"]),
                    Cmd = Strings(config["Cmd"]),
                    WorkingDir = config["WorkingDir"]?.GetValue<string>() ?? "/",
                    User = config["User"]?.GetValue<string>() ?? string.Empty,
                },
                tag);
        }

        builder.WriteTo(destination);
    }

    /// <summary>A layer with /bin/busybox (static) and links to it for the commands the example scripts use.</summary>
    private static byte[] BusyboxLayer()
    {
        var busybox = ProcessRunner.Find("busybox") ?? throw new InvalidOperationException("busybox is not installed (scripts/setup.sh installs busybox-static)");
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var epoch = DateTimeOffset.UnixEpoch;
            writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)0x1ed, ModificationTime = epoch });
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "bin/busybox")
            {
                Mode = (UnixFileMode)0x1ed,
                ModificationTime = epoch,
                DataStream = new MemoryStream(File.ReadAllBytes(busybox)),
            });
            foreach (var applet in Applets)
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", Mode = (UnixFileMode)0x1ff, ModificationTime = epoch });
            }
        }

        return output.ToArray();
    }

    /// <summary>Writes each distinct layer of the plan as a tardev disk and checks that veritysetup agrees with the policy's root hash.</summary>
    private async Task<Dictionary<string, VmDisk>> WriteLayerDisksAsync(string layout)
    {
        var images = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(layout, "blobs", "sha256")))
        {
            try
            {
                await using var input = File.OpenRead(blob);
                using var image = new MemoryStream();
                await TarfsLayerHasher.WriteTardevImageAsync(input, compression: LayerCompression.Gzip, image);
                images[VerityHasher.HashBytes(image.ToArray()).Hex] = image.ToArray();
            }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException or NotSupportedException)
            {
                // Not a layer (an index, a manifest or a config).
            }
        }

        var disks = new Dictionary<string, VmDisk>(StringComparer.Ordinal);
        var slot = TestVm.FirstDiskSlot;
        foreach (var layer in Plan.Containers.Where(c => c.VerifyLayers).SelectMany(c => LayerIds.TopMostFirst(c.Image)))
        {
            if (disks.ContainsKey(layer.RootHash))
            {
                continue;
            }

            var image = images.TryGetValue(layer.RootHash, out var bytes)
                ? bytes
                : throw new InvalidOperationException($"no layer of {layout} has the policy's root hash {layer.RootHash}");
            var path = Path.Combine(_work, $"layer-{layer.RootHash[..12]}.img");
            var written = await TardevLayerDisk.WriteAsync(image, path);
            if (written != layer.RootHash)
            {
                throw new InvalidOperationException($"veritysetup computed root hash {written} for the layer the policy pins as {layer.RootHash}");
            }

            disks[layer.RootHash] = new VmDisk(path, slot++, ReadOnly: true);
        }

        return disks;
    }

    private static JsonObject Blob(string layout, string digest) => JsonNode.Parse(File.ReadAllText(BlobPath(layout, digest)))!.AsObject();

    private static string BlobPath(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

    private static List<string> Strings(JsonNode? node) => node is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToList() : [];

    private static byte[] Gunzip(byte[] blob)
    {
        using var gzip = new GZipStream(new MemoryStream(blob), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    public void Dispose()
    {
        _resolver?.Dispose();
        Directory.Delete(_work, recursive: true);
    }
}
