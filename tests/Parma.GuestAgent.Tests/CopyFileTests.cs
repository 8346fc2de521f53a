using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// CopyFile over the socket, as the host sends /etc/hosts and friends to a confidential sandbox: the
/// policy decides, the backend writes the file in chunks under the copy root and renames it into place.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CopyFileTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    private const string Shared = "/run/kata-containers/shared/containers";

    /// <summary>The shim's name for a file it shares with a container: container id, 16 random hex digits, the file's name.</summary>
    private const string Prefix = Shared + "/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-00112233aabbccdd-";
    private const uint RegularFile = 0x8000;
    private const uint Directory = 0x4000;
    private const uint Symlink = 0xA000;

    [Fact]
    public async Task A_file_sent_in_chunks_appears_whole_with_its_mode_and_only_after_its_last_chunk()
    {
        var root = group.NewDirectory("copy-root");
        await using var agent = await StartAsync(root);
        var content = "127.0.0.1 localhost\n10.0.0.7 probe-7d9f\n"u8.ToArray();
        var path = $"{Prefix}hosts";
        var target = Path.Join(root, path);

        (await CopyAsync(agent, path, content, 0, 20, mode: RegularFile | 0x1A4)).Ok.Should().BeTrue();
        File.Exists(target).Should().BeFalse("the file is renamed into place only when its last chunk has arrived");
        var last = await CopyAsync(agent, path, content, 20, content.Length - 20, mode: RegularFile | 0x1A4);
        last.Ok.Should().BeTrue(last.Message);

        (await File.ReadAllBytesAsync(target)).Should().Equal(content);
        File.GetUnixFileMode(target).Should().Be((UnixFileMode)0x1A4);
        System.IO.Directory.EnumerateFiles(Path.GetDirectoryName(target)!).Should().ContainSingle("no partial file is left behind");
        agent.AuditLines.Last()["request"]!.GetValue<string>().Should().Be("CopyFileRequest");
        agent.AuditText.Should().NotContain("10.0.0.7", "the audit log does not carry the file's data");
    }

    [Fact]
    public async Task A_copy_outside_the_allowed_paths_is_denied_and_writes_nothing()
    {
        var root = group.NewDirectory("copy-denied");
        await using var agent = await StartAsync(root);
        foreach (var path in new[]
        {
            "/etc/shadow", $"{Shared}/../../../../etc/cron.d/x", $"{Shared}/nested/hosts", $"{Prefix}hosts/../../../etc/x", $"{Prefix}vol/./x",
            $"{Shared}/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/rootfs/bin/sh",
        })
        {
            var answer = await CopyAsync(agent, path, "x"u8.ToArray(), 0, 1, mode: RegularFile | 0x1A4);
            answer.Code.Should().Be(StatusCode.PermissionDenied, path);
            answer.Message.Should().StartWith("CopyFileRequest is blocked by policy: ");
        }

        System.IO.Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public async Task Special_files_and_setuid_bits_are_denied_and_writes_through_links_refused_by_the_backend()
    {
        var root = group.NewDirectory("copy-refused");
        await using var agent = await StartAsync(root);
        var fifo = await CopyAsync(agent, $"{Prefix}fifo", [], 0, 0, mode: 0x1000 | 0x1A4);
        fifo.Code.Should().Be(StatusCode.PermissionDenied);
        fifo.Message.Should().Contain("copy.file_type");
        var setuid = await CopyAsync(agent, $"{Prefix}tool", "x"u8.ToArray(), 0, 1, mode: RegularFile | 0x9ED);
        setuid.Code.Should().Be(StatusCode.PermissionDenied);
        setuid.Message.Should().Contain("copy.mode: file_mode");

        (await CopyAsync(agent, $"{Prefix}vol", [], 0, 0, mode: Directory | 0x1ED)).Ok.Should().BeTrue();
        var timestamped = "..2024_05_01_10_00_00.000000001"u8.ToArray();
        (await CopyAsync(agent, $"{Prefix}vol/..data", timestamped, 0, timestamped.Length, mode: Symlink | 0x1FF, fileSize: 0)).Ok.Should().BeTrue();
        var through = await CopyAsync(agent, $"{Prefix}vol/..data/token", "x"u8.ToArray(), 0, 1, mode: RegularFile | 0x1A4);
        through.Code.Should().Be(StatusCode.PermissionDenied, "the policy allows the plain path; the backend does not write through the link");
        through.Message.Should().Contain("is a symbolic link");
        System.IO.Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Should().NotContain(["token", "fifo", "tool"]);
    }

    /// <summary>
    /// A service-account token volume as a Kata host copies it (the shim walks the kubelet's volume in
    /// lexical order): the volume directory, the atomic writer's timestamped directory with the files,
    /// the `..data` link to it and one link per file through `..data`. Then a token rotation: a new
    /// timestamped directory and `..data` relinked, so every file shows the new content at once.
    /// </summary>
    [Fact]
    public async Task A_projected_volume_arrives_as_the_atomic_writer_made_it_and_rotates()
    {
        var root = group.NewDirectory("copy-projected");
        await using var agent = await StartAsync(root);
        var volume = $"{Prefix}serviceaccount";
        var first = "..2024_05_01_10_00_00.123456789";
        await SendVolumeAsync(agent, volume, first, "token-one");

        var local = Path.Join(root, volume);
        File.ReadAllText(Path.Join(local, "token")).Should().Be("token-one");
        File.ReadAllText(Path.Join(local, "namespace")).Should().Be("default");
        new FileInfo(Path.Join(local, "..data")).LinkTarget.Should().Be(first);
        new FileInfo(Path.Join(local, "token")).LinkTarget.Should().Be("..data/token");
        File.GetUnixFileMode(Path.Join(local, first, "token")).Should().Be((UnixFileMode)0x1A4);

        var second = "..2024_05_01_11_00_00.987654321";
        await SendVolumeAsync(agent, volume, second, "token-two");
        File.ReadAllText(Path.Join(local, "token")).Should().Be("token-two", "the relinked ..data switches every file at once");
        new FileInfo(Path.Join(local, "..data")).LinkTarget.Should().Be(second);
        System.IO.Directory.EnumerateFileSystemEntries(local).Select(Path.GetFileName).Should().NotContain(n => n!.EndsWith(".parma-link", StringComparison.Ordinal));
        agent.AuditText.Should().NotContain("token-one").And.NotContain("token-two");
    }

    [Fact]
    public async Task Links_that_could_leave_their_directory_are_denied_and_nothing_is_made()
    {
        var root = group.NewDirectory("copy-escapes");
        await using var agent = await StartAsync(root);
        (await CopyAsync(agent, $"{Prefix}vol", [], 0, 0, mode: Directory | 0x1ED)).Ok.Should().BeTrue();
        var attempts = new (string Path, string Target, string Check)[]
        {
            ($"{Prefix}vol/shadow", "/etc/shadow", "copy.symlink_target"),
            ($"{Prefix}vol/up", "../../../../etc", "copy.symlink_target"),
            ($"{Prefix}vol/middle", "a/../../b", "copy.symlink_target"),
            ($"{Prefix}vol/dot", ".", "copy.symlink_target"),
            ($"{Prefix}vol/parent", "..", "copy.symlink_target"),
            ($"{Prefix}vol/empty", "", "copy.symlink_target"),
            ($"{Prefix}vol/double", "a//b", "copy.symlink_target"),
            ($"{Prefix}top", "vol", "copy.symlink"),
            ($"{Shared}/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-00112233aabbccdd-vol", "copy.path"),
        };
        foreach (var (path, target, check) in attempts)
        {
            var answer = await CopyAsync(agent, path, System.Text.Encoding.UTF8.GetBytes(target), 0, target.Length, mode: Symlink | 0x1FF, fileSize: 0);
            answer.Code.Should().Be(StatusCode.PermissionDenied, $"{path} -> {target}");
            answer.Message.Should().Contain(check, $"{path} -> {target}");
        }

        System.IO.Directory.EnumerateFileSystemEntries(Path.Join(root, $"{Prefix}vol")).Should().BeEmpty();
        System.IO.Directory.EnumerateFileSystemEntries(Path.Join(root, Shared)).Should().ContainSingle();
    }

    [Theory]
    [InlineData("/etc/shadow")]
    [InlineData("../outside")]
    [InlineData("a/../../b")]
    [InlineData("")]
    public async Task The_backend_refuses_an_escaping_link_target_whatever_the_policy_said(string target)
    {
        var root = group.NewDirectory("copy-backend-link");
        await using var backend = new DevelopmentBackend(new RuntimeOptions { StateDirectory = group.NewDirectory("copy-backend-state"), CopyFileRoot = root });
        var request = new CopyFileRequest { Path = $"{Prefix}vol/link", FileMode = Symlink | 0x1FF, DirMode = 0x1ED, Data = ByteString.CopyFromUtf8(target) };
        var refused = async () => await backend.ExecuteAsync(AgentMethods.ByName["CopyFile"], request, CancellationToken.None);
        (await refused.Should().ThrowAsync<RuntimeException>()).Which.Code.Should().Be(StatusCode.InvalidArgument);
        System.IO.Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Where(p => !System.IO.Directory.Exists(p)).Should().BeEmpty();

        var dot = new CopyFileRequest { Path = $"{Shared}/.", FileMode = RegularFile | 0x1A4, FileSize = 1, Data = ByteString.CopyFromUtf8("x") };
        var dotRefused = async () => await backend.ExecuteAsync(AgentMethods.ByName["CopyFile"], dot, CancellationToken.None);
        (await dotRefused.Should().ThrowAsync<RuntimeException>()).Which.Code.Should().Be(StatusCode.InvalidArgument);
    }

    private static async Task SendVolumeAsync(RunningAgent agent, string volume, string timestamped, string token)
    {
        var files = new (string Name, string Content)[] { ("ca.crt", "-----BEGIN CERTIFICATE-----\n"), ("namespace", "default"), ("token", token) };
        var steps = new List<(string Path, byte[] Data, uint Mode)> { (volume, [], Directory | 0x1ED), ($"{volume}/{timestamped}", [], Directory | 0x1ED) };
        steps.AddRange(files.Select(f => ($"{volume}/{timestamped}/{f.Name}", System.Text.Encoding.UTF8.GetBytes(f.Content), RegularFile | 0x1A4)));
        steps.Add(($"{volume}/..data", System.Text.Encoding.UTF8.GetBytes(timestamped), Symlink | 0x1FF));
        steps.AddRange(files.Select(f => ($"{volume}/{f.Name}", System.Text.Encoding.UTF8.GetBytes($"..data/{f.Name}"), Symlink | 0x1FF)));
        foreach (var (path, data, mode) in steps)
        {
            var answer = await CopyAsync(agent, path, data, 0, data.Length, mode, fileSize: (mode & 0xF000) == RegularFile ? data.Length : 0);
            answer.Ok.Should().BeTrue($"{path}: {answer.Message}");
        }
    }

    [Fact]
    public async Task A_directory_is_made_with_its_mode_and_a_chunk_beyond_the_file_size_is_refused()
    {
        var root = group.NewDirectory("copy-directory");
        await using var agent = await StartAsync(root);
        var made = await CopyAsync(agent, $"{Prefix}volume-dir", [], 0, 0, mode: Directory | 0x1ED);
        made.Ok.Should().BeTrue(made.Message);
        File.GetUnixFileMode(Path.Join(root, $"{Prefix}volume-dir")).Should().Be((UnixFileMode)0x1ED);

        var overflow = await CopyAsync(agent, $"{Prefix}resolv.conf", "nameserver 10.0.0.10\n"u8.ToArray(), 0, 21, mode: RegularFile | 0x1A4, fileSize: 4);
        overflow.Code.Should().Be(StatusCode.InvalidArgument);
        File.Exists(Path.Join(root, $"{Prefix}resolv.conf")).Should().BeFalse();
    }

    private Task<RunningAgent> StartAsync(string root) =>
        RunningAgent.StartAsync(group, backend: new DevelopmentBackend(new RuntimeOptions { StateDirectory = group.NewDirectory("copy-state"), CopyFileRoot = root }));

    /// <summary>Sends <paramref name="length"/> bytes of <paramref name="content"/> from <paramref name="offset"/> as one CopyFile chunk of a file of the content's size (unless <paramref name="fileSize"/> says otherwise).</summary>
    private static Task<Answer> CopyAsync(RunningAgent agent, string path, byte[] content, int offset, int length, uint mode, long? fileSize = null) =>
        agent.CallAsync("CopyFile", new CopyFileRequest
        {
            Path = path,
            FileSize = fileSize ?? content.Length,
            FileMode = mode,
            DirMode = 0x1ED,
            Uid = 0,
            Gid = 0,
            Offset = offset,
            Data = ByteString.CopyFrom(content, offset, length),
        });
}
