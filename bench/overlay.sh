#!/usr/bin/env bash
# Overlay networks (issue 17) on simulated hosts (network namespaces on one underlay bridge, etcd
# 3.4 in its own namespace: tests/integration/lib_overlay.sh):
#   1. attach: `berth network connect` / `disconnect` on an overlay network against a bridge
#      network in the same host namespace, whole processes timed (bench/timecmd.c), alternating;
#   2. data path: iperf3 TCP from a container on host 1 to a container on host 2, against a
#      hand-built VXLAN pair (two namespaces on the same underlay, `ip link add … type vxlan …
#      nolearning`, static neighbour and FDB entries, the same MTU), against a hand-built copy
#      of Berth's topology without firewall (bridge, veth, routed VXLAN) and against Berth with its
#      eBPF fast path switched off, rotating; ping RTT too;
#   3. convergence: from starting a new host's agent to every peer's container reaching the new
#      host's container (ms), over several rounds (agent killed, its lease expired, again);
#   4. one agent's CPU time and peak RSS with BENCH_OV_PEERS simulated peer hosts (peer keys put
#      straight into etcd, one lease each: bench/ov_peers.py; kernel entries only) and their churn.
#
#   BERTH=.build/debug/berth bash bench/overlay.sh       (berth-agent beside berth)
#   called by bench/compare.sh (make bench; BENCH_OVERLAY=0 skips it)
#   knobs: BENCH_OV_N (attach samples per network, 40), BENCH_OV_IPERF_SECONDS (10),
#          BENCH_OV_IPERF_ROUNDS (2), BENCH_OV_CONV_ROUNDS (3), BENCH_OV_PEERS (50),
#          BENCH_OV_CHURN_SECONDS (30), BENCH_OV_CHURN_PER_S (10), BENCH_OV_NOTE (a report line)
#
# Writes bench/results/overlay.{md,json}.
#
# Safety: every namespace is bt-ov-…-ovb<pid> (lib_overlay.sh's topology, documentation
# addresses), the state dirs and etcd's data live in a private temp dir, processes are ended by
# the PIDs recorded when started, and lib.sh's teardown (the EXIT trap) removes it all, also on
# failure. Traffic flows only between those namespaces. The neighbour table is one for the whole
# kernel (gc_thresh3 1024): the peer count stays far below that.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$HERE/../.build/release/berth}
BERTH=$(readlink -f "$BERTH")
N=${BENCH_OV_N:-40}
IPERF_SECONDS=${BENCH_OV_IPERF_SECONDS:-10}
IPERF_ROUNDS=${BENCH_OV_IPERF_ROUNDS:-2}
CONV_ROUNDS=${BENCH_OV_CONV_ROUNDS:-3}
PEERS=${BENCH_OV_PEERS:-50}
CHURN_SECONDS=${BENCH_OV_CHURN_SECONDS:-30}
CHURN_RATE=${BENCH_OV_CHURN_PER_S:-10}
RESULTS=$HERE/results
mkdir -p "$RESULTS"

[[ $(id -u) -eq 0 ]] || { echo "bench needs root (network namespaces)" >&2; exit 1; }
[[ -x "$BERTH" && -x "$(dirname "$BERTH")/berth-agent" ]] || { echo "need berth and berth-agent at $(dirname "$BERTH")" >&2; exit 1; }
for t in etcd etcdctl iperf3 jq cc python3; do command -v "$t" >/dev/null || { echo "missing $t (apt-get install etcd-server etcd-client iperf3 jq gcc)" >&2; exit 1; }; done

BT_ID=ovb$$
BT_TMP=$(mktemp -d /tmp/bt-bench-ov.XXXXXX)
export BT_ID BT_TMP
: >"$BT_TMP/netns"; : >"$BT_TMP/pids"; : >"$BT_TMP/files"
# A private copy of both binaries: the build tree may be rebuilt while this runs.
mkdir -p "$BT_TMP/bin"
cp "$BERTH" "$(dirname "$BERTH")/berth-agent" "$BT_TMP/bin/"
BERTH_ORIGIN=$BERTH
BERTH=$BT_TMP/bin/berth
export BERTH
BERTH_RESOLV_CONF=$BT_TMP/resolv.conf
echo "nameserver 203.0.113.2" >"$BERTH_RESOLV_CONF"
export BERTH_RESOLV_CONF
# shellcheck source=../tests/integration/lib.sh
source "$HERE/../tests/integration/lib.sh"
# shellcheck source=../tests/integration/lib_overlay.sh
source "$HERE/../tests/integration/lib_overlay.sh"
skip_test() { echo "overlay bench skipped: $*" >&2; exit 1; }
trap '_ov_exit' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

