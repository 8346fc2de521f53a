using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Parma.Hosting.Health;

/// <summary>
/// Writes a health report as plain text, one line per check in the style of the Kubernetes API server
/// (<c>[+]name ok</c>, <c>[-]name failed: description</c>) and a last line with the verdict. Only a check's own
/// description is shown: an exception a check threw stays in the log, since the probes answer anyone who can reach the port.
/// </summary>
public static class HealthReportText
{
    /// <summary>A response writer for the endpoint named <paramref name="endpoint"/> ("healthz", "readyz").</summary>
    public static Func<HttpContext, HealthReport, Task> Writer(string endpoint) => (context, report) => WriteAsync(context, report, endpoint);

    private static Task WriteAsync(HttpContext context, HealthReport report, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var verdict = entry.Status switch
            {
                HealthStatus.Healthy => " ok",
                HealthStatus.Degraded => " degraded",
                _ => " failed",
            };
            var detail = entry.Status == HealthStatus.Healthy ? ""
                : entry.Exception is not null ? ": the check threw; see the log"
                : string.IsNullOrEmpty(entry.Description) ? ""
                : ": " + entry.Description;
            text.Append(entry.Status == HealthStatus.Healthy ? "[+]" : "[-]").Append(name).Append(verdict).Append(detail);
            text.Append('\n');
        }

        text.Append(endpoint).Append(report.Status == HealthStatus.Unhealthy ? " check failed\n" : " check passed\n");
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString());
    }
}
