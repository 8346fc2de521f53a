using System.Globalization;

namespace Parma.Testing.ApiServer.Tables;

/// <summary>Ages as kube-apiserver prints them in tables: "45s", "3m20s", "2h5m", "4d3h", "2y".</summary>
public static class HumanDuration
{
    public static string Format(TimeSpan age)
    {
        var seconds = (long)age.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 120)
        {
            return Text($"{seconds}s");
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            return Pair(minutes, "m", seconds % 60, "s");
        }

        if (minutes < 180)
        {
            return Text($"{minutes}m");
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            return Pair(hours, "h", minutes % 60, "m");
        }

        if (hours < 48)
        {
            return Text($"{hours}h");
        }

        var days = hours / 24;
        if (hours < 24 * 8)
        {
            return Pair(days, "d", hours % 24, "h");
        }

        if (hours < 24 * 365 * 2)
        {
            return Text($"{days}d");
        }

        var years = days / 365;
        return hours < 24 * 365 * 8 ? Pair(years, "y", days % 365, "d") : Text($"{years}y");
    }

    /// <summary>"3m20s", or "3m" when the smaller unit is zero.</summary>
    private static string Pair(long major, string majorUnit, long minor, string minorUnit) =>
        minor == 0 ? Text($"{major}{majorUnit}") : Text($"{major}{majorUnit}{minor}{minorUnit}");

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
