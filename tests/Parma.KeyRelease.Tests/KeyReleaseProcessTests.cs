using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parma.Attestation.KeyRelease;

namespace Parma.KeyRelease.Tests;

/// <summary>
/// The container entry point (parma-key-release.dll) as a real process: it recomputes host_data before it listens, reloads on
/// SIGHUP, and refuses to start, naming the file, when a manifest does not generate.
/// </summary>
public sealed class KeyReleaseProcessTests : IClassFixture<DevelopmentAuthorityFixture>, IDisposable
{
    private static readonly string EntryPoint = Path.Combine(AppContext.BaseDirectory, "parma-key-release.dll");
    private readonly TenantDirectory _tenant;

    public KeyReleaseProcessTests(DevelopmentAuthorityFixture fixture)
    {
        _tenant = new TenantDirectory(fixture.Authority);
    }

    public void Dispose() => _tenant.Dispose();

    private static object Policy(string manifest) => new { manifests = new[] { manifest }, allowedMeasurements = new[] { TenantDirectory.MeasurementHex } };

    [Fact]
    public async Task Sighup_reloads_the_tenants_manifests()
    {
        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        _tenant.Write("groups/hello-next.yaml", TenantDirectory.NextVersionOfExampleGroup);
        _tenant.WriteConfig(Policy("groups/hello.yaml"));
        var current = await ExamplePolicies.HostDataAsync(TenantDirectory.ExampleGroup);
        var next = await ExamplePolicies.HostDataAsync(TenantDirectory.NextVersionOfExampleGroup);

        var port = FreePort();
        using var process = Start("--config", _tenant.ConfigPath, "--urls", $"http://127.0.0.1:{port}");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await WaitUntilAsync(process, async () => (await TryGetAsync(http, "readyz")) == HttpStatusCode.OK, "the service to become ready");
            (await Release(http, current)).Should().Equal(Encoding.UTF8.GetBytes(TenantDirectory.Secret));
            (await TryRelease(http, next)).Should().Be("HostDataMismatch");

            _tenant.WriteConfig(Policy("groups/hello-next.yaml"));
            Signal(process, "HUP");
            await WaitUntilAsync(process, async () => await TryRelease(http, current) == "HostDataMismatch", "the reload to drop the old policy");
            (await Release(http, next)).Should().Equal(Encoding.UTF8.GetBytes(TenantDirectory.Secret));
            process.HasExited.Should().BeFalse("SIGHUP reloads; it does not stop the service");
        }
        finally
        {
            Signal(process, "TERM");
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        process.ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task A_manifest_that_does_not_generate_fails_the_start_with_the_file_named()
    {
        var manifest = _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup.Replace("registry.example/parma/hello:1.0", "registry.example/parma/hello:2.0", StringComparison.Ordinal));
        _tenant.WriteConfig(Policy("groups/hello.yaml"));

        using var process = Start("--config", _tenant.ConfigPath, "--urls", $"http://127.0.0.1:{FreePort()}");
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        process.ExitCode.Should().Be(2);
        (await stderr).Should().Contain($"manifest {manifest}").And.Contain("registry.example/parma/hello:2.0").And.Contain("not pinned by digest");
    }

    [Fact]
    public async Task Https_takes_its_certificate_from_the_kestrel_settings_the_documentation_names()
    {
        _tenant.WriteConfig(new { allowedHostData = new[] { new string('a', 64) }, allowAnyMeasurement = true });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=key-release.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = _tenant.Write("tls/tls.crt", certificate.ExportCertificatePem());
        var keyPath = _tenant.Write("tls/tls.key", key.ExportPkcs8PrivateKeyPem());

        var port = FreePort();
        using var process = Start(
            new Dictionary<string, string> { ["Kestrel__Certificates__Default__Path"] = certificatePath, ["Kestrel__Certificates__Default__KeyPath"] = keyPath },
            "--config", _tenant.ConfigPath, "--urls", $"https://127.0.0.1:{port}");
        try
        {
            X509Certificate2? presented = null;
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, served, _, _) =>
                {
                    presented = served is null ? null : X509CertificateLoader.LoadCertificate(served.RawData);
                    return served?.RawData.AsSpan().SequenceEqual(certificate.RawData) == true;
                },
            };
            using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}/") };
            await WaitUntilAsync(process, async () => (await TryGetAsync(http, "readyz")) == HttpStatusCode.OK, "the service to answer over HTTPS");
            presented!.Thumbprint.Should().Be(certificate.Thumbprint);
        }
        finally
        {
            Signal(process, "TERM");
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static Process Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    private static Process Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(EntryPoint);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static void Signal(Process process, string signal)
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    private async Task<byte[]> Release(HttpClient http, string hostData) =>
        await new KeyReleaseClient(http, _tenant.Guest(hostData), rsaKeySize: 2048).ReleaseAsync("db");

    /// <summary>"Released", or the refusal's reason.</summary>
    private async Task<string> TryRelease(HttpClient http, string hostData)
    {
        try
        {
            await Release(http, hostData);
            return "Released";
        }
        catch (KeyReleaseRefusedException e)
        {
            return e.Refusal.Reason;
        }
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Process process, Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!await condition())
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"parma-key-release exited with {process.ExitCode} while waiting for {what}: {await process.StandardError.ReadToEndAsync()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
