namespace Parma.KeyRelease.HostData;

/// <summary>One host_data value a key approves, and where the tenant's configuration got it from (for logs and <c>check</c>).</summary>
/// <param name="Hex">64 lowercase hex digits.</param>
/// <param name="Source">"allowedHostData", or the manifest file and workload it was recomputed from.</param>
public sealed record ApprovedHostData(string Hex, string Source);
