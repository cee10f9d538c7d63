#!/usr/bin/env bash
# Berth benchmark for published ports, measured as a runtime pays it (a whole `berth` process,
# fork and exec included) inside a throwaway host namespace with no route out:
#   * attach with 1 published port, N in a row from an empty table ("first": 0..N-1 published);
#   * the same after one container has published 1000 ports ("1001st": 1000..1000+N-1);
#   * detach of an endpoint with 1 published port.
#
#   BERTH=.build/release/berth bash bench/ports.sh       # BENCH_N=300 for more samples
#
# Prints median / p90 / p99 and the ratio 1001st / first; writes bench/results/ports.{md,json}.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$HERE/../.build/release/berth}
N=${BENCH_N:-200}
ID=$$
HOST=bt-bench-ports-$ID
STATE=$(mktemp -d /tmp/bt-bench-ports.XXXXXX)
TIMECMD=$STATE/timecmd
RESULTS=$HERE/results
mkdir -p "$RESULTS"

cleanup() {
    trap - EXIT INT TERM
    trap "" PIPE
    ip netns del "$HOST" 2>/dev/null || true
    ip netns del "bt-bench-pbig-$ID" 2>/dev/null || true
    for i in $(seq "$N"); do ip netns del "bt-bench-p$ID-$i" 2>/dev/null || true; done
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
ip netns add "bt-bench-pbig-$ID"
for i in $(seq "$N"); do ip netns add "bt-bench-p$ID-$i"; done
in_host() { ip netns exec "$HOST" env BERTH_STATE_DIR="$STATE" BERTH_POOLS=10.234.0.0/16:20 "$@"; }
in_host "$BERTH" network create bench >/dev/null

# Runs the command lines on stdin through timecmd; prints milliseconds, one line per command.
measure() { in_host "$TIMECMD" | awk '$2 != 0 { print "command failed with status " $2 > "/dev/stderr"; exit 1 } { printf "%.3f\n", $1 / 1e6 }'; }
stats() { sort -n | awk -v name="$1" '
    function q(p,  i) { i = int(NR * p) + 1; if (i > NR) i = NR; return a[i] }
    { a[NR] = $1 }
    END { printf "%-34s n=%-4d median %7.3f ms   p90 %7.3f ms   p99 %7.3f ms\n", name, NR, q(0.5), q(0.9), q(0.99) }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { i = int(NR * 0.5) + 1; if (i > NR) i = NR; print a[i] }'; }

# N attaches in a row (each publishing one more port), then their N detaches.
attaches() { local i; for i in $(seq "$N"); do echo "$BERTH network connect bench bt-bench-p$ID-$i -p $(($1 + i)):80"; done; }
detaches() { local i; for i in $(seq "$N"); do echo "$BERTH network disconnect bench bt-bench-p$ID-$i"; done; }
attaches 30000 | measure > "$STATE/first.ms"
detaches | measure > "$STATE/detach.ms"

in_host "$BERTH" network connect bench "bt-bench-pbig-$ID" -p 10000-10999:10000-10999 >/dev/null
published=$(ip netns exec "$HOST" nft -j list map inet berth ports-any | python3 -c 'import json,sys; print(sum(len(o["map"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "map" in o))')
[[ "$published" == 1000 ]] || { echo "expected 1000 published ports, found $published" >&2; exit 1; }

attaches 40000 | measure > "$STATE/later.ms"
detaches | measure > /dev/null
# The floor: the cost of starting any process, measured the same way.
for i in $(seq "$N"); do echo "/bin/true"; done | measure > "$STATE/true.ms"

ratio=$(awk -v a="$(median < "$STATE/first.ms")" -v b="$(median < "$STATE/later.ms")" 'BEGIN { printf "%.3f", b / a }')
{
    echo "berth $(basename "$BERTH"), $N samples each, $(nproc) cores, kernel $(uname -r)"
    stats "attach, 1 port (first N)" < "$STATE/first.ms"
    stats "attach, 1 port (after 1000)" < "$STATE/later.ms"
    stats "detach, 1 port" < "$STATE/detach.ms"
    stats "/bin/true (process floor)" < "$STATE/true.ms"
    echo "ratio 1001st / first (medians): $ratio"
} | tee "$RESULTS/ports.md"

python3 - "$STATE" "$RESULTS/ports.json" "$ratio" <<'PY'
import json, sys
state, out, ratio = sys.argv[1], sys.argv[2], float(sys.argv[3])
def load(name):
    xs = sorted(float(l) for l in open(f"{state}/{name}.ms") if l.strip())
    q = lambda p: xs[min(len(xs) - 1, int(len(xs) * p))]
    return {"n": len(xs), "median_ms": q(0.5), "p90_ms": q(0.9), "p99_ms": q(0.99)}
result = {k: load(k) for k in ["first", "later", "detach", "true"]}
result["ratio_later_over_first"] = ratio
json.dump(result, open(out, "w"), indent=2)
PY
echo "results: $RESULTS/ports.md, $RESULTS/ports.json"
