#!/usr/bin/env bash
# Replaces the Kata Containers test fixtures beside this script with those of another kata commit.
#   refresh.sh KATA_REPO [COMMIT]     KATA_REPO: a kata-containers clone (bare or not); COMMIT defaults to HEAD.
# Update the commit named in NOTICE afterwards.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="${1:?usage: $0 KATA_REPO [COMMIT]}"
commit="$(git -C "$repo" rev-parse "${2:-HEAD}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$repo" archive "$commit" LICENSE src/tools/genpolicy/rules.rego src/tools/genpolicy/genpolicy-settings.json \
  src/tools/genpolicy/tests/policy/testdata | tar -x -C "$work"
rm -rf "$here/policy"
cp -r "$work/src/tools/genpolicy/tests/policy/testdata" "$here/policy"
cp "$work/src/tools/genpolicy/rules.rego" "$work/src/tools/genpolicy/genpolicy-settings.json" "$work/LICENSE" "$here/"
echo "copied kata-containers $commit; now set that commit in $here/NOTICE"
