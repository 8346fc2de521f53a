namespace Parma.Agent.Runtime;

/// <summary>The runtime backends the hosts offer by name (<c>--backend</c> of <c>parma agent serve</c> and the guest agent).</summary>
public static class RuntimeBackends
{
    /// <summary>linux: verify layers, write bundles, run with runc. dev: plain child processes, no isolation. none: decisions only.</summary>
    public static readonly IReadOnlyList<string> Names = ["linux", "dev", "none"];

    public static IRuntimeBackend Create(string name, RuntimeOptions options) => name switch
    {
        "linux" => new LinuxBackend(options),
        "dev" => new DevelopmentBackend(options),
        "none" => new DecisionsOnlyBackend(),
        _ => throw new ArgumentException($"unknown backend '{name}': use one of {string.Join(", ", Names)}"),
    };

    /// <summary>What a host prints at start-up for a backend that does not isolate or does not act; null for the Linux backend.</summary>
    public static string? Warning(IRuntimeBackend backend) => backend switch
    {
        DevelopmentBackend => DevelopmentBackend.Banner,
        DecisionsOnlyBackend => DecisionsOnlyBackend.Banner,
        _ => null,
    };
}
