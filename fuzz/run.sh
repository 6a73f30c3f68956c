#!/usr/bin/env bash
# Builds every fuzz target and runs each for SECONDS (default 60: what CI runs), seeded with
# the committed corpus. Fails on any crash, failed property, timeout or out-of-memory, and
# prints each target's runs and coverage.
#
#   fuzz/run.sh                 # every target, 60 s each (CI)
#   fuzz/run.sh 600             # every target, 10 minutes each (the documented long run)
#   fuzz/run.sh 300 rrule config
#
# The committed corpus is copied to a scratch folder first, so a run never changes the tree;
# set FUZZ_KEEP_CORPUS=1 to merge what a run found back into fuzz/corpus (minimised with
# libFuzzer's -merge, so only inputs that add coverage are kept). A crashing input is written
# to fuzz/artifacts/<target>/ (git-ignored) and reproduced with
#   cd fuzz && cargo +nightly fuzz run --sanitizer none -a <target> artifacts/<target>/<file>
#
# FUZZ_ROUNDTRIP=1 also asserts that exports read back as what was imported (ical_import,
# vcard_import); long runs with it still find a rare case (docs/assurance.md §4), so CI's
# 60 s runs go without it.
#
# Build: `--sanitizer none` with debug assertions and overflow checks on. The crate forbids
# `unsafe` (Cargo.toml lints), so AddressSanitizer would only watch the dependencies' unsafe
# code, at the price of instrumenting and slowing the whole dependency tree; overflow checks
# and every `assert!` in the targets are what the properties need. Measured on the 2-core
# machine: the first build of all seven targets took 50 min wall clock with ~6 agents
# compiling beside it (1,034 s of CPU, so roughly 10 min alone); a rebuild after a change in
# src/ took 10 min. FUZZ_SANITIZER=address selects ASan (its own target dir, so switching
# never rebuilds the other).
set -euo pipefail

seconds="${1:-60}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

sanitizer="${FUZZ_SANITIZER:-none}"
# Flags every cargo-fuzz command gets; another sanitizer builds in a target dir of its own.
# FUZZ_TARGET_DIR keeps the build elsewhere (CI points it at a cache that outlives its clean
# clones, so only what changed is rebuilt).
target_dir="${FUZZ_TARGET_DIR:-target}"
flags=(--sanitizer "$sanitizer" --debug-assertions)
if [ "$sanitizer" != "none" ]; then
    target_dir="$target_dir-$sanitizer"
fi
flags+=(--target-dir "$target_dir")
# Per input: a parse or an expansion that takes longer than this is a finding (a hang).
timeout="${FUZZ_TIMEOUT:-10}"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: the nightly toolchain is missing (rustup toolchain install nightly)" >&2
    exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

all_targets=(json_body rrule ical_import vcard_import config request_path outbound_url)
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    targets=("${all_targets[@]}")
fi

# The longest input libFuzzer makes, per target: as long as the real inputs get where that
# matters (files), short where a longer one only adds bytes to skip (an RRULE is ≤ 500).
max_len() {
    case "$1" in
        ical_import | vcard_import) echo 32768 ;;
        json_body | config) echo 8192 ;;
        rrule) echo 600 ;;
        *) echo 4096 ;;
    esac
}

build_start=$(date +%s)
if [ "$#" -eq 0 ]; then
    cargo +nightly fuzz build "${flags[@]}"
else
    for target in "${targets[@]}"; do
        cargo +nightly fuzz build "${flags[@]}" "$target"
    done
fi
build_secs=$(( $(date +%s) - build_start ))
echo "fuzz build: ${build_secs}s (sanitizer: $sanitizer)"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=()
summary=()
for target in "${targets[@]}"; do
    work="$scratch/$target"
    mkdir -p "$work" "artifacts/$target"
    cp -R "corpus/$target/." "$work/"
    log="$scratch/$target.log"
    echo "== $target: ${seconds}s"
    status=0
    cargo +nightly fuzz run "${flags[@]}" "$target" "$work" -- \
        -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -max_len="$(max_len "$target")" \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    cov=$(grep -oE '(DONE|pulse|NEW|REDUCE|INITED) +cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
    corpus_size=$(find "$work" -type f | wc -l)
    line="$target: runs=${runs:-?} ${cov:-cov: ?} corpus=$corpus_size status=$status"
    summary+=("$line")
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        echo "-- $target FAILED (exit $status); the end of its log:"
        tail -n 60 "$log"
    fi
    if [ "${FUZZ_KEEP_CORPUS:-0}" = "1" ] && [ "$status" -eq 0 ]; then
        # Minimised in the scratch copy, then put in place of the committed corpus.
        cargo +nightly fuzz cmin "${flags[@]}" "$target" "$work" >/dev/null 2>&1
        rm -rf "corpus/$target" && mkdir -p "corpus/$target" && cp -R "$work/." "corpus/$target/"
    fi
done

echo
echo "fuzz summary (${seconds}s per target, build ${build_secs}s):"
printf '  %s\n' "${summary[@]}"
passed=$(( ${#targets[@]} - ${#failed[@]} ))
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: failing targets: ${failed[*]}" >&2
    echo "fuzz: $passed passed, ${#failed[@]} failed"
    exit 1
fi
echo "fuzz: $passed passed, 0 failed"
