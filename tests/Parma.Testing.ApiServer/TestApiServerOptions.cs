namespace Parma.Testing.ApiServer;

public sealed record TestApiServerOptions
{
    /// <summary>Which release's OpenAPI documents validate writes: "v1.32" (default) or "v1.35".</summary>
    public string KubernetesVersion { get; init; } = "v1.32";

    /// <summary>Folder holding v1.NN/*.json; defaults to ../shared/k8s-openapi beside the repository.</summary>
    public string? OpenApiDirectory { get; init; }

    /// <summary>Validate every write against the schemas (unknown fields rejected unless fieldValidation says otherwise).</summary>
    public bool ValidateSchemas { get; init; } = true;

    /// <summary>Bearer token accepted; a client certificate issued by the server's CA is accepted too.</summary>
    public string Token { get; init; } = "parma-test-token";

    /// <summary>How often an idle watch with allowWatchBookmarks gets a BOOKMARK (kube-apiserver: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Namespaces that exist from the start.</summary>
    public IReadOnlyList<string> InitialNamespaces { get; init; } = ["default", "kube-system", "kube-public"];
}
