#!/usr/bin/env bash
# Berth benchmark: attach/detach cost of one container as a runtime pays it (a whole `berth`
# process, fork+exec included), measured inside a throwaway host namespace with no route out.
#
#   make bench                 # or: BERTH=.build/release/berth bash bench/run.sh
#   BENCH_N=300 make bench     # more samples
#
# Prints median / p90 / p99 per operation and writes bench/results/latest.{json,md}.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$HERE/../.build/release/berth}
N=${BENCH_N:-200}
ID=$$
HOST=bt-bench-host-$ID
STATE=$(mktemp -d /tmp/bt-bench-state.XXXXXX)
TIMECMD=$STATE/timecmd
RESULTS=$HERE/results
mkdir -p "$RESULTS"

cleanup() {
    trap - EXIT INT TERM
    trap "" PIPE
    ip netns del "$HOST" 2>/dev/null || true
    for i in $(seq "$N"); do ip netns del "bt-bench-c$ID-$i" 2>/dev/null || true; done
    rm -rf "$STATE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $(id -u) -eq 0 ]] || { echo "bench needs root (network namespaces)" >&2; exit 1; }
[[ -x "$BERTH" ]] || { echo "no berth binary at $BERTH (make build)" >&2; exit 1; }
cc -O2 -o "$TIMECMD" "$HERE/timecmd.c"

ip netns add "$HOST"
ip -n "$HOST" link set lo up
for i in $(seq "$N"); do ip netns add "bt-bench-c$ID-$i"; done
in_host() { ip netns exec "$HOST" env BERTH_STATE_DIR="$STATE" BERTH_POOLS=10.234.0.0/16:20 "$@"; }
in_host "$BERTH" network create bench >/dev/null

# Runs the command lines on stdin through timecmd in the host namespace; prints milliseconds.
measure() { in_host "$TIMECMD" | awk '$2 != 0 { print "command failed with status " $2 > "/dev/stderr"; exit 1 } { printf "%.3f\n", $1 / 1e6 }'; }
stats() { sort -n | awk -v name="$1" '
    function q(p,  i) { i = int(NR * p) + 1; if (i > NR) i = NR; return a[i] }
    { a[NR] = $1 }
    END { printf "%-28s n=%-4d median %7.3f ms   p90 %7.3f ms   p99 %7.3f ms\n", name, NR, q(0.5), q(0.9), q(0.99) }'; }

for i in $(seq "$N"); do echo "$BERTH network connect bench bt-bench-c$ID-$i"; done | measure > "$STATE/connect.ms"
for i in $(seq "$N"); do echo "$BERTH network disconnect bench bt-bench-c$ID-$i"; done | measure > "$STATE/disconnect.ms"
for i in $(seq "$N"); do echo "$BERTH network ls"; done | measure > "$STATE/ls.ms"
# The floor: the cost of starting any process, measured the same way.
for i in $(seq "$N"); do echo "/bin/true"; done | measure > "$STATE/true.ms"

{
    echo "berth $(basename "$BERTH"), $N samples each, $(nproc) cores, kernel $(uname -r)"
    stats "connect (no ports)" < "$STATE/connect.ms"
    stats "disconnect" < "$STATE/disconnect.ms"
    stats "network ls" < "$STATE/ls.ms"
    stats "/bin/true (process floor)" < "$STATE/true.ms"
} | tee "$RESULTS/latest.md"

# Peak RSS of one connect.
i=1
rss=$(in_host /usr/bin/env bash -c "command -v /usr/bin/time >/dev/null && /usr/bin/time -f %M $BERTH network connect bench bt-bench-c$ID-$i 2>&1 >/dev/null | tail -1" || true)
[[ -n "$rss" ]] && echo "peak RSS of one connect: ${rss} KiB" | tee -a "$RESULTS/latest.md"

python3 - "$STATE" "$RESULTS/latest.json" <<'PY'
import json, statistics, sys
state, out = sys.argv[1], sys.argv[2]
def load(name):
    xs = sorted(float(l) for l in open(f"{state}/{name}.ms") if l.strip())
    q = lambda p: xs[min(len(xs) - 1, int(len(xs) * p))]
    return {"n": len(xs), "median_ms": q(0.5), "p90_ms": q(0.9), "p99_ms": q(0.99)}
json.dump({k: load(k) for k in ["connect", "disconnect", "ls", "true"]}, open(out, "w"), indent=2)
PY
echo "results: $RESULTS/latest.md, $RESULTS/latest.json"
