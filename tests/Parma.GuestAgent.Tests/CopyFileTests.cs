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
    private const uint RegularFile = 0x8000;
    private const uint Directory = 0x4000;
    private const uint Symlink = 0xA000;

    [Fact]
    public async Task A_file_sent_in_chunks_appears_whole_with_its_mode_and_only_after_its_last_chunk()
    {
        var root = group.NewDirectory("copy-root");
        await using var agent = await StartAsync(root);
        var content = "127.0.0.1 localhost\n10.0.0.7 probe-7d9f\n"u8.ToArray();
        var path = $"{Shared}/sandbox-hosts";
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
        foreach (var path in new[] { "/etc/shadow", $"{Shared}/../../../../etc/cron.d/x", $"{Shared}/nested/hosts" })
        {
            var answer = await CopyAsync(agent, path, "x"u8.ToArray(), 0, 1, mode: RegularFile | 0x1A4);
            answer.Code.Should().Be(StatusCode.PermissionDenied, path);
            answer.Message.Should().StartWith("CopyFileRequest is blocked by policy: ");
        }

        System.IO.Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public async Task Top_level_links_and_dot_paths_are_denied_by_the_policy_and_links_the_policy_allows_are_refused_by_the_backend()
    {
        var root = group.NewDirectory("copy-refused");
        await using var agent = await StartAsync(root);
        var topLink = await CopyAsync(agent, $"{Shared}/link", "hosts"u8.ToArray(), 0, 5, mode: Symlink | 0x1FF);
        topLink.Code.Should().Be(StatusCode.PermissionDenied);
        topLink.Message.Should().StartWith("CopyFileRequest is blocked by policy: copy.symlink: symlink_target");

        var dot = await CopyAsync(agent, $"{Shared}/.", "x"u8.ToArray(), 0, 1, mode: RegularFile | 0x1A4);
        dot.Code.Should().Be(StatusCode.PermissionDenied);
        dot.Message.Should().StartWith("CopyFileRequest is blocked by policy: copy.path: path: path traversal");

        var inner = await CopyAsync(agent, $"{Shared}/volume-dir/..data", "..2026_01_01"u8.ToArray(), 0, 12, mode: Symlink | 0x1FF);
        inner.Code.Should().Be(StatusCode.InvalidArgument, "the policy allows a relative link inside a copied directory; this backend does not write links");
        inner.Message.Should().Contain("not supported");
        System.IO.Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Where(p => !System.IO.Directory.Exists(p)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_directory_is_made_with_its_mode_and_a_chunk_beyond_the_file_size_is_refused()
    {
        var root = group.NewDirectory("copy-directory");
        await using var agent = await StartAsync(root);
        var made = await CopyAsync(agent, $"{Shared}/volume-dir", [], 0, 0, mode: Directory | 0x1ED);
        made.Ok.Should().BeTrue(made.Message);
        File.GetUnixFileMode(Path.Join(root, Shared, "volume-dir")).Should().Be((UnixFileMode)0x1ED);

        var overflow = await CopyAsync(agent, $"{Shared}/resolv.conf", "nameserver 10.0.0.10\n"u8.ToArray(), 0, 21, mode: RegularFile | 0x1A4, fileSize: 4);
        overflow.Code.Should().Be(StatusCode.InvalidArgument);
        File.Exists(Path.Join(root, Shared, "resolv.conf")).Should().BeFalse();
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
