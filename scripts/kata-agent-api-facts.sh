#!/usr/bin/env bash
# Rebuilds tests/Parma.GuestAgent.Tests/Protocol/kata-agent-api.tsv (the facts KataAgentApiTests compares our protos
# with) from Kata Containers' protos: every field, enum value and AgentService method, read by protoc from
# src/libs/protocols/protos/agent.proto and what it imports.
#   scripts/kata-agent-api-facts.sh KATA_REPO [COMMIT]
# KATA_REPO is a kata-containers clone (bare or not); COMMIT defaults to HEAD. Needs protoc (the one NuGet's
# Grpc.Tools brings is used when none is on PATH) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="${1:?usage: $0 KATA_REPO [COMMIT]}"
commit="$(git -C "$repo" rev-parse "${2:-HEAD}")"
protoc="$(command -v protoc || ls "$HOME"/.nuget/packages/grpc.tools/*/tools/linux_x64/protoc | tail -1)"
include="$(dirname "$protoc")/../../build/native/include"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$repo" archive "$commit" src/libs/protocols/protos | tar -x -C "$work"
protos="$work/src/libs/protocols/protos"
"$protoc" -I"$protos" -I"$include" --include_imports --descriptor_set_out="$work/api.pb" "$protos/agent.proto"
"$protoc" -I"$include" --decode=google.protobuf.FileDescriptorSet google/protobuf/descriptor.proto <"$work/api.pb" >"$work/api.txt"
out=tests/Parma.GuestAgent.Tests/Protocol/kata-agent-api.tsv
{
  echo "# The Kata agent API as facts: every field (message, name, number, label, type, type name, presence), enum value and"
  echo "# AgentService method of Kata Containers' src/libs/protocols/protos/{agent,oci,types,csi}.proto at kata-containers"
  echo "# commit $commit (main), read with protoc --descriptor_set_out. KataAgentApiTests"
  echo "# compares our compiled protos with this list; scripts/kata-agent-api-facts.sh rebuilds it from a kata checkout."
  python3 - "$work/api.txt" <<'PY'
import re, sys

# protoc's text format of a FileDescriptorSet: "name: value" pairs and "name { ... }" blocks.
tokens = re.findall(r'"(?:[^"\\]|\\.)*"|[{}]|[A-Za-z_0-9.\-]+:?', open(sys.argv[1]).read())
pos = 0
def block():
    global pos
    items = []
    while pos < len(tokens):
        token = tokens[pos]
        if token == '}':
            pos += 1
            return items
        if token.endswith(':'):
            items.append((token[:-1], tokens[pos + 1].strip('"')))
            pos += 2
        else:
            pos += 2
            items.append((token, block()))
    return items
def all_of(items, key): return [v for k, v in items if k == key]
def one(items, key): return next(iter(all_of(items, key)), '')

lines = []
def message(m, package, prefix):
    name = prefix + one(m, 'name')
    oneofs = [one(o, 'name') for o in all_of(m, 'oneof_decl')]
    for f in all_of(m, 'field'):
        index = one(f, 'oneof_index')
        presence = '-' if index == '' else 'optional' if one(f, 'proto3_optional') == 'true' else 'oneof:' + oneofs[int(index)]
        lines.append('\t'.join(['field', f'{package}.{name}', one(f, 'name'), one(f, 'number'),
            one(f, 'label').replace('LABEL_', '').lower(), one(f, 'type').replace('TYPE_', '').lower(),
            one(f, 'type_name').lstrip('.') or '-', presence]))
    for nested in all_of(m, 'nested_type'):
        message(nested, package, name + '.')
    for e in all_of(m, 'enum_type'):
        enum(e, f'{package}.{name}.')
def enum(e, prefix):
    for v in all_of(e, 'value'):
        lines.append('\t'.join(['enum', prefix + one(e, 'name'), one(v, 'name'), one(v, 'number')]))

for f in all_of(block(), 'file'):
    if f and (one(f, 'name').startswith('google/') or 'gogo' in one(f, 'name')):
        continue
    package = one(f, 'package')
    for m in all_of(f, 'message_type'):
        message(m, package, '')
    for e in all_of(f, 'enum_type'):
        enum(e, package + '.')
    for s in all_of(f, 'service'):
        for r in all_of(s, 'method'):
            lines.append('\t'.join(['rpc', f"{package}.{one(s, 'name')}", one(r, 'name'), one(r, 'input_type').lstrip('.'), one(r, 'output_type').lstrip('.')]))
print('\n'.join(sorted(lines)))
PY
} >"$out"
echo "wrote $out ($(grep -vc '^#' "$out") facts from kata-containers $commit)"
