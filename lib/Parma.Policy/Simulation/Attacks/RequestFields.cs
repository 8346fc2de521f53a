using System.Text.Json.Nodes;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>Paths into agent requests in Kata's JSON shape, for attacks to change one field.</summary>
internal static class RequestFields
{
    public static JsonObject OciSpec(JsonObject request) => request["OCI"]!.AsObject();

    public static JsonObject Process(JsonObject request) => OciSpec(request)["Process"]!.AsObject();

    public static JsonObject Linux(JsonObject request) => OciSpec(request)["Linux"]!.AsObject();

    public static JsonObject Annotations(JsonObject request) => OciSpec(request)["Annotations"]!.AsObject();

    public static JsonArray Storages(JsonObject request) => request["storages"]!.AsArray();

    public static JsonArray Mounts(JsonObject request) => OciSpec(request)["Mounts"]!.AsArray();

    public static JsonArray Env(JsonObject process) => process["Env"]!.AsArray();

    public static JsonObject ExecProcess(JsonObject request) => request["process"]!.AsObject();

    public static IEnumerable<JsonObject> StoragesOf(JsonObject request, Func<string, bool> fstype) =>
        Storages(request).Select(s => s!.AsObject()).Where(s => fstype(s["fstype"]!.GetValue<string>()));

    public static JsonObject? Layer(JsonObject request) => StoragesOf(request, t => t == "tar").FirstOrDefault();

    public static JsonObject? Overlay(JsonObject request) => StoragesOf(request, t => t == "fuse3.kata-overlay").FirstOrDefault();

    public static JsonObject? Volume(JsonObject request) => StoragesOf(request, t => t is not ("tar" or "fuse3.kata-overlay")).FirstOrDefault();

    public static bool HasVolume(JsonObject request) => Volume(request) is not null;

    public static bool HasLayers(JsonObject request) => Layer(request) is not null;

    public static int MountIndex(JsonObject request, string destination) =>
        Mounts(request).Select((m, i) => (m, i)).First(p => p.m!["destination"]!.GetValue<string>() == destination).i;

    public static JsonObject Rlimit(string type, ulong hard, ulong soft) => new() { ["Hard"] = hard, ["Soft"] = soft, ["Type"] = type };
}
