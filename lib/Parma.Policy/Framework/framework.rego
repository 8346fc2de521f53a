package agent_policy

# Parma execution-policy framework. The generator appends `policy_data := {…}` (the group's
# containers, layers, env, exec rules and switches) after these rules. The text is valid Rego v0
# (with the future keywords) and Rego v1, so our agent and a stock kata-agent enforce the same policy.
#
# Every request is denied unless a rule below allows it. Rules that change what later requests may
# do return {"allowed": true, "ops": [JSON-Patch]} against the policy state document `data.pstate`.
# After a denial, `denial_reason[<RequestType>]` says which check failed first and on which field.

import future.keywords.contains
import future.keywords.every
import future.keywords.if
import future.keywords.in

parma_framework_version := "1.1.0"

# ---------------------------------------------------------------------------------------------
# Defaults: deny everything.
# ---------------------------------------------------------------------------------------------
default AddARPNeighborsRequest := false

default AddSwapPathRequest := false

default AddSwapRequest := false

default CloseStdinRequest := false

default CopyFileRequest := false

default CreateContainerRequest := false

default CreateSandboxRequest := false

default DestroySandboxRequest := false

default ExecProcessRequest := false

default GetDiagnosticDataRequest := false

default GetIPTablesRequest := false

default GetMetricsRequest := false

default GetOOMEventRequest := false

default GuestDetailsRequest := false

default ListInterfacesRequest := false

default ListRoutesRequest := false

default MemAgentCompactConfig := false

default MemAgentMemcgConfig := false

default MemHotplugByProbeRequest := false

default OnlineCPUMemRequest := false

default PauseContainerRequest := false

default ReadStreamRequest := false

default RemoveContainerRequest := false

default RemoveStaleVirtiofsShareMountsRequest := false

default ReseedRandomDevRequest := false

default ResizeVolumeRequest := false

default ResumeContainerRequest := false

default SetGuestDateTimeRequest := false

default SetIPTablesRequest := false

# SetPolicy would let the host replace the policy after attestation: it has no allowing rule.
default SetPolicyRequest := false

default SignalProcessRequest := false

default StartContainerRequest := false

default StartTracingRequest := false

default StatsContainerRequest := false

default StopTracingRequest := false

default TtyWinResizeRequest := false

default UpdateContainerRequest := false

default UpdateEphemeralMountsRequest := false

default UpdateInterfaceRequest := false

default UpdateRoutesRequest := false

default VolumeStatsRequest := false

default WaitProcessRequest := false

default WriteStreamRequest := false

# ---------------------------------------------------------------------------------------------
# Constants and helpers
# ---------------------------------------------------------------------------------------------
S_NAME_KEY := "io.kubernetes.cri.sandbox-name"

S_NAMESPACE_KEY := "io.kubernetes.cri.sandbox-namespace"

C_NAME_KEY := "io.kubernetes.cri.container-name"

C_TYPE_KEY := "io.kubernetes.cri.container-type"

IMAGE_NAME_KEY := "io.kubernetes.cri.image-name"

LAYER_HASH_OPTION := "io.katacontainers.fs-opt.root-hash="

LAYER_OPTION := "io.katacontainers.fs-opt.layer="

LAYER_SRC_PREFIX_OPTION := "io.katacontainers.fs-opt.layer-src-prefix="

CAPABILITY_SETS := ["Ambient", "Bounding", "Effective", "Inheritable", "Permitted"]

IMAGE_FSTYPES := {"tar", "fuse3.kata-overlay"}

LAYER_FLAGS := "tar,ro,io.katacontainers.fs-opt.block_device=file,io.katacontainers.fs-opt.is-layer"

# The policy state. kata-agent and the Parma agent both start it as {}.
pstate := data.pstate if {
	is_object(data.pstate)
} else := {}

state_containers := object.get(pstate, "containers", {})

state_mount_points := object.get(pstate, "mount_points", {})

state_bound := object.get(pstate, "bound", {})

# The request's scalar fields, read with their protobuf defaults: kata-agent and the Parma agent fill
# every field, but hand-written JSON (policy explain, a trace) may leave one out, and a failure whose
# message names an undefined field would itself be undefined, and the request would pass unrefused.
i_container_id := object.get(input, "container_id", "")

i_signal := object.get(input, "signal", 0)

i_path := object.get(input, "path", "")

i_file_type := object.get(input, "file_type", "Unknown")

container_exists(id) if {
	_ = state_containers[id]
}

container_started(id) if {
	state_containers[id].started == true
}

# JSON Pointer (RFC 6901) escaping of one path segment.
pointer(segment) := replace(replace(segment, "~", "~0"), "/", "~1")

state_path(parts) := concat("/", array.concat(["", "pstate"], [pointer(p) | some p in parts]))

env_name(entry) := split(entry, "=")[0]

as_array(x) := x if {
	is_array(x)
} else := []

as_object(x) := x if {
	is_object(x)
} else := {}

as_set(x) := {e | some e in as_array(x)}

switch_allows(kind) if {
	policy_data.request_defaults[kind] == true
}

# A failure names the check (rule), its order (the lowest failing order is reported), the
# offending field and a message. Messages never contain environment values.
failure(rule, order, field, message) := {"rule": rule, "order": order, "field": field, "message": message}

container_failure(idx, rule, order, field, message) := object.union(failure(rule, order, field, message), {"container": idx})

first_failure(failures) := f if {
	ordered := sort([[x.order, x.field, x.rule, x.message] | some x in failures])
	top := ordered[0]
	f := {"order": top[0], "field": top[1], "rule": top[2], "message": top[3]}
}

format_failure(f) := sprintf("%v: %v: %v", [f.rule, f.field, f.message])

# ---------------------------------------------------------------------------------------------
# Requests switched on or off by the settings (policy_data.request_defaults), each with what the
# host learns or changes through it.
# ---------------------------------------------------------------------------------------------
# Teardown: the host can stop the VM at any time anyway.
DestroySandboxRequest if switch_allows("DestroySandboxRequest")

# A long-poll answered with the id of a container in which the kernel killed a process for memory.
GetOOMEventRequest if switch_allows("GetOOMEventRequest")

# The memory block size, whether memory can be hot-plugged by probe, the agent's version and features.
GuestDetailsRequest if switch_allows("GuestDetailsRequest")

# Brings hot-plugged CPUs and memory blocks online; the request cannot take anything offline.
OnlineCPUMemRequest if switch_allows("OnlineCPUMemRequest")

# Announces memory at physical addresses the host names: off by default (an SNP guest validates
# the memory it uses, and the host has no business choosing where it is).
MemHotplugByProbeRequest if switch_allows("MemHotplugByProbeRequest")

# Only looks at the shared directory's mounts.
RemoveStaleVirtiofsShareMountsRequest if switch_allows("RemoveStaleVirtiofsShareMountsRequest")

# The host's clock would set the guest's (certificate and token expiry): off by default.
SetGuestDateTimeRequest if switch_allows("SetGuestDateTimeRequest")

# The host's bytes are mixed into the guest's pool and never credited as entropy; off by default all the same.
ReseedRandomDevRequest if switch_allows("ReseedRandomDevRequest")

# Diagnostics reveal guest state to the host.
ListInterfacesRequest if switch_allows("ListInterfacesRequest")

ListRoutesRequest if switch_allows("ListRoutesRequest")

GetMetricsRequest if switch_allows("GetMetricsRequest")

GetIPTablesRequest if switch_allows("GetIPTablesRequest")

GetDiagnosticDataRequest if {
	switch_allows("GetDiagnosticDataRequest")
	container_exists(i_container_id)
	object.get(input, "log_type", "") == "termination_log"
}

StatsContainerRequest if {
	switch_allows("StatsContainerRequest")
	container_exists(i_container_id)
}

TtyWinResizeRequest if {
	switch_allows("TtyWinResizeRequest")
	container_exists(i_container_id)
}

# ---------------------------------------------------------------------------------------------
# Never allowed, whatever the settings say.
#   SetIPTablesRequest: the host would rewrite the guest's firewall.
#   AddSwapRequest, AddSwapPathRequest: the guest's memory would be paged out to a host disk, in the clear.
#   MemAgentMemcgConfig, MemAgentCompactConfig: this agent has no memory-reclaim daemon to configure.
#   SetPolicyRequest: see above.
# ---------------------------------------------------------------------------------------------

