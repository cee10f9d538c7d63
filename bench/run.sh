#!/usr/bin/env bash
# Berth alone: attach/detach cost of one container as a runtime pays it (a whole `berth`
# process, fork+exec included), inside a throwaway host namespace with no route out.
#
#   BERTH=.build/release/berth bash bench/run.sh     # BENCH_N=300 for more samples
#
# Prints median / p90 / p99 per operation and writes bench/results/latest.{md,json}.
# `make bench` runs the side-by-side comparison (compare.sh) instead.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_init solo
bench_containers c
in_host() { ip netns exec "$HOST" env BERTH_STATE_DIR="$WORK/state" BERTH_POOLS=10.234.0.0/16:20 "$@"; }
in_host "$BERTH" network create bench >/dev/null
measure() { in_host "$TIMECMD" | to_ms; }

# Each connect is followed by a /bin/true, so the process floor is measured in the same moments.
# The shared VM this project runs on stalls every couple of seconds for tens of milliseconds
# (a loop of /bin/true alone shows it), and a stall stretches every process caught in it. The
# report therefore also gives the connects whose neighbouring floor samples were not stretched
# (both under 3× the floor's median): what berth costs when the machine is not stalling. The
# raw figures come first and are the ones the JSON keeps under "connect".
for i in $(seq "$N"); do echo "$BERTH network connect bench bt-bench-c$ID-$i"; echo /bin/true; done | measure >"$WORK/paired.ms"
awk 'NR % 2 == 1' "$WORK/paired.ms" >"$WORK/connect.ms"
awk 'NR % 2 == 0' "$WORK/paired.ms" >"$WORK/floor.ms"
floor_median=$(median <"$WORK/floor.ms")
paste "$WORK/connect.ms" "$WORK/floor.ms" | awk -v m="$floor_median" '
    { connect[NR] = $1; stalled[NR] = ($2 > 3 * m) }
    END { for (i = 1; i <= NR; i++) if (!stalled[i] && !(i > 1 && stalled[i - 1])) print connect[i] }' >"$WORK/connect_calm.ms"
for i in $(seq "$N"); do echo "$BERTH network disconnect bench bt-bench-c$ID-$i"; done | measure >"$WORK/disconnect.ms"
for i in $(seq "$N"); do echo "$BERTH network ls"; done | measure >"$WORK/ls.ms"

{
    bench_header
    stats "connect (no ports)" <"$WORK/connect.ms"
    stats "connect, machine not stalling" <"$WORK/connect_calm.ms"
    stats "disconnect" <"$WORK/disconnect.ms"
    stats "network ls" <"$WORK/ls.ms"
    stats "/bin/true, between connects" <"$WORK/floor.ms"
} | tee "$RESULTS/latest.md"
if [[ -x /usr/bin/time ]]; then
    rss=$(in_host /usr/bin/time -f %M "$BERTH" network connect bench "bt-bench-c$ID-1" 2>&1 >/dev/null | tail -1)
    echo "peak RSS of one connect: ${rss} KiB" | tee -a "$RESULTS/latest.md"
fi
write_json "$RESULTS/latest.json" connect connect_calm disconnect ls floor
echo "results: $RESULTS/latest.md, $RESULTS/latest.json"
