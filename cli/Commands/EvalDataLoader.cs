using Parma.Rego;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Parma.Cli.Commands;

/// <summary>
/// Loads `-d` paths like `opa eval`: .rego files become modules; .json/.yaml/.yml documents are merged
/// into data (a file found under a directory argument is placed at the path of its sub-directories).
/// </summary>
internal sealed class EvalDataLoader
{
    public List<(string FileName, string Text)> Modules { get; } = [];

    public Value Data { get; private set; } = Value.EmptyObject;

    public void Load(string path)
    {
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relativeDir = Path.GetDirectoryName(Path.GetRelativePath(path, file)) ?? string.Empty;
                var prefix = relativeDir.Length == 0 ? [] : relativeDir.Split(Path.DirectorySeparatorChar);
                LoadFile(file, prefix, fromDirectory: true);
            }
        }
        else if (File.Exists(path))
        {
            LoadFile(path, [], fromDirectory: false);
        }
        else
        {
            throw new FileNotFoundException($"data path {path} does not exist");
        }
    }

    private void LoadFile(string file, string[] prefix, bool fromDirectory)
    {
        var extension = Path.GetExtension(file).ToLowerInvariant();
        switch (extension)
        {
            case ".rego":
                Modules.Add((file, File.ReadAllText(file)));
                break;
            case ".json":
                Merge(prefix, ParseJson(file), file);
                break;
            case ".yaml" or ".yml":
                Merge(prefix, ParseYaml(file), file);
                break;
            default:
                if (!fromDirectory)
                {
                    throw new InvalidDataException($"{file}: unsupported file type (want .rego, .json, .yaml or .yml)");
                }

                break;
        }
    }

    public static Value ParseJson(string file)
    {
        try
        {
            return Value.FromJson(File.ReadAllText(file));
        }
        catch (RegoException e)
        {
            throw new InvalidDataException($"{file}: {e.Detail}");
        }
    }

    public static Value ParseYaml(string file)
    {
        try
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(file);
            stream.Load(reader);
            return stream.Documents.Count == 0 ? Value.Null : FromYaml(stream.Documents[0].RootNode);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{file}: invalid YAML: {e.Message}");
        }
    }

    private static Value FromYaml(YamlNode node) => node switch
    {
        YamlScalarNode s => Scalar(s),
        YamlSequenceNode seq => Value.Array(seq.Children.Select(FromYaml)),
        YamlMappingNode map => Value.Object(map.Children.Select(kv => new KeyValuePair<Value, Value>(Value.String(((YamlScalarNode)kv.Key).Value ?? string.Empty), FromYaml(kv.Value)))),
        _ => throw new InvalidDataException($"unsupported YAML node {node.NodeType}"),
    };

    private static Value Scalar(YamlScalarNode s)
    {
        var text = s.Value ?? string.Empty;
        if (s.Style != ScalarStyle.Plain)
        {
            return Value.String(text);
        }

        return text switch
        {
            "" or "~" or "null" => Value.Null,
            "true" => Value.True,
            "false" => Value.False,
            _ when text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-') && NumberValue.Parse(text) is { } n => n,
            _ => Value.String(text),
        };
    }

    private void Merge(string[] prefix, Value document, string file)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            document = Value.Object([new KeyValuePair<string, Value>(prefix[i], document)]);
        }

        if (document is not ObjectValue)
        {
            throw new InvalidDataException($"{file}: a data file at the root must hold an object");
        }

        Data = MergeObjects(Data, document, file);
    }

    private static Value MergeObjects(Value left, Value right, string file)
    {
        if (left is not ObjectValue lo || right is not ObjectValue ro)
        {
            throw new InvalidDataException($"{file}: merge error: conflicting data at the same path");
        }

        var dict = lo.ToDictionary();
        foreach (var (k, v) in ro.Pairs)
        {
            dict[k] = dict.TryGetValue(k, out var existing) ? MergeObjects(existing, v, file) : v;
        }

        return Value.Object(dict);
    }
}
