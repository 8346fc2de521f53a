using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Resources;

namespace Parma.Testing.ApiServer.Storage;

/// <summary>A change recorded in the watch history: ADDED, MODIFIED or DELETED, with the object before it.</summary>
public sealed record StoredEvent(long Revision, string Type, ApiResource Resource, JsonObject Object, JsonObject? Previous);
