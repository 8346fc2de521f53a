using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Api;

namespace Parma.Webhook;

/// <summary>
/// Loads the cluster settings. Keys the file omits take their documented defaults: the file is laid
/// over the serialized defaults before parsing, because ParmaSettingsLoader currently turns omitted
/// members into nulls (reported to the owner of lib/Parma.Api).
/// </summary>
public static class WebhookSettings
{
    public static ParmaSettings Load(string path)
    {
        try
        {
            if (!File.Exists(path) && path == ParmaSettingsLoader.DefaultPath)
            {
                return new ParmaSettings();
            }

            if (!File.Exists(path))
            {
                throw new WebhookStartupException($"--settings {path} does not exist");
            }

            var defaults = JsonSerializer.SerializeToNode(new ParmaSettings(), ParmaJson.Options)!.AsObject();
            var given = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (given is not JsonObject values)
            {
                throw new WebhookStartupException($"--settings {path}: expected a JSON object");
            }

            foreach (var (key, value) in values)
            {
                defaults[key] = value?.DeepClone();
            }

            return ParmaSettingsLoader.Parse(defaults.ToJsonString(), path);
        }
        catch (Exception e) when (e is JsonException or ParmaSettingsException or IOException or UnauthorizedAccessException)
        {
            throw new WebhookStartupException($"--settings {path}: {e.Message}", e);
        }
    }
}
