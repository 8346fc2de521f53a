using Parma.Policy.Generation;
using Parma.Policy.Settings;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The probe group with a memory-backed emptyDir and a policy that switches on every request a
/// group's settings can switch on (diagnostics, the clock, the random pool, memory probing, volume
/// resizing), so that those requests reach the backend; the plain <see cref="ProbeGroup"/> shows the
/// default policy refusing them.
/// </summary>
public sealed class SwitchedOnGroup : IAsyncLifetime, IDisposable
{
    public const string CacheVolume = "cache";

    private const string SettingsPatch = """
        [
          {"op": "replace", "path": "/request_defaults/SetGuestDateTimeRequest", "value": true},
          {"op": "replace", "path": "/request_defaults/ReseedRandomDevRequest", "value": true},
          {"op": "replace", "path": "/request_defaults/MemHotplugByProbeRequest", "value": true},
          {"op": "replace", "path": "/request_defaults/ResizeVolumeRequest", "value": true}
        ]
        """;

    private const string Manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: probe
          namespace: default
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: probe
          template:
            metadata:
              labels:
                app: probe
            spec:
              runtimeClassName: kata-qemu-snp
              containers:
                - name: app
                  image: registry.example/parma/hello:1.0
                  command: ["/bin/sh", "-c", "echo started; exec sleep 30"]
                  volumeMounts:
                    - name: cache
                      mountPath: /cache
              volumes:
                - name: cache
                  emptyDir:
                    medium: Memory
        """;

    public ProbeGroup Group { get; } = new(
        Manifest,
        new GroupPolicyOptions { AllowDiagnostics = true },
        PolicySettingsLoader.Parse(PolicySettingsLoader.ApplyDropIn(PolicySettingsLoader.DefaultsJson(), SettingsPatch, "switched-on.json"), "switched-on.json"));

    public Task InitializeAsync() => Group.InitializeAsync();

    public Task DisposeAsync() => Group.DisposeAsync();

    public void Dispose() => Group.Dispose();
}
