using System.Text.Json.Nodes;

namespace Parma.GuestAgent.Tests.Kata.Genpolicy;

/// <summary>An OCI mount as genpolicy's policy data holds it (field names of Kata's Mount: <c>type_</c>).</summary>
internal sealed class KataMount
{
    public required string Destination { get; set; }

    public string Source { get; set; } = string.Empty;

    public required string Type { get; set; }

    public required List<string> Options { get; set; }

    public KataMount Clone() => new() { Destination = Destination, Source = Source, Type = Type, Options = [.. Options] };

    public JsonObject ToJson() => new()
    {
        ["destination"] = Destination,
        ["source"] = Source,
        ["type_"] = Type,
        ["options"] = Json.Array(Options),
    };

    public static KataMount FromSettings(JsonObject mount) => new()
    {
        Destination = mount.Str("destination") ?? string.Empty,
        Source = mount.Str("source") ?? string.Empty,
        Type = mount.Str("type_") ?? string.Empty,
        Options = mount.Strings("options") ?? [],
    };
}

/// <summary>Kata's agent Storage and Device as serde writes the rust-protobuf structs: every field, an unset fs_group null.</summary>
internal static class AgentShapes
{
    public static JsonObject Storage(
        string driver,
        IEnumerable<string> driverOptions,
        string source,
        string fstype,
        IEnumerable<string> options,
        string mountPoint,
        uint? fsGroup,
        bool shared) => new()
        {
            ["driver"] = driver,
            ["driver_options"] = Json.Array(driverOptions),
            ["source"] = source,
            ["fstype"] = fstype,
            ["options"] = Json.Array(options),
            ["mount_point"] = mountPoint,
            ["fs_group"] = fsGroup is { } gid ? new JsonObject { ["group_id"] = gid, ["group_change_policy"] = 0 } : null,
            ["shared"] = shared,
        };

    /// <summary>A storage read from the settings (serde fills the fields the JSON leaves out with their defaults).</summary>
    public static JsonObject Storage(JsonObject settings) => Storage(
        settings.Str("driver") ?? string.Empty,
        settings.Strings("driver_options") ?? [],
        settings.Str("source") ?? string.Empty,
        settings.Str("fstype") ?? string.Empty,
        settings.Strings("options") ?? [],
        settings.Str("mount_point") ?? string.Empty,
        settings.Obj("fs_group")?.Long("group_id") is { } gid ? (uint)gid : null,
        settings.Bool("shared") ?? false);

    public static JsonObject Device(string containerPath, string type = "", string vmPath = "") => new()
    {
        ["id"] = string.Empty,
        ["type_"] = type,
        ["vm_path"] = vmPath,
        ["container_path"] = containerPath,
        ["options"] = new JsonArray(),
    };
}
