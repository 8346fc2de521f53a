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

parma_framework_version := "1.0.0"

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

LAYER_FLAGS := "tar,ro,io.katacontainers.fs-opt.block_device=file,io.katacontainers.fs-opt.is-layer"

# The policy state. kata-agent and the Parma agent both start it as {}.
pstate := data.pstate if {
	is_object(data.pstate)
} else := {}

state_containers := object.get(pstate, "containers", {})

state_mount_points := object.get(pstate, "mount_points", {})

state_bound := object.get(pstate, "bound", {})

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
	container_exists(input.container_id)
	input.log_type == "termination_log"
}

StatsContainerRequest if {
	switch_allows("StatsContainerRequest")
	container_exists(input.container_id)
}

TtyWinResizeRequest if {
	switch_allows("TtyWinResizeRequest")
	container_exists(input.container_id)
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
	container_exists(input.container_id)
	resources := as_object(object.get(input, "resources", null))
	empty_list(object.get(resources, "Devices", null))
}

reason_update_container := reason_not_created if {
	not container_exists(input.container_id)
} else := "update.resources: resources.Devices: device rules cannot be changed"

# Freezing and thawing only change when a container runs, which the host decides anyway.
PauseContainerRequest if container_exists(input.container_id)

ResumeContainerRequest if container_exists(input.container_id)

# ---------------------------------------------------------------------------------------------
# Volumes: statistics of a mount under the sandbox's storage directory, and growing its file system.
# ---------------------------------------------------------------------------------------------
SANDBOX_STORAGE_PATH := "/run/kata-containers/sandbox/storage"

VolumeStatsRequest if sandbox_storage_path(input.volume_guest_path)

ResizeVolumeRequest if {
	switch_allows("ResizeVolumeRequest")
	sandbox_storage_path(input.volume_guest_path)
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
	container_exists(input.container_id)
}

WriteStreamRequest if {
	switch_allows("WriteStreamRequest")
	container_exists(input.container_id)
}

CloseStdinRequest if {
	switch_allows("CloseStdinRequest")
	container_exists(input.container_id)
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

sandbox_failures contains f if {
	some i, s in as_array(object.get(input, "storages", []))
	not sandbox_storage_allowed(s)
	f := failure("sandbox.storages", 40, sprintf("storages[%d]", [i]), sprintf("sandbox storage at %v is not allowed", [object.get(s, "mount_point", "")]))
}

sandbox_storage_allowed(s) if {
	some allowed in policy_data.sandbox.storages
	s.driver == allowed.driver
	s.fstype == allowed.fstype
	regex.match(allowed.mount_point, s.mount_point)
	regex.match(allowed.source, s.source)
}

# Shared memory and other sandbox storages are storage the guest keeps in its memory (see below).
sandbox_failures contains f if {
	some i, s in as_array(object.get(input, "storages", []))
	not storage_protected(s)
	f := failure("sandbox.storage_protection", 35, sprintf("storages[%d]", [i]), storage_protection_message(s))
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

i_env_set := as_set(object.get(i_process, "Env", []))

# Only the policy container the request names is checked: the pause container for the sandbox,
# otherwise the one whose name is the CRI container-name annotation.
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
	id := input.container_id
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
	container_exists(input.container_id)
	f := failure("create.container_id", 1, "container_id", sprintf("container %v already exists", [input.container_id]))
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
		empty_list(list)
	}
}

empty_list(x) if {
	x == null
}

empty_list(x) if {
	x == []
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
	value != null
	not value == []
	f := failure("create.not_empty", 6, field, "must be empty")
}

cc_global_failures contains f if {
	object.get(i_linux, "Seccomp", null) != null
	f := failure("create.seccomp", 6, "OCI.Linux.Seccomp", "a seccomp profile set by the host is not allowed")
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
	got := object.get(i_annotations, C_NAME_KEY, "")
	got != p.name
	f := container_failure(idx, "create.container_name", 22, "OCI.Annotations[io.kubernetes.cri.container-name]", sprintf("container name %v, policy expects %v", [got, p.name]))
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
	some entry in as_array(object.get(i_process, "Env", []))
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
	not s.fstype in {"tar", "fuse3.kata-overlay"}
	not volume_storage_allowed(p, s)
	f := container_failure(idx, "create.volumes", 56, sprintf("storages[%d]", [i]), sprintf("storage %v at %v is not allowed by the policy", [object.get(s, "driver", ""), object.get(s, "mount_point", "")]))
}

