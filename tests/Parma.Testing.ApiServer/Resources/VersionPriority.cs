using System.Globalization;
using System.Text.RegularExpressions;

namespace Parma.Testing.ApiServer.Resources;

/// <summary>
/// Orders API versions as discovery lists them, most preferred first: GA before beta before alpha,
/// a higher major (then minor) number first; versions that do not look like v1, v2beta1, … come last,
/// alphabetically.
/// </summary>
public sealed partial class VersionPriority : IComparer<string>
{
    public static VersionPriority Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        var a = Parse(x ?? "");
        var b = Parse(y ?? "");
        if (a is null || b is null)
        {
            return a is null && b is null ? string.CompareOrdinal(x, y) : a is null ? 1 : -1;
        }

        // Higher rank (GA 2, beta 1, alpha 0) first, then the higher major, then the higher minor.
        return (b.Value.Rank, b.Value.Major, b.Value.Minor).CompareTo((a.Value.Rank, a.Value.Major, a.Value.Minor));
    }

    private static (int Rank, int Major, int Minor)? Parse(string version)
    {
        var match = KubeLike().Match(version);
        if (!match.Success)
        {
            return null;
        }

        var major = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var rank = match.Groups[2].Value switch { "alpha" => 0, "beta" => 1, _ => 2 };
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
        return (rank, major, minor);
    }

    [GeneratedRegex("^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$")]
    private static partial Regex KubeLike();
}
