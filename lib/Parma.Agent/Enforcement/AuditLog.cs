using System.Text.Json;

namespace Parma.Agent.Enforcement;

/// <summary>
/// Every decision as one JSON line. Callers pass texts through <see cref="EnvRedactor"/> first, so
/// that environment values never reach the log.
/// </summary>
public sealed class AuditLog(TextWriter writer) : IDisposable
{
    private readonly Lock _lock = new();

    public event Action<AuditRecord>? Written;

    public void Write(AuditRecord record)
    {
        var line = JsonSerializer.Serialize(record, AuditJsonContext.Default.AuditRecord);
        lock (_lock)
        {
            writer.WriteLine(line);
            writer.Flush();
        }

        Written?.Invoke(record);
    }

    public void Dispose() => writer.Dispose();
}
