using Parma.Api;

namespace Parma.Webhook;

/// <summary>Loads the cluster settings (keys the file omits keep their defaults), as a start-up error naming the flag.</summary>
public static class WebhookSettings
{
    public static ParmaSettings Load(string path)
    {
        try
        {
            return ParmaSettingsLoader.Load(path);
        }
        catch (Exception e) when (e is ParmaSettingsException or IOException or UnauthorizedAccessException)
        {
            throw new WebhookStartupException($"--settings {path}: {e.Message}", e);
        }
    }
}
