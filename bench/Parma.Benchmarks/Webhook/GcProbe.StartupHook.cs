#if PARMA_GC_PROBE
// Built by run.sh only (PARMA_GC_PROBE is defined there), so Parma.Benchmarks compiles nothing from this file.
// Deliberately in the global namespace: the runtime looks the startup hook up as the type "StartupHook".
using System.Globalization;

/// <summary>
/// Loaded into the webhook by run.sh through DOTNET_STARTUP_HOOKS: every 200 ms it writes the process's
/// GC collection counts, total allocated bytes and total GC pause time to the file named by PARMA_GC_PROBE_FILE, so that the
/// load script can report gen0/gen1/gen2 collections and bytes allocated per request for each wrk run
/// without changing the webhook itself.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("PARMA_GC_PROBE_FILE") is not { Length: > 0 } path)
        {
            return;
        }

        var thread = new Thread(() => Sample(path)) { IsBackground = true, Name = "gc-probe" };
        thread.Start();
    }

    private static void Sample(string path)
    {
        var temporary = path + ".tmp";
        while (true)
        {
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {GC.GetTotalAllocatedBytes(precise: false)} {GC.GetTotalPauseDuration().TotalMilliseconds:0.0}\n");
            File.WriteAllText(temporary, line);
            File.Move(temporary, path, overwrite: true);
            Thread.Sleep(200);
        }
    }
}
#endif
