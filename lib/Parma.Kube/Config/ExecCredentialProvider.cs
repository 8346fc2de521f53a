using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Parma.Kube.Config;

/// <summary>
/// Runs a kubeconfig `exec` credential plugin (client.authentication.k8s.io/v1 or v1beta1
/// ExecCredential) and caches its token until status.expirationTimestamp.
/// </summary>
public sealed class ExecCredentialProvider(ExecConfig exec, string server) : ITokenProvider
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset? _expires;

    public async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null && (_expires is null || _expires > DateTimeOffset.UtcNow.AddSeconds(10)))
            {
                return _token;
            }

            (_token, _expires) = await RunAsync(cancellationToken).ConfigureAwait(false);
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(string Token, DateTimeOffset? Expires)> RunAsync(CancellationToken cancellationToken)
    {
        var apiVersion = exec.ApiVersion ?? "client.authentication.k8s.io/v1";
        var info = new ProcessStartInfo(exec.Command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in exec.Args ?? [])
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var variable in exec.Env ?? [])
        {
            info.Environment[variable.Name] = variable.Value;
        }

        var input = new Dictionary<string, object?>
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = "ExecCredential",
            ["spec"] = exec.ProvideClusterInfo
                ? new Dictionary<string, object?> { ["interactive"] = false, ["cluster"] = new Dictionary<string, object?> { ["server"] = server } }
                : new Dictionary<string, object?> { ["interactive"] = false },
        };
        info.Environment["KUBERNETES_EXEC_INFO"] = JsonSerializer.Serialize(input, ExecJsonContext.Default.DictionaryStringObject);

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new KubeConfigException($"The exec credential plugin \"{exec.Command}\" could not be started: {e.Message}", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new KubeConfigException($"The exec credential plugin \"{exec.Command}\" exited {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
        }

        return Parse(output, apiVersion);
    }

    internal static (string Token, DateTimeOffset? Expires) Parse(string output, string expectedApiVersion)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(output).RootElement;
        }
        catch (JsonException e)
        {
            throw new KubeConfigException($"The exec credential plugin printed invalid JSON: {e.Message}", e);
        }

        if (!root.TryGetProperty("kind", out var kind) || kind.GetString() != "ExecCredential")
        {
            throw new KubeConfigException("The exec credential plugin did not print an ExecCredential.");
        }

        if (root.TryGetProperty("apiVersion", out var version) && version.GetString() != expectedApiVersion)
        {
            throw new KubeConfigException($"The exec credential plugin answered {version.GetString()}, expected {expectedApiVersion}.");
        }

        if (!root.TryGetProperty("status", out var status) || !status.TryGetProperty("token", out var token) || string.IsNullOrEmpty(token.GetString()))
        {
            throw new KubeConfigException("The ExecCredential has no status.token (client certificates from exec plugins are not supported).");
        }

        DateTimeOffset? expires = null;
        if (status.TryGetProperty("expirationTimestamp", out var expiry) && expiry.ValueKind == JsonValueKind.String)
        {
            expires = DateTimeOffset.Parse(expiry.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }

        return (token.GetString()!, expires);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object?>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(bool))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class ExecJsonContext : System.Text.Json.Serialization.JsonSerializerContext
{
}
