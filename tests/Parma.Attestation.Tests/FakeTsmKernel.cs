using Parma.Attestation.Guest;

namespace Parma.Attestation.Tests;

/// <summary>
/// Plays the kernel's part of configfs-tsm on a plain directory: for each new entry with an inblob it writes provider,
/// generation, outblob (a development report over that inblob) and auxblob, the way the TSM core exposes them.
/// </summary>
internal sealed class FakeTsmKernel : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeTsmKernel(string root, DevelopmentAuthority authority)
    {
        var provider = new DevelopmentReportProvider(authority);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                foreach (var entry in Directory.GetDirectories(root))
                {
                    var provided = Path.Combine(entry, "provider");
                    if (!File.Exists(provided))
                    {
                        File.WriteAllText(provided, ProviderName + "\n");
                    }

                    var inblob = Path.Combine(entry, "inblob");
                    if (File.Exists(inblob) && !File.Exists(Path.Combine(entry, "outblob")) && new FileInfo(inblob).Length == 64)
                    {
                        var data = File.ReadAllBytes(inblob);
                        InblobsSeen.Add(data);
                        var evidence = await provider.GetReportAsync(data);
                        File.WriteAllText(Path.Combine(entry, "generation"), $"{Generation}\n");
                        File.WriteAllBytes(Path.Combine(entry, "auxblob"), evidence.Certificates.ToBytes());
                        File.WriteAllBytes(Path.Combine(entry, "outblob.tmp"), evidence.Report);
                        File.Move(Path.Combine(entry, "outblob.tmp"), Path.Combine(entry, "outblob"));
                    }
                }

                await Task.Delay(5);
            }
        });
    }

    public int Generation { get; init; } = 1;

    public string ProviderName { get; init; } = "sev_guest";

    public System.Collections.Concurrent.ConcurrentBag<byte[]> InblobsSeen { get; } = [];

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait();
        _stop.Dispose();
    }
}