volume_storages := [s | some s in i_storages; not s.fstype in {"tar", "fuse3.kata-overlay"}]

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

cc_global_failures contains f if {
	some i, s in i_storages
	not s.fstype in {"tar", "fuse3.kata-overlay"}
	not storage_protected(s)
	f := failure("create.storage_protection", 11, sprintf("storages[%d]", [i]), storage_protection_message(s))
}

# A container mount from the block-storage directory must come from the mount point of a block
# storage of this request that the guest protected.
cc_global_failures contains f if {
	some i, m in i_mounts
	startswith(object.get(m, "source", ""), concat("", [policy_data.common.spath, "/"]))
	not block_mount_source_allowed(m.source)
	f := failure("create.storage_protection", 12, sprintf("OCI.Mounts[%d].source", [i]), sprintf("mount source %v is not the mount point of a block storage of this request that the guest protected", [m.source]))
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
StartContainerRequest := {"allowed": true, "ops": [{"op": "replace", "path": state_path(["containers", input.container_id, "started"]), "value": true}]} if {
	container_exists(input.container_id)
	not container_started(input.container_id)
}

reason_start_container := sprintf("start.container_id: container_id: container %v was not created under this policy", [input.container_id]) if {
	not container_exists(input.container_id)
} else := sprintf("start.container_id: container_id: container %v was already started", [input.container_id])

RemoveContainerRequest := {"allowed": true, "ops": ops} if {
	id := input.container_id
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

reason_not_created := sprintf("container.container_id: container_id: container %v was not created under this policy", [input.container_id])

SignalProcessRequest if {
	container_exists(input.container_id)
	input.signal in policy_data.common.allowed_signals
}

reason_signal := reason_not_created if {
	not container_exists(input.container_id)
} else := sprintf("signal.signal: signal: signal %v is not allowed", [input.signal])

WaitProcessRequest if {
	container_exists(input.container_id)
}

# ---------------------------------------------------------------------------------------------
# ExecProcessRequest: only into a started container, only commands its policy allows.
# ---------------------------------------------------------------------------------------------
ExecProcessRequest if {
	count(exec_failures) == 0
}

exec_container := policy_data.containers[state_containers[input.container_id].index]

exec_process := as_object(object.get(input, "process", {}))

exec_args := as_array(object.get(exec_process, "Args", []))

exec_failures contains f if {
	not container_exists(input.container_id)
	f := failure("exec.container_id", 1, "container_id", sprintf("container %v was not created under this policy", [input.container_id]))
}

exec_failures contains f if {
	container_exists(input.container_id)
	not container_started(input.container_id)
	f := failure("exec.container_id", 2, "container_id", sprintf("container %v has not been started", [input.container_id]))
}

exec_failures contains f if {
	p := exec_container
	not exec_command_allowed(p, exec_args)
	f := failure("exec.args", 3, "process.Args", sprintf("command %v is not allowed in container %v", [exec_args, p.name]))
}

exec_failures contains f if {
	p := exec_container
	some entry in as_array(object.get(exec_process, "Env", []))
	not env_allowed(p.process, entry)
	f := failure("exec.env", 4, sprintf("process.Env[%v]", [env_name(entry)]), "environment variable is not allowed by the policy")
}

exec_failures contains f if {
	p := exec_container
	user := as_object(object.get(exec_process, "User", {}))
	[object.get(user, "UID", 0), object.get(user, "GID", 0)] != [p.process.user.uid, p.process.user.gid]
	f := failure("exec.user", 5, "process.User", "exec must run as the container's user")
}

exec_failures contains f if {
	p := exec_container
	some set_name, got_list in as_object(object.get(exec_process, "Capabilities", {}))
	extra := as_set(got_list) - as_set(object.get(p.process.capabilities, set_name, []))
	count(extra) > 0
	f := failure("exec.capabilities", 6, sprintf("process.Capabilities.%v", [set_name]), sprintf("exec may not gain capabilities %v", [sort(extra)]))
}

exec_command_allowed(p, args) if {
	args in p.exec.commands
}

exec_command_allowed(p, args) if {
	some pattern in p.exec.regex
	regex.match(pattern, concat(" ", args))
}

reason_exec := format_failure(first_failure(exec_failures))

# ---------------------------------------------------------------------------------------------
# CopyFileRequest: regular files, directories and symbolic links into allowed paths only. The input
# is kata-agent's summary of the request: file_type from the mode, symlink_target, never the data.
# A link (Kubernetes' atomic writer: `..data` -> `..2024_…`, `token` -> `..data/token`) must sit
# inside a copied directory, never at the top of the shared directory, and point with a relative
# path of plain names, so it resolves inside its own directory.
# ---------------------------------------------------------------------------------------------
CopyFileRequest if {
	count(copy_failures) == 0
}

copy_file_type := object.get(input, "file_type", "Unknown")

copy_failures contains f if {
	not copy_file_type in {"Regular", "Directory", "Symlink"}
	f := failure("copy.file_type", 1, "file_type", sprintf("file type %v is not copied", [copy_file_type]))
}

copy_failures contains f if {
	not plain_absolute_path(input.path)
	f := failure("copy.path", 2, "path", "the path must be absolute, without empty, '.' or '..' components")
}

copy_failures contains f if {
	not copy_path_allowed(input.path)
	f := failure("copy.path", 3, "path", sprintf("path %v is not in the copy allow-list", [input.path]))
}

# Kubernetes allows file modes 0-0777 in volumes: a host that sets setuid, setgid or sticky bits is not copying a volume.
copy_failures contains f if {
	copy_file_type != "Symlink"
	bits.and(object.get(input, "file_mode", 0), 3584) != 0
	f := failure("copy.file_mode", 4, "file_mode", "setuid, setgid and sticky bits are not copied")
}

copy_failures contains f if {
	copy_file_type == "Symlink"
	not copy_path_allowed(parent_path(input.path))
	f := failure("copy.symlink", 5, "path", "a symbolic link is only copied into a directory that is itself an allowed copy path")
}

copy_failures contains f if {
	copy_file_type == "Symlink"
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
	count(path) > 0
	every part in split(path, "/") {
		part != ""
		part != "."
		part != ".."
	}
}

parent_path(path) := concat("/", array.slice(parts, 0, count(parts) - 1)) if {
	parts := split(path, "/")
}

copy_path_allowed(path) if {
	some pattern in policy_data.common.copy_file_regex
	regex.match(pattern, path)
}

reason_copy := format_failure(first_failure(copy_failures))

# ---------------------------------------------------------------------------------------------
# Networking: the host configures the guest's network (it carries the traffic anyway), but never
# the loopback device or loopback addresses, and only the flags Kata uses.
# ---------------------------------------------------------------------------------------------
IFF_NOARP := 128

LOOPBACK_REGEX := ["^127\\.(?:[0-9]{1,3}\\.){2}[0-9]{1,3}$", "^(?:0{0,4}:){0,7}0{0,3}1$"]

# Neighbour states NUD_REACHABLE and NUD_PERMANENT; flags NTF_PROXY and NTF_ROUTER.
ARP_STATES := {2, 128}

ARP_FLAGS := 136

loopback_address(address) if {
	some pattern in LOOPBACK_REGEX
	regex.match(pattern, address)
}

UpdateInterfaceRequest if {
	count(interface_failures) == 0
}

i_interface := as_object(object.get(input, "interface", null))

interface_failures contains f if {
	not is_object(object.get(input, "interface", null))
	f := failure("interface.interface", 1, "interface", "the request names no interface")
}

interface_failures contains f if {
	i_interface.name in policy_data.common.forbidden_interfaces
	f := failure("interface.name", 2, "interface.name", sprintf("interface %v may not be configured", [i_interface.name]))
}

interface_failures contains f if {
	bits.and(object.get(i_interface, "raw_flags", 0), bits.negate(IFF_NOARP)) != 0
	f := failure("interface.raw_flags", 3, "interface.raw_flags", "only IFF_NOARP may be set")
}

interface_failures contains f if {
	hw := object.get(i_interface, "hwAddr", "")
	not valid_mac(hw)
	f := failure("interface.hwAddr", 4, "interface.hwAddr", sprintf("%v is not a usable MAC address", [hw]))
}

interface_failures contains f if {
	some i, addr in as_array(object.get(i_interface, "IPAddresses", []))
	loopback_address(object.get(addr, "address", ""))
	f := failure("interface.IPAddresses", 5, sprintf("interface.IPAddresses[%d]", [i]), "loopback addresses may not be assigned")
}

valid_mac(hw) if {
	regex.match("^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$", hw)
	lower(hw) != "00:00:00:00:00:00"
}

reason_interface := format_failure(first_failure(interface_failures))

UpdateRoutesRequest if {
	count(route_failures) == 0
}

i_routes := object.get(as_object(object.get(input, "routes", null)), "Routes", null)

route_failures contains f if {
	not is_array(i_routes)
	f := failure("routes.routes", 1, "routes", "the request carries no route list")
}

route_failures contains f if {
	some i, route in as_array(i_routes)
	route.device in policy_data.common.forbidden_interfaces
	f := failure("routes.device", 2, sprintf("routes.Routes[%d].device", [i]), sprintf("routes through %v are not allowed", [route.device]))
}

route_failures contains f if {
	some i, route in as_array(i_routes)
	some field in ["source", "gateway"]
	loopback_address(object.get(route, field, ""))
	f := failure("routes.loopback", 3, sprintf("routes.Routes[%d].%v", [i, field]), "loopback addresses are not allowed")
}

reason_routes := format_failure(first_failure(route_failures))

AddARPNeighborsRequest if {
	count(arp_failures) == 0
}

i_neighbors := object.get(as_object(object.get(input, "neighbors", null)), "ARPNeighbors", null)

arp_failures contains f if {
	not is_array(i_neighbors)
	f := failure("arp.neighbors", 1, "neighbors", "the request carries no neighbour list")
}

arp_failures contains f if {
	some i, neighbor in as_array(i_neighbors)
	neighbor.device in policy_data.common.forbidden_interfaces
	f := failure("arp.device", 2, sprintf("neighbors.ARPNeighbors[%d].device", [i]), sprintf("neighbours on %v are not allowed", [neighbor.device]))
}

arp_failures contains f if {
	some i, neighbor in as_array(i_neighbors)
	to := as_object(object.get(neighbor, "toIPAddress", null))
	not arp_address_allowed(to)
	f := failure("arp.toIPAddress", 3, sprintf("neighbors.ARPNeighbors[%d].toIPAddress", [i]), "the neighbour must be one address without a mask, not a loopback address")
}

arp_failures contains f if {
	some i, neighbor in as_array(i_neighbors)
	not object.get(neighbor, "state", 0) in ARP_STATES
	f := failure("arp.state", 4, sprintf("neighbors.ARPNeighbors[%d].state", [i]), "only reachable or permanent neighbours are added")
}

arp_failures contains f if {
	some i, neighbor in as_array(i_neighbors)
	bits.or(object.get(neighbor, "flags", 0), ARP_FLAGS) != ARP_FLAGS
	f := failure("arp.flags", 5, sprintf("neighbors.ARPNeighbors[%d].flags", [i]), "only NTF_PROXY and NTF_ROUTER may be set")
}

arp_address_allowed(to) if {
	address := object.get(to, "address", "")
	address != ""
	object.get(to, "mask", "") == ""
	not loopback_address(address)
}

reason_arp := format_failure(first_failure(arp_failures))

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

denial_reason["AddARPNeighborsRequest"] := reason_arp

denial_reason["UpdateEphemeralMountsRequest"] := reason_ephemeral

denial_reason["UpdateContainerRequest"] := reason_update_container

denial_reason["PauseContainerRequest"] := reason_not_created

denial_reason["ResumeContainerRequest"] := reason_not_created

denial_reason["VolumeStatsRequest"] := reason_volume

denial_reason["SetPolicyRequest"] := "set_policy: policy: the policy cannot be replaced after attestation"
