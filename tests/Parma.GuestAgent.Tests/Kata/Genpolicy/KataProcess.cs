using System.Text.Json.Nodes;

namespace Parma.GuestAgent.Tests.Kata.Genpolicy;

/// <summary>The OCI process of a policy container as genpolicy builds it (its KataProcess).</summary>
internal sealed class KataProcess
{
    public bool Terminal { get; set; }

    public uint Uid { get; set; }

    public uint Gid { get; set; }

    /// <summary>A sorted set, as genpolicy's BTreeSet.</summary>
    public SortedSet<uint> AdditionalGids { get; } = [];

    public List<string> Args { get; } = [];

    public List<string> Env { get; } = [];

    public string Cwd { get; set; } = "/";

    public List<string> Bounding { get; set; } = [];

    public List<string> Effective { get; set; } = [];

    public List<string> Permitted { get; set; } = [];

    public bool NoNewPrivileges { get; set; }

    /// <summary>serde of KataProcess: Args, Env and Cwd are left out when empty.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["Terminal"] = Terminal,
            ["User"] = new JsonObject
            {
                ["UID"] = Uid,
                ["GID"] = Gid,
                ["AdditionalGids"] = new JsonArray(AdditionalGids.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray()),
                ["Username"] = string.Empty,
            },
        };
        if (Args.Count > 0)
        {
            json["Args"] = Json.Array(Args);
        }

        if (Env.Count > 0)
        {
            json["Env"] = Json.Array(Env);
        }

        if (Cwd.Length > 0)
        {
            json["Cwd"] = Cwd;
        }

        json["Capabilities"] = new JsonObject
        {
            ["Ambient"] = new JsonArray(),
            ["Bounding"] = Json.Array(Bounding),
            ["Effective"] = Json.Array(Effective),
            ["Inheritable"] = new JsonArray(),
            ["Permitted"] = Json.Array(Permitted),
        };
        json["NoNewPrivileges"] = NoNewPrivileges;
        return json;
    }
}
