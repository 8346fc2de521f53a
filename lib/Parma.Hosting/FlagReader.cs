namespace Parma.Hosting;

/// <summary>
/// Walks a server's `--flag VALUE` / `--flag=VALUE` arguments, so each server only maps flags to options.
/// <paramref name="error"/> turns a message into the caller's own start-up exception.
/// </summary>
public sealed class FlagReader(IReadOnlyList<string> args, Func<string, Exception> error)
{
    private int _index = -1;
    private string? _inline;

    /// <summary>The current flag, without an inline `=VALUE`.</summary>
    public string Flag { get; private set; } = "";

    /// <summary>The current argument as given (for "unknown argument" messages).</summary>
    public string Argument { get; private set; } = "";

    public bool MoveNext()
    {
        if (++_index >= args.Count)
        {
            return false;
        }

        Argument = args[_index];
        var eq = Argument.IndexOf('=', StringComparison.Ordinal);
        (Flag, _inline) = Argument.StartsWith("--", StringComparison.Ordinal) && eq > 0
            ? (Argument[..eq], Argument[(eq + 1)..])
            : (Argument, null);
        return true;
    }

    /// <summary>The flag's value: inline, else the next argument.</summary>
    public string Value()
    {
        if (_inline is not null)
        {
            return _inline;
        }

        if (_index + 1 >= args.Count)
        {
            throw error($"{Flag} needs a value.");
        }

        return args[++_index];
    }

    /// <summary>Passes over a flag meant for someone else (ASP.NET Core's --urls and the like) and its value.</summary>
    public void SkipValue()
    {
        if (_inline is null && _index + 1 < args.Count)
        {
            _index++;
        }
    }
}
