namespace Parma.Kube.Resources;

/// <summary>Query parameters of a list.</summary>
public sealed record ListOptions
{
    /// <summary>e.g. "app=web,tier in (a,b),!legacy".</summary>
    public string? LabelSelector { get; init; }

    /// <summary>e.g. "metadata.name=web-0".</summary>
    public string? FieldSelector { get; init; }

    public int? Limit { get; init; }

    public string? Continue { get; init; }

    public string? ResourceVersion { get; init; }
}

/// <summary>Query parameters of a watch.</summary>
public sealed record WatchOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Start after this version; null or "0" also replays the current state as ADDED events.</summary>
    public string? ResourceVersion { get; init; }

    public bool AllowWatchBookmarks { get; init; } = true;

    /// <summary>Server-side watch timeout.</summary>
    public int? TimeoutSeconds { get; init; }
}
