using System.Text.RegularExpressions;
using Parma.Testing;

namespace Parma.Oci.Tests.Support;

/// <summary>Runs the reference tool, <c>veritysetup format --no-superblock</c>, on a file (zero-padded to 4096 first).</summary>
internal static partial class VeritySetup
{
    public static async Task<string> RootHashAsync(string dataPath)
    {
        var tool = ProcessRunner.Require("veritysetup");
        var work = Directory.CreateTempSubdirectory("parma-verity-");
        try
        {
            var padded = Path.Combine(work.FullName, "data");
            File.Copy(dataPath, padded);
            await using (var stream = new FileStream(padded, FileMode.Open))
            {
                var remainder = stream.Length % 4096;
                if (remainder != 0)
                {
                    stream.SetLength(stream.Length + 4096 - remainder);
                }
            }

            var result = await ProcessRunner.RunAsync(tool,
            [
                "format", "--no-superblock", "--hash", "sha256", "--data-block-size", "4096", "--hash-block-size", "4096",
                "--salt", new string('0', 64), padded, Path.Combine(work.FullName, "hash"),
            ]);
            result.EnsureSuccess("veritysetup format");
            return RootHashLine().Match(result.StandardOutput).Groups[1].Value;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"Root hash:\s+([0-9a-f]{64})")]
    private static partial Regex RootHashLine();
}
