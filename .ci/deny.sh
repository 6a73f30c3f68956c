#!/usr/bin/env bash
# Supply-chain check (issue 14 §6): cargo-deny against deny.toml — licences, banned crates
# (openssl, openssl-sys, native-tls), duplicate versions (reported), sources (crates.io only)
# and RustSec advisories from the OFFLINE snapshot in ../shared/rustsec/.
#
#   bash .ci/deny.sh
#
# Installs the pinned cargo-deny when it is missing (a few minutes of compiling, timed), lays
# the snapshot where deny.toml's db-path expects it, and checks with --frozen: no fetch of the
# advisory database, no change to Cargo.lock (checked below as well). Exit status: cargo-deny's.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: deny.toml's keys and the advisory directory name below are those of this version.
version=0.20.2
rustsec="${UMBRA_RUSTSEC_DIR:-../shared/rustsec}"
# cargo-deny keeps each database in <db-path>/<last URL segment>-<XxHash64 of the URL>; this is
# the directory 0.20 derives for https://github.com/RustSec/advisory-db (deny.toml's db-urls).
db_dir=target/advisory-dbs/advisory-db-3157b0e258782691

if [ "$(cargo deny --version 2>/dev/null || true)" != "cargo-deny $version" ]; then
  started=$SECONDS
  cargo install cargo-deny --locked --version "$version"
  echo "cargo-deny: installed $version in $((SECONDS - started)) s"
fi

# A fresh clone every run: the bundle is the source of truth, and a clone's HEAD is as new as
# the clone, so cargo-deny's staleness guard (maximum-db-staleness) does not refuse it. The
# guard therefore says nothing here; what the snapshot covers is its date, printed below.
if [ ! -f "$rustsec/advisory-db.bundle" ]; then
  echo "cargo-deny: no advisory snapshot at $rustsec/advisory-db.bundle (set UMBRA_RUSTSEC_DIR)" >&2
  exit 2
fi
rm -rf "$db_dir"
mkdir -p "$(dirname "$db_dir")"
git clone -q -b main "$rustsec/advisory-db.bundle" "$db_dir"
echo "cargo-deny: advisories from the offline snapshot: $(git -C "$db_dir" log -1 --format=%s)"
echo "cargo-deny: advisories published after that date are not checked"

# cargo metadata (which cargo-deny runs) needs the manifest of every crate in Cargo.lock, for
# every platform, and --frozen forbids downloading them; fetch them first (crates.io only,
# --locked: Cargo.lock stays as it is).
lock_before="$(sha256sum Cargo.lock)"
cargo fetch --locked --quiet

started=$SECONDS
status=0
cargo deny --frozen check || status=$?
echo "cargo-deny: check took $((SECONDS - started)) s, exit status $status"

if [ "$(sha256sum Cargo.lock)" != "$lock_before" ]; then
  echo "cargo-deny: Cargo.lock changed during the check" >&2
  exit 1
fi
exit "$status"
