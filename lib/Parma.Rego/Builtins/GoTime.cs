using System.Globalization;
using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>
/// Go's reference-time layouts ("2006-01-02T15:04:05Z07:00") for formatting and parsing instants held as
/// nanoseconds since the Unix epoch, in UTC or an IANA time zone.
/// </summary>
internal static class GoTime
{
    public const string Rfc3339Nano = "2006-01-02T15:04:05.999999999Z07:00";
    public const string Rfc3339 = "2006-01-02T15:04:05Z07:00";

    private static readonly string[] LongDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] LongMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    /// <summary>Named layouts OPA accepts in place of a layout string.</summary>
    public static string Named(string layout) => layout switch
    {
        "ANSIC" => "Mon Jan _2 15:04:05 2006",
        "UnixDate" => "Mon Jan _2 15:04:05 MST 2006",
        "RubyDate" => "Mon Jan 02 15:04:05 -0700 2006",
        "RFC822" => "02 Jan 06 15:04 MST",
        "RFC822Z" => "02 Jan 06 15:04 -0700",
        "RFC850" => "Monday, 02-Jan-06 15:04:05 MST",
        "RFC1123" => "Mon, 02 Jan 2006 15:04:05 MST",
        "RFC1123Z" => "Mon, 02 Jan 2006 15:04:05 -0700",
        "RFC3339" => Rfc3339,
        "RFC3339Nano" => Rfc3339Nano,
        "Kitchen" => "3:04PM",
        "Stamp" => "Jan _2 15:04:05",
        "StampMilli" => "Jan _2 15:04:05.000",
        "StampMicro" => "Jan _2 15:04:05.000000",
        "StampNano" => "Jan _2 15:04:05.000000000",
        "DateTime" => "2006-01-02 15:04:05",
        "DateOnly" => "2006-01-02",
        "TimeOnly" => "15:04:05",
        _ => layout,
    };

    /// <summary>A local time: the calendar fields in a zone plus the nanoseconds within the second.</summary>
    public readonly record struct Local(DateTime Wall, int Nanos, TimeSpan Offset, string ZoneAbbreviation);

    public static TimeZoneInfo Zone(string name, string tz)
    {
        if (tz is "" or "UTC")
        {
            return TimeZoneInfo.Utc;
        }

        if (tz == "Local")
        {
            return TimeZoneInfo.Local;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(tz);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw Args.Error(name, $"unknown time zone {tz}");
        }
    }

    public static Local ToLocal(long ns, TimeZoneInfo zone)
    {
        var seconds = Math.DivRem(ns, 1_000_000_000L, out var nanos);
        if (nanos < 0)
        {
            nanos += 1_000_000_000;
            seconds--;
        }

        var utc = DateTime.UnixEpoch.AddSeconds(seconds);
        var offset = zone.GetUtcOffset(utc);
        var abbreviation = zone == TimeZoneInfo.Utc ? "UTC" : Abbreviation(offset);
        return new Local(DateTime.SpecifyKind(utc + offset, DateTimeKind.Unspecified), (int)nanos, offset, abbreviation);
    }

    private static string Abbreviation(TimeSpan offset)
    {
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return abs.Minutes == 0 ? $"{sign}{abs.Hours:00}" : $"{sign}{abs.Hours:00}{abs.Minutes:00}";
    }

    public static long ToNanos(string name, DateTime wall, int nanos, TimeSpan offset)
    {
        var seconds = (long)(wall - offset - DateTime.UnixEpoch).TotalSeconds;
        var total = (System.Numerics.BigInteger)seconds * 1_000_000_000 + nanos;
        if (total > long.MaxValue || total < long.MinValue)
        {
            throw Args.Error(name, "time outside of valid range");
        }

        return (long)total;
    }

    private enum Kind
    {
        Literal, Year4, Year2, Month, Month2, MonthShort, MonthLong, Day, Day2, DayPadded, YearDay3, YearDayPadded, WeekdayShort, WeekdayLong,
        Hour24, Hour12, Hour12Two, Minute, Minute2, Second, Second2, PmUpper, PmLower, ZoneName,
        OffsetZColon, OffsetZ, OffsetZHours, OffsetZColonSeconds, OffsetColon, Offset, OffsetHours, OffsetColonSeconds, OffsetSeconds, OffsetZSeconds,
        FracZeros, FracNines,
    }

    private readonly record struct Token(Kind Kind, string Text, int Digits);

    private static List<Token> Tokens(string layout)
    {
        var tokens = new List<Token>();
        var literal = new StringBuilder();
        void Emit(Kind kind, int length, int digits = 0, string text = "")
        {
            if (literal.Length > 0)
            {
                tokens.Add(new Token(Kind.Literal, literal.ToString(), 0));
                literal.Clear();
            }

            tokens.Add(new Token(kind, text, digits));
        }

        var i = 0;
        bool At(string s) => string.CompareOrdinal(layout, i, s, 0, s.Length) == 0;
        while (i < layout.Length)
        {
            (Kind Kind, int Length)? match = null;
            foreach (var (text, kind) in Table)
            {
                if (At(text))
                {
                    match = (kind, text.Length);
                    break;
                }
            }

            if (match is null && layout[i] is '.' or ',' && i + 1 < layout.Length && layout[i + 1] is '0' or '9')
            {
                var digit = layout[i + 1];
                var j = i + 1;
                while (j < layout.Length && layout[j] == digit)
                {
                    j++;
                }

                if (j == layout.Length || !char.IsAsciiDigit(layout[j]))
                {
                    Emit(digit == '0' ? Kind.FracZeros : Kind.FracNines, 0, j - i - 1, layout[i].ToString());
                    i = j;
                    continue;
                }
            }

            if (match is { } m)
            {
                Emit(m.Kind, m.Length);
                i += m.Length;
            }
            else
            {
                literal.Append(layout[i]);
                i++;
            }
        }

        if (literal.Length > 0)
        {
            tokens.Add(new Token(Kind.Literal, literal.ToString(), 0));
        }

        return tokens;
    }

    // Longest first where one is a prefix of another.
    private static readonly (string, Kind)[] Table =
    [
        ("January", Kind.MonthLong), ("Jan", Kind.MonthShort), ("Monday", Kind.WeekdayLong), ("Mon", Kind.WeekdayShort), ("MST", Kind.ZoneName),
        ("2006", Kind.Year4), ("Z07:00:00", Kind.OffsetZColonSeconds), ("Z070000", Kind.OffsetZSeconds), ("Z07:00", Kind.OffsetZColon), ("Z0700", Kind.OffsetZ), ("Z07", Kind.OffsetZHours),
        ("-07:00:00", Kind.OffsetColonSeconds), ("-070000", Kind.OffsetSeconds), ("-07:00", Kind.OffsetColon), ("-0700", Kind.Offset), ("-07", Kind.OffsetHours),
        ("002", Kind.YearDay3), ("__2", Kind.YearDayPadded), ("01", Kind.Month2), ("02", Kind.Day2), ("03", Kind.Hour12Two), ("04", Kind.Minute2), ("05", Kind.Second2), ("06", Kind.Year2),
        ("_2", Kind.DayPadded), ("15", Kind.Hour24), ("PM", Kind.PmUpper), ("pm", Kind.PmLower),
        ("1", Kind.Month), ("2", Kind.Day), ("3", Kind.Hour12), ("4", Kind.Minute), ("5", Kind.Second),
    ];

    public static string Format(Local t, string layout)
    {
        var sb = new StringBuilder();
        var w = t.Wall;
        foreach (var token in Tokens(layout))
        {
            switch (token.Kind)
            {
                case Kind.Literal: sb.Append(token.Text); break;
                case Kind.Year4: sb.Append(w.Year.ToString("0000", CultureInfo.InvariantCulture)); break;
                case Kind.Year2: sb.Append((w.Year % 100).ToString("00", CultureInfo.InvariantCulture)); break;
                case Kind.Month: sb.Append(w.Month); break;
                case Kind.Month2: sb.Append(w.Month.ToString("00", CultureInfo.InvariantCulture)); break;
                case Kind.MonthShort: sb.Append(LongMonths[w.Month - 1][..3]); break;
                case Kind.MonthLong: sb.Append(LongMonths[w.Month - 1]); break;
                case Kind.Day: sb.Append(w.Day); break;
                case Kind.Day2: sb.Append(w.Day.ToString("00", CultureInfo.InvariantCulture)); break;
                case Kind.DayPadded: sb.Append(w.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)); break;
                case Kind.YearDay3: sb.Append(w.DayOfYear.ToString("000", CultureInfo.InvariantCulture)); break;
                case Kind.YearDayPadded: sb.Append(w.DayOfYear.ToString(CultureInfo.InvariantCulture).PadLeft(3)); break;
                case Kind.WeekdayShort: sb.Append(LongDays[(int)w.DayOfWeek][..3]); break;
                case Kind.WeekdayLong: sb.Append(LongDays[(int)w.DayOfWeek]); break;
                case Kind.Hour24: sb.Append(w.Hour.ToString("00", CultureInfo.InvariantCulture)); break;
                case Kind.Hour12: sb.Append(w.Hour % 12 == 0 ? 12 : w.Hour % 12); break;
                case Kind.Hour12Two: sb.Append((w.Hour % 12 == 0 ? 12 : w.Hour % 12).ToString("00", CultureInfo.InvariantCulture)); break;
                case Kind.Minute: sb.Append(w.Minute); break;
                case Kind.Minute2: sb.Append(w.Minute.ToString("00", CultureInfo.InvariantCulture)); break;
                case Kind.Second: sb.Append(w.Second); break;
                case Kind.Second2: sb.Append(w.Second.ToString("00", CultureInfo.InvariantCulture)); break;
                case Kind.PmUpper: sb.Append(w.Hour >= 12 ? "PM" : "AM"); break;
                case Kind.PmLower: sb.Append(w.Hour >= 12 ? "pm" : "am"); break;
                case Kind.ZoneName: sb.Append(t.ZoneAbbreviation); break;
                case Kind.FracZeros:
                    sb.Append(token.Text).Append(t.Nanos.ToString("000000000", CultureInfo.InvariantCulture)[..token.Digits]);
                    break;
                case Kind.FracNines:
                {
                    var digits = t.Nanos.ToString("000000000", CultureInfo.InvariantCulture)[..token.Digits].TrimEnd('0');
                    if (digits.Length > 0)
                    {
                        sb.Append(token.Text).Append(digits);
                    }

                    break;
                }

                default:
                    sb.Append(FormatOffset(t.Offset, token.Kind));
                    break;
            }
        }

        return sb.ToString();
    }

    private static string FormatOffset(TimeSpan offset, Kind kind)
    {
        var z = kind is Kind.OffsetZColon or Kind.OffsetZ or Kind.OffsetZHours or Kind.OffsetZColonSeconds or Kind.OffsetZSeconds;
        if (z && offset == TimeSpan.Zero)
        {
            return "Z";
        }

        var sign = offset < TimeSpan.Zero ? "-" : "+";
        var a = offset.Duration();
        var h = a.Hours.ToString("00", CultureInfo.InvariantCulture);
        var m = a.Minutes.ToString("00", CultureInfo.InvariantCulture);
        var s = a.Seconds.ToString("00", CultureInfo.InvariantCulture);
        return kind switch
        {
            Kind.OffsetZColon or Kind.OffsetColon => $"{sign}{h}:{m}",
            Kind.OffsetZ or Kind.Offset => $"{sign}{h}{m}",
            Kind.OffsetZHours or Kind.OffsetHours => $"{sign}{h}",
            Kind.OffsetZColonSeconds or Kind.OffsetColonSeconds => $"{sign}{h}:{m}:{s}",
            _ => $"{sign}{h}{m}{s}",
        };
    }

    /// <summary>Parses a value by a layout, as Go's time.Parse: a value without a zone is UTC.</summary>
    public static long Parse(string name, string layout, string value)
    {
        int year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0, yearDay = -1;
        bool? pm = null;
        TimeSpan? offset = null;
        var i = 0;
        RegoException Bad(string what) =>
            Args.Error(name, $"parsing time {Value.Quote(value)} as {Value.Quote(layout)}: cannot parse {Value.Quote(value[Math.Min(i, value.Length)..])} as {Value.Quote(what)}");

        int Number(int min, int max, string what)
        {
            var start = i;
            while (i < value.Length && char.IsAsciiDigit(value[i]) && i - start < max)
            {
                i++;
            }

            if (i - start < min)
            {
                i = start;
                throw Bad(what);
            }

            return int.Parse(value.AsSpan(start, i - start), CultureInfo.InvariantCulture);
        }

        int Name(string[] names, int length, string what)
        {
            for (var n = 0; n < names.Length; n++)
            {
                var candidate = length > 0 ? names[n][..length] : names[n];
                if (string.Compare(value, i, candidate, 0, candidate.Length, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    i += candidate.Length;
                    return n;
                }
            }

            throw Bad(what);
        }

        var tokens = Tokens(layout);
        for (var t = 0; t < tokens.Count; t++)
        {
            var token = tokens[t];
            switch (token.Kind)
            {
                case Kind.Literal:
                    var lit = token.Text;
                    if (string.CompareOrdinal(value, i, lit, 0, lit.Length) != 0)
                    {
                        throw Bad(lit);
                    }

                    i += lit.Length;
                    break;
                case Kind.Year4:
                    if (i + 4 > value.Length || !value.AsSpan(i, 4).ToArray().All(char.IsAsciiDigit))
                    {
                        throw Bad("2006");
                    }

                    year = int.Parse(value.AsSpan(i, 4), CultureInfo.InvariantCulture);
                    i += 4;
                    break;
                case Kind.Year2:
                    year = Number(2, 2, "06");
                    year += year >= 69 ? 1900 : 2000;
                    break;
                case Kind.Month: month = Number(1, 2, "1"); break;
                case Kind.Month2: month = Number(2, 2, "01"); break;
                case Kind.MonthShort: month = Name(LongMonths, 3, "Jan") + 1; break;
                case Kind.MonthLong: month = Name(LongMonths, 0, "January") + 1; break;
                case Kind.Day: day = Number(1, 2, "2"); break;
                case Kind.Day2: day = Number(2, 2, "02"); break;
                case Kind.DayPadded:
                    if (i < value.Length && value[i] == ' ')
                    {
                        i++;
                    }

                    day = Number(1, 2, "_2");
                    break;
                case Kind.YearDay3: yearDay = Number(3, 3, "002"); break;
                case Kind.YearDayPadded:
                    while (i < value.Length && value[i] == ' ')
                    {
                        i++;
                    }

                    yearDay = Number(1, 3, "__2");
                    break;
                case Kind.WeekdayShort: Name(LongDays, 3, "Mon"); break;
                case Kind.WeekdayLong: Name(LongDays, 0, "Monday"); break;
                case Kind.Hour24: hour = Number(2, 2, "15"); break;
                case Kind.Hour12: hour = Number(1, 2, "3"); break;
                case Kind.Hour12Two: hour = Number(2, 2, "03"); break;
                case Kind.Minute: minute = Number(1, 2, "4"); break;
                case Kind.Minute2: minute = Number(2, 2, "04"); break;
                case Kind.Second or Kind.Second2:
                    second = Number(token.Kind == Kind.Second ? 1 : 2, 2, token.Kind == Kind.Second ? "5" : "05");
                    var nextIsFraction = t + 1 < tokens.Count && tokens[t + 1].Kind is Kind.FracZeros or Kind.FracNines;
                    if (!nextIsFraction && i + 1 < value.Length && value[i] is '.' or ',' && char.IsAsciiDigit(value[i + 1]))
                    {
                        i++;
                        nanos = Fraction();
                    }

                    break;
                case Kind.FracZeros or Kind.FracNines:
                    // Nines allow the fraction, separator included, to be left out.
                    if (i + 1 < value.Length && value[i] is '.' or ',' && char.IsAsciiDigit(value[i + 1]))
                    {
                        i++;
                        var fractionStart = i;
                        nanos = Fraction();
                        if (token.Kind == Kind.FracZeros && i - fractionStart != token.Digits)
                        {
                            throw Bad(token.Text + new string('0', token.Digits));
                        }
                    }
                    else if (token.Kind == Kind.FracZeros)
                    {
                        throw Bad(token.Text + new string('0', token.Digits));
                    }

                    break;
                case Kind.PmUpper or Kind.PmLower:
                    if (i + 2 > value.Length)
                    {
                        throw Bad("PM");
                    }

                    var ampm = value.Substring(i, 2).ToUpperInvariant();
                    pm = ampm == "PM" ? true : ampm == "AM" ? false : throw Bad("PM");
                    i += 2;
                    break;
                case Kind.ZoneName:
                    var start = i;
                    while (i < value.Length && char.IsAsciiLetterUpper(value[i]))
                    {
                        i++;
                    }

                    if (i - start < 3)
                    {
                        i = start;
                        throw Bad("MST");
                    }

                    offset ??= value[start..i] == "UTC" ? TimeSpan.Zero : offset;
                    break;
                default:
                    offset = ParseOffset(token.Kind, value, ref i) ?? throw Bad("Z07:00");
                    break;
            }
        }

        if (i != value.Length)
        {
            throw Args.Error(name, $"parsing time {Value.Quote(value)}: extra text: {Value.Quote(value[i..])}");
        }

        if (pm is { } isPm)
        {
            if (hour is < 1 or > 12)
            {
                throw Args.Error(name, $"parsing time {Value.Quote(value)}: hour out of range");
            }

            hour = hour % 12 + (isPm ? 12 : 0);
        }

        if (month is < 1 or > 12 || hour > 23 || minute > 59 || second > 59 || year is < 1 or > 9999)
        {
            throw Args.Error(name, $"parsing time {Value.Quote(value)}: value out of range");
        }

        DateTime wall;
        if (yearDay >= 0)
        {
            if (yearDay < 1 || yearDay > (DateTime.IsLeapYear(year) ? 366 : 365))
            {
                throw Args.Error(name, $"parsing time {Value.Quote(value)}: day-of-year out of range");
            }

            wall = new DateTime(year, 1, 1).AddDays(yearDay - 1);
        }
        else
        {
            if (day < 1 || day > DateTime.DaysInMonth(year, month))
            {
                throw Args.Error(name, $"parsing time {Value.Quote(value)}: day out of range");
            }

            wall = new DateTime(year, month, day);
        }

        wall = wall.AddHours(hour).AddMinutes(minute).AddSeconds(second);
        return ToNanos(name, wall, nanos, offset ?? TimeSpan.Zero);

        int Fraction()
        {
            var start = i;
            while (i < value.Length && char.IsAsciiDigit(value[i]))
            {
                i++;
            }

            var digits = value[start..i];
            return int.Parse((digits.Length > 9 ? digits[..9] : digits).PadRight(9, '0'), CultureInfo.InvariantCulture);
        }
    }

    private static TimeSpan? ParseOffset(Kind kind, string value, ref int i)
    {
        var z = kind is Kind.OffsetZColon or Kind.OffsetZ or Kind.OffsetZHours or Kind.OffsetZColonSeconds or Kind.OffsetZSeconds;
        if (z && i < value.Length && value[i] == 'Z')
        {
            i++;
            return TimeSpan.Zero;
        }

        if (i >= value.Length || value[i] is not ('+' or '-'))
        {
            return null;
        }

        var sign = value[i] == '-' ? -1 : 1;
        var pattern = kind switch
        {
            Kind.OffsetZColon or Kind.OffsetColon => "hh:mm",
            Kind.OffsetZ or Kind.Offset => "hhmm",
            Kind.OffsetZHours or Kind.OffsetHours => "hh",
            Kind.OffsetZColonSeconds or Kind.OffsetColonSeconds => "hh:mm:ss",
            _ => "hhmmss",
        };
        if (i + 1 + pattern.Length > value.Length)
        {
            return null;
        }

        var text = value.Substring(i + 1, pattern.Length);
        for (var p = 0; p < pattern.Length; p++)
        {
            if (pattern[p] == ':' ? text[p] != ':' : !char.IsAsciiDigit(text[p]))
            {
                return null;
            }
        }

        var digits = text.Replace(":", string.Empty, StringComparison.Ordinal);
        var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
        var minutes = digits.Length >= 4 ? int.Parse(digits[2..4], CultureInfo.InvariantCulture) : 0;
        var seconds = digits.Length >= 6 ? int.Parse(digits[4..6], CultureInfo.InvariantCulture) : 0;
        i += 1 + pattern.Length;
        return sign * new TimeSpan(hours, minutes, seconds);
    }
}
