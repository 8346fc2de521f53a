namespace Parma.Testing;

/// <summary>
/// Prometheus' own parser and linter for scraped metrics (<c>promtool check metrics</c>, from Debian's prometheus
/// package): a scrape it refuses would be refused by Prometheus, and its lint names what breaks the naming conventions.
/// </summary>
public static class Promtool
{
    /// <summary>Parses and lints <paramref name="exposition"/>; the result's text lists every problem found.</summary>
    public static Task<ProcessResult> CheckMetricsAsync(string exposition) =>
        ProcessRunner.RunAsync(ProcessRunner.Require("promtool"), ["check", "metrics"], standardInput: exposition, timeout: TimeSpan.FromMinutes(1));
}
