# shellcheck shell=bash
# Overlay networks (issue 17): simulated hosts on one underlay, etcd, agents. Sourced by
# tests/integration/test_overlay*.sh after lib.sh (the runner sources lib.sh first); bench/overlay.sh
# sources it too (with its own BT_TMP/BT_ID and teardown).
#
# Topology (every namespace named bt-ov-…-$BT_ID, recorded so teardown deletes it):
#
#   bt-ov-etcd-ID  eth0 198.51.100.100/24 ──┐
#   bt-ov-h1-ID    eth0 198.51.100.11/24 ───┤  bt-ov-ul-ID: bridge ul0 198.51.100.1/24 (router)
#   bt-ov-h2-ID    eth0 198.51.100.12/24 ───┤       out0 203.0.113.1/24 ── eth0 203.0.113.2/24 bt-ov-out-ID
#   …              (default via .1)        ─┘       (ip_forward on in the underlay namespace only)
#
# The outside namespace routes 198.51.100.0/24 back through the underlay router and knows no
# overlay subnet: a container's packet to 203.0.113.2 only gets an answer through its own host's
# NAT, and the outside sees that host's underlay address.
#
# Host K: namespace bt-ov-hK-ID, state dir $BT_TMP/ovK/state (survives a "reboot"), ip_forward on
# inside it, its agent under a reaper (ov_reaper.py, a subreaper: see there why not a PID namespace), stopped by that
# PID. Containers: named namespaces bt-ov-hK-cJ-ID attached with `berth network connect`.
# etcd: Debian's etcd 3.4 in bt-ov-etcd-ID, data in $BT_TMP/etcd, under a reaper, stopped by PID
# and restarted on the same data dir.

OV_ETCD_IP=198.51.100.100
OV_ETCD_URL="http://$OV_ETCD_IP:2379"
OV_ROUTER_IP=198.51.100.1
OV_OUTSIDE_IP=203.0.113.2
OV_LEASE_TTL=${OV_LEASE_TTL:-5}
declare -A OV_AGENT_PID=()     # host index → PID of the reaper running its agent
OV_ETCD_PID=""
OV_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ov_ul()      { echo "bt-ov-ul-$BT_ID"; }
ov_out()     { echo "bt-ov-out-$BT_ID"; }
ov_etcd_ns() { echo "bt-ov-etcd-$BT_ID"; }
ov_ns()      { echo "bt-ov-h$1-$BT_ID"; }              # ov_ns K
ov_cname()   { echo "bt-ov-h$1-c$2-$BT_ID"; }          # ov_cname K J
ov_state()   { echo "$BT_TMP/ov$1/state"; }
ov_vtep()    { echo "198.51.100.$((10 + $1))"; }

# _ov_exit: the EXIT trap: on failure show the agents' and etcd's logs, then lib.sh's teardown.
_ov_exit() {
    local rc=$?
    if ((rc != 0 && rc != 77)) && [[ -n "${BT_TMP:-}" && -d "$BT_TMP" ]]; then
        local f
        for f in "$BT_TMP"/ov*/agent.log "$BT_TMP/etcd.log"; do
            [[ -s "$f" ]] || continue
            printf '  --- last lines of %s\n' "${f#"$BT_TMP"/}" >&2
            tail -n 25 "$f" | sed 's/^/    /' >&2
        done
    fi
    (exit "$rc")
    teardown
}

# ov_setup NHOSTS: underlay, outside, etcd namespace (etcd started) and hosts 1..NHOSTS.
ov_setup() {
    local n=$1 k
    command -v etcd >/dev/null && command -v etcdctl >/dev/null \
        || skip_test "etcd is not installed (apt-get install etcd-server etcd-client)"
    [[ ${OV_STATIC:-0} == 1 || -x "$(dirname "$BERTH")/berth-agent" ]] || command -v berth-agent >/dev/null \
        || fail "berth-agent not found beside $BERTH (swift build --product berth-agent)"
    trap '_ov_exit' EXIT
    local ul out
    ul=$(ov_ul) out=$(ov_out)
    _bt_mkns "$ul" || fail "cannot create $ul"
    _bt_mkns "$out" || fail "cannot create $out"
    ip -n "$ul" link add ul0 type bridge || fail "cannot create the underlay bridge"
    ip -n "$ul" addr add "$OV_ROUTER_IP/24" dev ul0
    ip -n "$ul" link set ul0 up
    ip netns exec "$ul" sysctl -qw net.ipv4.ip_forward=1
    ip -n "$ul" link add out0 type veth peer name eth0 netns "$out" || fail "cannot create the outside veth"
    ip -n "$ul" addr add 203.0.113.1/24 dev out0
    ip -n "$ul" link set out0 up
    ip -n "$out" addr add "$OV_OUTSIDE_IP/24" dev eth0
    ip -n "$out" link set eth0 up
    ip -n "$out" route add 198.51.100.0/24 via 203.0.113.1
    _ov_plug "$(ov_etcd_ns)" etcd "$OV_ETCD_IP"
    ov_etcd_start
    for ((k = 1; k <= n; k++)); do ov_host_up "$k"; done
}

