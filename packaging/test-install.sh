#!/usr/bin/env bash
# Proves the packages: installs the .deb on this throwaway (CI) machine, runs UMBRA from it as
# the service user, upgrades over an edited config, removes (data stays) and purges (data
# goes); then inspects the .rpm with rpm -qp. Needs root; run packaging/build.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."

deb=$(ls -1t target/debian/umbra_*.deb | head -n 1)
rpm_file=$(ls -1t target/generate-rpm/umbra-*.rpm | head -n 1)
port=18443
fail() { echo "package test FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "run as root"
if dpkg -s umbra >/dev/null 2>&1; then fail "umbra is already installed on this machine; not touching it"; fi

server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    dpkg --purge umbra >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== install $deb"
dpkg -i "$deb"
umbra --version | grep -q "^umbra " || fail "umbra --version"
for f in /usr/bin/umbra /lib/systemd/system/umbra.service /usr/share/man/man1/umbra.1.gz \
         /usr/share/bash-completion/completions/umbra /usr/share/doc/umbra/README.md; do
    [ -e "$f" ] || fail "$f missing"
done
getent passwd umbra >/dev/null || fail "no umbra user"
[ "$(stat -c '%a %U' /var/lib/umbra)" = "750 umbra" ] || fail "/var/lib/umbra: $(stat -c '%a %U' /var/lib/umbra)"
[ "$(stat -c '%a %U:%G' /etc/umbra/umbra.toml)" = "640 root:umbra" ] || fail "umbra.toml: $(stat -c '%a %U:%G' /etc/umbra/umbra.toml)"
systemd-analyze verify /lib/systemd/system/umbra.service || fail "systemd-analyze verify"
systemd-analyze security --offline=true /lib/systemd/system/umbra.service | grep "Overall exposure"

echo "== run it as the service user"
log=$(mktemp)
# setpriv execs umbra itself (runuser would stay in between), so the signal reaches umbra.
UMBRA_LISTEN="127.0.0.1:$port" setpriv --reuid=umbra --regid=umbra --init-groups \
    umbra serve --config /etc/umbra/umbra.toml >"$log" 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
grep -q "listening on" "$log" || { cat "$log"; fail "serve did not start"; }
health=$(curl -sS --cacert /var/lib/umbra/tls/ca.pem "https://localhost:$port/health")
[ "$health" = '{"status":"ok"}' ] || fail "health: $health"
kill -TERM "$server"; wait "$server" || fail "serve did not stop cleanly"; server=""
[ "$(stat -c '%U' /var/lib/umbra/umbra.db)" = umbra ] || fail "database not owned by umbra"
# After the first start: admin commands refuse a data folder without a database.
runuser -u umbra -- umbra admin list-users --config /etc/umbra/umbra.toml | grep -q "^ID" || fail "admin list-users"

echo "== upgrade keeps an edited config"
echo "# edited by the operator" >> /etc/umbra/umbra.toml
dpkg -i --force-confold "$deb"
grep -q "edited by the operator" /etc/umbra/umbra.toml || fail "config overwritten on upgrade"

echo "== remove keeps the data, purge deletes it"
dpkg --remove umbra
[ -f /var/lib/umbra/umbra.db ] || fail "remove deleted the data"
[ ! -e /usr/bin/umbra ] || fail "binary left after remove"
dpkg --purge umbra
[ ! -e /var/lib/umbra ] || fail "purge left /var/lib/umbra"
! getent passwd umbra >/dev/null || fail "purge left the umbra user"

echo "== inspect $rpm_file"
rpm -qp --info "$rpm_file" | grep -q "^Name *: umbra" || fail "rpm metadata"
files=$(rpm -qpl "$rpm_file")
for f in /usr/bin/umbra /usr/lib/systemd/system/umbra.service /etc/umbra/umbra.toml /usr/share/man/man1/umbra.1; do
    grep -qx "$f" <<<"$files" || fail "rpm lacks $f"
done
rpm -qp --configfiles "$rpm_file" | grep -qx /etc/umbra/umbra.toml || fail "umbra.toml is not a config file in the rpm"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpm_file" | grep -q "^cn /etc/umbra/umbra.toml" || fail "umbra.toml is not noreplace"
scripts=$(rpm -qp --scripts "$rpm_file")
grep -q "useradd --system" <<<"$scripts" || fail "rpm scripts do not create the user"
echo "package install test passed"
