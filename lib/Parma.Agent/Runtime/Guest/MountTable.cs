namespace Parma.Agent.Runtime.Guest;

/// <summary>One mount of /proc/self/mountinfo: where it is, its device number, file system type and source.</summary>
internal sealed record MountEntry(string MountPoint, string Device, string FileSystemType, string Source)
{
    /// <summary>The mounts of this process, the last mount on a path last.</summary>
    public static List<MountEntry> Current(string mountInfo = "/proc/self/mountinfo") =>
        [.. File.ReadLines(mountInfo).Select(Parse).OfType<MountEntry>()];

    public static MountEntry? Parse(string line)
    {
        // id parent major:minor root mount-point options [optional fields] - fstype source super-options
        var separator = line.IndexOf(" - ", StringComparison.Ordinal);
        if (separator < 0)
        {
            return null;
        }

        var before = line[..separator].Split(' ');
        var after = line[(separator + 3)..].Split(' ');
        return before.Length < 5 || after.Length < 2 ? null : new MountEntry(Unescape(before[4]), before[2], after[0], Unescape(after[1]));
    }

    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
