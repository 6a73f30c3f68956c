#!/usr/bin/env bash
# Creates target/dav-venv with the pinned DAV clients (requirements.txt beside this script)
# for the dav_clients tests. Cheap when nothing changed: the venv records the hash of the
# requirements it was built from and is only rebuilt when they differ.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${UMBRA_DAV_VENV:-$root/target/dav-venv}"
requirements="$here/requirements.txt"
python="${PYTHON:-python3}"

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirements-sha256" 2>/dev/null)" = "$wanted" ]; then
  echo "DAV clients: $venv is up to date"
  exit 0
fi

if ! "$python" -m venv --help >/dev/null 2>&1; then
  echo "DAV clients: '$python -m venv' is not available (Debian: apt-get install python3-venv)" >&2
  exit 1
fi
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --requirement "$requirements"
echo "$wanted" > "$venv/.requirements-sha256"
echo "DAV clients: installed into $venv ($("$venv/bin/python" -m pip freeze | grep -E '^(caldav|caldav-server-tester|vdirsyncer|oidc-provider-mock)==' | tr '\n' ' '))"