# _ov_plug NS PORT ADDR: create NS with eth0 ADDR/24 on the underlay bridge (port PORT there).
_ov_plug() {
    local ns=$1 port=$2 addr=$3 ul
    ul=$(ov_ul)
    _bt_mkns "$ns" || fail "cannot create $ns"
    ip -n "$ul" link add "$port" type veth peer name eth0 netns "$ns" || fail "cannot plug $ns into the underlay"
    ip -n "$ul" link set "$port" master ul0 up
    # a fixed MAC per underlay address, as a real NIC has: a rebooted host comes back with the
    # same one, so its peers' ARP entries for its VTEP stay right (a new random MAC would leave
    # them sending VXLAN to a MAC nobody has until their entries go stale)
    ip -n "$ns" link set eth0 address "$(printf '02:b7:c6:33:64:%02x' "${addr##*.}")"
    ip -n "$ns" addr add "$addr/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "$OV_ROUTER_IP"
}

# ---------------------------------------------------------------------------------------------
# etcd

# ov_etcd_start: start (or restart, same data dir) etcd; wait until it answers.
ov_etcd_start() {
    local ns
    ns=$(ov_etcd_ns)
    mkdir -p "$BT_TMP/etcd"
    unshare --pid --fork --kill-child ip netns exec "$ns" etcd --name bt-ov --data-dir "$BT_TMP/etcd/data" \
        --listen-client-urls "$OV_ETCD_URL" --advertise-client-urls "$OV_ETCD_URL" \
        --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
        --initial-cluster bt-ov=http://127.0.0.1:2380 </dev/null >>"$BT_TMP/etcd.log" 2>&1 &
    OV_ETCD_PID=$!
    _bt_record pids "$OV_ETCD_PID"
    wait_until 30 "etcd answering at $OV_ETCD_URL" _ov_etcd_healthy
}

_ov_etcd_healthy() {
    kill -0 "$OV_ETCD_PID" 2>/dev/null || fail "etcd died: $(tail -n 5 "$BT_TMP/etcd.log")"
    ov_etcdctl endpoint health >/dev/null 2>&1
}

# ov_etcd_stop: end etcd (its reaper, by PID: the reaper's death kills etcd).
ov_etcd_stop() {
    [[ -n "$OV_ETCD_PID" ]] || return 0
    kill -KILL "$OV_ETCD_PID" 2>/dev/null
    wait "$OV_ETCD_PID" 2>/dev/null
    OV_ETCD_PID=""
    wait_until 10 "etcd gone" _ov_etcd_gone
}
_ov_etcd_gone() { [[ -z "$(ip netns pids "$(ov_etcd_ns)" 2>/dev/null)" ]]; }

# ov_etcdctl ARGS...: etcdctl (v3 API) against the test's etcd, from the etcd namespace.
ov_etcdctl() {
    ip netns exec "$(ov_etcd_ns)" env ETCDCTL_API=3 etcdctl --endpoints "$OV_ETCD_URL" --command-timeout=3s "$@"
}

# ov_keys PREFIX: the keys under PREFIX, sorted.
ov_keys() { ov_etcdctl get --prefix --keys-only "$1" | grep -v '^$' | sort; }
# ov_key_present KEY
ov_key_present() { [[ -n "$(ov_etcdctl get --keys-only "$1")" ]]; }
ov_key_absent() { ! ov_key_present "$1"; }
# ov_leases: the lease ids etcd holds (none: empty).
ov_leases() { ov_etcdctl lease list | awk 'NR > 1 && NF { print $1 }'; }

# ---------------------------------------------------------------------------------------------
# hosts

# ov_host_up K: the host namespace, its underlay link, ip_forward, its state dir.
ov_host_up() {
    local k=$1 ns
    ns=$(ov_ns "$k")
    _ov_plug "$ns" "h$k" "$(ov_vtep "$k")"
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
    mkdir -p "$(ov_state "$k")"
}

# ov_host_reboot K: "power off" host K: its agent killed, its namespace and every container
# namespace of it deleted (kernel state gone), its state dir kept; then back up (no agent).
ov_host_reboot() {
    local k=$1 ns c pid
    ov_agent_stop "$k"
    _ov_stop_dns "$k"
    ns=$(ov_ns "$k")
    for c in $(ip netns list | awk '{print $1}' | grep -E "^bt-ov-h$k-c[0-9]+-$BT_ID\$"); do
        ip netns del "$c"
    done
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" || fail "cannot delete $ns"
    # the kernel dismantles a deleted namespace's devices in the background: wait for its
    # underlay port to go before plugging the new one
    wait_until 20 "host $k's old underlay port gone" _ov_port_gone "h$k"
    ov_host_up "$k"
}

_ov_port_gone() { ! ip -n "$(ov_ul)" link show "$1" >/dev/null 2>&1; }

# _ov_stop_dns K: host K's berth-dns (by its pidfile, only if that PID is berth-dns).
_ov_stop_dns() {
    local pid
    pid=$(berth_dns_pid "$(ov_state "$1")") || return 0
    kill -KILL "$pid" 2>/dev/null
}

# ov_in K CMD...: CMD inside host K's namespace.
ov_in() { local k=$1; shift; ip netns exec "$(ov_ns "$k")" "$@"; }

# ov_berth K ARGS...: berth on host K (its namespace, its state dir).
ov_berth() {
    local k=$1; shift
    ip netns exec "$(ov_ns "$k")" env BERTH_STATE_DIR="$(ov_state "$k")" "$BERTH" "$@"
}

# ov_create K NET [ARGS...]: create/join overlay NET on host K against the test's etcd (asserting
# success); sets OV_BLOCK (the host's block, from inspect).
ov_create() {
    local k=$1 net=$2; shift 2
    assert_ok ov_berth "$k" network create "$net" --driver overlay --etcd "$OV_ETCD_URL" "$@"
    OV_BLOCK=$(ov_block "$k" "$net")
    [[ "$OV_BLOCK" == */* ]] || fail "host $k: network inspect $net has no subnet: $(ov_berth "$k" network inspect "$net")"
}

# ov_block K NET: host K's block of NET (the local network's subnet).
ov_block() { ov_berth "$1" network inspect "$2" 2>/dev/null | jq -r '.[0].subnet'; }

# ---------------------------------------------------------------------------------------------
# agents

# ov_agent_start K [ARGS...]: host K's agent (`berth agent --lease-ttl $OV_LEASE_TTL`) under a
# reaper (ov_reaper.py: a subreaper, not a PID namespace, so the PID in STATE/agent.pid is real:
# `network create` signals it and `doctor` checks it); waits for its pidfile.
ov_agent_start() {
    local k=$1; shift
    local ns state
    ns=$(ov_ns "$k") state=$(ov_state "$k")
    [[ -z "${OV_AGENT_PID[$k]:-}" ]] || fail "host $k: agent already started"
    rm -f "$state/agent.pid.seen"
    echo "=== agent start $(date +%T.%N)" >>"$BT_TMP/ov$k/agent.log"
    ip netns exec "$ns" env BERTH_STATE_DIR="$state" python3 "$OV_LIB_DIR/ov_reaper.py" \
        "$BERTH" agent --lease-ttl "$OV_LEASE_TTL" "$@" </dev/null >>"$BT_TMP/ov$k/agent.log" 2>&1 &
    OV_AGENT_PID[$k]=$!
    _bt_record pids "${OV_AGENT_PID[$k]}"
    wait_until 20 "host $k's agent pidfile" _ov_agent_up "$k"
}

# _ov_agent_up K: the reaper lives and the pidfile names its child (the agent).
_ov_agent_up() {
    local r=${OV_AGENT_PID[$1]} pid
    kill -0 "$r" 2>/dev/null || fail "host $1: agent exited: $(tail -n 5 "$BT_TMP/ov$1/agent.log")"
    pid=$(tr -dc 0-9 2>/dev/null <"$(ov_state "$1")/agent.pid")
    [[ -n "$pid" ]] && [[ "$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)" == "$r" ]]
}

# ov_agent_stop K: kill host K's agent (SIGUSR1 to its reaper, by PID: the agent gets SIGKILL, is
# reaped, the reaper exits).
ov_agent_stop() {
    local k=$1 pid=${OV_AGENT_PID[$1]:-}
    [[ -n "$pid" ]] || return 0
    kill -USR1 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    unset "OV_AGENT_PID[$k]"
}

# ov_agent_running K
ov_agent_running() { [[ -n "${OV_AGENT_PID[$1]:-}" ]] && kill -0 "${OV_AGENT_PID[$1]}" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# containers

declare -A OV_IP=()   # "K,J" → container address (no prefix)

# ov_container K J NET: a new container namespace on host K attached to NET; sets OV_IP[K,J].
ov_container() {
    local k=$1 j=$2 net=$3 c out
    c=$(ov_cname "$k" "$j")
    [[ -e "/run/netns/$c" ]] || { _bt_mkns "$c" || fail "cannot create $c"; }
    run_capture ov_berth "$k" network connect "$net" "$c"
    [[ $RC -eq 0 ]] || { _show_result "host $k: network connect $net $c"; fail "connect on host $k failed"; }
    out=$(jq -r '.ipv4' <<<"$OUT")
    [[ "$out" == */* ]] || fail "connect printed no ipv4: $OUT"
    OV_IP[$k,$j]=${out%/*}
}

# ov_reaches FROM_NS ADDR: one ping answered within 1 s.
ov_reaches() { ip netns exec "$1" ping -n -q -c1 -W1 "$2" >/dev/null 2>&1; }
ov_unreachable() { ! ov_reaches "$@"; }

# ov_mesh_failures HOSTS COUNT: every container J=1..COUNT of every host in HOSTS ("1 2 3") pings
# every container of the other hosts (one process per container, all in parallel; each target up
# to 3 tries of one echo); prints "FROM -> ADDR" per pair that never answered.
ov_mesh_failures() {
    local hosts=$1 count=$2 k l j t targets out
    out=$BT_TMP/mesh.$RANDOM
    mkdir -p "$out"
    for k in $hosts; do
        targets=""
        for l in $hosts; do
            [[ $l == "$k" ]] && continue
            for ((t = 1; t <= count; t++)); do targets+=" ${OV_IP[$l,$t]}"; done
        done
        for ((j = 1; j <= count; j++)); do
            ip netns exec "$(ov_cname "$k" "$j")" bash -c '
                for a in $2; do
                    ping -n -q -c1 -W1 "$a" >/dev/null 2>&1 || ping -n -q -c1 -W1 "$a" >/dev/null 2>&1 \
                        || ping -n -q -c1 -W1 "$a" >/dev/null 2>&1 || echo "$1 -> $a"
                done' _ "$(ov_cname "$k" "$j")" "$targets" >"$out/$k-$j" 2>&1 &
        done
    done
    wait
    cat "$out"/* 2>/dev/null
    rm -rf "$out"
}

# ---------------------------------------------------------------------------------------------
# kernel entries

# ov_vxlan K: the VXLAN device of host K (tests have one overlay network per host).
ov_vxlan() { ip -n "$(ov_ns "$1")" -o link show type vxlan | awk -F': ' '{ split($2, n, "@"); print n[1] }' | head -n1; }
# ov_mac K: the MAC of host K's VXLAN device.
ov_mac() { ip -n "$(ov_ns "$1")" -o link show dev "$(ov_vxlan "$1")" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }

# ov_entries K: host K's per-peer kernel entries on its VXLAN device, normalised, sorted:
#   neigh ADDR MAC / fdb MAC VTEP / route BLOCK VIA
ov_entries() {
    local ns dev
    ns=$(ov_ns "$1") dev=$(ov_vxlan "$1")
    [[ -n "$dev" ]] || return 0
    ip -n "$ns" -4 neigh show dev "$dev" nud permanent | awk '{ print "neigh", $1, $3 }'
    bridge -n "$ns" fdb show dev "$dev" | awk '/ dst / && / permanent/ { for (i = 1; i <= NF; i++) if ($i == "dst") print "fdb", $1, $(i + 1) }'
    ip -n "$ns" -4 route show dev "$dev" | awk '/ via / && /onlink/ { print "route", $1, $3 }'
}

# ov_expected_entries K PEER...: what ov_entries K must print when PEERs are its peers.
ov_expected_entries() {
    local k=$1 l block mac; shift
    for l in "$@"; do
        block=$(ov_block "$l" "$OV_NET") mac=$(ov_mac "$l")
        echo "neigh ${block%.*/*}.0 $mac"
        echo "fdb $mac $(ov_vtep "$l")"
        echo "route $block ${block%.*/*}.0"
    done
}

# ov_has_peer K L: host K has host L's neighbour entry (block .0 → L's MAC) on its VXLAN device.
ov_has_peer() {
    local block mac
    block=${OV_BLOCKS[$2]} mac=${OV_MACS[$2]}
    # (a variable, not a pipe: with pipefail, grep -q leaving early can fail the pipeline)
    local e
    e=$(ov_entries "$1")
    grep -qx "neigh ${block%.*/*}.0 $mac" <<<"$e"
}
ov_lacks_peer() {
    local block mac
    block=${OV_BLOCKS[$2]} mac=${OV_MACS[$2]}
    local e
    e=$(ov_entries "$1")
    ! grep -qwF -e "${block%.*/*}.0" -e "$block" -e "$mac" <<<"$e"
}
declare -A OV_BLOCKS=() OV_MACS=()
# ov_remember K: record host K's block and VXLAN MAC (for ov_has_peer while K is gone).
ov_remember() { OV_BLOCKS[$1]=$(ov_block "$1" "$OV_NET"); OV_MACS[$1]=$(ov_mac "$1"); }

# ov_entries_are K PEER...: host K's entries are exactly those of PEERs (now).
ov_entries_are() { [[ "$(ov_entries "$1" | sort)" == "$(ov_expected_entries "$@" | sort)" ]]; }

# ov_kernel_traces K: anything overlay-ish left in host K's namespace: VXLAN devices, overlay
# bridges (bo…), permanent neighbour entries, onlink routes, nft rules naming 10.24x.
ov_kernel_traces() {
    local ns
    ns=$(ov_ns "$1")
    ip -n "$ns" -o link show type vxlan | sed 's/^/vxlan: /'
    ip -n "$ns" -o link show | awk -F': ' '{ split($2, n, "@"); if (n[1] ~ /^bo/) print "bridge: " n[1] }'
    ip -n "$ns" -4 neigh show nud permanent | sed 's/^/neigh: /'
    ip -n "$ns" -4 route show | grep onlink | sed 's/^/route: /'
    ip netns exec "$ns" nft list ruleset 2>/dev/null | grep -E '10\.2(4[0-9]|5[0-5])\.' | sed 's/^/nft: /'
    return 0
}

# ---------------------------------------------------------------------------------------------
# without etcd and agents (OV_STATIC=1): the kernel side's hidden seam `berth overlay-static`,
# blocks given by hand (10.240.K.0/24), peers set by hand as the agent would from etcd. For
# running the data-path half of the tests while the agent side is unavailable.

# ov_static_join K NET: host K joins NET with block 10.240.K.0/24.
ov_static_join() {
    assert_ok ov_berth "$1" overlay-static join "$2" --subnet 10.240.0.0/16 --block "10.240.$1.0/24" \
        --vni 4096 --port 4789 --vtep "$(ov_vtep "$1")"
}

# ov_static_peers HOSTS NET: every host of HOSTS gets the others as its peers.
ov_static_peers() {
    local hosts=$1 net=$2 k l peers
    for k in $hosts; do
        peers=()
        for l in $hosts; do
            [[ $l == "$k" ]] || peers+=("$(ov_block "$l" "$net")=$(ov_vtep "$l")=$(ov_mac "$l")")
        done
        assert_ok ov_berth "$k" overlay-static peers "$net" "${peers[@]}"
    done
}
