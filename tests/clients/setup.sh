#!/usr/bin/env bash
# Creates target/dav-venv with the pinned DAV clients and OpenID provider (requirements.txt
# beside this script) for the dav_clients and oidc tests; rebuilt only when the pins change
# (tests/venv.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${UMBRA_DAV_VENV:-$root/target/dav-venv}"
requirements="$here/requirements.txt"

# shellcheck source=../venv.sh
source "$root/tests/venv.sh"
ensure_venv "DAV clients" "$venv" "$requirements"
echo "DAV clients: $("$venv/bin/python" -m pip freeze | grep -E '^(caldav|caldav-server-tester|vdirsyncer|oidc-provider-mock)==' | tr '\n' ' ')"
