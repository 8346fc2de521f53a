using System.Text.RegularExpressions;

namespace Parma.Testing.Docs;

/// <summary>A fenced shell block of a Markdown document, with the heading it sits under.</summary>
public sealed record ShellBlock(string Heading, int Line, IReadOnlyList<string> Lines)
{
    /// <summary>The block as one script: continuation lines joined as the shell would.</summary>
    public string Script => string.Join('\n', Lines);
}

/// <summary>
/// Reads the shell commands a document tells the reader to run (```sh / ```bash / ```shell blocks), so that a
/// test can run them exactly as written and the document cannot drift from what works.
/// </summary>
public static partial class MarkdownCommands
{
    public static IReadOnlyList<ShellBlock> ShellBlocks(string markdownPath)
    {
        var blocks = new List<ShellBlock>();
        var heading = string.Empty;
        List<string>? current = null;
        var start = 0;
        var lines = File.ReadAllLines(markdownPath);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var fence = Fence().Match(line);
            if (current is null)
            {
                if (line.StartsWith('#'))
                {
                    heading = line.TrimStart('#').Trim();
                }
                else if (fence.Success && fence.Groups["lang"].Value is "sh" or "bash" or "shell")
                {
                    current = [];
                    start = i + 1;
                }
            }
            else if (fence.Success && fence.Groups["lang"].Value.Length == 0)
            {
                // The block's indentation (inside a list item) is not part of the commands.
                var indent = current.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
                blocks.Add(new ShellBlock(heading, start + 1, current.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()).ToList()));
                current = null;
            }
            else
            {
                current.Add(line);
            }
        }

        return blocks;
    }

    /// <summary>The shell blocks under the heading <paramref name="heading"/> (exact text, without the #s).</summary>
    public static IReadOnlyList<ShellBlock> Under(string markdownPath, string heading) =>
        ShellBlocks(markdownPath).Where(b => b.Heading == heading).ToList();

    [GeneratedRegex(@"^\s*```(?<lang>[A-Za-z]*)\s*$")]
    private static partial Regex Fence();
}