# ---------------------------------------------------------------------------------------------
# Containers created under this policy: resources, freezing.
# ---------------------------------------------------------------------------------------------
# CPU and memory limits are the host's to set (it sizes the VM); device rules are not: a device rule
# written by the host could open the guest's disks to a container.
UpdateContainerRequest if {
	container_exists(i_container_id)
	resources := as_object(object.get(input, "resources", null))
	object.get(resources, "Devices", null) in {null, []}
}

reason_update_container := reason_not_created if {
	not container_exists(i_container_id)
} else := "update.resources: resources.Devices: device rules cannot be changed"

# Freezing and thawing only change when a container runs, which the host decides anyway.
PauseContainerRequest if container_exists(i_container_id)

ResumeContainerRequest if container_exists(i_container_id)

# ---------------------------------------------------------------------------------------------
# Volumes: statistics of a mount under the sandbox's storage directory, and growing its file system.
# ---------------------------------------------------------------------------------------------
SANDBOX_STORAGE_PATH := "/run/kata-containers/sandbox/storage"

VolumeStatsRequest if sandbox_storage_path(object.get(input, "volume_guest_path", ""))

ResizeVolumeRequest if {
	switch_allows("ResizeVolumeRequest")
	sandbox_storage_path(object.get(input, "volume_guest_path", ""))
}

sandbox_storage_path(path) if {
	plain_absolute_path(path)
	startswith(path, concat("", [SANDBOX_STORAGE_PATH, "/"]))
}

reason_volume := sprintf("volume.volume_guest_path: volume_guest_path: %v is not a plain path under %v", [object.get(input, "volume_guest_path", ""), SANDBOX_STORAGE_PATH])

# ---------------------------------------------------------------------------------------------
# UpdateEphemeralMountsRequest: only remounts (resizes) the memory-backed volumes the policy gave
# its containers; Kata sends an empty list when there are none.
# ---------------------------------------------------------------------------------------------
UpdateEphemeralMountsRequest if {
	count(ephemeral_failures) == 0
}

ephemeral_failures contains f if {
	some i, s in as_array(object.get(input, "storages", []))
	not ephemeral_remount_allowed(s)
	f := failure("ephemeral.storages", 1, sprintf("storages[%d]", [i]), sprintf("storage at %v is not a remount of a memory-backed volume of the policy", [object.get(s, "mount_point", "")]))
}

ephemeral_remount_allowed(s) if {
	s.driver == "ephemeral"
	s.fstype == "tmpfs"
	s.source == "tmpfs"
	"remount" in as_array(s.options)
	every option in as_array(s.options) {
		ephemeral_option(option)
	}

	some p in policy_data.containers
	some ps in p.storages
	ps.driver == "ephemeral"
	regex.match(ps.mount_point, s.mount_point)
}

ephemeral_option(option) if option == "remount"

ephemeral_option(option) if regex.match("^size=[0-9]+[kKmMgG%]?$", option)

ephemeral_option(option) if regex.match("^fsgid=[0-9]+$", option)

reason_ephemeral := format_failure(first_failure(ephemeral_failures))

# Standard I/O, only for containers created under this policy.
ReadStreamRequest if {
	switch_allows("ReadStreamRequest")
	container_exists(i_container_id)
}

WriteStreamRequest if {
	switch_allows("WriteStreamRequest")
	container_exists(i_container_id)
}

CloseStdinRequest if {
	switch_allows("CloseStdinRequest")
	container_exists(i_container_id)
}

# ---------------------------------------------------------------------------------------------
# CreateSandboxRequest
# ---------------------------------------------------------------------------------------------
CreateSandboxRequest if {
	count(sandbox_failures) == 0
}

sandbox_failures contains f if {
	object.get(input, "guest_hook_path", "") != ""
	f := failure("sandbox.guest_hook_path", 10, "guest_hook_path", "guest hooks are not allowed")
}

sandbox_failures contains f if {
	count(as_array(object.get(input, "kernel_modules", []))) > 0
	f := failure("sandbox.kernel_modules", 20, "kernel_modules", "loading kernel modules is not allowed")
}

sandbox_failures contains f if {
	got := object.get(input, "sandbox_pidns", false)
	got != policy_data.sandbox.pidns
	f := failure("sandbox.pidns", 30, "sandbox_pidns", sprintf("sandbox_pidns %v, policy expects %v", [got, policy_data.sandbox.pidns]))
}

sandbox_storages := as_array(object.get(input, "storages", []))

sandbox_failures contains f if {
	some i, s in sandbox_storages
	not sandbox_storage_allowed(s)
	f := failure("sandbox.storages", 40, sprintf("storages[%d]", [i]), sprintf("sandbox storage at %v is not allowed", [object.get(s, "mount_point", "")]))
}

# Exactly the policy's storages: a Kubernetes pod always has /dev/shm, so Kata always sends its storage.
sandbox_failures contains f if {
	count(sandbox_storages) != count(policy_data.sandbox.storages)
	f := failure("sandbox.storages", 41, "storages", sprintf("%d sandbox storages, the policy expects %d", [count(sandbox_storages), count(policy_data.sandbox.storages)]))
}

sandbox_storage_allowed(s) if {
	some allowed in policy_data.sandbox.storages
	s.driver == allowed.driver
	s.fstype == allowed.fstype
	regex.match(allowed.mount_point, s.mount_point)
	regex.match(allowed.source, s.source)
	storage_plain(s)
	mount_options_allowed(allowed, as_array(s.options))
}

# The options are exactly the rule's (for shared memory: nosuid, nodev, noexec, mode=1777) plus one
# size=<bytes> option no larger than the rule's bound (tmpfs reads size=0 as "no limit", so the size is
# a positive number).
mount_options_allowed(allowed, options) if {
	sizes := [trim_prefix(o, "size=") | some o in options; startswith(o, "size=")]
	count(sizes) == 1
	regex.match(`^[1-9][0-9]{0,17}$`, sizes[0])
	to_number(sizes[0]) <= allowed.size_limit
	{o | some o in options; not startswith(o, "size=")} == as_set(allowed.options)
}

# A storage that carries no driver options, no group ownership change and is not shared.
storage_plain(s) if {
	object.get(s, "driver_options", []) == []
	object.get(s, "fs_group", null) == null
	object.get(s, "shared", false) == false
}

# Shared memory and other sandbox storages are storage the guest keeps in its memory (see below);
# checked after they match the policy (sandbox.storages).
sandbox_failures contains f if {
	some i, s in sandbox_storages
	not storage_protected(s)
	f := failure("sandbox.storage_protection", 42, sprintf("storages[%d]", [i]), storage_protection_message(s))
}

reason_create_sandbox := format_failure(first_failure(sandbox_failures))

# ---------------------------------------------------------------------------------------------
# CreateContainerRequest
# ---------------------------------------------------------------------------------------------
CreateContainerRequest := {"allowed": true, "ops": ops} if {
	count(cc_global_failures) == 0
	idx := cc_match
	ops := cc_ops(idx)
}

i_oci := as_object(object.get(input, "OCI", {}))

i_annotations := as_object(object.get(i_oci, "Annotations", {}))

i_process := as_object(object.get(i_oci, "Process", {}))

i_user := as_object(object.get(i_process, "User", {}))

i_linux := as_object(object.get(i_oci, "Linux", {}))

i_mounts := as_array(object.get(i_oci, "Mounts", []))

i_storages := as_array(object.get(input, "storages", []))

i_root := as_object(object.get(i_oci, "Root", {}))

i_env := as_array(object.get(i_process, "Env", []))

i_env_set := as_set(i_env)

i_resources := as_object(object.get(i_linux, "Resources", {}))

# Only the policy container the request names is checked: the pause container for the sandbox,
# otherwise the one whose name is the CRI container-name annotation (so the name needs no other check).
cc_considered contains idx if {
	i_annotations[C_TYPE_KEY] == "sandbox"
	some idx in policy_pause_containers
}

cc_considered contains idx if {
	some idx in policy_containers_named[i_annotations[C_NAME_KEY]]
}

cc_candidates contains idx if {
	some idx in cc_considered
	not cc_failed_index(idx)
}

cc_failed_index(idx) if {
	some f in cc_failures
	f.container == idx
}

cc_match := min(cc_candidates) if {
	count(cc_candidates) > 0
}

