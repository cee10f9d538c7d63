# shellcheck shell=bash
# Shared set-up for Berth's single-tool benchmarks (run.sh, ports.sh, cni_add.sh): a throwaway
# host namespace with no route out, container namespaces, whole-process timing through
# timecmd.c, statistics and JSON output. Everything created is named bt-bench-… and removed by
# the EXIT trap, also when a run fails. compare.sh (the side-by-side run) has its own harness.

# bench_init TAG: sets HERE BERTH N ID HOST WORK TIMECMD RESULTS and creates the host namespace.
bench_init() {
    HERE=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
    BERTH=${BERTH:-$HERE/../.build/release/berth}
    N=${BENCH_N:-200}
    ID=$$
    HOST=bt-bench-$1-$ID
    WORK=$(mktemp -d "/tmp/bt-bench-$1.XXXXXX")
    TIMECMD=$WORK/timecmd
    RESULTS=$HERE/results
    mkdir -p "$RESULTS"
    : >"$WORK/netns"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    [[ $(id -u) -eq 0 ]] || { echo "bench needs root (network namespaces)" >&2; exit 1; }
    [[ -x "$BERTH" ]] || { echo "no berth binary at $BERTH (make build)" >&2; exit 1; }
    # Run a copy, as a runtime runs an installed plugin: the linker writes its output through a
    # memory map, and executing that file fresh from the build tree costs ~0.15 ms more per
    # process (its page cache is laid out differently) than a copied or installed one.
    cp "$BERTH" "$WORK/berth"
    BERTH=$WORK/berth
    cc -O2 -o "$TIMECMD" "$HERE/timecmd.c"
    bench_netns "$HOST"
    ip -n "$HOST" link set lo up
}

bench_cleanup() {
    trap - EXIT INT TERM
    trap "" PIPE
    local ns
    while read -r ns; do ip netns del "$ns" 2>/dev/null || true; done <"$WORK/netns"
    rm -rf "$WORK"
}

# bench_netns NAME: a namespace removed on exit.
bench_netns() {
    ip netns add "$1"
    echo "$1" >>"$WORK/netns"
}

# bench_containers PREFIX: N container namespaces bt-bench-PREFIX$ID-1 … -N.
bench_containers() {
    local i
    for i in $(seq "$N"); do bench_netns "bt-bench-$1$ID-$i"; done
}

# to_ms: timecmd output ("<ns> <status>") to milliseconds; a failed command stops the run.
to_ms() { awk '$2 != 0 { print "command failed with status " $2 > "/dev/stderr"; exit 1 } { printf "%.3f\n", $1 / 1e6 }'; }

# stats NAME < ms: one line with n, median, p90, p99.
stats() { sort -n | awk -v name="$1" '
    function q(p,  i) { i = int(NR * p) + 1; if (i > NR) i = NR; return a[i] }
    { a[NR] = $1 }
    END { printf "%-34s n=%-4d median %7.3f ms   p90 %7.3f ms   p99 %7.3f ms\n", name, NR, q(0.5), q(0.9), q(0.99) }'; }

# median < ms
median() { sort -n | awk '{ a[NR] = $1 } END { i = int(NR * 0.5) + 1; if (i > NR) i = NR; print a[i] }'; }

# floor: the cost of starting any process, measured the same way, into $WORK/floor.ms.
measure_floor() {
    local i
    for i in $(seq "$N"); do echo "/bin/true"; done | ip netns exec "$HOST" "$TIMECMD" | to_ms >"$WORK/floor.ms"
}

# write_json OUT KEY... [-- NAME=VALUE...]: n/median/p90/p99 of $WORK/KEY.ms per KEY, plus
# numeric extras, as JSON.
write_json() {
    local out=$1; shift
    python3 - "$WORK" "$out" "$@" <<'PY'
import json, sys
work, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]
keys, extras = (args[:args.index("--")], args[args.index("--") + 1:]) if "--" in args else (args, [])
def load(name):
    xs = sorted(float(l) for l in open(f"{work}/{name}.ms") if l.strip())
    q = lambda p: xs[min(len(xs) - 1, int(len(xs) * p))]
    return {"n": len(xs), "median_ms": q(0.5), "p90_ms": q(0.9), "p99_ms": q(0.99)}
result = {k: load(k) for k in keys}
for e in extras:
    name, value = e.split("=", 1)
    result[name] = float(value)
json.dump(result, open(out, "w"), indent=2)
PY
}

# header: the first line of every report.
bench_header() { echo "berth $(basename "$BERTH"), $N samples each, $(nproc) cores, kernel $(uname -r)"; }