blog() { printf '[overlay bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
NOTES=()
[[ -n ${BENCH_OV_NOTE:-} ]] && NOTES+=("$BENCH_OV_NOTE")
J=$BT_TMP/json.txt
: >"$J"
jput() { echo "$1=$2" >>"$J"; }   # jput KEY VALUE: a figure for overlay.json

cc -O2 -o "$BT_TMP/timecmd" "$HERE/timecmd.c" || exit 1
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

OV_NET=ov1
blog "setting up: underlay, etcd, 3 hosts"
ov_setup 3
for k in 1 2; do ov_create "$k" "$OV_NET" --subnet 10.240.0.0/16; ov_agent_start "$k"; done
ov_create 3 "$OV_NET"

# ---- 1. attach: overlay vs bridge in host 1 ------------------------------------------------------
blog "attach: $N samples per network, overlay and bridge alternating"
assert_ok ov_berth 1 network create br1 --subnet 10.99.0.0/16
for ((i = 1; i <= N; i++)); do _bt_mkns "$(ov_cname 1 $((1000 + i)))"; _bt_mkns "$(ov_cname 1 $((2000 + i)))"; done
timed() { ov_in 1 env BERTH_STATE_DIR="$(ov_state 1)" "$BT_TMP/timecmd" | awk '$2 != 0 { bad++ } { printf "%.3f\n", $1 / 1e6 } END { if (bad) print bad " failed" > "/dev/stderr" }'; }
for ((i = 1; i <= N; i++)); do
    echo "$BERTH network connect $OV_NET $(ov_cname 1 $((1000 + i)))"
    echo "$BERTH network connect br1 $(ov_cname 1 $((2000 + i)))"
done | timed >"$BT_TMP/connect.ms"
for ((i = 1; i <= N; i++)); do
    echo "$BERTH network disconnect $OV_NET $(ov_cname 1 $((1000 + i)))"
    echo "$BERTH network disconnect br1 $(ov_cname 1 $((2000 + i)))"
done | timed >"$BT_TMP/disconnect.ms"
for op in connect disconnect; do
    awk 'NR % 2 == 1' "$BT_TMP/$op.ms" >"$BT_TMP/$op-overlay.ms"
    awk 'NR % 2 == 0' "$BT_TMP/$op.ms" >"$BT_TMP/$op-bridge.ms"
done
# q FILE P: the P-quantile of a file of numbers
q() { sort -n "$1" | awk -v p="$2" '{ a[NR] = $1 } END { i = int(NR * p) + 1; if (i > NR) i = NR; print a[i] }'; }
for op in connect disconnect; do
    for net in overlay bridge; do
        jput "attach.$op.$net.n" "$(wc -l <"$BT_TMP/$op-$net.ms")"
        jput "attach.$op.$net.p50_ms" "$(q "$BT_TMP/$op-$net.ms" 0.5)"
        jput "attach.$op.$net.p90_ms" "$(q "$BT_TMP/$op-$net.ms" 0.9)"
    done
done

# ---- 2. data path: iperf3 host 1 → host 2 over the overlay, and over a hand-built VXLAN pair -------
blog "data path: containers on hosts 1 and 2"
ov_container 1 1 "$OV_NET"
ov_container 2 1 "$OV_NET"
wait_until 30 "host 1's container reaching host 2's" ov_reaches "$(ov_cname 1 1)" "${OV_IP[2,1]}"
# the hand-built pair: two namespaces on the same underlay, one VXLAN device each
VA=bt-ov-va-$BT_ID VB=bt-ov-vb-$BT_ID
_ov_plug "$VA" va 198.51.100.31
_ov_plug "$VB" vb 198.51.100.32
for side in a b; do
    ns=$VA local=198.51.100.31 addr=10.98.0.1
    [[ $side == b ]] && ns=$VB local=198.51.100.32 addr=10.98.0.2
    ip -n "$ns" link add vx0 type vxlan id 42 local "$local" dstport 4789 nolearning
    ip -n "$ns" link set vx0 mtu 1450 up
    ip -n "$ns" addr add "$addr/24" dev vx0
done
mac_a=$(ip -n "$VA" -o link show vx0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
mac_b=$(ip -n "$VB" -o link show vx0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$VA" neigh add 10.98.0.2 lladdr "$mac_b" dev vx0 nud permanent
bridge -n "$VA" fdb add "$mac_b" dev vx0 dst 198.51.100.32 self permanent
ip -n "$VB" neigh add 10.98.0.1 lladdr "$mac_a" dev vx0 nud permanent
bridge -n "$VB" fdb add "$mac_a" dev vx0 dst 198.51.100.31 self permanent
wait_until 10 "the hand-built pair answering" ov_reaches "$VA" 10.98.0.2
# the same topology as Berth's, built by hand without any firewall: per side a "host" namespace
# with a bridge (the block's .1), a routed VXLAN device (.0/32, on-link route, neighbour and FDB
# entry for the other side's block) and a "container" namespace on a veth — what the data path
# costs by itself, apart from Berth's rules
RA=bt-ov-ra-$BT_ID RB=bt-ov-rb-$BT_ID CA=bt-ov-ca-$BT_ID CB=bt-ov-cb-$BT_ID
_ov_plug "$RA" ra 198.51.100.41
_ov_plug "$RB" rb 198.51.100.42
_bt_mkns "$CA"; _bt_mkns "$CB"
for side in a b; do
    if [[ $side == a ]]; then r=$RA c=$CA local=198.51.100.41 blk=1; else r=$RB c=$CB local=198.51.100.42 blk=2; fi
    ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
    ip -n "$r" link add br0 type bridge
    ip -n "$r" addr add "10.97.$blk.1/24" dev br0
    ip -n "$r" link set br0 mtu 1450 up
    ip -n "$r" link add vx0 type vxlan id 43 local "$local" dstport 4789 nolearning
    ip -n "$r" link set vx0 mtu 1450 up
    ip -n "$r" addr add "10.97.$blk.0/32" dev vx0
    ip -n "$r" link add hv0 mtu 1450 type veth peer name eth0 netns "$c" mtu 1450
    ip -n "$r" link set hv0 master br0 up
    ip -n "$c" addr add "10.97.$blk.2/24" dev eth0
    ip -n "$c" link set eth0 up
    ip -n "$c" route add default via "10.97.$blk.1"
done
mac_ra=$(ip -n "$RA" -o link show vx0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
mac_rb=$(ip -n "$RB" -o link show vx0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$RA" neigh add 10.97.2.0 lladdr "$mac_rb" dev vx0 nud permanent
bridge -n "$RA" fdb add "$mac_rb" dev vx0 dst 198.51.100.42 self permanent
ip -n "$RA" route add 10.97.2.0/24 via 10.97.2.0 dev vx0 onlink
ip -n "$RB" neigh add 10.97.1.0 lladdr "$mac_ra" dev vx0 nud permanent
bridge -n "$RB" fdb add "$mac_ra" dev vx0 dst 198.51.100.41 self permanent
ip -n "$RB" route add 10.97.1.0/24 via 10.97.1.0 dev vx0 onlink
wait_until 10 "the hand-built copy of the topology answering" ov_reaches "$CA" 10.97.2.2

# iperf_once CLIENT_NS SERVER_NS SERVER_ADDR: received bits/s of one TCP run of IPERF_SECONDS
iperf_once() {
    local pid bps
    ip netns exec "$2" iperf3 -s -1 -B "$3" -p 5201 </dev/null >/dev/null 2>&1 &
    pid=$!; _bt_record pids "$pid"
    wait_until 10 "iperf3 server in $2" eval "ip netns exec $2 ss -ltn | grep -q ':5201 '"
    bps=$(ip netns exec "$1" timeout $((IPERF_SECONDS + 20)) iperf3 -c "$3" -p 5201 -t "$IPERF_SECONDS" -J 2>/dev/null |
        jq -r '.end.sum_received.bits_per_second // empty')
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    echo "${bps:-0}"
}
# fast_path on|off: Berth's eBPF fast path on hosts 1 and 2 (berth gc attaches or detaches it)
fast_path() {
    local k mode=$1
    for k in 1 2; do
        ov_in "$k" env BERTH_STATE_DIR="$(ov_state "$k")" BERTH_OVERLAY_FAST_PATH="$mode" "$BERTH" gc >/dev/null ||
            { echo "berth gc (fast path $mode) failed on host $k" >&2; exit 1; }
    done
}
: >"$BT_TMP/iperf-overlay"; : >"$BT_TMP/iperf-vxlan"; : >"$BT_TMP/iperf-copy"; : >"$BT_TMP/iperf-slow"
for ((r = 0; r < IPERF_ROUNDS; r++)); do
    blog "iperf3 round $((r + 1))/$IPERF_ROUNDS (${IPERF_SECONDS} s each, four paths)"
    # the order rotates, so no path always runs first (or right after another's end)
    for ((k = 0; k < 4; k++)); do
        case $(((r + k) % 4)) in
        0) iperf_once "$(ov_cname 1 1)" "$(ov_cname 2 1)" "${OV_IP[2,1]}" >>"$BT_TMP/iperf-overlay" ;;
        1) iperf_once "$VA" "$VB" 10.98.0.2 >>"$BT_TMP/iperf-vxlan" ;;
        2) iperf_once "$CA" "$CB" 10.97.2.2 >>"$BT_TMP/iperf-copy" ;;
        3) fast_path off
           iperf_once "$(ov_cname 1 1)" "$(ov_cname 2 1)" "${OV_IP[2,1]}" >>"$BT_TMP/iperf-slow"
           fast_path on ;;
        esac
    done
done
gbps() { sort -n "$1" | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] / 1e9 }'; }
samples() { awk '{ printf "%s%.1f", (NR > 1 ? " " : ""), $1 / 1e9 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
rtt() { ip netns exec "$1" ping -n -q -c 50 -i 0.01 "$2" 2>/dev/null | awk -F'[/ ]+' '/^rtt/ { print $8 }'; }
jput iperf.overlay_gbps "$(gbps "$BT_TMP/iperf-overlay")"
jput iperf.vxlan_pair_gbps "$(gbps "$BT_TMP/iperf-vxlan")"
jput iperf.hand_built_topology_gbps "$(gbps "$BT_TMP/iperf-copy")"
jput iperf.rounds "$IPERF_ROUNDS"
jput iperf.overlay_samples_gbps "$(samples "$BT_TMP/iperf-overlay")"
jput iperf.overlay_no_fast_path_gbps "$(gbps "$BT_TMP/iperf-slow")"
jput iperf.overlay_no_fast_path_samples_gbps "$(samples "$BT_TMP/iperf-slow")"
jput iperf.no_fast_path_ratio_to_pair "$(ratio "$(gbps "$BT_TMP/iperf-slow")" "$(gbps "$BT_TMP/iperf-vxlan")")"
jput iperf.vxlan_pair_samples_gbps "$(samples "$BT_TMP/iperf-vxlan")"
jput iperf.hand_built_topology_samples_gbps "$(samples "$BT_TMP/iperf-copy")"
jput iperf.ratio_to_pair "$(ratio "$(gbps "$BT_TMP/iperf-overlay")" "$(gbps "$BT_TMP/iperf-vxlan")")"
jput iperf.ratio_to_hand_built_topology "$(ratio "$(gbps "$BT_TMP/iperf-overlay")" "$(gbps "$BT_TMP/iperf-copy")")"
jput ping.overlay_avg_ms "$(rtt "$(ov_cname 1 1)" "${OV_IP[2,1]}")"
fast_path off
jput ping.overlay_no_fast_path_avg_ms "$(rtt "$(ov_cname 1 1)" "${OV_IP[2,1]}")"
fast_path on
jput ping.vxlan_pair_avg_ms "$(rtt "$VA" 10.98.0.2)"
jput ping.hand_built_topology_avg_ms "$(rtt "$CA" 10.97.2.2)"

# ---- 3. convergence: a new host's agent start → every peer's container reaches its container ----
blog "convergence: $CONV_ROUNDS rounds"
ov_container 3 1 "$OV_NET"
ov_remember 3
: >"$BT_TMP/conv.ms"
# reach_at FROM_NS ADDR FILE: echo requests every 10 ms until the first answer; write the time
# (ms) into FILE. (One ping per attempt with a timeout would add up to that timeout to every
# figure: a request sent just before the entries appear is answered only on the next try.)
reach_at() {
    until ip netns exec "$1" ping -n -q -c1 -i 0.01 -w 60 "$2" >/dev/null 2>&1; do sleep 0.01; done
    now_ms >"$3"
}
for ((r = 1; r <= CONV_ROUNDS; r++)); do
    # the new host is unknown to its peers: no entry, no answer
    wait_until 30 "host 3 gone from its peers" eval 'ov_lacks_peer 1 3 && ov_lacks_peer 2 3'
    pids=()
    for k in 1 2; do reach_at "$(ov_cname "$k" 1)" "${OV_IP[3,1]}" "$BT_TMP/reach$k" & pids+=($!); done
    t0=$(now_ms)
    ov_agent_start 3
    wait_until 60 "every peer reaching host 3's container" eval '[[ -s $BT_TMP/reach1 && -s $BT_TMP/reach2 ]]'
    wait "${pids[@]}"
    t1=$(cat "$BT_TMP/reach1" "$BT_TMP/reach2" | sort -n | tail -n1)
    echo $((t1 - t0)) >>"$BT_TMP/conv.ms"
    blog "round $r: $((t1 - t0)) ms"
    rm -f "$BT_TMP/reach1" "$BT_TMP/reach2"
    ov_agent_stop 3
done
jput convergence.rounds "$CONV_ROUNDS"
jput convergence.p50_ms "$(q "$BT_TMP/conv.ms" 0.5)"
jput convergence.max_ms "$(q "$BT_TMP/conv.ms" 1)"

# ---- 4. one agent with many simulated peers, and their churn --------------------------------------
blog "agent with $PEERS simulated peers, then churn ($CHURN_RATE per second for $CHURN_SECONDS s)"
apid=$(tr -dc 0-9 <"$(ov_state 1)/agent.pid")
ticks=$(getconf CLK_TCK)
cpu_ms() { awk -v t="$ticks" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / t) }' "/proc/$apid/stat"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$apid/status"; }
hwm_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$apid/status"; }
neigh_count() { ip -n "$(ov_ns 1)" -4 neigh show dev "$(ov_vxlan 1)" nud permanent | wc -l; }
peers_py() { ip netns exec "$(ov_etcd_ns)" env OV_PEERS_STATE="$BT_TMP/peers.json" python3 "$HERE/ov_peers.py" "$OV_ETCD_URL" /berth "$OV_NET" "$@"; }
wait_until 30 "host 3 (agent stopped) gone from host 1" ov_lacks_peer 1 3
base=$(neigh_count)   # host 2
c0=$(cpu_ms); r0=$(rss_kib)
sleep 10   # idle: the agent's own cost with nothing happening (timer, keepalives)
c1=$(cpu_ms)
jput agent.idle_cpu_ms_per_10s $((c1 - c0))
jput agent.rss_kib_before "$r0"
t0=$(now_ms)
peers_py put "$PEERS" >"$BT_TMP/put.out" || { echo "putting peers failed" >&2; exit 1; }
wait_until 60 "$PEERS peers programmed on host 1" eval '(( $(neigh_count) == base + PEERS ))'
t1=$(now_ms)
c2=$(cpu_ms)
jput agent.fill_peers "$PEERS"
jput agent.fill_ms $((t1 - t0))
jput agent.fill_cpu_ms $((c2 - c1))
jput agent.rss_kib_with_peers "$(rss_kib)"
peers_py churn "$PEERS" "$CHURN_SECONDS" "$CHURN_RATE" >"$BT_TMP/churn.out" || { echo "churn failed" >&2; exit 1; }
t2=$(now_ms)
wait_until 60 "all $PEERS peers programmed after the churn" eval '(( $(neigh_count) == base + PEERS ))'
t3=$(now_ms)
c3=$(cpu_ms)
jput agent.churn_seconds "$CHURN_SECONDS"
jput agent.churn_changes $((2 * CHURN_RATE * CHURN_SECONDS))
jput agent.churn_cpu_ms $((c3 - c2))
jput agent.churn_settle_ms $((t3 - t2))
jput agent.peak_rss_kib "$(hwm_kib)"
ov_entries_are 1 2 || true   # (informational: the simulated peers are there too)
bad=$(ov_berth 1 overlay status "$OV_NET" 2>/dev/null | grep -ciE 'missing|stale' || true)
jput agent.status_missing_or_stale "${bad:-0}"

