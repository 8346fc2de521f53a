using System.Diagnostics;
using Parma.Testing;

namespace Parma.Vm.Tests;

/// <summary>
/// The test VM's kernel and initrd, built once per test run by scripts/vm/build.sh from Debian
/// packages and the NativeAOT guest agent (cached under .cache/vm, so a rerun takes seconds).
/// </summary>
public sealed record VmImage(string Kernel, string Initrd, TimeSpan BuildTime)
{
    private static readonly Lazy<Task<VmImage>> Built = new(BuildAsync);

    public static Task<VmImage> GetAsync() => Built.Value;

    private static async Task<VmImage> BuildAsync()
    {
        var watch = Stopwatch.StartNew();
        var result = await ProcessRunner.RunAsync(RepoPaths.InRepo("scripts", "vm", "build.sh"), [], timeout: TimeSpan.FromMinutes(30));
        result.EnsureSuccess("scripts/vm/build.sh");
        var directory = result.StandardOutput.Trim().Split('\n')[^1].Trim();
        return new VmImage(Path.Combine(directory, "vmlinuz"), Path.Combine(directory, "initrd.img"), watch.Elapsed);
    }
}
