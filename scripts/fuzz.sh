#!/usr/bin/env bash
# Runs the libFuzzer target over Berth's untrusted-input parsers (netlink replies, CNI configs
# and CNI_ARGS, Podman's netavark options, DNS messages, queries to the DNS resolver) for SECONDS seconds, starting from the committed seeds in
# Fuzz/corpus.
# Fails (non-zero) if libFuzzer finds a crash, a trap or a leak; the input is kept under
# .build-fuzz/findings/ for reproduction: .build-fuzz/debug/berth-fuzz FILE
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_TO_RUN=${1:-30}
BIN=$HERE/.build-fuzz/debug/berth-fuzz
[[ -x "$BIN" ]] || { echo "fuzz: $BIN not built (make fuzz-build)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/bt-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$HERE/.build-fuzz/findings"
# The Swift backtracer and ASan both want to report a crash; let ASan do it.
set +e
SWIFT_BACKTRACE=enable=no "$BIN" -max_total_time="$SECONDS_TO_RUN" -print_final_stats=1 \
    -artifact_prefix="$HERE/.build-fuzz/findings/" "$WORK" "$HERE/Fuzz/corpus" >"$WORK/log" 2>&1
rc=$?
set -e
runs=$(grep -E '^Done [0-9]+ runs' "$WORK/log" | awk '{print $2}')
if [[ $rc -ne 0 ]]; then
    grep -E 'ERROR|failure|Fatal|SUMMARY' "$WORK/log" | head -20 >&2
    echo "fuzz: FAILED after ${runs:-?} runs; findings in .build-fuzz/findings/" >&2
    exit 1
fi
echo "fuzz: ${runs:-0} inputs in ${SECONDS_TO_RUN}s over netlink decoding, CNI config parsing, netavark network options, the DNS wire codec and the DNS resolver, no crash"
