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
source "$(dirname "$0")/lib.sh"
bench_init ports
bench_containers p
bench_netns "bt-bench-pbig-$ID"
in_host() { ip netns exec "$HOST" env BERTH_STATE_DIR="$WORK/state" BERTH_POOLS=10.234.0.0/16:20 "$@"; }
in_host "$BERTH" network create bench >/dev/null
measure() { in_host "$TIMECMD" | to_ms; }

# N attaches in a row (each publishing one more port), then their N detaches.
attaches() { local i; for i in $(seq "$N"); do echo "$BERTH network connect bench bt-bench-p$ID-$i -p $(($1 + i)):80"; done; }
detaches() { local i; for i in $(seq "$N"); do echo "$BERTH network disconnect bench bt-bench-p$ID-$i"; done; }
attaches 30000 | measure > "$WORK/first.ms"
detaches | measure > "$WORK/detach.ms"

in_host "$BERTH" network connect bench "bt-bench-pbig-$ID" -p 10000-10999:10000-10999 >/dev/null
published=$(ip netns exec "$HOST" nft -j list map inet berth ports-any | python3 -c 'import json,sys; print(sum(len(o["map"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "map" in o))')
[[ "$published" == 1000 ]] || { echo "expected 1000 published ports, found $published" >&2; exit 1; }

attaches 40000 | measure > "$WORK/later.ms"
detaches | measure > /dev/null
measure_floor

ratio=$(awk -v a="$(median < "$WORK/first.ms")" -v b="$(median < "$WORK/later.ms")" 'BEGIN { printf "%.3f", b / a }')
{
    bench_header
    stats "attach, 1 port (first N)" < "$WORK/first.ms"
    stats "attach, 1 port (after 1000)" < "$WORK/later.ms"
    stats "detach, 1 port" < "$WORK/detach.ms"
    stats "/bin/true (process floor)" < "$WORK/floor.ms"
    echo "ratio 1001st / first (medians): $ratio"
} | tee "$RESULTS/ports.md"

write_json "$RESULTS/ports.json" first later detach floor -- "ratio_later_over_first=$ratio"
echo "results: $RESULTS/ports.md, $RESULTS/ports.json"
