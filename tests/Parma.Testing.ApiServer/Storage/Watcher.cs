using System.Text.Json.Nodes;
using System.Threading.Channels;
using Parma.Testing.ApiServer.Resources;

namespace Parma.Testing.ApiServer.Storage;

/// <summary>An open watch: which objects it wants and the queue its HTTP response drains.</summary>
public sealed class Watcher(ApiResource resource, string? ns, Func<JsonObject, bool> matches)
{
    public ApiResource Resource { get; } = resource;

    public string? Namespace { get; } = ns;

    public Func<JsonObject, bool> Matches { get; } = matches;

    public Channel<WatchEvent> Events { get; } = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Turns a stored change into what this watcher sees: objects moving into or out of its selector become ADDED or DELETED.</summary>
    public (string Type, JsonObject Object)? Translate(StoredEvent change)
    {
        if (change.Resource.StoreKey != Resource.StoreKey)
        {
            return null;
        }

        if (Namespace is not null && ObjectFields.Namespace(change.Object) != Namespace)
        {
            return null;
        }

        var now = Matches(change.Object);
        var before = change.Previous is not null && Matches(change.Previous);
        return change.Type switch
        {
            "ADDED" when now => ("ADDED", change.Object),
            "MODIFIED" when now && before => ("MODIFIED", change.Object),
            "MODIFIED" when now => ("ADDED", change.Object),
            "MODIFIED" when before => ("DELETED", change.Object),
            "DELETED" when now || before => ("DELETED", change.Object),
            _ => null,
        };
    }
}
