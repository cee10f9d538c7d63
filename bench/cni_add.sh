#!/usr/bin/env bash
# CNI ADD and DEL as a runtime pays them: one whole `berth` process per call, CNI_* environment
# and the network configuration on stdin, timed with bench/timecmd.c inside a throwaway host
# namespace. Also the VERSION call runtimes make before every ADD/DEL.
#
#   BERTH=.build/release/berth bash bench/cni_add.sh      # BENCH_N=300 for more samples
#
# Prints median / p90 / p99 and writes bench/results/cni.{md,json}.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_init cni
bench_containers cni
CONF=$WORK/conf.json
echo '{"cniVersion":"1.0.0","name":"cnibench","type":"berth","bridge":"btcnibench","ipMasq":true,"isGateway":true,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.235.0.0/20"}]],"routes":[{"dst":"0.0.0.0/0"}]}}' >"$CONF"
echo '{"cniVersion":"1.0.0"}' >"$WORK/version.json"

# bench/cnitime.c spawns berth once per line with the CNI environment and the config as stdin,
# exactly as a runtime does (no shell in between).
cc -O2 -o "$WORK/cnitime" "$HERE/cnitime.c"

measure() { ip netns exec "$HOST" env BERTH_STATE_DIR="$WORK/state" "$WORK/cnitime" "$BERTH" | to_ms; }

# The network is created by the first ADD (not timed: a runtime pays it once).
echo "ADD warmup /run/netns/bt-bench-cni$ID-1 $CONF" | measure >/dev/null
echo "DEL warmup /run/netns/bt-bench-cni$ID-1 $CONF" | measure >/dev/null

for i in $(seq "$N"); do echo "VERSION - - $WORK/version.json"; done | measure >"$WORK/version.ms"
for i in $(seq "$N"); do echo "ADD c$i /run/netns/bt-bench-cni$ID-$i $CONF"; done | measure >"$WORK/add.ms"
# flat as endpoints grow: the last tenth of the ADDs ran with ~N endpoints attached
tail -n $((N / 10)) "$WORK/add.ms" >"$WORK/add_late.ms"
for i in $(seq "$N"); do echo "DEL c$i /run/netns/bt-bench-cni$ID-$i $CONF"; done | measure >"$WORK/del.ms"
measure_floor

{
    bench_header
    stats "CNI VERSION" <"$WORK/version.ms"
    stats "CNI ADD (no ports)" <"$WORK/add.ms"
    stats "CNI ADD, last $((N / 10)) (~$N attached)" <"$WORK/add_late.ms"
    stats "CNI DEL" <"$WORK/del.ms"
    stats "/bin/true (process floor)" <"$WORK/floor.ms"
} | tee "$RESULTS/cni.md"

write_json "$RESULTS/cni.json" version add add_late del floor
echo "results: $RESULTS/cni.md, $RESULTS/cni.json"
