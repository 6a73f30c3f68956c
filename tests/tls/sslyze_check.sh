#!/usr/bin/env bash
# TLS scan of UMBRA's built-in listener with sslyze (issue 14 §6):
#
#   bash tests/tls/sslyze_check.sh BINARY      e.g. target/release/umbra or target/debug/umbra
#
# Starts `BINARY serve` on 127.0.0.1 with its own local-CA certificate, then with an operator
# certificate, scans each with sslyze and prints the verdict (sslyze_check.py says what is
# checked). Exit status: 0 compliant, 1 a check failed, 2 the scan could not be made.
#
# sslyze and its dependencies, pinned in requirements.txt beside this script, live in
# target/sslyze-venv (UMBRA_SSLYZE_VENV to put it elsewhere), rebuilt only when the pins change.
# Only 127.0.0.1 is contacted, apart from PyPI when the venv is (re)built.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${UMBRA_SSLYZE_VENV:-$root/target/sslyze-venv}"
requirements="$here/requirements.txt"
python="${PYTHON:-python3}"

if [ "$#" -ne 1 ]; then
  echo "usage: bash tests/tls/sslyze_check.sh BINARY" >&2
  exit 2
fi
binary="$1"
if [ ! -x "$binary" ]; then
  echo "sslyze check: $binary is not an executable (build it first: cargo build --release)" >&2
  exit 2
fi

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirements-sha256" 2>/dev/null)" = "$wanted" ]; then
  echo "sslyze: $venv is up to date"
else
  if ! "$python" -m venv --help >/dev/null 2>&1; then
    echo "sslyze: '$python -m venv' is not available (Debian: apt-get install python3-venv)" >&2
    exit 2
  fi
  started=$SECONDS
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --requirement "$requirements"
  echo "$wanted" > "$venv/.requirements-sha256"
  echo "sslyze: installed into $venv in $((SECONDS - started)) s ($("$venv/bin/python" -m pip freeze | grep -E '^(sslyze|nassl|cryptography)==' | tr '\n' ' '))"
fi

exec "$venv/bin/python" "$here/sslyze_check.py" "$binary"
