using System.Globalization;
using System.Numerics;

namespace Parma.Rego.Builtins;

/// <summary>
/// The deterministic time.* builtins: instants are nanoseconds since the Unix epoch, optionally paired with an
/// IANA time zone ([ns, "Europe/Paris"]); layouts are Go's. time.now_ns reads the clock and is left out.
/// </summary>
internal static class Time
{
    public static void Register(Registrar add)
    {
        add("time.parse_ns", 2, a => Value.Number(GoTime.Parse("time.parse_ns", GoTime.Named(Args.Str("time.parse_ns", a, 0)), Args.Str("time.parse_ns", a, 1))));
        add("time.parse_rfc3339_ns", 1, a => Value.Number(GoTime.Parse("time.parse_rfc3339_ns", GoTime.Rfc3339, Args.Str("time.parse_rfc3339_ns", a, 0))));
        add("time.parse_duration_ns", 1, a => Value.Number(Duration(Args.Str("time.parse_duration_ns", a, 0))));
        add("time.date", 1, a =>
        {
            var t = Instant("time.date", a[0]);
            return Value.Array(Value.Number(t.Wall.Year), Value.Number(t.Wall.Month), Value.Number(t.Wall.Day));
        });
        add("time.clock", 1, a =>
        {
            var t = Instant("time.clock", a[0]);
            return Value.Array(Value.Number(t.Wall.Hour), Value.Number(t.Wall.Minute), Value.Number(t.Wall.Second));
        });
        add("time.weekday", 1, a => Value.String(Instant("time.weekday", a[0]).Wall.DayOfWeek.ToString()));
        add("time.format", 1, a =>
        {
            var layout = a[0] is ArrayValue { Items: [_, _, var l] } ? (l is StringValue ls ? GoTime.Named(ls.Text) : throw Args.TypeError("time.format", 1, "string layout", l)) : GoTime.Rfc3339Nano;
            return Value.String(GoTime.Format(Instant("time.format", a[0], allowLayout: true), layout));
        });
        add("time.add_date", 4, a =>
        {
            var ns = Nanos("time.add_date", Args.Num("time.add_date", a, 0));
            var years = Args.SmallInt("time.add_date", a, 1);
            var months = Args.SmallInt("time.add_date", a, 2);
            var days = Args.SmallInt("time.add_date", a, 3);
            var t = GoTime.ToLocal(ns, TimeZoneInfo.Utc);
            var totalMonths = ((long)t.Wall.Year * 12) + t.Wall.Month - 1 + ((long)years * 12) + months;
            var year = totalMonths / 12;
            if (year is < 1 or > 9999)
            {
                throw Args.Error("time.add_date", "time outside of valid range");
            }

            DateTime wall;
            try
            {
                wall = new DateTime((int)year, (int)(totalMonths % 12) + 1, 1).AddDays(t.Wall.Day - 1 + (double)days) + t.Wall.TimeOfDay;
            }
            catch (ArgumentOutOfRangeException)
            {
                throw Args.Error("time.add_date", "time outside of valid range");
            }

            return Value.Number(GoTime.ToNanos("time.add_date", wall, t.Nanos, TimeSpan.Zero));
        });
        add("time.diff", 2, a =>
        {
            var (ns1, zone1) = NanosAndZone("time.diff", a[0], 1, allowLayout: false);
            var (ns2, _) = NanosAndZone("time.diff", a[1], 2, allowLayout: false);
            if (ns1 > ns2)
            {
                (ns1, ns2) = (ns2, ns1);
            }

            var t1 = GoTime.ToLocal(ns1, zone1).Wall;
            var t2 = GoTime.ToLocal(ns2, zone1).Wall;
            int year = t2.Year - t1.Year, month = t2.Month - t1.Month, day = t2.Day - t1.Day;
            int hour = t2.Hour - t1.Hour, minute = t2.Minute - t1.Minute, second = t2.Second - t1.Second;
            if (second < 0)
            {
                second += 60;
                minute--;
            }

            if (minute < 0)
            {
                minute += 60;
                hour--;
            }

            if (hour < 0)
            {
                hour += 24;
                day--;
            }

            if (day < 0)
            {
                day += DateTime.DaysInMonth(t1.Year, t1.Month);
                month--;
            }

            if (month < 0)
            {
                month += 12;
                year--;
            }

            return Value.Array(Value.Number(year), Value.Number(month), Value.Number(day), Value.Number(hour), Value.Number(minute), Value.Number(second));
        });
    }

    private static GoTime.Local Instant(string name, Value arg, bool allowLayout = false)
    {
        var (ns, zone) = NanosAndZone(name, arg, 1, allowLayout);
        return GoTime.ToLocal(ns, zone);
    }

    private static (long Ns, TimeZoneInfo Zone) NanosAndZone(string name, Value arg, int operand, bool allowLayout) => arg switch
    {
        NumberValue n => (Nanos(name, n), TimeZoneInfo.Utc),
        ArrayValue { Items: [NumberValue n, StringValue tz] } => (Nanos(name, n), GoTime.Zone(name, tz.Text)),
        ArrayValue { Items: [NumberValue n, StringValue tz, StringValue] } when allowLayout => (Nanos(name, n), GoTime.Zone(name, tz.Text)),
        ArrayValue => throw Args.Error(name, allowLayout
            ? "expected timestamp to be a number, or an array of [number, time zone] or [number, time zone, layout]"
            : "expected timestamp to be a number or an array of [number, time zone]"),
        _ => throw Args.TypeError(name, operand, "one of {number, array}", arg),
    };

    private static long Nanos(string name, NumberValue n)
    {
        var value = n.IsInteger ? n.Integer : new BigInteger(Math.Truncate(n.AsDouble));
        if (value > long.MaxValue || value < long.MinValue)
        {
            throw Args.Error(name, "timestamp too big");
        }

        return (long)value;
    }

    /// <summary>Go's time.ParseDuration: a signed sequence of decimal numbers with units ns, us (µs), ms, s, m, h.</summary>
    private static long Duration(string text)
    {
        const string name = "time.parse_duration_ns";
        Exception Invalid() => Args.Error(name, $"time: invalid duration {Value.Quote(text)}");
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return 0;
        }

        if (s.Length == 0)
        {
            throw Invalid();
        }

        decimal total = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var number = s[start..i];
            if (number.Length == 0 || number == "." || number.Count(c => c == '.') > 1)
            {
                throw Invalid();
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            decimal scale = s[unitStart..i] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                "" => throw Args.Error(name, $"time: missing unit in duration {Value.Quote(text)}"),
                var unit => throw Args.Error(name, $"time: unknown unit {Value.Quote(unit)} in duration {Value.Quote(text)}"),
            };
            try
            {
                total += decimal.Parse(number.StartsWith('.') ? "0" + number : number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * scale;
            }
            catch (OverflowException)
            {
                throw Invalid();
            }
        }

        total = decimal.Truncate(total);
        if (total > long.MaxValue)
        {
            throw Invalid();
        }

        return negative ? -(long)total : (long)total;
    }
}
