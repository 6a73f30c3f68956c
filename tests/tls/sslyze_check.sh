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

if [ "$#" -ne 1 ]; then
  echo "usage: bash tests/tls/sslyze_check.sh BINARY" >&2
  exit 2
fi
binary="$1"
if [ ! -x "$binary" ]; then
  echo "sslyze check: $binary is not an executable (build it first: cargo build --release)" >&2
  exit 2
fi

# shellcheck source=../venv.sh
source "$root/tests/venv.sh"
ensure_venv sslyze "$venv" "$requirements"
echo "sslyze: $("$venv/bin/python" -m pip freeze | grep -E '^(sslyze|nassl|cryptography)==' | tr '\n' ' ')"

exec "$venv/bin/python" "$here/sslyze_check.py" "$binary"
