using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Parma.Testing.Registry;

/// <summary>
/// A private instance of Debian's <c>docker-registry</c> (distribution 2.x) on 127.0.0.1 and a free port,
/// with its own generated config and temporary storage, deleted on dispose. Plain HTTP, anonymous by
/// default; put a <see cref="TokenAuthProxy"/> in front of it to require Bearer tokens.
/// </summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    private readonly Process process;
    private readonly string workDirectory;

    private LocalRegistry(Process process, string workDirectory, int port)
    {
        this.process = process;
        this.workDirectory = workDirectory;
        Port = port;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, for image references.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public Uri BaseUri => new($"http://{Host}/");

    /// <summary>The registry's filesystem storage root (blobs live under docker/registry/v2/blobs).</summary>
    public string StorageDirectory => Path.Combine(workDirectory, "storage");

    public static async Task<LocalRegistry> StartAsync(CancellationToken cancellationToken = default)
    {
        var binary = File.Exists("/usr/bin/docker-registry") ? "/usr/bin/docker-registry" : ProcessRunner.Require("docker-registry");
        var work = Directory.CreateTempSubdirectory("parma-registry-").FullName;
        var port = FreePort();
        var config = Path.Combine(work, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(work, "storage")}
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:{port}
              secret: parma-test-{Guid.NewGuid():N}
            """, cancellationToken);

        var info = new ProcessStartInfo(binary)
        {
            ArgumentList = { "serve", config },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start docker-registry.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LocalRegistry(process, work, port);
        try
        {
            await registry.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }

        return registry;
    }

    /// <summary>
    /// Copies an image from an OCI layout into this registry with skopeo; returns the pushed manifest digest.
    /// <paramref name="compressFormat"/> (e.g. zstd) makes skopeo recompress the layers on the way.
    /// </summary>
    public async Task<string> PushAsync(string layoutDirectory, string layoutTag, string repository, string tag, bool allPlatforms = false, string? compressFormat = null)
    {
        var skopeo = ProcessRunner.Require("skopeo");
        var digestFile = Path.Combine(workDirectory, $"digest-{Guid.NewGuid():N}");
        var arguments = new List<string> { "copy", "--quiet", "--dest-tls-verify=false", "--digestfile", digestFile };
        if (allPlatforms)
        {
            arguments.Add("--all");
        }

        if (compressFormat is not null)
        {
            arguments.AddRange(["--dest-compress-format", compressFormat]);
        }

        arguments.Add($"oci:{layoutDirectory}:{layoutTag}");
        arguments.Add($"docker://{Host}/{repository}:{tag}");
        (await ProcessRunner.RunAsync(skopeo, arguments, environment: new Dictionary<string, string?> { ["HOME"] = workDirectory }))
            .EnsureSuccess($"skopeo copy to {Host}/{repository}:{tag}");
        return (await File.ReadAllTextAsync(digestFile)).Trim();
    }

    /// <summary>Builds an OCI layout from <paramref name="layout"/> and pushes its image tagged <paramref name="layoutTag"/>.</summary>
    public async Task<string> PushAsync(OciLayoutBuilder layout, string layoutTag, string repository, string tag, bool allPlatforms = false)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var directory = Path.Combine(workDirectory, $"layout-{Guid.NewGuid():N}");
        layout.WriteTo(directory);
        return await PushAsync(directory, layoutTag, repository, tag, allPlatforms);
    }

    /// <summary>The file that holds a blob in the registry's storage (to corrupt it in tests).</summary>
    public string BlobPath(string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(StorageDirectory, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with {process.ExitCode} while starting.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseUri, "v2/"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"docker-registry did not answer on {Host} within 20 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
        try
        {
            Directory.Delete(workDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