cc_ops(idx) := ops if {
	p := policy_data.containers[idx]
	id := i_container_id
	record := {
		"index": idx,
		"name": p.name,
		"started": false,
		"mount_points": [s.mount_point | some s in overlay_storages],
	}
	create_ops := [{"op": "add", "path": state_path([key]), "value": {}} |
		some key in ["containers", "mount_points", "bound"]
		not pstate[key]
	]
	sandbox_ops := [{"op": "add", "path": state_path(["sandbox_name"]), "value": object.get(i_annotations, S_NAME_KEY, "")} | not pstate.sandbox_name]
	container_ops := [
		{"op": "add", "path": state_path(["containers", id]), "value": record},
		{"op": "add", "path": state_path(["bound", sprintf("%d", [idx])]), "value": id},
	]
	mount_ops := [{"op": "add", "path": state_path(["mount_points", s.mount_point]), "value": id} | some s in overlay_storages]
	ops := array.concat(array.concat(array.concat(create_ops, sandbox_ops), container_ops), mount_ops)
}

# --- Checks that do not depend on which policy container is tried -------------------------------
cc_global_failures contains f if {
	container_exists(i_container_id)
	f := failure("create.container_id", 1, "container_id", sprintf("container %v already exists", [i_container_id]))
}

cc_global_failures contains f if {
	not hooks_empty(object.get(i_oci, "Hooks", null))
	f := failure("create.hooks", 2, "OCI.Hooks", "OCI hooks are not allowed")
}

hooks_empty(hooks) if {
	hooks == null
}

hooks_empty(hooks) if {
	is_object(hooks)
	every _, list in hooks {
		list == []
	}
}

# Lists the host may not fill: devices, shared mounts, user-namespace mappings.
must_be_empty := {
	"devices": object.get(input, "devices", []),
	"shared_mounts": object.get(input, "shared_mounts", []),
	"OCI.Linux.Devices": object.get(i_linux, "Devices", []),
	"OCI.Linux.UIDMappings": object.get(i_linux, "UIDMappings", []),
	"OCI.Linux.GIDMappings": object.get(i_linux, "GIDMappings", []),
}

cc_global_failures contains f if {
	some field, value in must_be_empty
	not value == []
	f := failure("create.not_empty", 6, field, "must be empty")
}

cc_global_failures contains f if {
	object.get(i_linux, "Seccomp", null) != null
	f := failure("create.seccomp", 6, "OCI.Linux.Seccomp", "a seccomp profile set by the host is not allowed")
}

# Fields a Kubernetes host never sets (Kata's shim clears hooks and SELinux labels, containerd sets
# no user name, string_user is for images the guest pulls itself) and the runtime would act on.
must_be_null := {
	"OCI.Solaris": object.get(i_oci, "Solaris", null),
	"OCI.Windows": object.get(i_oci, "Windows", null),
	"OCI.Linux.IntelRdt": object.get(i_linux, "IntelRdt", null),
	"string_user": object.get(input, "string_user", null),
}

cc_global_failures contains f if {
	some field, value in must_be_null
	value != null
	f := failure("create.not_set", 6, field, "must not be set")
}

must_be_empty_text := {
	"OCI.Linux.RootfsPropagation": object.get(i_linux, "RootfsPropagation", ""),
	"OCI.Linux.MountLabel": object.get(i_linux, "MountLabel", ""),
	"OCI.Process.SelinuxLabel": object.get(i_process, "SelinuxLabel", ""),
	"OCI.Process.User.Username": object.get(i_user, "Username", ""),
}

cc_global_failures contains f if {
	some field, value in must_be_empty_text
	value != ""
	f := failure("create.not_set", 6, field, "must be empty")
}

# Device cgroup rules may only deny: the runtime's default device list is the most a container gets.
cc_global_failures contains f if {
	some i, rule in as_array(object.get(i_resources, "Devices", []))
	not device_rule_denies(rule)
	f := failure("create.device_cgroup", 6, sprintf("OCI.Linux.Resources.Devices[%d]", [i]), "a device cgroup rule may only deny access")
}

device_rule_denies(rule) if {
	object.get(rule, "Allow", false) == false
}

# With kata-agent's passfd I/O, non-zero ports connect the process's standard streams straight to the
# host, around ReadStream and WriteStream: only when the stdio switches allow those.
STDIO_PORTS := {"stdin_port": "WriteStreamRequest", "stdout_port": "ReadStreamRequest", "stderr_port": "ReadStreamRequest"}

stdio_port_failures(rule) := {failure(rule, 6, field, sprintf("a %v needs the %v switch", [field, request])) |
	some field, request in STDIO_PORTS
	object.get(input, field, 0) != 0
	not switch_allows(request)
}

cc_global_failures contains f if {
	some f in stdio_port_failures("create.stdio_ports")
}

# Resource limits come from the settings (Kubernetes sets none; Kata passes an empty list).
cc_global_failures contains f if {
	got := as_array(object.get(i_process, "Rlimits", []))
	not rlimits_allowed(got)
	f := failure("create.rlimits", 6, "OCI.Process.Rlimits", sprintf("resource limits %v, policy expects %v", [got, policy_data.common.rlimits]))
}

rlimits_allowed(got) if {
	count(got) == count(policy_data.common.rlimits)
	{[object.get(r, "Type", ""), object.get(r, "Hard", 0), object.get(r, "Soft", 0)] | some r in got} == policy_rlimits
}

policy_rlimits := {[r.type, r.hard, r.soft] | some r in policy_data.common.rlimits}

# Layer and overlay storages carry nothing but their options; volume storages are compared whole below.
cc_global_failures contains f if {
	some i, s in i_storages
	s.fstype in IMAGE_FSTYPES
	not storage_plain(s)
	f := failure("create.storage_fields", 7, sprintf("storages[%d]", [i]), "layer and overlay storages take no driver options, fs_group or sharing")
}

# One entry per variable name: a second entry would decide which value the process sees.
cc_global_failures contains f if {
	count(i_env) != count({env_name(e) | some e in i_env})
	some name in duplicates([env_name(e) | some e in i_env])
	f := failure("create.env", 8, sprintf("OCI.Process.Env[%v]", [name]), "environment variable is set more than once")
}

duplicates(list) := {x | some i, x in list; some j, y in list; i < j; x == y}

# The cgroup the pod's cgroup driver gives this container: its pod UID and its own container id.
cc_global_failures contains f if {
	got := object.get(i_linux, "CgroupsPath", "")
	not cgroups_path_allowed(got)
	f := failure("create.cgroups_path", 11, "OCI.Linux.CgroupsPath", sprintf("cgroups path %v is not the pod's path for container %v", [got, i_container_id]))
}

cgroups_path_allowed(path) if {
	uid := i_annotations["io.kubernetes.cri.sandbox-uid"]
	some template in policy_data.sandbox.cgroups_paths
	path == replace(replace(replace(template, "$(container_id)", i_container_id), "$(pod_uid_underscored)", replace(uid, "-", "_")), "$(pod_uid)", uid)
}

# The sandbox's hostname is the pod's (its name, cut to 63 characters as the kubelet does, unless the
# pod sets one); the other containers share the sandbox's UTS namespace and send none.
cc_global_failures contains f if {
	got := object.get(i_oci, "Hostname", "")
	got != ""
	not hostname_allowed(got)
	f := failure("create.hostname", 12, "OCI.Hostname", sprintf("hostname %v is not the pod's", [got]))
}

hostname_allowed(name) if {
	policy_data.sandbox.hostname == null
	name == trim_right(substring(i_annotations[S_NAME_KEY], 0, 63), "-.")
}

hostname_allowed(name) if {
	is_string(policy_data.sandbox.hostname)
	regex.match(policy_data.sandbox.hostname, name)
}

# A container root is mounted once. Layer and volume storages are shared by the sandbox's containers.
cc_global_failures contains f if {
	some i, s in i_storages
	s.fstype == "fuse3.kata-overlay"
	_ = state_mount_points[s.mount_point]
	f := failure("create.mount_point", 7, sprintf("storages[%d].mount_point", [i]), sprintf("mount point %v is already in use", [s.mount_point]))
}

cc_global_failures contains f if {
	got := object.get(input, "sandbox_pidns", false)
	got != policy_data.sandbox.pidns
	f := failure("create.sandbox_pidns", 8, "sandbox_pidns", sprintf("sandbox_pidns %v, policy expects %v", [got, policy_data.sandbox.pidns]))
}