# ---- report ------------------------------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
v() { awk -F= -v k="$1" '$1 == k { print $2 }' "$J" | tail -n1; }
{
    echo "### Overlay networks (issue 17)"
    echo
    echo "berth $(basename "$BERTH_ORIGIN") ($BERTH_ORIGIN), $(nproc) cores, kernel $(uname -r), etcd $(etcd --version | awk '/^etcd Version/ {print $3}'), iperf3 $(dpkg-query -W -f='${Version}' iperf3 2>/dev/null); load average before $load_before, after $load_after (the machine is shared)."
    echo
    echo "| attach (whole process) | overlay p50 | overlay p90 | bridge p50 | bridge p90 |"
    echo "|---|---|---|---|---|"
    for op in connect disconnect; do
        echo "| $op (n=$(v "attach.$op.overlay.n")) | $(v "attach.$op.overlay.p50_ms") ms | $(v "attach.$op.overlay.p90_ms") ms | $(v "attach.$op.bridge.p50_ms") ms | $(v "attach.$op.bridge.p90_ms") ms |"
    done
    echo
    echo "| data path (host 1 → host 2) | Berth overlay | hand-built VXLAN pair | hand-built copy of Berth's topology | Berth, fast path off |"
    echo "|---|---|---|---|---|"
    echo "| iperf3 TCP, ${IPERF_SECONDS} s, median of $IPERF_ROUNDS | $(v iperf.overlay_gbps) Gbit/s | $(v iperf.vxlan_pair_gbps) Gbit/s | $(v iperf.hand_built_topology_gbps) Gbit/s | $(v iperf.overlay_no_fast_path_gbps) Gbit/s |"
    echo "| samples (Gbit/s) | $(v iperf.overlay_samples_gbps) | $(v iperf.vxlan_pair_samples_gbps) | $(v iperf.hand_built_topology_samples_gbps) | $(v iperf.overlay_no_fast_path_samples_gbps) |"
    echo "| Berth's ratio to it | — | $(v iperf.ratio_to_pair)× | $(v iperf.ratio_to_hand_built_topology)× | (its own ratio to the pair: $(v iperf.no_fast_path_ratio_to_pair)×) |"
    echo "| ping RTT avg (50 × 10 ms) | $(v ping.overlay_avg_ms) ms | $(v ping.vxlan_pair_avg_ms) ms | $(v ping.hand_built_topology_avg_ms) ms | $(v ping.overlay_no_fast_path_avg_ms) ms |"
    echo
    echo "All paths: MTU 1450 on the VXLAN device (underlay 1500 − 50), UDP 4789, nolearning, static"
    echo "neighbour + FDB entries. The pair runs iperf3 on the VXLAN devices themselves; Berth's path and"
    echo "its hand-built copy add, on each side, the container's veth, the bridge and the host's routing"
    echo "(Berth's also its nftables rules and conntrack). Berth's eBPF fast path (on by default) skips"
    echo "the bridge, the routing and netfilter for traffic between hosts; the last column switches it off"
    echo "(BERTH_OVERLAY_FAST_PATH=off berth gc) around its samples."
    echo
    echo "- convergence (agent start on a new host → every peer's container reaches its container):"
    echo "  p50 $(v convergence.p50_ms) ms, max $(v convergence.max_ms) ms over $CONV_ROUNDS rounds (lease TTL $OV_LEASE_TTL s; debug or release as the binary above)"
    echo "- one agent, idle: $(v agent.idle_cpu_ms_per_10s) ms CPU per 10 s; RSS $(v agent.rss_kib_before) KiB"
    echo "- $PEERS simulated peer hosts put into etcd (one lease each): all programmed in $(v agent.fill_ms) ms, $(v agent.fill_cpu_ms) ms of agent CPU; RSS $(v agent.rss_kib_with_peers) KiB"
    echo "- churn: $CHURN_RATE peers deleted and put back every second for $CHURN_SECONDS s ($(v agent.churn_changes) key changes): $(v agent.churn_cpu_ms) ms of agent CPU, settled $(v agent.churn_settle_ms) ms after the last change; peak RSS $(v agent.peak_rss_kib) KiB"
    for n in "${NOTES[@]+"${NOTES[@]}"}"; do echo "- $n"; done
} >"$RESULTS/overlay.md"
python3 - "$J" "$RESULTS/overlay.json" "$BERTH_ORIGIN" "$load_before" "$load_after" <<'PY'
import json, sys
out = {"berth": sys.argv[3], "load_before": sys.argv[4], "load_after": sys.argv[5]}
for line in open(sys.argv[1]):
    k, v = line.rstrip("\n").split("=", 1)
    node = out
    *path, leaf = k.split(".")
    for p in path:
        node = node.setdefault(p, {})
    try:
        node[leaf] = float(v) if "." in v else int(v)
    except ValueError:
        node[leaf] = v
json.dump(out, open(sys.argv[2], "w"), indent=2)
PY
cat "$RESULTS/overlay.md"
blog "results: $RESULTS/overlay.md, $RESULTS/overlay.json"
