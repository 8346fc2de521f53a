namespace Parma.Kube.Client;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>One event of a watch stream; for bookmarks only Object.Metadata.ResourceVersion is meaningful.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T Object);
