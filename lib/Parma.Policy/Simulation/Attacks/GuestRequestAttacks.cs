using System.Text.Json.Nodes;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>
/// The requests a Kata host sends about a running container or a volume (terminal size, resources,
/// freezing, diagnostics, volume statistics and resizing): each only for a container created under the
/// policy or a plain path under the sandbox's storage directory, and only when its switch is on.
/// </summary>
internal static class GuestRequestAttacks
{
    private const string StorageDirectory = "/run/kata-containers/sandbox/storage";

    public static IEnumerable<HostAttack> All(AttackContext c)
    {
        var start = c.IndexFor("StartContainerRequest", c.App);
        if (start < 0)
        {
            yield break;
        }

        var at = AttackContext.After(start);
        var app = c.Host.ContainerId(c.App);
        const string Stranger = "0000000000000000000000000000000000000000000000000000000000000000";

        foreach (var attack in ForContainer(c, at, "TtyWinResizeRequest", id => new JsonObject { ["container_id"] = id, ["exec_id"] = string.Empty, ["row"] = 24, ["column"] = 80 }, app, Stranger))
        {
            yield return attack;
        }

        foreach (var kind in new[] { "PauseContainerRequest", "ResumeContainerRequest" })
        {
            foreach (var attack in ForContainer(c, at, kind, id => new JsonObject { ["container_id"] = id }, app, Stranger))
            {
                yield return attack;
            }
        }

        foreach (var attack in ForContainer(c, at, "UpdateContainerRequest", id => Update(id, devices: false), app, Stranger))
        {
            yield return attack;
        }

        yield return c.Send("UpdateContainerRequest", Update(app, devices: true), at, "update opening a device to the container", "update.resources: resources.Devices");

        foreach (var attack in ForContainer(c, at, "GetDiagnosticDataRequest", id => Diagnostics(id, "termination_log"), app, Stranger))
        {
            yield return attack;
        }

        if (c.Switched("GetDiagnosticDataRequest"))
        {
            yield return c.Send("GetDiagnosticDataRequest", Diagnostics(app, "journal"), at, "diagnostics other than the termination log", "diagnostics.log_type: log_type");
        }

        var volume = $"{StorageDirectory}/MDIvMDA=";
        foreach (var kind in new[] { "VolumeStatsRequest", "ResizeVolumeRequest" })
        {
            JsonObject Request(string path) => kind == "VolumeStatsRequest"
                ? new JsonObject { ["volume_guest_path"] = path }
                : new JsonObject { ["volume_guest_path"] = path, ["size"] = 1L << 30 };
            var switchedOff = kind == "ResizeVolumeRequest" && !c.Switched(kind);
            if (switchedOff)
            {
                yield return c.Send(kind, Request(volume), at, $"{kind} while its switch is off", $"switch.{kind}: request_defaults");
                continue;
            }

            yield return new HostAttack($"{kind} of a volume", kind, Request(volume), at, null);
            foreach (var (name, path) in new[]
            {
                ("a guest directory", "/etc"),
                ("the storage directory itself", StorageDirectory),
                ("a path through ..", $"{StorageDirectory}/../../../etc"),
                ("a relative path", volume.TrimStart('/')),
            })
            {
                yield return c.Send(kind, Request(path), at, $"{kind} of {name}", "volume.volume_guest_path: volume_guest_path");
            }
        }
    }

    /// <summary>The request for the app container (allowed when switched on) and for a container the policy never saw.</summary>
    private static IEnumerable<HostAttack> ForContainer(AttackContext c, int at, string kind, Func<string, JsonObject> request, string app, string stranger)
    {
        var switched = kind is "TtyWinResizeRequest" or "GetDiagnosticDataRequest";
        if (switched && !c.Switched(kind))
        {
            yield return c.Send(kind, request(app), at, $"{kind} while its switch is off", $"switch.{kind}: request_defaults");
            yield break;
        }

        yield return new HostAttack($"{kind} for a container of the policy", kind, request(app), at, null);
        yield return c.Send(kind, request(stranger), at, $"{kind} for a container the policy never saw", "container.container_id: container_id");
    }

    private static JsonObject Update(string id, bool devices) => new()
    {
        ["container_id"] = id,
        ["resources"] = new JsonObject
        {
            ["CPU"] = new JsonObject { ["Shares"] = 1024, ["Quota"] = 100000, ["Period"] = 100000 },
            ["Memory"] = new JsonObject { ["Limit"] = 268435456 },
            ["Devices"] = devices
                ? new JsonArray(new JsonObject { ["Allow"] = true, ["Type"] = "b", ["Major"] = 253, ["Minor"] = 0, ["Access"] = "rwm" })
                : new JsonArray(),
        },
    };

    private static JsonObject Diagnostics(string id, string logType) => new() { ["container_id"] = id, ["log_type"] = logType };
}
