using System.Text;
using Parma.Policy.Input;

namespace Parma.Policy.Output;

/// <summary>
/// Kata/CoCo initdata: a TOML document with `version`, `algorithm` and a `[data]` table holding
/// `"policy.rego"`. Carried in `io.katacontainers.config.hypervisor.cc_init_data` as base64(gzip(TOML)).
/// </summary>
public sealed record InitData(string Version, string Algorithm, string Policy, string Toml)
{
    public const string CurrentVersion = "0.1.0";

    public byte[] TomlBytes => Encoding.UTF8.GetBytes(Toml);

    public byte[] HostData => Output.HostData.OfInitData(TomlBytes, Algorithm);

    public static InitData Create(string policy, string algorithm = "sha256")
    {
        if (policy.Contains("'''", StringComparison.Ordinal))
        {
            throw new PolicyInputException("The policy text contains ''' and cannot be carried in an initdata TOML literal string.");
        }

        var toml = new StringBuilder()
            .Append("version = \"").Append(CurrentVersion).Append("\"\n")
            .Append("algorithm = \"").Append(algorithm).Append("\"\n")
            .Append('\n')
            .Append("[data]\n")
            .Append("\"policy.rego\" = '''\n")
            .Append(policy)
            .Append(policy.EndsWith('\n') ? string.Empty : "\n")
            .Append("'''\n")
            .ToString();
        RequireKnownAlgorithm(algorithm);
        return new InitData(CurrentVersion, algorithm, policy, toml);
    }

    /// <summary>Reads the initdata TOML shape Kata uses; anything else is a clear error.</summary>
    public static InitData Parse(string toml)
    {
        string? version = null;
        string? algorithm = null;
        string? policy = null;
        var table = string.Empty;
        var lines = toml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                table = line.Trim('[', ']').Trim();
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new PolicyInputException($"initdata line {i + 1}: expected key = value.");
            }

            var key = line[..eq].Trim().Trim('"');
            var value = line[(eq + 1)..].Trim();
            switch ((table, key))
            {
                case ("", "version"):
                    version = BasicString(value, i);
                    break;
                case ("", "algorithm"):
                    algorithm = BasicString(value, i);
                    break;
                case ("data", "policy.rego"):
                    (policy, i) = MultilineValue(lines, i, value);
                    break;
                default:
                    if (value.StartsWith("'''", StringComparison.Ordinal) || value.StartsWith("\"\"\"", StringComparison.Ordinal))
                    {
                        (_, i) = MultilineValue(lines, i, value);
                    }

                    break;
            }
        }

        if (version is null || algorithm is null)
        {
            throw new PolicyInputException("initdata: `version` and `algorithm` are required.");
        }

        if (policy is null)
        {
            throw new PolicyInputException("initdata: [data] has no \"policy.rego\".");
        }

        RequireKnownAlgorithm(algorithm);
        return new InitData(version, algorithm, policy, toml);
    }

    private static void RequireKnownAlgorithm(string algorithm)
    {
        if (!Output.HostData.InitDataAlgorithms.Contains(algorithm))
        {
            throw new PolicyInputException($"initdata: algorithm '{algorithm}' is not one of sha256, sha384, sha512.");
        }
    }

    private static string BasicString(string value, int line)
    {
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            return value[1..^1];
        }

        throw new PolicyInputException($"initdata line {line + 1}: expected a quoted string.");
    }

    private static (string Value, int LastLine) MultilineValue(string[] lines, int start, string value)
    {
        var delimiter = value.StartsWith("'''", StringComparison.Ordinal) ? "'''" : value.StartsWith("\"\"\"", StringComparison.Ordinal) ? "\"\"\"" : null;
        if (delimiter is null)
        {
            return (BasicString(value, start), start);
        }

        if (delimiter == "\"\"\"")
        {
            throw new PolicyInputException($"initdata line {start + 1}: use a literal string (''') for policy.rego.");
        }

        var rest = value[3..];
        var closing = rest.IndexOf(delimiter, StringComparison.Ordinal);
        if (closing >= 0)
        {
            return (rest[..closing], start);
        }

        // A newline right after the opening delimiter is not part of the value.
        var builder = new StringBuilder(rest.Length == 0 ? string.Empty : rest + "\n");
        for (var i = start + 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var end = line.IndexOf(delimiter, StringComparison.Ordinal);
            if (end >= 0)
            {
                builder.Append(line[..end]);
                return (builder.ToString(), i);
            }

            builder.Append(line).Append('\n');
        }

        throw new PolicyInputException($"initdata line {start + 1}: unterminated ''' string.");
    }
}
