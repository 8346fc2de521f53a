using System.Globalization;
using System.Text.Json.Nodes;

namespace Parma.GuestAgent.Tests.Kata.Genpolicy;

/// <summary>
/// What genpolicy learns from a container image: its config (User, Env, Cmd, Entrypoint, WorkingDir,
/// Volumes) and its final /etc/passwd and /etc/group, with genpolicy's look-ups over them.
/// </summary>
internal sealed class ImageFacts
{
    private ImageFacts(JsonObject config, string passwd, string group)
    {
        User = config.Str("User");
        Tty = config.Bool("Tty");
        Env = config.Strings("Env");
        Cmd = config.Strings("Cmd");
        Entrypoint = config.Strings("Entrypoint");
        WorkingDir = config.Str("WorkingDir");
        Volumes = (config.Strings("Volumes") ?? []).Order(StringComparer.Ordinal).ToList();
        Passwd = passwd;
        Group = group;
    }

    public string? User { get; }

    public bool? Tty { get; }

    public List<string>? Env { get; }

    public List<string>? Cmd { get; }

    public List<string>? Entrypoint { get; }

    public string? WorkingDir { get; }

    /// <summary>The config's Volumes keys, sorted as genpolicy's map keeps them.</summary>
    public IReadOnlyList<string> Volumes { get; }

    public string Passwd { get; }

    public string Group { get; }

    public bool HasConfiguredUser => !string.IsNullOrEmpty(User);

    /// <summary>Reads image-facts.json: image reference → facts (an entry may name another with "sameAs").</summary>
    public static IReadOnlyDictionary<string, ImageFacts> Load(string path)
    {
        var images = JsonNode.Parse(File.ReadAllText(path))!.Obj("images")!;
        var result = new Dictionary<string, ImageFacts>(StringComparer.Ordinal);
        foreach (var (reference, node) in images)
        {
            var entry = node!.AsObject();
            var facts = entry.Str("sameAs") is { } same ? images.Obj(same)! : entry;
            result[reference] = new ImageFacts(facts.Obj("config") ?? [], facts.Str("passwd") ?? string.Empty, facts.Str("group") ?? string.Empty);
        }

        return result;
    }

    private sealed record PasswdRecord(string User, uint Uid, uint Gid);

    private sealed record GroupRecord(string Name, uint Gid, IReadOnlyList<string> Users);

    /// <summary>passwd records; null when the file is absent or a line does not have 7 fields (genpolicy's parse error).</summary>
    private List<PasswdRecord>? PasswdRecords()
    {
        if (Passwd.Length == 0)
        {
            return null;
        }

        var records = new List<PasswdRecord>();
        foreach (var line in Lines(Passwd))
        {
            var fields = line.Split(':');
            if (fields.Length != 7)
            {
                return null;
            }

            records.Add(new PasswdRecord(fields[0], uint.Parse(fields[2], CultureInfo.InvariantCulture), uint.Parse(fields[3], CultureInfo.InvariantCulture)));
        }

        return records;
    }

    private List<GroupRecord>? GroupRecords()
    {
        if (Group.Length == 0)
        {
            return null;
        }

        var records = new List<GroupRecord>();
        foreach (var line in Lines(Group))
        {
            var fields = line.Split(':');
            if (fields.Length != 4)
            {
                return null;
            }

            records.Add(new GroupRecord(fields[0], uint.Parse(fields[2], CultureInfo.InvariantCulture), fields[3].Length == 0 ? [] : fields[3].Split(',')));
        }

        return records;
    }

    /// <summary>Lines as Rust's str::lines gives them: split at \n, a trailing \r dropped, no empty last line.</summary>
    private static IEnumerable<string> Lines(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    public uint? GidOfUid(uint uid) => PasswdRecords()?.FirstOrDefault(r => r.Uid == uid)?.Gid;

    public (uint Uid, uint Gid)? UidGidOfUser(string user) =>
        user.Length == 0 ? null : PasswdRecords()?.FirstOrDefault(r => r.User == user) is { } r ? (r.Uid, r.Gid) : null;

    /// <summary>The groups whose member list names the user of <paramref name="uid"/>, except a group named like the user (containerd issue 11937).</summary>
    public IReadOnlyList<uint> AdditionalGroupsOfUid(uint uid)
    {
        if (Group.Length == 0 || PasswdRecords()?.FirstOrDefault(r => r.Uid == uid)?.User is not { } user || GroupRecords() is not { } groups)
        {
            return [];
        }

        return groups.SelectMany(g => g.Users.Where(u => u == user && g.Name != u).Select(_ => g.Gid)).ToList();
    }

    /// <summary>A user given as a number, or a name looked up in /etc/passwd; 0 when neither.</summary>
    public uint ParseUser(string user) =>
        user.Length == 0 ? 0
        : uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? uid
        : UidGidOfUser(user)?.Uid ?? 0;

    /// <summary>A group given as a number, or a name looked up in /etc/group; null when empty or unknown.</summary>
    public uint? ParseGroup(string group) =>
        group.Length == 0 ? null
        : uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var gid) ? gid
        : GroupRecords()?.FirstOrDefault(r => r.Name == group)?.Gid;
}
