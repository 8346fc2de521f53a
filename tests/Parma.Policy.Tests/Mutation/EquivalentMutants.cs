namespace Parma.Policy.Tests.Mutation;

/// <summary>
/// Framework mutants that no request can tell apart from the framework, each with the reason. Ids are
/// those <see cref="FrameworkMutator"/> gives: "remove RULE [check: first condition]" or
/// "drop RULE [check: first condition] | CONDITION" (with " #n" for the n-th of identical ids).
/// </summary>
public static class EquivalentMutants
{
    private const string ProtobufArrays = "the agent's input comes from protobuf, where a repeated field is always an array (an empty list is [], never null); the guard only keeps hand-written JSON well-typed";
    private const string ProtobufNumbers = "the agent's input comes from protobuf, where this field is always a number; the guard only keeps hand-written JSON from comparing a string with a number";
    private const string OneConsidered = "a request the host sends names one policy container (the pause container by its type, the others by name), and a request typed as the sandbox can only match the pause entry, whose type check refuses anything else";
    private const string Unverified = "for a container whose policy does not verify layers, create.layers (\"layer storages are not allowed\") already refuses every layer and overlay storage, so this per-storage check never has a storage to look at";
    private const string TypeGuard = "on a correct request another definition of the rule already holds; the guard keeps engines that raise an error for a builtin given the wrong type (regorus in a stock kata-agent, OPA with strict builtin errors) from failing the whole evaluation there";
    private const string CountGuard = "the count comparison only skips the pairwise search for duplicate names when there are none; the search itself finds the same duplicates";

    private const string StockAgent = "written for a stock kata-agent, which keeps no record of its storages: the Parma agent always supplies data.guest (GuestStorageLedger), and so does every decision made in process (replay, pre-flight, explain, this test), so `not data.guest` is false and the definition never decides";
    private const string MountSourceStorage = "a container mount from the block-storage directory must name the mount point of a storage of this request; every volume storage of the request is already refused unless the guest protected it (create.storage_protection on storages, checked first), volume storages of other drivers are pinned to their own directories by the policy (create.volumes), and layer and overlay storages to the layers path and the container's root (create.layers, create.overlay), so only a protected block storage can have that mount point";

