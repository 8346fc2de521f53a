using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Parma.Agent.Protocol;
using Parma.Rego;

namespace Parma.GuestAgent.Tests.Protocol;

/// <summary>
/// The policy input is the JSON kata-agent builds: serde_json of the rust-protobuf structs, with
/// Kata's serde options (every field present, an unset message null, an enum its number, bytes an
/// array of numbers, special fields skipped). Stock policies compare whole objects with it, so the
/// shape is checked field by field here, and the direct Rego value must be the same document.
/// </summary>
public sealed class KataSerdeShapeTests
{
    private static string Input(IMessage message) => PolicyValue.From(message).ToJson();

    private static string Json(string json) => Value.FromJson(json).ToJson();

    [Fact]
    public void A_storage_has_every_field_with_an_unset_fs_group_null_and_shared_false()
    {
        var request = new CreateSandboxRequest
        {
            Storages = { new Storage { Driver = "ephemeral", Source = "shm", Fstype = "tmpfs", Options = { "noexec" }, MountPoint = "/run/kata-containers/sandbox/shm" } },
        };
        var storage = ((ArrayValue)PolicyValue.From(request)["storages"]!).Elements[0];
        storage.ToJson().Should().Be(Json("""
            {"driver": "ephemeral", "driver_options": [], "source": "shm", "fstype": "tmpfs", "options": ["noexec"],
             "mount_point": "/run/kata-containers/sandbox/shm", "fs_group": null, "shared": false}
            """));
        Input(request).Should().Be(Json("""
            {"hostname": "", "dns": [], "storages": [{"driver": "ephemeral", "driver_options": [], "source": "shm", "fstype": "tmpfs",
             "options": ["noexec"], "mount_point": "/run/kata-containers/sandbox/shm", "fs_group": null, "shared": false}],
             "sandbox_pidns": false, "sandbox_id": "", "guest_hook_path": "", "kernel_modules": []}
            """));
    }

    [Fact]
    public void A_set_fs_group_is_an_object_and_enums_are_numbers_even_unknown_ones()
    {
        var storage = new Storage { FsGroup = new FSGroup { GroupId = 1000, GroupChangePolicy = FSGroupChangePolicy.OnRootMismatch } };
        PolicyValue.From(storage)["fs_group"]!.ToJson().Should().Be(Json("""{"group_id": 1000, "group_change_policy": 1}"""));
        var unknown = new IPAddress { Family = (IPFamily)7, Address = "10.0.0.1", Mask = "24" };
        Input(unknown).Should().Be(Json("""{"family": 7, "address": "10.0.0.1", "mask": "24"}"""));
    }

    [Fact]
    public void Rust_keywords_get_a_trailing_underscore_and_other_names_keep_their_proto_spelling()
    {
        var request = new UpdateInterfaceRequest { Interface = new Interface { Name = "eth0", Type = "veth", HwAddr = "aa:bb", Mtu = ulong.MaxValue } };
        Input(request).Should().Be(Json("""
            {"interface": {"device": "", "name": "eth0", "IPAddresses": [], "mtu": 18446744073709551615, "hwAddr": "aa:bb",
             "devicePath": "", "type_": "veth", "raw_flags": 0}}
            """));
        RustFieldNames.Of("type").Should().Be("type_");
        RustFieldNames.Of("self").Should().Be("self_");
        RustFieldNames.Of("Type").Should().Be("Type");
        RustFieldNames.OfOneofMember("string_user").Should().Be("StringUser");
    }

    [Fact]
    public void Bytes_are_arrays_of_numbers_and_proto3_optionals_are_null_until_set()
    {
        Input(new WriteStreamRequest { ContainerId = "c", ExecId = "e", Data = ByteString.CopyFrom(0, 1, 255) })
            .Should().Be(Json("""{"container_id": "c", "exec_id": "e", "data": [0, 1, 255]}"""));
        Input(new MemAgentMemcgConfig { SwappinessMax = 60 }).Should().Be(Json("""
            {"disabled": null, "swap": null, "swappiness_max": 60, "period_secs": null, "period_psi_percent_limit": null,
             "eviction_psi_percent_limit": null, "eviction_run_aging_count_min": null}
            """));
    }

    [Fact]
    public void Empty_maps_are_objects_and_unset_nested_messages_are_null()
    {
        var json = PolicyValue.From(new CreateContainerRequest { OCI = new Spec() })["OCI"]!;
        json["Annotations"]!.ToJson().Should().Be("{}");
        json["Mounts"]!.ToJson().Should().Be("[]");
        foreach (var name in new[] { "Process", "Root", "Hooks", "Linux", "Solaris", "Windows" })
        {
            json[name]!.ToJson().Should().Be("null", $"OCI.{name} is an unset message");
        }
    }

    [Fact]
    public void Every_request_type_has_every_field_under_its_Rust_name_and_nothing_else()
    {
        foreach (var method in AgentMethods.ByName.Values.Where(m => m.Request.ClrType != typeof(CopyFileRequest)))
        {
            var input = (ObjectValue)PolicyValue.From((IMessage)Activator.CreateInstance(method.Request.ClrType)!);
            input.Keys.Select(k => ((StringValue)k).Text).Should().BeEquivalentTo(
                method.Request.Fields.InDeclarationOrder().Select(f => RustFieldNames.Of(f.Name)), method.Request.Name);
        }
    }

    [Fact]
    public void The_direct_Rego_value_is_the_JSON_document_for_every_request_type_with_every_field_set()
    {
        foreach (var method in AgentMethods.ByName.Values)
        {
            var message = Populated(method.Request, depth: 0);
            PolicyValue.From(message).ToJson().Should().Be(Value.FromJson(PolicyInput.From(message).ToJsonString()).ToJson(), method.Request.Name);
            var back = PolicyInputReader.Read(PolicyInput.From(message), method.Request);
            if (method.Request.ClrType != typeof(CopyFileRequest))
            {
                back.Should().Be(message, $"{method.Request.Name} read back from its policy input is the same message");
            }
        }
    }

    /// <summary>A message with every field set to a non-default value (nested messages to a few levels).</summary>
    private static IMessage Populated(MessageDescriptor descriptor, int depth)
    {
        var message = (IMessage)Activator.CreateInstance(descriptor.ClrType)!;
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (field.FieldType == FieldType.Message && depth >= 3 && !field.IsMap)
            {
                continue;
            }

            if (field.IsMap)
            {
                var map = (IDictionary)field.Accessor.GetValue(message);
                map[Sample(field.MessageType.FindFieldByNumber(1), depth)] = Sample(field.MessageType.FindFieldByNumber(2), depth);
            }
            else if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                list.Add(Sample(field, depth));
                list.Add(Sample(field, depth));
            }
            else
            {
                field.Accessor.SetValue(message, Sample(field, depth));
            }
        }

        return message;
    }

    private static object Sample(FieldDescriptor field, int depth) => field.FieldType switch
    {
        FieldType.Message => Populated(field.MessageType, depth + 1),
        FieldType.String => $"{field.Name}-value",
        FieldType.Bool => true,
        FieldType.Bytes => ByteString.CopyFrom(0, 128, 255),
        FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, 1),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => -(long)field.FieldNumber - (1L << 40),
        FieldType.UInt64 or FieldType.Fixed64 => ulong.MaxValue - (ulong)field.FieldNumber,
        FieldType.UInt32 or FieldType.Fixed32 => uint.MaxValue - (uint)field.FieldNumber,
        FieldType.Double => 1.5,
        FieldType.Float => 2.5f,
        _ => -field.FieldNumber,
    };
}
