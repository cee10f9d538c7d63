#!/usr/bin/env bash
# CNI ADD and DEL as a runtime pays them: one whole `berth` process per call, CNI_* environment
# and the network configuration on stdin, timed with bench/timecmd.c inside a throwaway host
# namespace. Also the VERSION call runtimes make before every ADD/DEL.
#
#   BERTH=.build/release/berth bash bench/cni_add.sh      # BENCH_N=300 for more samples
#
# Prints median / p90 / p99 and writes bench/results/cni.{md,json}.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$HERE/../.build/release/berth}
N=${BENCH_N:-200}
ID=$$
HOST=bt-bench-cni-$ID
WORK=$(mktemp -d /tmp/bt-bench-cni.XXXXXX)
TIMECMD=$WORK/timecmd
RESULTS=$HERE/results
mkdir -p "$RESULTS"

cleanup() {
    trap - EXIT INT TERM
    trap "" PIPE
    ip netns del "$HOST" 2>/dev/null || true
    for i in $(seq "$N"); do ip netns del "bt-bench-cni$ID-$i" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $(id -u) -eq 0 ]] || { echo "bench needs root (network namespaces)" >&2; exit 1; }
[[ -x "$BERTH" ]] || { echo "no berth binary at $BERTH (make build)" >&2; exit 1; }
cc -O2 -o "$TIMECMD" "$HERE/timecmd.c"

ip netns add "$HOST"
ip -n "$HOST" link set lo up
for i in $(seq "$N"); do ip netns add "bt-bench-cni$ID-$i"; done
CONF=$WORK/conf.json
echo '{"cniVersion":"1.0.0","name":"cnibench","type":"berth","bridge":"btcnibench","ipMasq":true,"isGateway":true,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.235.0.0/20"}]],"routes":[{"dst":"0.0.0.0/0"}]}}' >"$CONF"
echo '{"cniVersion":"1.0.0"}' >"$WORK/version.json"

# bench/cnitime.c spawns berth once per line with the CNI environment and the config as stdin,
# exactly as a runtime does (no shell in between).
cc -O2 -o "$WORK/cnitime" "$HERE/cnitime.c"

measure() { ip netns exec "$HOST" env BERTH_STATE_DIR="$WORK/state" "$WORK/cnitime" "$BERTH" | awk '$2 != 0 { print "command failed with status " $2 > "/dev/stderr"; exit 1 } { printf "%.3f\n", $1 / 1e6 }'; }
stats() { sort -n | awk -v name="$1" '
    function q(p,  i) { i = int(NR * p) + 1; if (i > NR) i = NR; return a[i] }
    { a[NR] = $1 }
    END { printf "%-34s n=%-4d median %7.3f ms   p90 %7.3f ms   p99 %7.3f ms\n", name, NR, q(0.5), q(0.9), q(0.99) }'; }

# The network is created by the first ADD (not timed: a runtime pays it once).
echo "ADD warmup /run/netns/bt-bench-cni$ID-1 $CONF" | measure >/dev/null
echo "DEL warmup /run/netns/bt-bench-cni$ID-1 $CONF" | measure >/dev/null

for i in $(seq "$N"); do echo "VERSION - - $WORK/version.json"; done | measure >"$WORK/version.ms"
for i in $(seq "$N"); do echo "ADD c$i /run/netns/bt-bench-cni$ID-$i $CONF"; done | measure >"$WORK/add.ms"
# flat as endpoints grow: the last tenth of the ADDs ran with ~N endpoints attached
tail -n $((N / 10)) "$WORK/add.ms" >"$WORK/add_late.ms"
for i in $(seq "$N"); do echo "DEL c$i /run/netns/bt-bench-cni$ID-$i $CONF"; done | measure >"$WORK/del.ms"
for i in $(seq "$N"); do echo "/bin/true"; done | ip netns exec "$HOST" "$TIMECMD" | awk '{ printf "%.3f\n", $1 / 1e6 }' >"$WORK/floor.ms"

{
    echo "berth CNI $(basename "$BERTH"), $N samples each, $(nproc) cores, kernel $(uname -r)"
    stats "CNI VERSION" <"$WORK/version.ms"
    stats "CNI ADD (no ports)" <"$WORK/add.ms"
    stats "CNI ADD, last $((N / 10)) (~$N attached)" <"$WORK/add_late.ms"
    stats "CNI DEL" <"$WORK/del.ms"
    stats "/bin/true (process floor)" <"$WORK/floor.ms"
} | tee "$RESULTS/cni.md"

python3 - "$WORK" "$RESULTS/cni.json" <<'PY'
import json, sys
work, out = sys.argv[1], sys.argv[2]
def load(name):
    xs = sorted(float(l) for l in open(f"{work}/{name}.ms") if l.strip())
    q = lambda p: xs[min(len(xs) - 1, int(len(xs) * p))]
    return {"n": len(xs), "median_ms": q(0.5), "p90_ms": q(0.9), "p99_ms": q(0.99)}
json.dump({k: load(k) for k in ["version", "add", "add_late", "del", "floor"]}, open(out, "w"), indent=2)
PY
echo "results: $RESULTS/cni.md, $RESULTS/cni.json"
