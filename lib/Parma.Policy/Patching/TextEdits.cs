using System.Text;

namespace Parma.Policy.Patching;

/// <summary>Replacements of character ranges of one text, applied together; ranges may not overlap.</summary>
/// <param name="collectionEnds">Where each YAML flow collection that starts at a position ends.</param>
internal sealed class TextEdits(string text, IReadOnlyDictionary<int, int> collectionEnds)
{
    private readonly List<(int Start, int End, string Replacement)> _edits = [];

    public string Text => text;

    public void Replace(int start, int end, string replacement)
    {
        if (start < 0 || end < start || end > text.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"edit {start}..{end} is outside the text (0..{text.Length}).");
        }

        _edits.Add((start, end, replacement));
    }

    public void Insert(int at, string insertion) => Replace(at, at, insertion);

    /// <summary>The end of the node starting at <paramref name="start"/>: a flow collection's from the scanner, else <paramref name="end"/>.</summary>
    public int EndOf(int start, int end) => collectionEnds.TryGetValue(start, out var collectionEnd) ? Math.Max(end, collectionEnd) : end;

    /// <summary>Where the line holding <paramref name="index"/> starts.</summary>
    public int LineStart(int index) => index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;

    /// <summary>The column (0-based, in characters) of <paramref name="index"/>.</summary>
    public int Column(int index) => index - LineStart(index);

    public string Apply()
    {
        var ordered = _edits.OrderBy(e => e.Start).ThenBy(e => e.End).ToList();
        var result = new StringBuilder(text.Length + ordered.Sum(e => e.Replacement.Length));
        var position = 0;
        foreach (var (start, end, replacement) in ordered)
        {
            if (start < position)
            {
                throw new InvalidOperationException($"overlapping edits at character {start}.");
            }

            result.Append(text, position, start - position).Append(replacement);
            position = end;
        }

        return result.Append(text, position, text.Length - position).ToString();
    }
}