cc_global_failures contains f if {
	got := object.get(i_oci, "Version", "")
	got != policy_data.common.oci_version
	f := failure("create.oci_version", 9, "OCI.Version", sprintf("OCI version %v, policy expects %v", [got, policy_data.common.oci_version]))
}

cc_global_failures contains f if {
	some i, n in as_array(object.get(i_linux, "Namespaces", []))
	object.get(n, "Path", "") != ""
	f := failure("create.namespaces", 10, sprintf("OCI.Linux.Namespaces[%d].Path", [i]), "joining an existing namespace by path is not allowed")
}

# --- Identity: which policy container this is ----------------------------------------------------
cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	bound := state_bound[sprintf("%d", [idx])]
	f := container_failure(idx, "create.bound", 20, "container_id", sprintf("policy container %v is already bound to container %v", [p.name, bound]))
}

container_type_of(p) := "sandbox" if {
	p.role == "pause"
} else := "container"

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	want := container_type_of(p)
	got := object.get(i_annotations, C_TYPE_KEY, "")
	got != want
	f := container_failure(idx, "create.container_type", 21, "OCI.Annotations[io.kubernetes.cri.container-type]", sprintf("container type %v, policy expects %v", [got, want]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	p.role != "pause"
	got := object.get(i_annotations, IMAGE_NAME_KEY, "")
	got != p.image
	f := container_failure(idx, "create.image", 23, "OCI.Annotations[io.kubernetes.cri.image-name]", sprintf("image %v, policy expects %v", [got, p.image]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	some key, value in i_annotations
	not annotation_allowed(p, key, value)
	f := container_failure(idx, "create.annotations", 24, sprintf("OCI.Annotations[%v]", [key]), "annotation is not allowed by the policy")
}

annotation_allowed(p, key, value) if {
	regex.match(p.annotations[key], value)
}

# --- Process ------------------------------------------------------------------------------------
cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := as_array(object.get(i_process, "Args", []))
	got != p.process.args
	f := container_failure(idx, "create.args", 30, "OCI.Process.Args", sprintf("command %v, policy expects %v", [got, p.process.args]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := object.get(i_process, "Cwd", "")
	got != p.process.cwd
	f := container_failure(idx, "create.cwd", 31, "OCI.Process.Cwd", sprintf("working directory %v, policy expects %v", [got, p.process.cwd]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	some entry in i_env
	not env_allowed(p.process, entry)
	f := container_failure(idx, "create.env", 32, sprintf("OCI.Process.Env[%v]", [env_name(entry)]), "environment variable is not allowed by the policy")
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	some required in p.process.env
	not required in i_env_set
	f := container_failure(idx, "create.env", 33, sprintf("OCI.Process.Env[%v]", [env_name(required)]), "environment variable required by the policy is missing or changed")
}

env_allowed(pp, entry) if {
	entry in pp.env
}

env_allowed(pp, entry) if {
	some pattern in pp.env_regex
	regex.match(pattern, entry)
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := object.get(i_process, "Terminal", false)
	got != p.process.terminal
	f := container_failure(idx, "create.terminal", 34, "OCI.Process.Terminal", sprintf("terminal %v, policy expects %v", [got, p.process.terminal]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	some field, want in {"UID": p.process.user.uid, "GID": p.process.user.gid}
	got := object.get(i_user, field, 0)
	got != want
	f := container_failure(idx, "create.user", 35, sprintf("OCI.Process.User.%v", [field]), sprintf("%v %v, policy expects %v", [field, got, want]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := as_set(object.get(i_user, "AdditionalGids", []))
	want := policy_additional_gids[idx]
	got != want
	f := container_failure(idx, "create.user", 36, "OCI.Process.User.AdditionalGids", sprintf("additional groups %v, policy expects %v", [sort(got), sort(want)]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	caps := as_object(object.get(i_process, "Capabilities", {}))
	some set_name in CAPABILITY_SETS
	got := as_set(object.get(caps, set_name, []))
	want := policy_capabilities[idx][set_name]
	got != want
	f := container_failure(idx, "create.capabilities", 37, sprintf("OCI.Process.Capabilities.%v", [set_name]), sprintf("capabilities %v, policy expects %v", [sort(got), sort(want)]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := object.get(i_process, "NoNewPrivileges", false)
	got != p.process.no_new_privileges
	f := container_failure(idx, "create.no_new_privileges", 38, "OCI.Process.NoNewPrivileges", sprintf("no_new_privileges %v, policy expects %v", [got, p.process.no_new_privileges]))
}

# Kubernetes: -998 for the sandbox, -997 (guaranteed) to 1000 (best effort) for the others.
cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := object.get(i_process, "OOMScoreAdj", 0)
	not in_range(got, p.process.oom_score_adj)
	f := container_failure(idx, "create.oom_score_adj", 39, "OCI.Process.OOMScoreAdj", sprintf("oom_score_adj %v, policy allows %v to %v", [got, p.process.oom_score_adj[0], p.process.oom_score_adj[1]]))
}

in_range(x, bounds) if {
	is_number(x)
	x >= bounds[0]
	x <= bounds[1]
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := object.get(i_process, "ApparmorProfile", "")
	not got in p.process.apparmor_profiles
	f := container_failure(idx, "create.apparmor", 39, "OCI.Process.ApparmorProfile", sprintf("AppArmor profile %v, policy allows %v", [got, p.process.apparmor_profiles]))
}

# --- Root, mounts and Linux settings -------------------------------------------------------------
cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := object.get(i_root, "Readonly", false)
	got != p.root_readonly
	f := container_failure(idx, "create.root_readonly", 40, "OCI.Root.Readonly", sprintf("read-only root %v, policy expects %v", [got, p.root_readonly]))
}

cc_failures contains f if {
	some idx in cc_considered
	some i, m in i_mounts
	not i in cc_matched_request_mounts[idx]
	f := container_failure(idx, "create.mounts", 41, sprintf("OCI.Mounts[%d]", [i]), sprintf("mount at %v is not allowed by the policy", [object.get(m, "destination", "")]))
}

cc_failures contains f if {
	some idx in cc_considered
	some j, pm in policy_data.containers[idx].mounts
	not j in cc_matched_policy_mounts[idx]
	f := container_failure(idx, "create.mounts", 42, "OCI.Mounts", sprintf("mount at %v required by the policy is missing", [pm.destination]))
}

# Pairs [i, j]: request mount i matches policy mount j. Only mounts at the same destination are
# compared, found through policy_mounts_at instead of trying every pair.
cc_mount_pairs[idx] := {[i, j] |
	some i, m in i_mounts
	some j in policy_mounts_at[idx][m.destination]
	mount_matches(policy_data.containers[idx].mounts[j], policy_mount_options[idx][j], m)
} if {
	some idx in cc_considered
}

cc_matched_request_mounts[idx] := {i | some [i, _] in pairs} if {
	some idx, pairs in cc_mount_pairs
}

cc_matched_policy_mounts[idx] := {j | some [_, j] in pairs} if {
	some idx, pairs in cc_mount_pairs
}

mount_matches(pm, pm_options, m) if {
	pm.type == object.get(m, "type_", object.get(m, "type", ""))
	regex.match(pm.source, m.source)
	as_set(m.options) == pm_options
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	count(i_mounts) != count(p.mounts)
	f := container_failure(idx, "create.mounts", 43, "OCI.Mounts", sprintf("%d mounts, policy expects %d", [count(i_mounts), count(p.mounts)]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	namespaces := as_array(object.get(i_linux, "Namespaces", []))
	got := {n.Type | some n in namespaces}
	want := policy_namespaces[idx]
	not [got, count(namespaces)] == [want, count(p.namespaces)]
	f := container_failure(idx, "create.namespaces", 43, "OCI.Linux.Namespaces", sprintf("namespaces %v, policy expects %v", [sort(got), sort(want)]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := as_array(object.get(i_linux, "MaskedPaths", []))
	not [as_set(got), count(got)] == [policy_masked_paths[idx], count(p.masked_paths)]
	f := container_failure(idx, "create.masked_paths", 44, "OCI.Linux.MaskedPaths", sprintf("masked paths %v, policy expects %v", [got, p.masked_paths]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := as_array(object.get(i_linux, "ReadonlyPaths", []))
	not [as_set(got), count(got)] == [policy_readonly_paths[idx], count(p.readonly_paths)]
	f := container_failure(idx, "create.readonly_paths", 45, "OCI.Linux.ReadonlyPaths", sprintf("read-only paths %v, policy expects %v", [got, p.readonly_paths]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	got := as_object(object.get(i_linux, "Sysctl", {}))
	got != p.sysctls
	f := container_failure(idx, "create.sysctls", 46, "OCI.Linux.Sysctl", sprintf("sysctls %v, policy expects %v", [got, p.sysctls]))
}

# --- Storages: every image layer by root hash, the overlay's exact layer order, volumes ---------
layer_storages := [s | some s in i_storages; s.fstype == "tar"]

overlay_storages := [s | some s in i_storages; s.fstype == "fuse3.kata-overlay"]

layer_hash_of(s) := trim_prefix(opt, LAYER_HASH_OPTION) if {
	some opt in as_array(s.options)
	startswith(opt, LAYER_HASH_OPTION)
} else := "<none>"

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	p.verify_layers
	count(layer_storages) != count(p.layers)
	f := container_failure(idx, "create.layers", 50, "storages", sprintf("%d layer storages, policy expects %d", [count(layer_storages), count(p.layers)]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	p.verify_layers
	some i, s in i_storages
	s.fstype == "tar"
	not layer_storage_allowed(idx, s)
	f := container_failure(idx, "create.layers", 51, sprintf("storages[%d]", [i]), sprintf("layer with root hash %v is not in the policy", [layer_hash_of(s)]))
}

layer_storage_allowed(idx, s) if {
	s.driver == "blk"
	[s.options, s.mount_point] in policy_layer_storages[idx]
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	p.verify_layers
	count(overlay_storages) != 1
	f := container_failure(idx, "create.overlay", 52, "storages", sprintf("%d overlay storages, policy expects 1", [count(overlay_storages)]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	p.verify_layers
	some s in overlay_storages
	s.driver != "overlayfs"
	f := container_failure(idx, "create.overlay", 53, "storages[overlay].driver", sprintf("overlay driver %v, policy expects overlayfs", [s.driver]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	p.verify_layers
	some s in overlay_storages
	s.options != policy_overlay_options[idx]
	f := container_failure(idx, "create.overlay", 53, "storages[overlay].options", "the overlay does not list exactly the policy's layers in the policy's order")
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	p.verify_layers
	some s in overlay_storages
	root_path := object.get(i_root, "Path", "")
	s.mount_point != root_path
	f := container_failure(idx, "create.overlay", 54, "storages[overlay].mount_point", sprintf("overlay mounted at %v, the container root is %v", [s.mount_point, root_path]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	not p.verify_layers
	count(layer_storages) + count(overlay_storages) > 0
	f := container_failure(idx, "create.layers", 55, "storages", "layer storages are not allowed for a container whose policy does not verify layers")
}

# Overlay options in Kata's tardev format: source prefix, one entry per layer (top-most first),
# read-write upper layer, then the lower directories in the same order.
overlay_options(p) := options if {
	layer_options := [concat("", [LAYER_OPTION, base64.encode(concat(",", [l.id, LAYER_FLAGS, concat("", [LAYER_HASH_OPTION, l.root_hash])]))]) | some l in p.layers]
	lowerdir := concat("", ["lowerdir=", concat(":", [l.id | some l in p.layers])])
	prefix := [concat("", [LAYER_SRC_PREFIX_OPTION, policy_data.common.layer_src_prefix])]
	options := array.concat(array.concat(prefix, layer_options), ["io.katacontainers.fs-opt.overlay-rw", lowerdir])
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	some i, s in i_storages
	not s.fstype in IMAGE_FSTYPES
	not volume_storage_allowed(p, s)
	f := container_failure(idx, "create.volumes", 56, sprintf("storages[%d]", [i]), sprintf("storage %v at %v is not allowed by the policy", [object.get(s, "driver", ""), object.get(s, "mount_point", "")]))
}

volume_storages := [s | some s in i_storages; not s.fstype in IMAGE_FSTYPES]

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	some ps in p.storages
	not volume_storage_present(ps)
	f := container_failure(idx, "create.volumes", 57, "storages", sprintf("storage %v at %v required by the policy is missing", [ps.driver, ps.mount_point]))
}

cc_failures contains f if {
	some idx in cc_considered
	p := policy_data.containers[idx]
	count(volume_storages) != count(p.storages)
	f := container_failure(idx, "create.volumes", 58, "storages", sprintf("%d volume storages, policy expects %d", [count(volume_storages), count(p.storages)]))
}

volume_storage_present(ps) if {
	some s in volume_storages
	volume_storage_allowed({"storages": [ps]}, s)
}

volume_storage_allowed(p, s) if {
	some ps in p.storages
	ps.driver == s.driver
	ps.fstype == s.fstype
	regex.match(ps.source, s.source)
	regex.match(ps.mount_point, s.mount_point)
	as_set(s.options) == as_set(ps.options)
	as_array(object.get(s, "driver_options", [])) == ps.driver_options
	object.get(s, "fs_group", null) == ps.fs_group
	object.get(s, "shared", false) == ps.shared
}

# --- Block storages and the guest's own protection of writable storage ---------------------------
# Kata's block emptyDirs: the host makes a disk for the volume and attaches it as virtio-blk (driver
# blk, source its PCI path) or virtio-scsi (driver scsi, source target:lun), and names the mount point
# after the source. A policy storage with driver "block" allows either, checked field by field as
# genpolicy checks its emptyDir_encrypted volumes. Whether the disk is encrypted is not read from
# here: see storage_protected.
BLOCK_STORAGE_SOURCES := {"blk": `^[0-9a-f]{2}(/[0-9a-f]{2})?$`, "scsi": `^[0-9]+:[0-9]+$`}

volume_storage_allowed(p, s) if {
	some ps in p.storages
	ps.driver == "block"
	regex.match(BLOCK_STORAGE_SOURCES[s.driver], s.source)
	as_array(object.get(s, "driver_options", [])) == ps.driver_options
	object.get(s, "fs_group", null) == ps.fs_group
	s.fstype == ps.fstype
	object.get(s, "shared", false) == ps.shared
	as_set(as_array(object.get(s, "options", []))) == as_set(ps.options)
	s.mount_point == concat("/", [policy_data.common.spath, base64url.encode(s.source)])
}

# data.guest.storages[mount_point] is the agent's own record of each storage: what it set up there,
# or, for a mount point the request being decided names first, what its code will set up. A volume
# storage is protected when the guest encrypted and integrity-protected it under a key it made and
# formatted it itself, or keeps it in guest memory (which SEV-SNP protects). The request only names
# storages; whether one is protected is never read from it. Only a policy that says
# allow_unencrypted_storage accepts storage the guest did not protect.
storage_protected(s) if {
	record := data.guest.storages[s.mount_point]
	record.encrypted == true
	record.integrity == true
	record.guest_filesystem == true
}

storage_protected(s) if {
	data.guest.storages[s.mount_point].in_guest_memory == true
}

# A stock kata-agent keeps no such record (data.guest is absent). Its own code encrypts a block
# storage exactly when the storage asks for an ephemeral key and a new file system, and keeps
# ephemeral and local storages in guest memory. The Parma agent always supplies data.guest, so a host
# cannot choose this reading.
storage_protected(s) if {
	not data.guest
	s.driver in {"blk", "scsi"}
	"encryption_key=ephemeral" in as_array(object.get(s, "driver_options", []))
	"create_filesystem" in as_array(object.get(s, "driver_options", []))
}

storage_protected(s) if {
	not data.guest
	s.driver in {"ephemeral", "local"}
}

storage_protected(_) if {
	object.get(policy_data.common, "allow_unencrypted_storage", false) == true
}

storage_protection_message(s) := sprintf("storage at %v is not protected by the guest (its record: %v) and the policy does not allow unencrypted storage", [s.mount_point, data.guest.storages[s.mount_point].setup]) if {
	data.guest.storages[s.mount_point]
} else := sprintf("storage at %v is not one the guest encrypts or keeps in its memory, and the policy does not allow unencrypted storage", [object.get(s, "mount_point", "")])

# Checked after the volume storages match the policy (create.volumes), so that a storage the policy
# does not have is named as such.
cc_failures contains f if {
	some idx in cc_considered
	some i, s in i_storages
	not s.fstype in IMAGE_FSTYPES
	not storage_protected(s)
	f := container_failure(idx, "create.storage_protection", 59, sprintf("storages[%d]", [i]), storage_protection_message(s))
}

# A container mount from the block-storage directory must come from the mount point of a block
# storage of this request that the guest protected.
cc_failures contains f if {
	some idx in cc_considered
	some i, m in i_mounts
	startswith(object.get(m, "source", ""), concat("", [policy_data.common.spath, "/"]))
	not block_mount_source_allowed(m.source)
	f := container_failure(idx, "create.storage_protection", 60, sprintf("OCI.Mounts[%d].source", [i]), sprintf("mount source %v is not the mount point of a block storage of this request that the guest protected", [m.source]))
}

block_mount_source_allowed(source) if {
	some s in i_storages
	s.driver in {"blk", "scsi"}
	s.mount_point == source
	storage_protected(s)
}

# --- Facts derived from policy_data alone -----------------------------------------------------
# They read no input and no state, so the engine computes them once per policy instead of once per
# request: each policy container's mount indexes by destination, option and path lists as sets,
# the exact layer storages and overlay options its layers require.
policy_pause_containers contains idx if {
	some idx, p in policy_data.containers
	p.role == "pause"
}

# Indexes of the non-pause policy containers by name.
policy_containers_named := {name: {idx | some idx, p in policy_data.containers; p.role != "pause"; p.name == name} |
	some q in policy_data.containers
	q.role != "pause"
	name := q.name
}

policy_mounts_at[idx] := {d: [j | some j, pm in p.mounts; pm.destination == d] | some q in p.mounts; d := q.destination} if {
	some idx, p in policy_data.containers
}

policy_mount_options[idx] := [as_set(pm.options) | some pm in p.mounts] if {
	some idx, p in policy_data.containers
}

policy_additional_gids[idx] := as_set(p.process.user.additional_gids) if {
	some idx, p in policy_data.containers
}

policy_capabilities[idx] := {name: as_set(object.get(p.process.capabilities, name, [])) | some name in CAPABILITY_SETS} if {
	some idx, p in policy_data.containers
}

policy_namespaces[idx] := as_set(p.namespaces) if {
	some idx, p in policy_data.containers
}

policy_masked_paths[idx] := as_set(p.masked_paths) if {
	some idx, p in policy_data.containers
}

policy_readonly_paths[idx] := as_set(p.readonly_paths) if {
	some idx, p in policy_data.containers
}

# Each layer's block-device storage: [options, mount point] exactly as Kata sends them.
policy_layer_storages[idx] := {[options, mount_point] |
	some layer in p.layers
	options := ["ro", "io.katacontainers.fs-opt.block_device=file", "io.katacontainers.fs-opt.is-layer", concat("", [LAYER_HASH_OPTION, layer.root_hash])]
	mount_point := concat("/", [policy_data.common.layers_path, layer.id])
} if {
	some idx, p in policy_data.containers
}

policy_overlay_options[idx] := overlay_options(p) if {
	some idx, p in policy_data.containers
}

# --- Why a CreateContainerRequest was denied ------------------------------------------------------
# Explained against the policy container the request names, else the one with fewest failed checks.
cc_explained_index := min(cc_considered) if {
	count(cc_considered) > 0
}

reason_create_container := msg if {
	count(cc_global_failures) > 0
	msg := format_failure(first_failure(cc_global_failures))
} else := msg if {
	failures := {f | some f in cc_failures; f.container == cc_explained_index}
	count(failures) > 0
	msg := format_failure(first_failure(failures))
} else := sprintf("create.container_name: OCI.Annotations[io.kubernetes.cri.container-name]: the policy has no container named %v", [object.get(i_annotations, C_NAME_KEY, "")]) if {
	count(cc_considered) == 0
} else := "create.match: OCI: no container in the policy matches the request"

# ---------------------------------------------------------------------------------------------
# StartContainerRequest, RemoveContainerRequest, SignalProcessRequest, WaitProcessRequest
# ---------------------------------------------------------------------------------------------
StartContainerRequest := {"allowed": true, "ops": [{"op": "replace", "path": state_path(["containers", i_container_id, "started"]), "value": true}]} if {
	container_exists(i_container_id)
	not container_started(i_container_id)
}

reason_start_container := sprintf("start.container_id: container_id: container %v was not created under this policy", [i_container_id]) if {
	not container_exists(i_container_id)
} else := sprintf("start.container_id: container_id: container %v was already started", [i_container_id])

RemoveContainerRequest := {"allowed": true, "ops": ops} if {
	id := i_container_id
	record := state_containers[id]
	unmounts := [{"op": "remove", "path": state_path(["mount_points", m])} |
		some m in record.mount_points
		state_mount_points[m] == id
	]
	ops := array.concat([
		{"op": "remove", "path": state_path(["containers", id])},
		{"op": "remove", "path": state_path(["bound", sprintf("%d", [record.index])])},
	], unmounts)
}

reason_not_created := sprintf("container.container_id: container_id: container %v was not created under this policy", [i_container_id])

SignalProcessRequest if {
	container_exists(i_container_id)
	i_signal in policy_data.common.allowed_signals
}

reason_signal := reason_not_created if {
	not container_exists(i_container_id)
} else := sprintf("signal.signal: signal: signal %v is not allowed", [i_signal])

WaitProcessRequest if {
	container_exists(i_container_id)
}

# ---------------------------------------------------------------------------------------------
# ExecProcessRequest: only into a started container, only commands its policy allows.
# ---------------------------------------------------------------------------------------------
ExecProcessRequest if {
	count(exec_failures) == 0
}

exec_container := policy_data.containers[state_containers[i_container_id].index]

exec_process := as_object(object.get(input, "process", {}))

exec_args := as_array(object.get(exec_process, "Args", []))

exec_failures contains f if {
	not container_exists(i_container_id)
	f := failure("exec.container_id", 1, "container_id", sprintf("container %v was not created under this policy", [i_container_id]))
}

exec_failures contains f if {
	container_exists(i_container_id)
	not container_started(i_container_id)
	f := failure("exec.container_id", 2, "container_id", sprintf("container %v has not been started", [i_container_id]))
}

exec_failures contains f if {
	p := exec_container
	not exec_command_allowed(p, exec_args)
	f := failure("exec.args", 3, "process.Args", sprintf("command %v is not allowed in container %v", [exec_args, p.name]))
}

exec_failures contains f if {
	p := exec_container
	some entry in exec_env
	not env_allowed(p.process, entry)
	f := failure("exec.env", 4, sprintf("process.Env[%v]", [env_name(entry)]), "environment variable is not allowed by the policy")
}

exec_failures contains f if {
	count(exec_env) != count({env_name(e) | some e in exec_env})
	some name in duplicates([env_name(e) | some e in exec_env])
	f := failure("exec.env", 4, sprintf("process.Env[%v]", [name]), "environment variable is set more than once")
}

exec_env := as_array(object.get(exec_process, "Env", []))

exec_user := as_object(object.get(exec_process, "User", {}))

exec_failures contains f if {
	p := exec_container
	[object.get(exec_user, "UID", 0), object.get(exec_user, "GID", 0)] != [p.process.user.uid, p.process.user.gid]
	f := failure("exec.user", 5, "process.User", "exec must run as the container's user")
}

exec_failures contains f if {
	as_set(object.get(exec_user, "AdditionalGids", [])) != policy_additional_gids[state_containers[i_container_id].index]
	f := failure("exec.user", 5, "process.User.AdditionalGids", "exec must run with the container's groups")
}

exec_failures contains f if {
	p := exec_container
	some set_name, got_list in as_object(object.get(exec_process, "Capabilities", {}))
	extra := as_set(got_list) - as_set(object.get(p.process.capabilities, set_name, []))
	count(extra) > 0
	f := failure("exec.capabilities", 6, sprintf("process.Capabilities.%v", [set_name]), sprintf("exec may not gain capabilities %v", [sort(extra)]))
}

exec_failures contains f if {
	p := exec_container
	p.process.no_new_privileges == true
	object.get(exec_process, "NoNewPrivileges", false) != true
	f := failure("exec.no_new_privileges", 7, "process.NoNewPrivileges", "exec may not drop the container's no_new_privileges")
}

exec_failures contains f if {
	p := exec_container
	got := object.get(exec_process, "Cwd", "")
	got != p.process.cwd
	f := failure("exec.cwd", 7, "process.Cwd", sprintf("working directory %v, policy expects %v", [got, p.process.cwd]))
}

exec_failures contains f if {
	got := as_array(object.get(exec_process, "Rlimits", []))
	not rlimits_allowed(got)
	f := failure("exec.rlimits", 7, "process.Rlimits", sprintf("resource limits %v, policy expects %v", [got, policy_data.common.rlimits]))
}

exec_failures contains f if {
	p := exec_container
	got := object.get(exec_process, "OOMScoreAdj", 0)
	not in_range(got, p.process.oom_score_adj)
	f := failure("exec.oom_score_adj", 7, "process.OOMScoreAdj", sprintf("oom_score_adj %v, policy allows %v to %v", [got, p.process.oom_score_adj[0], p.process.oom_score_adj[1]]))
}

exec_failures contains f if {
	p := exec_container
	got := object.get(exec_process, "ApparmorProfile", "")
	not got in p.process.apparmor_profiles
	f := failure("exec.apparmor", 7, "process.ApparmorProfile", sprintf("AppArmor profile %v, policy allows %v", [got, p.process.apparmor_profiles]))
}

exec_failures contains f if {
	some field, value in {
		"process.SelinuxLabel": object.get(exec_process, "SelinuxLabel", ""),
		"process.User.Username": object.get(exec_user, "Username", ""),
	}
	value != ""
	f := failure("exec.not_set", 7, field, "must be empty")
}

exec_failures contains f if {
	some f in stdio_port_failures("exec.stdio_ports")
}

exec_failures contains f if {
	object.get(input, "string_user", null) != null
	f := failure("exec.not_set", 7, "string_user", "must not be set")
}

# A terminal only for the commands the group declared and only if it allows terminals; probes never.
exec_failures contains f if {
	p := exec_container
	object.get(exec_process, "Terminal", false) != false
	not exec_terminal_allowed(p, exec_args)
	f := failure("exec.terminal", 8, "process.Terminal", sprintf("a terminal is not allowed for command %v", [exec_args]))
}

exec_terminal_allowed(p, args) if {
	p.exec.terminal == true
	exec_declared(p, args)
}

exec_command_allowed(p, args) if {
	args in p.exec.probes
}

exec_command_allowed(p, args) if {
	exec_declared(p, args)
}

exec_declared(p, args) if {
	args in p.exec.commands
}

# A pattern rule has one RE2 pattern per argument (each matching the whole argument), so an argument
# can never stand in for two.
exec_declared(p, args) if {
	some patterns in p.exec.regex
	count(patterns) == count(args)
	every i, pattern in patterns {
		regex.match(pattern, args[i])
	}
}

reason_exec := format_failure(first_failure(exec_failures))

# ---------------------------------------------------------------------------------------------
# CopyFileRequest: regular files, directories and symbolic links into allowed paths only. The input
# is kata-agent's summary of the request: file_type from the mode, symlink_target, never the data.
# A link (Kubernetes' atomic writer: `..data` -> `..2024_…`, `token` -> `..data/token`) must sit
# inside a copied directory, never at the top of the shared directory, where a container's bind
# mount would follow it, and point with a relative path of plain names, so it resolves inside its
# own directory.
# ---------------------------------------------------------------------------------------------
CopyFileRequest if {
	count(copy_failures) == 0
}

copy_failures contains f if {
	not plain_absolute_path(i_path)
	f := failure("copy.path", 1, "path", "the path must be absolute, without empty, '.' or '..' components")
}

copy_failures contains f if {
	not copy_path_allowed(i_path)
	f := failure("copy.path", 2, "path", sprintf("path %v is not in the copy allow-list", [i_path]))
}

copy_path_allowed(path) if {
	some pattern in policy_data.common.copy_file_regex
	regex.match(pattern, path)
}

# Regular files, directories and links only: no device nodes, pipes or sockets.
copy_failures contains f if {
	not i_file_type in {"Regular", "Directory", "Symlink"}
	f := failure("copy.file_type", 3, "file_type", sprintf("file type %v is not copied (regular files, directories and symbolic links only)", [i_file_type]))
}

# Kubernetes allows file modes 0-0777 in volumes: no set-user-ID, set-group-ID or sticky bit on the
# file or on the directories made for it.
copy_failures contains f if {
	some field in ["file_mode", "dir_mode"]
	mode := object.get(input, field, 0)
	bits.and(mode, 3584) != 0
	f := failure("copy.mode", 4, field, sprintf("mode %o has set-user-ID, set-group-ID or sticky bits", [mode]))
}

copy_failures contains f if {
	i_file_type == "Symlink"
	not copy_path_allowed(parent_path(i_path))
	f := failure("copy.symlink", 5, "path", "a symbolic link is only copied into a directory that is itself an allowed copy path")
}

copy_failures contains f if {
	i_file_type == "Symlink"
	target := object.get(input, "symlink_target", null)
	not plain_relative_path(target)
	f := failure("copy.symlink_target", 6, "symlink_target", sprintf("link target %v is not a relative path of plain names inside the link's directory", [target]))
}

plain_absolute_path(path) if {
	is_string(path)
	startswith(path, "/")
	plain_relative_path(substring(path, 1, -1))
}

plain_relative_path(path) if {
	is_string(path)
	every part in split(path, "/") {
		part != ""
		part != "."
		part != ".."
	}
}

parent_path(path) := concat("/", array.slice(parts, 0, count(parts) - 1)) if {
	parts := split(path, "/")
}

reason_copy := format_failure(first_failure(copy_failures))

# ---------------------------------------------------------------------------------------------
# Networking: the host configures the guest's network (it carries the traffic anyway), but never
# the loopback device, a loopback address in any spelling, a route or neighbour without a device,
# or flags and neighbour states Kata does not use.
# ---------------------------------------------------------------------------------------------
UpdateInterfaceRequest if {
	count(interface_failures) == 0
}

i_interface := as_object(object.get(input, "interface", {}))

interface_failures contains f if {
	some field in ["name", "device"]
	name := object.get(i_interface, field, "")
	name in policy_data.common.forbidden_interfaces
	f := failure("interface.name", 1, sprintf("interface.%v", [field]), sprintf("interface %v may not be configured", [name]))
}

# An interface (or a request without one) needs a name: Kata always sends it.
interface_failures contains f if {
	object.get(i_interface, "name", "") == ""
	f := failure("interface.name", 1, "interface.name", "an interface needs a name")
}

interface_failures contains f if {
	flags := object.get(i_interface, "raw_flags", 0)
	bits.and(flags, bits.negate(policy_data.common.allowed_interface_flags)) != 0
	f := failure("interface.raw_flags", 2, "interface.raw_flags", sprintf("flags %v are not allowed (only %v)", [flags, policy_data.common.allowed_interface_flags]))
}

interface_failures contains f if {
	some i, address in as_array(object.get(i_interface, "IPAddresses", []))
	got := object.get(as_object(address), "address", "")
	not ip_allowed(got)
	f := failure("interface.addresses", 3, sprintf("interface.IPAddresses[%d].address", [i]), sprintf("address %v is a loopback address or not an IP address", [got]))
}

# The agent finds the link by its hardware address, so one is required: not all-zero (loopback),
# multicast or malformed.
interface_failures contains f if {
	got := object.get(i_interface, "hwAddr", "")
	not unicast_mac(got)
	f := failure("interface.hw_addr", 4, "interface.hwAddr", sprintf("hardware address '%v' is missing, all-zero (loopback), multicast or malformed", [got]))
}

reason_interface := format_failure(first_failure(interface_failures))

UpdateRoutesRequest if {
	count(route_failures) == 0
}

i_routes := as_array(object.get(as_object(object.get(input, "routes", {})), "Routes", []))

# Kata sends no UpdateRoutes rather than an empty list; an agent that replaces the guest's routes with
# the list (as older kata-agents did) would delete them all.
route_failures contains f if {
	count(i_routes) == 0
	f := failure("route.routes", 1, "routes.Routes", "an empty route list is not allowed (Kata sends none; replacing the routes with it would delete them all)")
}

route_failures contains f if {
	some i, route in i_routes
	device := object.get(route, "device", "")
	not device_allowed(device)
	f := failure("route.device", 2, sprintf("routes.Routes[%d].device", [i]), sprintf("device '%v' is not allowed (a route needs a device other than loopback)", [device]))
}

route_failures contains f if {
	some i, route in i_routes
	some field in ["dest", "gateway", "source"]
	got := object.get(route, field, "")
	got != ""
	not route_address_allowed(got)
	f := failure("route.addresses", 3, sprintf("routes.Routes[%d].%v", [i, field]), sprintf("address %v is a loopback address or not an IP address", [got]))
}

reason_routes := format_failure(first_failure(route_failures))

AddARPNeighborsRequest if {
	count(neighbor_failures) == 0
}

i_neighbors := as_array(object.get(as_object(object.get(input, "neighbors", {})), "ARPNeighbors", []))

# Neighbour states NUD_REACHABLE and NUD_PERMANENT; flags NTF_PROXY and NTF_ROUTER.
NEIGHBOR_STATES := {2, 128}

NEIGHBOR_FLAGS := 136

# Kata sends no AddARPNeighbors rather than an empty list.
neighbor_failures contains f if {
	count(i_neighbors) == 0
	f := failure("neighbor.neighbors", 1, "neighbors.ARPNeighbors", "an empty neighbour list is not allowed")
}

neighbor_failures contains f if {
	some i, neighbor in i_neighbors
	device := object.get(neighbor, "device", "")
	not device_allowed(device)
	f := failure("neighbor.device", 2, sprintf("neighbors.ARPNeighbors[%d].device", [i]), sprintf("device '%v' is not allowed (a neighbor needs a device other than loopback)", [device]))
}

# One address without a mask, never loopback.
neighbor_failures contains f if {
	some i, neighbor in i_neighbors
	to := as_object(object.get(neighbor, "toIPAddress", {}))
	got := object.get(to, "address", "")
	not neighbor_address_allowed(to)
	f := failure("neighbor.address", 3, sprintf("neighbors.ARPNeighbors[%d].toIPAddress.address", [i]), sprintf("address %v is a loopback address, not an IP address, or carries a mask", [got]))
}

neighbor_address_allowed(to) if {
	ip_allowed(object.get(to, "address", ""))
	object.get(to, "mask", "") == ""
}

neighbor_failures contains f if {
	some i, neighbor in i_neighbors
	got := object.get(neighbor, "lladdr", "")
	got != ""
	not unicast_mac(got)
	f := failure("neighbor.lladdr", 4, sprintf("neighbors.ARPNeighbors[%d].lladdr", [i]), sprintf("hardware address %v is all-zero, multicast or malformed", [got]))
}

neighbor_failures contains f if {
	some i, neighbor in i_neighbors
	not object.get(neighbor, "state", 0) in NEIGHBOR_STATES
	f := failure("neighbor.state", 5, sprintf("neighbors.ARPNeighbors[%d].state", [i]), "only reachable or permanent neighbours are added")
}

neighbor_failures contains f if {
	some i, neighbor in i_neighbors
	bits.or(object.get(neighbor, "flags", 0), NEIGHBOR_FLAGS) != NEIGHBOR_FLAGS
	f := failure("neighbor.flags", 6, sprintf("neighbors.ARPNeighbors[%d].flags", [i]), "only NTF_PROXY and NTF_ROUTER may be set")
}

reason_neighbors := format_failure(first_failure(neighbor_failures))

device_allowed(device) if {
	device != ""
	not device in policy_data.common.forbidden_interfaces
}

# --- Addresses: only the strict spellings the runtime prints, never loopback ----------------------
IPV4 := `^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$`

ip_allowed(address) if {
	regex.match(IPV4, address)
	not startswith(address, "127.")
}

ip_allowed(address) if {
	canonical := ipv6_canonical(address)
	not ipv6_loopback(canonical)
}

route_address_allowed(address) if {
	ip_allowed(address)
}

route_address_allowed(address) if {
	parts := split(address, "/")
	count(parts) == 2
	regex.match(`^(0|[1-9][0-9]?|1[01][0-9]|12[0-8])$`, parts[1])
	ip_allowed(parts[0])
}

# ::1, and 127.0.0.0/8 mapped (::ffff:127.x), compatible (::127.x) or translated (::ffff:0:127.x).
ipv6_loopback(canonical) if {
	canonical == "0000:0000:0000:0000:0000:0000:0000:0001"
}

ipv6_loopback(canonical) if {
	some prefix in ["0000:0000:0000:0000:0000:ffff:7f", "0000:0000:0000:0000:0000:0000:7f", "0000:0000:0000:0000:ffff:0000:7f"]
	startswith(canonical, prefix)
}

# An IPv6 address as eight four-digit lower-case groups; undefined unless it is a valid address.
ipv6_canonical(address) := concat(":", ipv6_groups(ipv6_hex(lower(address))))

ipv6_hex(a) := a if {
	not contains(a, ".")
}

# A trailing dotted IPv4 part becomes two hex groups.
ipv6_hex(a) := hex if {
	parts := split(a, ":")
	v4 := parts[count(parts) - 1]
	regex.match(IPV4, v4)
	o := [to_number(x) | some x in split(v4, ".")]
	hex := concat(":", array.concat(array.slice(parts, 0, count(parts) - 1), [sprintf("%x", [(o[0] * 256) + o[1]]), sprintf("%x", [(o[2] * 256) + o[3]])]))
}

ipv6_groups(a) := [ipv6_group(g) | some g in split(a, ":")] if {
	regex.match(`^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}$`, a)
}

ipv6_groups(a) := array.concat(array.concat(left, ["0000" | some _ in numbers.range(1, fill)]), right) if {
	halves := split(a, "::")
	count(halves) == 2
	left := ipv6_side(halves[0])
	right := ipv6_side(halves[1])
	fill := (8 - count(left)) - count(right)
	fill >= 1
}

ipv6_side(s) := [] if {
	s == ""
}

ipv6_side(s) := [ipv6_group(g) | some g in split(s, ":")] if {
	regex.match(`^[0-9a-f]{1,4}(:[0-9a-f]{1,4})*$`, s)
}

ipv6_group(g) := substring(concat("", ["000", g]), count(g) - 1, 4)

# A unicast, non-zero MAC address.
unicast_mac(mac) if {
	m := lower(mac)
	regex.match(`^[0-9a-f]{2}(:[0-9a-f]{2}){5}$`, m)
	m != "00:00:00:00:00:00"
	not regex.match(`^.[13579bdf]:`, m)
}

# ---------------------------------------------------------------------------------------------
# denial_reason[RequestType]: why a request was denied (queried by the agent after a denial).
# ---------------------------------------------------------------------------------------------
denial_reason["CreateSandboxRequest"] := reason_create_sandbox

denial_reason["CreateContainerRequest"] := reason_create_container

denial_reason["StartContainerRequest"] := reason_start_container

denial_reason["RemoveContainerRequest"] := reason_not_created

denial_reason["WaitProcessRequest"] := reason_not_created

denial_reason["SignalProcessRequest"] := reason_signal

denial_reason["ExecProcessRequest"] := reason_exec

denial_reason["CopyFileRequest"] := reason_copy

denial_reason["UpdateInterfaceRequest"] := reason_interface

denial_reason["UpdateRoutesRequest"] := reason_routes

denial_reason["AddARPNeighborsRequest"] := reason_neighbors

denial_reason["UpdateEphemeralMountsRequest"] := reason_ephemeral

denial_reason["UpdateContainerRequest"] := reason_update_container

denial_reason["PauseContainerRequest"] := reason_not_created

denial_reason["ResumeContainerRequest"] := reason_not_created

denial_reason["VolumeStatsRequest"] := reason_volume

denial_reason["ResizeVolumeRequest"] := reason_volume if switch_allows("ResizeVolumeRequest")

denial_reason["GetDiagnosticDataRequest"] := reason_not_created if {
	switch_allows("GetDiagnosticDataRequest")
	not container_exists(i_container_id)
} else := "diagnostics.log_type: log_type: only the termination log is read" if {
	switch_allows("GetDiagnosticDataRequest")
}

denial_reason[kind] := reason_switched(kind) if {
	some kind in SWITCHED_BY_CONTAINER
}

denial_reason[kind] := sprintf("switch.%v: request_defaults: the policy does not allow %v", [kind, kind]) if {
	some kind, allowed in policy_data.request_defaults
	not kind in SWITCHED_BY_CONTAINER
	allowed != true
}

SWITCHED_BY_CONTAINER := {"ReadStreamRequest", "WriteStreamRequest", "CloseStdinRequest", "StatsContainerRequest", "TtyWinResizeRequest"}

reason_switched(kind) := sprintf("switch.%v: request_defaults: the policy does not allow %v", [kind, kind]) if {
	not switch_allows(kind)
} else := reason_not_created
denial_reason["SetPolicyRequest"] := "set_policy: policy: the policy cannot be replaced after attestation"
