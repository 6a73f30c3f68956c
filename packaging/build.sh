#!/usr/bin/env bash
# Builds the .deb and the .rpm of UMBRA from Cargo.toml's metadata.
#   packaging/build.sh        → target/debian/umbra_<version>-1_<arch>.deb
#                               target/generate-rpm/umbra-<version>-1.<arch>.rpm
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo-deb >/dev/null || cargo install --locked cargo-deb
command -v cargo-generate-rpm >/dev/null || cargo install --locked cargo-generate-rpm

cargo build --release --locked
target/release/umbra generate-assets target/assets >/dev/null
cargo deb --no-build --locked
cargo generate-rpm
ls -1 target/debian/*.deb target/generate-rpm/*.rpm