    public static readonly IReadOnlyDictionary<string, string> Reasons = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["drop storage_protected(s) if { [not data.guest] | \"create_filesystem\" in as_array(object.get(s, \"driver_options\", []))"] = StockAgent,
        ["drop storage_protected(s) if { [not data.guest] | \"encryption_key=ephemeral\" in as_array(object.get(s, \"driver_options\", []))"] = StockAgent,
        ["drop storage_protected(s) if { [not data.guest] | s.driver in {\"blk\", \"scsi\"}"] = StockAgent,
        ["drop storage_protected(s) if { [not data.guest] | s.driver in {\"ephemeral\", \"local\"}"] = StockAgent,
        ["remove storage_protected(s) if { [not data.guest]"] = StockAgent,
        ["remove storage_protected(s) if { [not data.guest] #2"] = StockAgent,
        ["drop block_mount_source_allowed(source) if { [s.driver in {\"blk\", \"scsi\"}] | s.driver in {\"blk\", \"scsi\"}"] = MountSourceStorage,
        ["drop block_mount_source_allowed(source) if { [s.driver in {\"blk\", \"scsi\"}] | storage_protected(s)"] = MountSourceStorage,
        ["drop storage_protection_message(s) := sprintf(\"storage at %v is not protected by the guest (its record: %v) and the policy does not allow unencrypted storage\", [s.mount_point, data.guest.storages[s.mount_point].setup]) if { [data.guest.storages[s.mount_point]] | data.guest.storages[s.mount_point]"] =
            "only the wording of a denial's message: without a record the message names its setup as undefined, and the check and field (what a denial is judged by) stay the same",
        ["drop StartContainerRequest := {\"allowed\": true, \"ops\": [{\"op\": \"replace\", \"path\": state_path([\"containers\", i_container_id, \"started\"]), \"value\": true}]} if { [container_exists(i_container_id)] | container_exists(i_container_id)"] =
            "for a container the policy never saw, the rule's own JSON-Patch op replaces a path that does not exist; applying it fails, and the agent (like kata-agent) refuses the request",
        ["drop as_array(x) := x if { [is_array(x)] | is_array(x)"] = ProtobufArrays,
        ["drop in_range(x, bounds) if { [is_number(x)] | is_number(x)"] = ProtobufNumbers,
        ["drop hooks_empty(hooks) if { [is_object(hooks)] | is_object(hooks)"] = TypeGuard,
        ["drop hostname_allowed(name) if { [is_string(policy_data.sandbox.hostname)] | is_string(policy_data.sandbox.hostname)"] = TypeGuard,
        ["drop plain_relative_path(path) if { [is_string(path)] | is_string(path)"] =
            "kata-agent and the Parma agent give a path and a link's target as a string (a target that is not UTF-8 is refused before the policy is asked), and split is undefined for anything else; " + TypeGuard,
        ["drop plain_absolute_path(path) if { [is_string(path)] | is_string(path)"] =
            "startswith is undefined for anything but a string, so the rule fails without the guard too; " + TypeGuard,
        ["drop cc_considered contains idx if { [i_annotations[C_TYPE_KEY] == \"sandbox\"] | i_annotations[C_TYPE_KEY] == \"sandbox\""] = OneConsidered,
        ["drop policy_pause_containers contains idx if { [p.role == \"pause\"] | p.role == \"pause\""] = OneConsidered,
        ["drop cc_failed_index(idx) if { [f.container == idx] | f.container == idx"] =
            OneConsidered + "; disqualifying every considered container on any failure can only turn an allowed request into a denied one, and no correct request has two",
        ["drop cc_match := min(cc_candidates) if { [count(cc_candidates) > 0] | count(cc_candidates) > 0"] = "min of an empty set is undefined anyway",
        ["drop cc_failures contains f if { [create.layers: p.verify_layers] | p.verify_layers #2"] = Unverified,
        ["drop cc_failures contains f if { [create.overlay: p.verify_layers] | p.verify_layers #2"] = Unverified,
        ["drop cc_failures contains f if { [create.overlay: p.verify_layers] | p.verify_layers #3"] = Unverified,
        ["drop cc_failures contains f if { [create.overlay: p.verify_layers] | p.verify_layers #4"] = Unverified,
        ["drop cc_global_failures contains f if { [create.env: count(i_env) != count({env_name(e) | some e in i_env})] | count(i_env) != count({env_name(e) | some e in i_env})"] = CountGuard,
        ["drop exec_failures contains f if { [exec.env: count(exec_env) != count({env_name(e) | some e in exec_env})] | count(exec_env) != count({env_name(e) | some e in exec_env})"] = CountGuard,
        ["drop cc_global_failures contains f if { [create.mount_point: s.fstype == \"fuse3.kata-overlay\"] | s.fstype == \"fuse3.kata-overlay\""] =
            "the state records only overlay mount points (container roots); a layer or volume storage at such a point already fails its own mount-point check (layers path, volume pattern)",
        ["drop cc_global_failures contains f if { [create.storage_fields: s.fstype in IMAGE_FSTYPES] | s.fstype in IMAGE_FSTYPES"] =
            "the generator's volume storages carry no driver options, fs_group or sharing either, and volumes are compared field by field with their policy entry (create.volumes)",
        ["drop exec_failures contains f if { [exec.container_id: container_exists(i_container_id)] | container_exists(i_container_id)"] =
            "a container the policy never saw is refused by the first exec.container_id check already",
        ["remove cc_failures contains f if { [create.mounts: not i in cc_matched_request_mounts[idx]]"] =
            "with the count check and the missing-mount check, a request mount that matches no policy mount leaves a policy mount unmatched, unless two policy mounts match one request mount, which the generator never writes (one mount per destination); the check stays for its reason, which names the request mount",
        ["remove cc_failures contains f if { [create.volumes: not s.fstype in IMAGE_FSTYPES]"] =
            "with the count check and the missing-volume check, a volume storage that matches no policy storage leaves a policy storage unmatched, unless two policy storages match one request storage, which the generator never writes (one storage per mount point); the check stays for its reason, which names the storage",
    };
}
