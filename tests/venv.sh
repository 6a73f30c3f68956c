# A pinned Python virtual environment for the tools the tests run (the DAV clients and the
# OpenID provider, schemathesis, sslyze). Sourced by their scripts:
#
#   source tests/venv.sh
#   ensure_venv LABEL VENV REQUIREMENTS
#
# Makes VENV with the pins in REQUIREMENTS, and only when they changed: the venv records the
# hash of the file it was built from. Returns 2 when `python3 -m venv` is missing (PYTHON
# names another interpreter). Only PyPI is contacted, and only when the venv is (re)built.
ensure_venv() {
  local label="$1" venv="$2" requirements="$3"
  local python="${PYTHON:-python3}" wanted started
  wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirements-sha256" 2>/dev/null)" = "$wanted" ]; then
    echo "$label: $venv is up to date"
    return 0
  fi
  if ! "$python" -m venv --help >/dev/null 2>&1; then
    echo "$label: '$python -m venv' is not available (Debian: apt-get install python3-venv)" >&2
    return 2
  fi
  started=$SECONDS
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --requirement "$requirements"
  echo "$wanted" > "$venv/.requirements-sha256"
  echo "$label: installed into $venv in $((SECONDS - started)) s"
}
