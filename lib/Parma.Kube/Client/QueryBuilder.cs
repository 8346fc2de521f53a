using System.Globalization;
using System.Text;

namespace Parma.Kube.Client;

/// <summary>Builds "?a=1&amp;b=2", skipping absent values.</summary>
internal sealed class QueryBuilder
{
    private readonly StringBuilder _text = new();

    public QueryBuilder Add(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        return this;
    }

    public QueryBuilder Add(string name, int? value) =>
        Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public override string ToString() => _text.ToString();

    public static implicit operator string(QueryBuilder builder) => builder.ToString();
}
