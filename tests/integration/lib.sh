# shellcheck shell=bash
# Berth integration test library.
#
# Sourced by tests/integration/run.sh and by every tests/integration/test_*.sh file.
#
# Network-safety contract (absolute):
#   * berth only ever runs inside a throwaway "host" netns (bt-host-<id>) created here;
#   * the simulated outside is a netns bt-up-<id> joined to that host by a veth using
#     documentation addresses (203.0.113.0/24, 198.51.100.0/24);
#   * traffic goes only to addresses inside namespaces created here (and loopback);
#   * everything is named with the bt- prefix and removed by teardown, also on failure;
#   * processes are ended only by the PIDs recorded when they were started.
#
# Topology built by setup_host:
#
#   container ns ──veth── [bridge in bt-host-<id>] bt-uplink 203.0.113.2/24 ──veth── bt-upl 203.0.113.1/24 [bt-up-<id>]
#                          default route via 203.0.113.1                         198.51.100.1/24 on lo
#                                                                                 NO route back to container subnets
#
# Globals a test may use after setup_host:
#   BT_ID BT_TMP BT_HOST BT_UP BT_STATE BERTH
#   UPLINK_HOST_IP=203.0.113.2  UPSTREAM_IP=203.0.113.1  BEYOND_IP=198.51.100.1
# After assert_ok / assert_fails / run_capture:  RC OUT ERR

BT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BT_REPO=${BT_REPO:-$(cd "$BT_LIB_DIR/../.." && pwd)}

if [[ -z "${BERTH:-}" ]]; then
    if [[ -x "$BT_REPO/.build/release/berth" ]]; then
        BERTH="$BT_REPO/.build/release/berth"
    else
        BERTH="$BT_REPO/.build/debug/berth"
    fi
fi
case "$BERTH" in /*) ;; *) BERTH="$PWD/$BERTH" ;; esac

UPLINK_HOST_IP=203.0.113.2
UPSTREAM_IP=203.0.113.1
BEYOND_IP=198.51.100.1
UPLINK_IF=bt-uplink      # in the host netns
UPSTREAM_IF=bt-upl       # in the upstream netns

BT_ID=${BT_ID:-$$-0}
BT_TMP=${BT_TMP:-}
BT_HOST=${BT_HOST:-bt-host-$BT_ID}
BT_UP=${BT_UP:-bt-up-$BT_ID}
RC=0 OUT="" ERR=""

# ---------------------------------------------------------------------------------------------
# logging / failing

log()  { printf '  [%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() {
    printf '  ASSERTION FAILED: %s\n' "$*" >&2
    local i
    for ((i = 1; i < ${#FUNCNAME[@]} - 1; i++)); do
        printf '    at %s (%s:%s)\n' "${FUNCNAME[$i]}" "${BASH_SOURCE[$i]##*/}" "${BASH_LINENO[$((i - 1))]}" >&2
    done
    exit 1
}

# ---------------------------------------------------------------------------------------------
# sandbox

_bt_record() { printf '%s\n' "$2" >>"$BT_TMP/$1"; }   # _bt_record netns|pids|files|mounts VALUE

# use_tiny_state_fs [SIZE]: make this test's state directory a fresh tmpfs of SIZE (default 2m)
# under BT_TMP, unmounted by teardown; sets BT_STATE to it.
use_tiny_state_fs() {
    local dir="$BT_TMP/tinyfs"
    mkdir -p "$dir" || fail "mkdir $dir"
    mount -t tmpfs -o "size=${1:-2m},mode=0700" bt-state "$dir" || fail "cannot mount a tmpfs on $dir"
    _bt_record mounts "$dir"
    BT_STATE=$dir
}

# fill_fs DIR: fill DIR's file system (the filler is DIR/filler) until writes fail.
fill_fs() {
    dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null
    [[ "$(stat -f -c %a "$1")" == 0 ]] || fail "$1 is not full"
}

# setup_host: create the temp dir, the throwaway host netns and the upstream netns.
setup_host() {
    if [[ -z "$BT_TMP" ]]; then
        BT_TMP=$(mktemp -d /tmp/bt-test.XXXXXX) || fail "mktemp"
    fi
    mkdir -p "$BT_TMP/state"
    BT_STATE="$BT_TMP/state"
    # The "host's" resolv.conf as berth-dns sees it (it forwards names it does not own to these
    # nameservers): a file of this test, naming the upstream namespace, never the real host's
    # resolvers. Exported, so every berth (and the berth-dns it starts) inherits it.
    BERTH_RESOLV_CONF="$BT_TMP/resolv.conf"
    printf 'nameserver %s\n' "$UPSTREAM_IP" >"$BERTH_RESOLV_CONF"
    export BT_TMP BT_ID BT_HOST BT_UP BT_STATE BERTH_RESOLV_CONF
    [[ -n "${BERTH_DNS_BINARY:-}" ]] && export BERTH_DNS_BINARY
    : >>"$BT_TMP/netns"; : >>"$BT_TMP/pids"; : >>"$BT_TMP/files"
    trap 'teardown' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    _bt_mkns "$BT_HOST" || fail "cannot create netns $BT_HOST"
    _bt_mkns "$BT_UP" || fail "cannot create netns $BT_UP"
    ip -n "$BT_HOST" link add "$UPLINK_IF" type veth peer name "$UPSTREAM_IF" netns "$BT_UP" \
        || fail "cannot create uplink veth"
    ip -n "$BT_HOST" addr add "$UPLINK_HOST_IP/24" dev "$UPLINK_IF"
    ip -n "$BT_HOST" link set "$UPLINK_IF" up
    ip -n "$BT_HOST" route add default via "$UPSTREAM_IP"
    ip -n "$BT_UP" addr add "$UPSTREAM_IP/24" dev "$UPSTREAM_IF"
    ip -n "$BT_UP" link set "$UPSTREAM_IF" up
    ip -n "$BT_UP" addr add "$BEYOND_IP/24" dev lo
    # The upstream deliberately gets no route to any container subnet: a reply only comes back
    # through the host's NAT. It has no default route either.
    # Make sure nothing leaks out of the sandbox even if something misbehaves: rp_filter etc. are
    # left at the netns defaults.
    return 0
}

_bt_mkns() {
    ip netns add "$1" || return 1
    _bt_record netns "$1"
    ip -n "$1" link set lo up
}

_bt_sweep_netns() {
    local ns
    {
        [[ -n "$BT_TMP" && -f "$BT_TMP/netns" ]] && cat "$BT_TMP/netns"
        ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^bt-[a-z0-9]+-${BT_ID}(-|$)"
    } | sort -u | while read -r ns; do
        [[ "$ns" == bt-* ]] || continue
        [[ -e "/run/netns/$ns" ]] && ip netns del "$ns" 2>/dev/null
    done
    return 0
}

# berth_dns_pid [STATE_DIR]: the pid in STATE_DIR/dns/berth-dns.pid (default BT_STATE) when that
# process is alive (not a zombie) and is berth-dns; fails otherwise.
berth_dns_pid() {
    local f="${1:-$BT_STATE}/dns/berth-dns.pid" pid
    [[ -f "$f" ]] || return 1
    pid=$(tr -dc '0-9' <"$f" 2>/dev/null)
    [[ -n "$pid" ]] && _bt_is_berth_dns "$pid" || return 1
    echo "$pid"
}

# _bt_is_berth_dns PID: PID is a living (non-zombie) process whose command line names berth-dns.
_bt_is_berth_dns() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z ]] || return 1
    tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | head -n1 | grep -q 'berth-dns$'
}

_bt_stop_berth_dns() {
    local f pid i
    [[ -n "$BT_TMP" && -d "$BT_TMP" ]] || return 0
    while read -r f; do
        pid=$(tr -dc '0-9' <"$f" 2>/dev/null)
        [[ -n "$pid" ]] && _bt_is_berth_dns "$pid" || continue
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 50; i++)); do _bt_is_berth_dns "$pid" || break; sleep 0.02; done
        _bt_is_berth_dns "$pid" && kill -KILL "$pid" 2>/dev/null
    done < <(find "$BT_TMP" -maxdepth 4 -path '*/dns/berth-dns.pid' 2>/dev/null)
    return 0
}

# teardown: idempotent; safe to call from the runner after the test process died.
teardown() {
    local rc=$?
    trap - EXIT INT TERM
    trap "" PIPE   # a closed stdout must not stop the cleanup
    local pid ns f
    if [[ -z "$BT_TMP" || ! -d "$BT_TMP" ]]; then
        _bt_sweep_netns
        return $rc
    fi
    # 1. processes we started (by recorded PID only)
    if [[ -f "$BT_TMP/pids" ]]; then
        while read -r pid; do
            [[ "$pid" =~ ^[0-9]+$ ]] || continue
            kill "$pid" 2>/dev/null
        done <"$BT_TMP/pids"
        while read -r pid; do
            [[ "$pid" =~ ^[0-9]+$ ]] || continue
            for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null
        done <"$BT_TMP/pids"
    fi
    # 1b. berth-dns: every `network create` starts it (detached, so no recorded PID). End it by
    #     the pid in each state directory's dns/berth-dns.pid under BT_TMP, only if that pid's
    #     command line is berth-dns (we started it). PID 1 here does not reap orphans: a killed
    #     berth-dns may stay a zombie, which holds nothing (no sockets, no namespace).
    _bt_stop_berth_dns
    # 2. any process still living inside a namespace this test created is this test's own
    #    (e.g. a listener whose recorded PID was wrong); end it by its PID.
    if [[ -f "$BT_TMP/netns" ]]; then
        while read -r ns; do
            [[ "$ns" == bt-* && -e "/run/netns/$ns" ]] || continue
            for pid in $(ip netns pids "$ns" 2>/dev/null); do
                kill -KILL "$pid" 2>/dev/null
            done
        done <"$BT_TMP/netns"
    fi
    # 3. namespaces we created: recorded ones plus anything carrying this test's id
    _bt_sweep_netns
    # 3b. file systems we mounted (under BT_TMP only), before BT_TMP goes
    if [[ -f "$BT_TMP/mounts" ]]; then
        while read -r f; do
            [[ "$f" == "$BT_TMP"/* ]] && umount -l -- "$f" 2>/dev/null
        done <"$BT_TMP/mounts"
    fi
    # 4. files we created outside BT_TMP (e.g. /etc/netns/<host>/resolv.conf)
    if [[ -f "$BT_TMP/files" ]]; then
        while read -r f; do
            [[ -n "$f" && "$f" == *bt-* ]] && rm -rf -- "$f"
        done <"$BT_TMP/files"
    fi
    [[ -f "$BT_TMP/created-etc-netns" ]] && rmdir /etc/netns 2>/dev/null
    [[ "${BT_KEEP_TMP:-0}" == 1 ]] || rm -rf -- "$BT_TMP"
    return $rc
}

# ---------------------------------------------------------------------------------------------
# running things

# in_host CMD...: run CMD inside the throwaway host netns.
in_host() { ip netns exec "$BT_HOST" "$@"; }
# in_up CMD...: run CMD inside the upstream netns.
in_up() { ip netns exec "$BT_UP" "$@"; }

# _ns_prefix NS: set the array NSPFX to the command prefix that runs something in NS. Used to
# start background processes as *simple* commands, so that $! is the process itself (a function
# run with & would leave $! pointing at a subshell and the real process unkillable by PID).
_ns_prefix() {
    case "$1" in
        up)   NSPFX=(ip netns exec "$BT_UP") ;;
        host) NSPFX=(ip netns exec "$BT_HOST") ;;
        *[!0-9]*)
            if [[ "$1" == /* ]]; then NSPFX=(nsenter "--net=$1" --); else NSPFX=(ip netns exec "$1"); fi ;;
        *)    NSPFX=(nsenter "--net=/proc/$1/ns/net" --) ;;
    esac
}

# in_ns NS CMD...: NS is a netns name (ip netns exec) or a PID (nsenter into its netns only).
in_ns() {
    local ns=$1; shift
    if [[ "$ns" =~ ^[0-9]+$ ]]; then
        nsenter --net="/proc/$ns/ns/net" -- "$@"
    elif [[ "$ns" == /* ]]; then
        nsenter --net="$ns" -- "$@"
    else
        ip netns exec "$ns" "$@"
    fi
}

# berth_host ARGS...: run berth inside the host netns with this test's state dir.
berth_host() {
    ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$BT_STATE" "$BERTH" "$@"
}

# run_capture CMD...: run CMD, set RC OUT ERR (never fails).
run_capture() {
    "$@" >"$BT_TMP/.out" 2>"$BT_TMP/.err"
    RC=$?
    OUT=$(cat "$BT_TMP/.out")
    ERR=$(cat "$BT_TMP/.err")
    return 0
}

_show_result() {
    printf '    command: %s\n    exit:    %s\n' "$*" "$RC" >&2
    [[ -n "$OUT" ]] && printf '    stdout:\n%s\n' "$(sed 's/^/      /' <<<"$OUT")" >&2
    [[ -n "$ERR" ]] && printf '    stderr:\n%s\n' "$(sed 's/^/      /' <<<"$ERR")" >&2
    return 0
}

# ---------------------------------------------------------------------------------------------
# assertions

assert_ok() {
    run_capture "$@"
    if [[ $RC -ne 0 ]]; then
        _show_result "$@"
        fail "expected success: $*"
    fi
}

assert_fails() {
    run_capture "$@"
    if [[ $RC -eq 0 ]]; then
        _show_result "$@"
        fail "expected failure: $*"
    fi
}

# assert_berth_error CMD...: non-zero exit and exactly one stderr line starting "Error: ".
assert_berth_error() {
    run_capture "$@"
    if [[ $RC -eq 0 ]]; then
        _show_result "$@"; fail "expected an error: $*"
    fi
    if [[ $RC -ge 128 ]]; then
        _show_result "$@"; fail "berth died from a signal (exit $RC): $*"
    fi
    local n
    n=$(printf '%s\n' "$ERR" | grep -c .)
    if [[ "$n" -ne 1 || "$ERR" != "Error: "* ]]; then
        _show_result "$@"; fail "expected exactly one stderr line starting 'Error: ': $*"
    fi
}

assert_eq() {
    [[ "$1" == "$2" ]] || fail "${3:-values differ}: expected [$1], got [$2]"
}

assert_ne() {
    [[ "$1" != "$2" ]] || fail "${3:-values equal}: both [$1]"
}

assert_contains() {
    [[ "$1" == *"$2"* ]] || fail "${3:-missing substring}: [$2] not in:
$(sed 's/^/      /' <<<"$1")"
}

assert_not_contains() {
    [[ "$1" != *"$2"* ]] || fail "${3:-unexpected substring}: [$2] found in:
$(sed 's/^/      /' <<<"$1")"
}

assert_match() {   # assert_match STRING ERE [msg]
    [[ "$1" =~ $2 ]] || fail "${3:-no match}: [$1] !~ /$2/"
}

# wait_until SECONDS WHAT CMD...: run CMD every 20 ms until it succeeds; fail naming WHAT once
# SECONDS have passed. Tests wait for the event they need, never a fixed time that a busy
# machine can exceed.
wait_until() {
    local end=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        ((SECONDS < end)) || fail "timed out waiting for: $what"
        sleep 0.02
    done
}

# ---------------------------------------------------------------------------------------------
# network helpers (IPv4 math done in bash)

ip2int() { local IFS=.; set -- $1; echo $(( ($1 << 24) | ($2 << 16) | ($3 << 8) | $4 )); }
int2ip() { echo "$(( ($1 >> 24) & 255 )).$(( ($1 >> 16) & 255 )).$(( ($1 >> 8) & 255 )).$(( $1 & 255 ))"; }

# in_subnet IP CIDR: true when IP (with or without /len) lies in CIDR.
in_subnet() {
    local ip=${1%/*} net=${2%/*} len=${2#*/}
    local mask=$(( len == 0 ? 0 : (0xffffffff << (32 - len)) & 0xffffffff ))
    (( ($(ip2int "$ip") & mask) == ($(ip2int "$net") & mask) ))
}

# subnets_overlap CIDR CIDR
subnets_overlap() {
    local l1=${1#*/} l2=${2#*/}
    local l=$(( l1 < l2 ? l1 : l2 ))
    in_subnet "${1%/*}" "${2%/*}/$l"
}

# net_json NAME: the inspect object of one network.
net_json() {
    berth_host network inspect "$1" | jq -c '.[0]'
}

# net_field NAME FIELD: one field of `network inspect`.
net_field() {
    berth_host network inspect "$1" | jq -r --arg f "$2" '.[0][$f]'
}

# create_net NAME [ARGS...]: create a network (asserting success) and set NET_SUBNET NET_GW NET_BRIDGE,
# and NET_SUBNET6 NET_GW6 (empty without IPv6). An IPv6-only network has NET_SUBNET/NET_GW "null".
create_net() {
    local name=$1; shift
    assert_ok berth_host network create "$name" "$@"
    assert_ok berth_host network inspect "$name"
    NET_SUBNET=$(jq -r '.[0].subnet' <<<"$OUT")
    NET_GW=$(jq -r '.[0].gateway' <<<"$OUT")
    NET_BRIDGE=$(jq -r '.[0].bridge' <<<"$OUT")
    NET_SUBNET6=$(jq -r '.[0].subnet6 // ""' <<<"$OUT")
    NET_GW6=$(jq -r '.[0].gateway6 // ""' <<<"$OUT")
    [[ ( ( "$NET_SUBNET" == */* && -n "$NET_GW" && "$NET_GW" != null ) || ( "$NET_SUBNET" == null && "$NET_SUBNET6" == */* && -n "$NET_GW6" ) ) \
       && -n "$NET_BRIDGE" && "$NET_BRIDGE" != null ]] \
        || fail "network inspect $name lacks subnet/gateway/bridge: $OUT"
}

# connect NETWORK TARGET [ARGS...]: connect (asserting success) and set EP (the JSON), EP_IP (no
# prefix), EP_CIDR, EP_GW, EP_HOSTIF, EP_MAC, EP_IFNAME, and EP_IP6 EP_CIDR6 EP_GW6 (empty without
# IPv6). On an IPv6-only network EP_CIDR is empty.
connect() {
    assert_ok berth_host network connect "$@"
    EP=$OUT
    jq -e . >/dev/null 2>&1 <<<"$EP" || fail "connect did not print JSON: $EP"
    EP_CIDR=$(jq -r '.ipv4' <<<"$EP")
    EP_IP=${EP_CIDR%/*}
    EP_GW=$(jq -r '.gateway' <<<"$EP")
    EP_HOSTIF=$(jq -r '.hostIfname' <<<"$EP")
    EP_MAC=$(jq -r '.mac' <<<"$EP")
    EP_IFNAME=$(jq -r '.ifname' <<<"$EP")
    EP_CIDR6=$(jq -r '.ipv6 // ""' <<<"$EP")
    EP_IP6=${EP_CIDR6%/*}
    EP_GW6=$(jq -r '.gateway6 // ""' <<<"$EP")
    [[ "$EP_CIDR" == */* || ( -z "$EP_CIDR" && "$EP_CIDR6" == */* ) ]] || fail "endpoint ipv4 is not a.b.c.d/len: $EP"
}

# ---------------------------------------------------------------------------------------------
# containers

BT_NCONT=0

# new_netns_container VAR: create a named netns bt-c-<id>-N (lo up); store its name in VAR.
new_netns_container() {
    BT_NCONT=$((BT_NCONT + 1))
    local name="bt-c-$BT_ID-$BT_NCONT"
    _bt_mkns "$name" || fail "cannot create netns $name"
    printf -v "$1" '%s' "$name"
}

# new_pid_container VAR: start `unshare -n sleep 300` inside the host netns; store its PID in VAR.
# The container's netns is /proc/PID/ns/net.
new_pid_container() {
    local hostino pid ino i
    hostino=$(in_host readlink /proc/self/ns/net)
    ip netns exec "$BT_HOST" unshare -n sleep 300 </dev/null >/dev/null 2>&1 &
    pid=$!
    _bt_record pids "$pid"
    # ip netns exec and unshare exec in place, so $! becomes sleep in its own netns.
    for ((i = 0; i < 100; i++)); do
        ino=$(readlink "/proc/$pid/ns/net" 2>/dev/null) || fail "container process $pid died"
        if [[ "$ino" != "$hostino" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == sleep ]]; then
            break
        fi
        sleep 0.05
    done
    ((i < 100)) || fail "container process $pid never got its own netns"
    in_ns "$pid" ip link set lo up
    printf -v "$1" '%s' "$pid"
}

# new_container KIND VAR: KIND is netns or pid.
new_container() {
    case "$1" in
        netns) new_netns_container "$2" ;;
        pid)   new_pid_container "$2" ;;
        *)     fail "unknown container kind $1" ;;
    esac
}

# kill_container PID: end a PID container we started.
kill_container() {
    grep -qx "$1" "$BT_TMP/pids" || fail "refusing to kill $1: not started by this test"
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# ---------------------------------------------------------------------------------------------
# traffic

# ping_ok NS ADDR: NS may be a netns name, PID, or "host"/"up". Up to 3 tries of ping -c1 -W1
# (the first may be lost to ARP resolution).
ping_ok() {
    local ns=$1 addr=$2 i
    for i in 1 2 3; do
        _ping_in "$ns" "$addr" && return 0
    done
    fail "ping from $ns to $addr failed"
}

# ping_fails NS ADDR
ping_fails() {
    local ns=$1 addr=$2
    if _ping_in "$ns" "$addr"; then
        fail "ping from $ns to $addr unexpectedly succeeded"
    fi
    return 0
}

_ping_in() {
    case "$1" in
        host) in_host ping -n -q -c1 -W1 "$2" >/dev/null 2>&1 ;;
        up)   in_up ping -n -q -c1 -W1 "$2" >/dev/null 2>&1 ;;
        *)    in_ns "$1" ping -n -q -c1 -W1 "$2" >/dev/null 2>&1 ;;
    esac
}

# _await_listener PID FILE WHAT: record a listener started in the background and wait until it
# has created FILE.ready (it has bound its socket); fail naming WHAT if it never does.
_await_listener() {
    local pid=$1 file=$2 what=$3 i
    _bt_record pids "$pid"
    for ((i = 0; i < 100; i++)); do
        [[ -e "$file.ready" ]] && return 0
        sleep 0.05
    done
    fail "$what did not start: $(cat "$file.err")"
}

# (The listeners and clients below speak IPv6 when the address they bind or ask contains a ':'.)

# start_listener NS ADDR PORT: a TCP server in NS (netns name, PID, "up" or "host") on ADDR:PORT
# that answers every connection with the peer address it sees and appends that address to
# $BT_TMP/peers-PORT.
start_listener() {
    local ns=$1 addr=$2 port=$3
    local file="$BT_TMP/peers-$port"
    _ns_prefix "$ns"
    : >"$file"
    "${NSPFX[@]}" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(64)
open(sys.argv[3] + ".ready", "w").close()
while True:
    c, peer = s.accept()
    with open(sys.argv[3], "a") as f:
        f.write(peer[0] + "\n")
    c.sendall((peer[0] + "\n").encode())
    c.close()
' "$addr" "$port" "$file" </dev/null >/dev/null 2>"$file.err" &
    _await_listener "$!" "$file" "listener on $addr:$port in $ns"
}

# start_upstream_listener PORT: start_listener in the upstream netns on 203.0.113.1:PORT.
start_upstream_listener() { start_listener up "$UPSTREAM_IP" "$1"; }

# start_udp_listener NS ADDR PORT: log the source address of every UDP datagram to ADDR:PORT
# in $BT_TMP/peers-PORT (no reply: this shows what arrives, even when no reply could return).
# With a fourth argument "tagged", each line is "SOURCE PAYLOAD", telling datagrams apart that
# NAT gives the same source.
start_udp_listener() {
    local ns=$1 addr=$2 port=$3
    local file="$BT_TMP/peers-$port"
    _ns_prefix "$ns"
    : >"$file"
    "${NSPFX[@]}" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
open(sys.argv[3] + ".ready", "w").close()
while True:
    data, peer = s.recvfrom(2048)
    with open(sys.argv[3], "a") as f:
        f.write(peer[0] + (" " + data.decode() if sys.argv[4] == "tagged" else "") + "\n")
' "$addr" "$port" "$file" "${4:-}" </dev/null >/dev/null 2>"$file.err" &
    _await_listener "$!" "$file" "UDP listener on $addr:$port in $ns"
}

# udp_send NS ADDR PORT: send three datagrams from NS (errors ignored), then wait a moment.
udp_send() {
    in_ns "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    try:
        s.sendto(b"bt", (sys.argv[1], int(sys.argv[2])))
    except OSError:
        pass
' "$2" "$3" 2>/dev/null
    sleep 0.3
}

# peers_seen PORT: addresses the listener on PORT has seen, one per line.
peers_seen() { cat "$BT_TMP/peers-$1"; }

# tcp_ask NS ADDR PORT: connect from NS to ADDR:PORT, print the line the server sends (2 s timeout).
tcp_ask() {
    in_ns "$1" python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
print(s.recv(100).decode().strip())
' "$2" "$3"
}

# ---------------------------------------------------------------------------------------------
# inspection of the sandbox

# host_links: names of all links in the host netns (one per line, without @peer suffix).
# await_detaches: wait until every veth deletion a detach handed to its background child is done.
# The child holds the state's operation lock (shared) until its veth is gone, so taking the lock
# exclusively waits for exactly that (and for berth commands still running).
await_detaches() {
    [[ -e "$BT_STATE/operations.lock" ]] || return 0
    flock -x -w 30 "$BT_STATE/operations.lock" true || fail "operation lock still held after 30 s"
}

# host_links: names of the links in the host netns, once pending veth deletions are done.
host_links() { await_detaches; ip -n "$BT_HOST" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1; }

# ns_links NS: names of the links in a container.
ns_links() { await_detaches; in_ns "$1" ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1; }

host_veths() { host_links | grep '^bv' || true; }

nft_berth() { in_host nft list table inet berth 2>/dev/null || true; }

endpoints_json() { berth_host endpoints --format json | jq -c 'sort_by(.id)'; }

# snapshot [CONTAINER...]: everything a failed command must not change.
snapshot() {
    local c
    await_detaches
    # names and bridge membership only: carrier flags and IPv6 link-local addresses change
    # asynchronously and are not something a failed command "did". Routes likewise without their
    # "linkdown" flag: it follows the link's carrier, but the kernel passes carrier changes on to
    # the routes from its linkwatch work, up to a second later (more on a busy machine), e.g.
    # after a refused ADD's veth came and went on a bridge.
    echo "## links";     ip -n "$BT_HOST" -o link show | awk -F': ' '{ split($2, n, "@"); m = ""; if (match($0, / master [^ ]+/)) m = substr($0, RSTART, RLENGTH); print n[1] m }' | sort
    echo "## addrs";     ip -n "$BT_HOST" -o -4 addr show | awk '{print $2, $4}' | sort
    echo "## routes";    ip -n "$BT_HOST" route show | _settled_routes
    echo "## nft";       in_host nft list ruleset 2>&1
    echo "## networks";  berth_host network ls --format json 2>&1 | jq -S 'sort_by(.name)' 2>&1
    echo "## endpoints"; berth_host endpoints --format json 2>&1 | jq -S 'sort_by(.id)' 2>&1
    [[ "${BT_SNAPSHOT_IPV6:-0}" == 1 ]] && _snapshot_ipv6 host
    for c in "$@"; do
        echo "## container $c"
        in_ns "$c" ip -o link show | awk -F': ' '{ split($2, n, "@"); print n[1] }' | sort
        in_ns "$c" ip -o -4 addr show | awk '{print $2, $4}' | sort
        in_ns "$c" ip route show | _settled_routes
        [[ "${BT_SNAPSHOT_IPV6:-0}" == 1 ]] && _snapshot_ipv6 "$c"
    done
    return 0
}

# _settled_routes: `ip route show` output on stdin without the carrier's "linkdown" flag, sorted.
_settled_routes() { sed -E 's/ linkdown( |$)/\1/' | sort; }

# assert_unchanged BEFORE [CONTAINER...]: compare a snapshot taken earlier with now.
assert_unchanged() {
    local before=$1; shift
    local after
    after=$(snapshot "$@")
    if [[ "$before" != "$after" ]]; then
        diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed 's/^/      /' >&2
        fail "state changed by a failed command"
    fi
}

# assert_clean [NETWORK_BRIDGE:SUBNET...]: no host veths, no endpoints/leases, and for every
# removed network given as BRIDGE:SUBNET: no bridge, no nft rule mentioning the subnet.
assert_clean() {
    local v e spec br sub nft
    v=$(host_veths)
    [[ -z "$v" ]] || fail "host veths left behind: $v"
    e=$(berth_host endpoints --format json) || fail "berth endpoints failed"
    assert_eq "[]" "$(jq -c . <<<"$e")" "endpoints/leases left behind"
    nft=$(nft_berth)
    for spec in "$@"; do
        br=${spec%%:*}; sub=${spec#*:}
        if ip -n "$BT_HOST" link show "$br" >/dev/null 2>&1; then
            fail "bridge $br still exists"
        fi
        assert_not_contains "$nft" "$sub" "nft rule for removed subnet $sub left behind"
    done
}

# assert_container_clean NS: only lo left in the container.
assert_container_clean() {
    local l
    l=$(ns_links "$1" | grep -vx lo || true)
    [[ -z "$l" ]] || fail "links left in container $1: $l"
}

# container_ipv4 NS [IFNAME]: a.b.c.d/len of IFNAME (default eth0).
container_ipv4() {
    in_ns "$1" ip -o -4 addr show dev "${2:-eth0}" | awk '{print $4}' | head -n1
}

# container_default_gw NS
container_default_gw() {
    in_ns "$1" ip -4 route show default | awk '/^default via/ {print $3; exit}'
}

# a PID that does not exist right now
free_pid() {
    local p
    for p in 4194000 3999999 2999999 999999 99999 77777; do
        kill -0 "$p" 2>/dev/null || [[ -e /proc/$p ]] || { echo "$p"; return; }
    done
    echo 4194303
}

# ---------------------------------------------------------------------------------------------
# CNI: drive the berth binary exactly as a container runtime does

# cni_conf NAME [JQ_FILTER]: a minimal Berth CNI config for network NAME (cniVersion 1.1.0),
# optionally transformed by a jq filter; printed on stdout.
cni_conf() {
    jq -cn --arg n "$1" '{cniVersion: "1.1.0", name: $n, type: "berth"}' | jq -c "${2:-.}"
}

# cni_netns CONTAINER: the CNI_NETNS path of a container (named netns or PID).
cni_netns() {
    if [[ "$1" =~ ^[0-9]+$ ]]; then echo "/proc/$1/ns/net"; else echo "/run/netns/$1"; fi
}

# cni_run COMMAND CONTAINERID NETNS IFNAME [CNI_ARGS]: run berth as a CNI plugin in the host
# netns with only the CNI environment (plus this test's state dir unless CNI_NO_STATE_ENV=1)
# and $CNI_STDIN on stdin; sets RC OUT ERR. Never fails.
cni_run() {
    local cmd=$1 cid=$2 netns=$3 ifname=$4 args=${5:-}
    local -a envs=(PATH="$PATH" CNI_COMMAND="$cmd" CNI_CONTAINERID="$cid" CNI_NETNS="$netns"
                   CNI_IFNAME="$ifname" CNI_ARGS="$args" CNI_PATH=/opt/cni/bin)
    # berth-dns, started by an ADD on a DNS network, reads this test's resolv.conf
    [[ -n "${BERTH_RESOLV_CONF:-}" ]] && envs+=(BERTH_RESOLV_CONF="$BERTH_RESOLV_CONF")
    [[ -n "${BERTH_DNS_BINARY:-}" ]] && envs+=(BERTH_DNS_BINARY="$BERTH_DNS_BINARY")
    [[ "${CNI_NO_STATE_ENV:-0}" == 1 ]] || envs+=(BERTH_STATE_DIR="$BT_STATE")
    [[ -n "${CNI_EXTRA_ENV:-}" ]] && envs+=($CNI_EXTRA_ENV)
    in_host env -i "${envs[@]}" "$BERTH" <<<"${CNI_STDIN:-}" >"$BT_TMP/.out" 2>"$BT_TMP/.err"
    RC=$?
    OUT=$(cat "$BT_TMP/.out")
    ERR=$(cat "$BT_TMP/.err")
    return 0
}

# cni_ok COMMAND CONTAINERID NETNS IFNAME [CNI_ARGS]: cni_run, asserting exit 0 and, for ADD
# and VERSION, a JSON object on stdout (other commands print nothing).
cni_ok() {
    cni_run "$@"
    if [[ $RC -ne 0 ]]; then _show_result "CNI $*"; fail "CNI $1 failed"; fi
    case "$1" in
        ADD|VERSION) jq -e 'type == "object"' >/dev/null 2>&1 <<<"$OUT" || { _show_result "CNI $*"; fail "CNI $1 printed no JSON object"; } ;;
        *) [[ -z "$OUT" ]] || { _show_result "CNI $*"; fail "CNI $1 printed something on success"; } ;;
    esac
}

# cni_error CODE COMMAND CONTAINERID NETNS IFNAME [CNI_ARGS]: cni_run, asserting a non-zero exit
# (not a signal), the spec's error object with that code on stdout, and a log line on stderr.
cni_error() {
    local code=$1; shift
    cni_run "$@"
    if [[ $RC -eq 0 || $RC -ge 128 ]]; then _show_result "CNI $*"; fail "CNI $1: expected an error exit, got $RC"; fi
    jq -e 'has("cniVersion") and has("code") and has("msg")' >/dev/null 2>&1 <<<"$OUT" \
        || { _show_result "CNI $*"; fail "CNI $1: stdout is not a CNI error object"; }
    assert_eq "$code" "$(jq -r .code <<<"$OUT")" "CNI error code for $1 (msg: $(jq -r .msg <<<"$OUT"))"
    [[ -n "$ERR" ]] || fail "CNI $1: no log line on stderr"
}

# ---------------------------------------------------------------------------------------------
# published ports and isolation (test_ports*.sh, test_isolation*.sh)

# start_payload_listener NS ADDR PORT PAYLOAD [tcp|udp]: a server in NS that answers every TCP
# connection (or UDP datagram) with "PAYLOAD PEER_ADDRESS" and logs the peer in
# $BT_TMP/peers-PROTO-PORT.
start_payload_listener() {
    local ns=$1 addr=$2 port=$3 payload=$4 proto=${5:-tcp}
    local file="$BT_TMP/peers-$proto-$port-${ns//\//_}"
    _ns_prefix "$ns"
    : >"$file"
    "${NSPFX[@]}" python3 -c '
import socket, sys
addr, port, payload, proto, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, kind)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
if proto == "tcp":
    s.listen(64)
open(log + ".ready", "w").close()
while True:
    if proto == "tcp":
        c, peer = s.accept()
        c.sendall(("%s %s\n" % (payload, peer[0])).encode())
        c.close()
    else:
        data, peer = s.recvfrom(2048)
        s.sendto(("%s %s\n" % (payload, peer[0])).encode(), peer)
    with open(log, "a") as f:
        f.write(peer[0] + "\n")
' "$addr" "$port" "$payload" "$proto" "$file" </dev/null >/dev/null 2>"$file.err" &
    _await_listener "$!" "$file" "$proto listener on $addr:$port in $ns"
}

# port_ask NS ADDR PORT [tcp|udp]: one request from NS; prints the reply line (1 s timeout,
# non-zero exit when nothing answers).
port_ask() {
    in_ns_any "$1" python3 -c '
import socket, sys
addr, port, proto = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if proto == "tcp":
    s = socket.create_connection((addr, port), timeout=1)
    print(s.recv(200).decode().strip())
else:
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    s.sendto(b"q", (addr, port))
    print(s.recv(200).decode().strip())
' "$2" "$3" "${4:-tcp}"
}

# in_ns_any NS CMD...: like in_ns, also accepting "host" and "up".
in_ns_any() {
    local ns=$1; shift
    case "$ns" in
        host) in_host "$@" ;;
        up)   in_up "$@" ;;
        *)    in_ns "$ns" "$@" ;;
    esac
}

# assert_port_answers NS ADDR PORT PROTO PAYLOAD: the reply starts with PAYLOAD (3 tries); sets OUT.
assert_port_answers() {
    local i
    for i in 1 2 3; do
        run_capture port_ask "$1" "$2" "$3" "$4"
        [[ $RC -eq 0 && "$OUT" == "$5 "* ]] && return 0
    done
    fail "$4 $2:$3 from $1: expected '$5 ...', got exit $RC [$OUT] ${ERR##*$'\n'}"
}

# assert_port_silent NS ADDR PORT PROTO: nothing answers.
assert_port_silent() {
    run_capture port_ask "$1" "$2" "$3" "$4"
    [[ $RC -ne 0 ]] || fail "$4 $2:$3 from $1 unexpectedly answered: $OUT"
}

# nft_map MAP: the element lines of one of Berth's port maps, one element per line.
nft_map() {
    in_host nft -j list map inet berth "$1" 2>/dev/null | jq -r '
        .nftables[] | select(.map) | .map.elem // [] | .[] |
        [(.[0] | if type == "object" then .concat | map(tostring) | join(" . ") else tostring end),
         (.[1] | if type == "object" then .concat | map(tostring) | join(" . ") else tostring end)] | join(" : ")'
}

# isolation matrix (test_isolation.sh, test_ipv6.sh)

# _matrix NET... : two containers per network (netns + pid); sets M_NS[i] M_IP[i] M_IP6[i] M_NET[i]
# (M_IP6[i] empty without IPv6).
_matrix() {
    local net c
    M_NS=() M_IP=() M_IP6=() M_NET=()
    for net in "$@"; do
        for kind in netns pid; do
            new_container "$kind" c
            connect "$net" "$c"
            M_NS+=("$c"); M_IP+=("$EP_IP"); M_IP6+=("$EP_IP6"); M_NET+=("$net")
        done
    done
}

# _reaches FROM_INDEX TO_INDEX: one ping to the IPv4 address, or to the IPv6 one when M_FAMILY=6
# (ARP and neighbour discovery are warm after the first pass).
_reaches() {
    local to=${M_IP[$2]}
    [[ "${M_FAMILY:-4}" == 6 ]] && to=${M_IP6[$2]}
    in_ns "${M_NS[$1]}" ping -n -q -c1 -W1 "$to" >/dev/null 2>&1
}

# _check_matrix ALLOWED_PAIRS_FUNCTION: every ordered pair; the function says whether
# networks $1 and $2 may talk.
_check_matrix() {
    local i j want got bad=""
    for ((i = 0; i < ${#M_NS[@]}; i++)); do
        for ((j = 0; j < ${#M_NS[@]}; j++)); do
            ((i == j)) && continue
            if "$1" "${M_NET[$i]}" "${M_NET[$j]}"; then want=yes; else want=no; fi
            got=no
            if [[ $want == yes ]]; then
                _reaches "$i" "$j" || _reaches "$i" "$j" || _reaches "$i" "$j" || true
                _reaches "$i" "$j" && got=yes
            else
                _reaches "$i" "$j" && got=yes
            fi
            [[ $want == "$got" ]] || bad+=" ${M_NET[$i]}#$i->${M_NET[$j]}#$j(want $want)"
        done
    done
    [[ -z "$bad" ]] || fail "isolation matrix wrong:$bad"
}

_same_network() { [[ "$1" == "$2" ]]; }

# skip_test REASON: end the test as skipped (the runner counts exit 77 as SKIP, not FAIL).
skip_test() {
    echo "SKIP: $*"
    exit 77
}

# ---------------------------------------------------------------------------------------------
# Podman 4.3 with network_backend = "cni" running containers on a conflist whose plugin is
# `berth` (test_cni_podman.sh, test_ipv6.sh).
#
# Everything runs inside this test's throwaway host netns and a private mount namespace: Podman's
# storage, run dirs, containers.conf, network config dir, CNI plugin dir, /run/netns (where it
# creates container namespaces) and /var/lib/cni (libcni's cache) are private tmp directories
# or tmpfs mounts that vanish with the test. No registry is used: the image is imported from a
# busybox-static rootfs. Needs the Debian packages podman, runc and busybox-static.

# podman_cni_prepare DIR: skip the test unless those are installed; lay out DIR: storage,
# containers.conf (CNI backend, plugin dir holding berth, network config dir DIR/net.d, default
# network bertnet), storage.conf and the busybox rootfs.
podman_cni_prepare() {
    local dir=$1 p
    for p in podman runc; do command -v "$p" >/dev/null 2>&1 || skip_test "$p is not installed (apt-get install podman runc busybox-static)"; done
    [[ -x /bin/busybox ]] || skip_test "busybox-static is not installed"
    file -L /bin/busybox 2>/dev/null | grep -q "statically linked" || ldd /bin/busybox 2>&1 | grep -q "not a dynamic" \
        || skip_test "/bin/busybox is not statically linked (install busybox-static)"

    mkdir -p "$dir"/{root,runroot,tmp,net.d,plugins,rootfs/bin,rootfs/etc,rootfs/tmp,rootfs/proc,rootfs/sys,rootfs/dev}
    ln -s "$BERTH" "$dir/plugins/berth"
    cp /bin/busybox "$dir/rootfs/bin/busybox"
    for p in sh ping sleep ip cat; do ln -s busybox "$dir/rootfs/bin/$p"; done
    echo 'root:x:0:0:root:/:/bin/sh' >"$dir/rootfs/etc/passwd"
    cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[network]
network_backend = "cni"
cni_plugin_dirs = ["$dir/plugins"]
network_config_dir = "$dir/net.d"
default_network = "bertnet"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
CONF
    cat >"$dir/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$dir/root"
runroot = "$dir/runroot"
CONF
}

# podman_cni_conflist DIR BRIDGE RANGES ROUTES: DIR/net.d/bertnet.conflist, the reference bridge
# plugin's conflist as Podman writes it with only `type` changed, plus Berth's stateDir (Podman
# does not pass the test's environment through to plugins reliably). RANGES and ROUTES are the
# JSON of ipam.ranges and ipam.routes.
podman_cni_conflist() {
    jq -n --arg br "$2" --arg state "$BT_STATE" --argjson ranges "$3" --argjson routes "$4" '{
        cniVersion: "0.4.0", name: "bertnet",
        plugins: [{type: "berth", bridge: $br, isGateway: true, ipMasq: true, hairpinMode: true,
                   stateDir: $state, ipam: {type: "host-local", routes: $routes, ranges: $ranges},
                   capabilities: {ips: true}}]}' >"$1/net.d/bertnet.conflist" || fail "cannot write the conflist"
}

# podman_cni_run DIR <<'SCRIPT': run SCRIPT (sh, set -eu) with `pm` (Podman on DIR's storage),
# $BERTH and $BT_STATE, after importing the image localhost/bt-busybox, in the host netns and a
# private mount namespace; sets RC OUT ERR and shows OUT on stderr. Containers named bt-c1 and
# bt-c2 are removed even when SCRIPT fails half-way.
podman_cni_run() {
    local dir=$1
    {
        cat <<'SCRIPT'
set -eu
dir=$1
# private mounts: Podman's namespaces and libcni's cache live and die with this mount namespace
mount --make-rprivate /
mkdir -p /run/netns /var/lib/cni
mount -t tmpfs bt-podman-netns /run/netns
mount -t tmpfs bt-podman-cni /var/lib/cni
export CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf
export XDG_RUNTIME_DIR=$dir/tmp TMPDIR=$dir/tmp
pm() { podman --root "$dir/root" --runroot "$dir/runroot" --storage-driver vfs "$@"; }
# a failure half-way must not leave runc containers (and their cgroups) running
trap 'pm rm -f -t 0 bt-c1 bt-c2 >/dev/null 2>&1 || true' EXIT
tar -C "$dir/rootfs" -c . | pm import - localhost/bt-busybox:latest >/dev/null
SCRIPT
        cat
    } >"$dir/scenario.sh"
    # nsenter rather than `ip netns exec`: the latter remounts /sys, hiding the cgroup mounts runc needs.
    run_capture nsenter --net="/run/netns/$BT_HOST" -- env BT_STATE="$BT_STATE" BERTH="$BERTH" \
        unshare -m --propagation private bash "$dir/scenario.sh" "$dir"
    printf '%s\n' "$OUT" >&2
}

# ---------------------------------------------------------------------------------------------
# IPv6 (test_ipv6.sh). Nothing here runs unless a test calls setup_host_ipv6 (after setup_host),
# so every other test's sandbox stays exactly as before. It adds, with documentation prefixes:
#
#   [bt-host-<id>] bt-uplink 2001:db8:203::2/64 ──veth── bt-upl 2001:db8:203::1/64 [bt-up-<id>]
#                  default route via 2001:db8:203::1          2001:db8:198::1/128 on lo
#                                                             NO route back to container subnets
#
# Both addresses skip DAD (nodad). Globals: UPLINK_HOST_IP6 UPSTREAM_IP6 BEYOND_IP6.

UPLINK_HOST_IP6=2001:db8:203::2
UPSTREAM_IP6=2001:db8:203::1
BEYOND_IP6=2001:db8:198::1
RA_ROUTER_LL=fe80::1     # the upstream's link-local source of router advertisements

# _ipv6_ready NS IFNAME: the kernel has set up IPv6 on the link (its multicast route exists), so
# packets to and from it are no longer refused as unreachable.
_ipv6_ready() { [[ -n "$(ip -n "$1" -6 route show table local type multicast dev "$2" 2>/dev/null)" ]]; }

# setup_host_ipv6: give the sandbox the IPv6 side of the topology above; from now on snapshot
# also compares IPv6 addresses, routes and the forwarding switch.
setup_host_ipv6() {
    ip -n "$BT_HOST" addr add "$UPLINK_HOST_IP6/64" dev "$UPLINK_IF" nodad || fail "cannot add $UPLINK_HOST_IP6"
    ip -n "$BT_UP" addr add "$UPSTREAM_IP6/64" dev "$UPSTREAM_IF" nodad || fail "cannot add $UPSTREAM_IP6"
    ip -n "$BT_UP" addr add "$BEYOND_IP6/128" dev lo || fail "cannot add $BEYOND_IP6"
    ip -n "$BT_HOST" -6 route add default via "$UPSTREAM_IP6" || fail "cannot add the IPv6 default route"
    wait_until 20 "IPv6 on $UPLINK_IF" _ipv6_ready "$BT_HOST" "$UPLINK_IF"
    wait_until 20 "IPv6 on $UPSTREAM_IF" _ipv6_ready "$BT_UP" "$UPSTREAM_IF"
    BT_SNAPSHOT_IPV6=1
}

# _snapshot_ipv6 host|CONTAINER: snapshot's IPv6 part: global addresses (without DAD flags), main
# table routes without link-local ones and without the countdown of RA routes, and (host) whether
# forwarding is on. Link-local addresses come and go with carrier changes, not with commands.
_snapshot_ipv6() {
    local -a pfx=(in_host)
    [[ "$1" == host ]] || pfx=(in_ns "$1")
    echo "## ipv6 $1"
    "${pfx[@]}" ip -o -6 addr show scope global | awk '{print $2, $4}' | sort
    "${pfx[@]}" ip -6 route show | grep -v '^fe80::' | sed -E 's/ expires [0-9]+sec//' | _settled_routes
    [[ "$1" == host ]] && echo "forwarding $(in_host sysctl -n net.ipv6.conf.all.forwarding)"
    return 0
}

# _ip6calc EXPR ARG...: evaluate a Python boolean EXPR over a, b (the ARGs as ipaddress objects:
# ADDR an address, PREFIX/LEN a network, ADDR/LEN with host bits an interface); exit 0 when true.
_ip6calc() {
    python3 -c '
import ipaddress, sys
def parse(t):
    if "/" not in t:
        return ipaddress.ip_address(t)
    try:
        return ipaddress.ip_network(t)
    except ValueError:
        return ipaddress.ip_interface(t)
v = [parse(t) for t in sys.argv[2:]] + [None, None]
a, b = v[0], v[1]
sys.exit(0 if eval(sys.argv[1]) else 1)
' "$@" 2>/dev/null
}

# in_subnet6 ADDR[/LEN] CIDR6: ADDR lies in CIDR6.
in_subnet6() { _ip6calc 'a in b' "${1%/*}" "$2"; }
# subnets_overlap6 CIDR6 CIDR6
subnets_overlap6() { _ip6calc 'a.overlaps(b)' "$1" "$2"; }
# is_ula64 CIDR6: a unique local /64 (fc00::/7 with the L bit, fd00::/8), in RFC 5952 text.
is_ula64() { _ip6calc 'a.prefixlen == 64 and a.subnet_of(ipaddress.ip_network("fd00::/8")) and str(a) == sys.argv[2]' "$1"; }
# ip6_nth CIDR6 N: the Nth address of the prefix (1: the gateway Berth picks), RFC 5952 text.
ip6_nth() { python3 -c 'import ipaddress, sys; print(ipaddress.ip_network(sys.argv[1])[int(sys.argv[2])])' "$1" "$2"; }

# ipv6_traces CIDR6...: what the host netns still holds of the given prefixes or addresses (an
# address as ADDR/128): addresses, routes of every table (local and anycast ones included) and
# addresses or prefixes in the nft ruleset that lie inside one of them. Empty when clean.
ipv6_traces() {
    {
        ip -n "$BT_HOST" -6 -o addr show | sed 's/^/addr: /'
        ip -n "$BT_HOST" -6 route show table all | sed 's/^/route: /'
        in_host nft list ruleset 2>/dev/null | sed 's/^/nft: /'
    } | python3 -c '
import ipaddress, re, sys
nets = [ipaddress.ip_network(a, strict=False) for a in sys.argv[1:]]
for line in sys.stdin:
    for tok in re.findall(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:]+(?:/[0-9]+)?", line):
        try:
            n = ipaddress.ip_network(tok, strict=False)
        except ValueError:
            continue
        if n.version == 6 and any(n.subnet_of(x) for x in nets):
            print(line.rstrip())
            break
' "$@"
}

# nonempty CMD...: CMD prints something (for wait_until, which runs its command again each time).
nonempty() { [[ -n "$("$@")" ]]; }

# ping_once_ok NS ADDR: exactly one echo answered within 2 s (no retries: for "usable right away").
ping_once_ok() {
    in_ns_any "$1" ping -n -q -c1 -W2 "$2" >/dev/null 2>&1 || fail "ping from $1 to $2 failed (one try, right away)"
}

# addr6_line NS IFNAME ADDR: the `ip -6 addr` line of ADDR on IFNAME in NS ("host" or a container),
# with its flags (tentative, dadfailed, ...).
addr6_line() {
    in_ns_any "$1" ip -o -6 addr show dev "$2" | awk -v a="$3" '{ split($4, p, "/"); if (p[1] == a) print }'
}

# router advertisements from the upstream (ra_sender.py), for the SLAAC case

# start_ra_sender VAR PREFIX...: in the upstream netns, advertise PREFIX(es) on bt-upl every
# 0.5 s from $RA_ROUTER_LL (added without DAD) until stopped; wait for the first RA to be sent
# and store the sender's PID in VAR.
start_ra_sender() {
    local var=$1 out pid; shift
    out="$BT_TMP/ra-$RANDOM"
    # `replace`, not a look then `add`: a second sender in the same test finds the address there
    # (seen as "address already assigned" when the look missed it), and replace takes both cases.
    ip -n "$BT_UP" addr replace "$RA_ROUTER_LL/64" dev "$UPSTREAM_IF" nodad || fail "cannot add $RA_ROUTER_LL"
    _ns_prefix up
    "${NSPFX[@]}" python3 "$BT_LIB_DIR/ra_sender.py" "$UPSTREAM_IF" "$RA_ROUTER_LL" "$@" </dev/null >"$out" 2>"$out.err" &
    pid=$!
    _bt_record pids "$pid"
    wait_until 20 "the first router advertisement" _ra_started "$pid" "$out"
    printf -v "$var" '%s' "$pid"
}

_ra_started() {   # _ra_started PID OUT
    grep -q '^sent' "$2" && return 0
    kill -0 "$1" 2>/dev/null || fail "the RA sender died: $(cat "$2.err")"
    return 1
}

# stop_ra_sender PID: end a sender started by start_ra_sender (by its recorded PID).
stop_ra_sender() { kill_container "$1"; }

# icmp6_count NS COUNTER: an ICMPv6 counter of NS ("host", "up", a netns or a PID) from
# /proc/net/snmp6, e.g. Icmp6InRouterAdvertisements (counted even when the RA is then ignored).
icmp6_count() { in_ns_any "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/snmp6; }

# host_addr6_in PREFIX: the uplink holds an address inside PREFIX (e.g. one SLAAC made).
host_addr6_in() { [[ -n "$(ip -n "$BT_HOST" -6 addr show dev "$UPLINK_IF" to "$1")" ]]; }

# host_ra_default_route: the host's default route learned from a router advertisement.
host_ra_default_route() { ip -n "$BT_HOST" -6 route show default proto ra; }

# ---------------------------------------------------------------------------------------------
# Podman 4.3 with network_backend = "netavark" (test_podman_netavark.sh). The same private
# sandbox as the CNI helpers above; the `netavark` Podman finds first in helper_binaries_dir is a
# link to a binary of the test's choice: Berth (its netavark front end answers to that name) or
# Debian's netavark (to prove the harness itself). aardvark-dns comes from /usr/lib/podman.

# podman_nv_prepare DIR TARGET [LOGDIR]: skip unless Podman, runc, busybox-static are installed;
# lay out DIR: storage, network config dir DIR/networks, DIR/helpers/netavark → TARGET, the
# busybox rootfs (with httpd, nc, nslookup) and containers.conf. With LOGDIR, DIR/helpers/netavark
# is instead a wrapper that runs TARGET (as argv[0] "netavark") and appends each call's argv,
# environment, stdin, stdout and exit status to LOGDIR/NNN-COMMAND.txt.
podman_nv_prepare() {
    local dir=$1 target=$2 logdir=${3:-} p
    for p in podman runc; do command -v "$p" >/dev/null 2>&1 || skip_test "$p is not installed (apt-get install podman runc busybox-static netavark aardvark-dns)"; done
    [[ -x /bin/busybox ]] || skip_test "busybox-static is not installed"
    file -L /bin/busybox 2>/dev/null | grep -q "statically linked" || ldd /bin/busybox 2>&1 | grep -q "not a dynamic" \
        || skip_test "/bin/busybox is not statically linked (install busybox-static)"
    [[ -x /usr/lib/podman/aardvark-dns ]] || skip_test "aardvark-dns is not installed (Podman needs it beside the netavark helper)"

    mkdir -p "$dir"/{root,runroot,tmp,networks,helpers,rootfs/bin,rootfs/etc,rootfs/tmp,rootfs/proc,rootfs/sys,rootfs/dev,rootfs/www}
    if [[ -n "$logdir" ]]; then
        mkdir -p "$logdir"
        cat >"$dir/helpers/netavark" <<WRAP
#!/bin/bash
# Logs one call of Podman to its netavark helper, then answers as $target would.
n=\$(ls "$logdir" | wc -l); n=\$(printf '%03d' "\$n")
cmd=\$(for a in "\$@"; do case "\$a" in setup|teardown|update|version|--version) echo "\$a"; break ;; esac; done)
f="$logdir/\$n-\${cmd:-other}.txt"
in=\$(mktemp); out=\$(mktemp); err=\$(mktemp)
if [[ "\$cmd" == setup || "\$cmd" == teardown ]]; then cat >"\$in"; else : >"\$in"; fi
(exec -a netavark "$target" "\$@") <"\$in" >"\$out" 2>"\$err"
rc=\$?
{
    printf '# argv: netavark'; printf ' %q' "\$@"; printf '\n'
    echo "# env: \$(env | grep -E '^(BERTH_|RUST_|NETAVARK|PATH=|CONTAINERS|XDG)' | sort | tr '\n' ' ')"
    echo "# stdin:"; cat "\$in"; echo
    echo "# stdout (rc=\$rc):"; cat "\$out"; echo
    [[ -s "\$err" ]] && { echo "# stderr:"; cat "\$err"; }
} >"\$f"
cat "\$out"; cat "\$err" >&2
rm -f "\$in" "\$out" "\$err"
exit \$rc
WRAP
        chmod +x "$dir/helpers/netavark"
    else
        ln -s "$target" "$dir/helpers/netavark"
    fi
    cp /bin/busybox "$dir/rootfs/bin/busybox"
    for p in sh ping sleep ip cat ls grep rm timeout httpd nc nslookup wget hostname; do ln -s busybox "$dir/rootfs/bin/$p"; done
    echo 'root:x:0:0:root:/:/bin/sh' >"$dir/rootfs/etc/passwd"
    echo 'bt-page' >"$dir/rootfs/www/index.html"
    cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[network]
network_backend = "netavark"
network_config_dir = "$dir/networks"

[engine]
helper_binaries_dir = ["$dir/helpers", "/usr/lib/podman"]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
CONF
    cat >"$dir/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$dir/root"
runroot = "$dir/runroot"
CONF
}

# podman_nv_run DIR <<'SCRIPT': run SCRIPT (bash, set -u) in the host netns and a private mount
# namespace with: `pm` (Podman on DIR's storage), `be` (berth on this test's state), `up CMD`
# (CMD in the upstream netns), `check NAME CMD...` (up to 3 tries; prints "CHECK NAME ok|FAILED"),
# `say KEY VALUE...` (prints "KEY VALUE..."), $BERTH, $BT_STATE, $UPLINK_HOST_IP, after importing
# the image localhost/bt-busybox. The host's resolv.conf is this test's (nameserver: the
# upstream), so aardvark-dns or berth-dns forward nowhere else. Sets RC OUT ERR and shows OUT on
# stderr. Every container is removed (podman rm -af) when SCRIPT ends, also half-way.
podman_nv_run() {
    local dir=$1
    {
        cat <<'SCRIPT'
set -u
dir=$1
mount --make-rprivate /
# the upstream namespace stays reachable after /run/netns is replaced below
touch "$dir/upns"; mount --bind "/run/netns/$BT_UP" "$dir/upns"
# Podman's run-time state lives and dies with this mount namespace: /run/containers/networks
# (its IPAM database, aardvark-dns's config: Podman puts them there whatever the storage says),
# /run/netns (container namespaces), runc's state, the xtables lock.
mount -t tmpfs bt-podman-run /run
mkdir -p /run/netns
mount --bind "$BERTH_RESOLV_CONF" /etc/resolv.conf
# Berth's default state directory is this test's: the teardown that `podman container cleanup`
# makes when a container exits or is stopped (run by conmon) gets a reduced environment
# (CONTAINERS_CONF and PATH, no BERTH_STATE_DIR), so Berth falls back to /var/lib/berth there.
# A tmpfs over /var/lib (nothing else in here uses it: Podman's storage is under $dir) holds the
# mount point, so the real host's /var/lib is never touched.
mount -t tmpfs bt-podman-varlib /var/lib
mkdir -p /var/lib/berth
mount --bind "$BT_STATE" /var/lib/berth
export CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf
export XDG_RUNTIME_DIR=$dir/tmp TMPDIR=$dir/tmp BERTH_STATE_DIR=$BT_STATE
pm() { podman --root "$dir/root" --runroot "$dir/runroot" --storage-driver vfs "$@"; }
be() { "$BERTH" "$@"; }
up() { nsenter --net="$dir/upns" -- "$@"; }
say() { echo "$*"; }
# (Debian's static busybox wget crashes with -T and with -O -: a timeout around it, into a file.) http_ok [up] URL: bt-page fetched from URL here
# or, with "up", from the upstream namespace. c_http_ok CONTAINER URL: the same inside a container.
http_ok() {
    local f rc pfx=()
    [[ $1 == up ]] && { pfx=(up); shift; }
    f=$(mktemp -p "$dir/tmp")
    "${pfx[@]}" timeout 3 /bin/busybox wget -q -O "$f" "$1" 2>/dev/null && grep -qx bt-page "$f"
    rc=$?; rm -f "$f"; return $rc
}
c_http_ok() { pm exec "$1" sh -c "rm -f /tmp/p; timeout 3 wget -q -O /tmp/p '$2' && grep -qx bt-page /tmp/p"; }
check() {
    local name=$1 i; shift
    for i in 1 2 3; do "$@" >/dev/null 2>&1 && { echo "CHECK $name ok"; return 0; }; sleep 0.2; done
    echo "CHECK $name FAILED"; return 1
}
# check_within NAME SECONDS CMD...: like check, retrying until SECONDS have passed (for changes
# that land asynchronously, e.g. a DNS server reloading its names)
check_within() {
    local name=$1 end=$((SECONDS + $2)); shift 2
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < end)) || { echo "CHECK $name FAILED"; return 1; }
        sleep 0.1
    done
    echo "CHECK $name ok"
}
# a failure half-way must not leave runc containers (and their cgroups) running
trap 'pm rm -af -t 0 >/dev/null 2>&1 || true' EXIT
tar -C "$dir/rootfs" -c . | pm import - localhost/bt-busybox:latest >/dev/null || { echo "image import failed"; exit 1; }
SCRIPT
        cat
    } >"$dir/scenario.sh"
    # nsenter rather than `ip netns exec`: the latter remounts /sys, hiding the cgroup mounts runc needs.
    run_capture nsenter --net="/run/netns/$BT_HOST" -- env BT_STATE="$BT_STATE" BERTH="$BERTH" BT_UP="$BT_UP" \
        UPLINK_HOST_IP="$UPLINK_HOST_IP" BERTH_RESOLV_CONF="$BERTH_RESOLV_CONF" \
        unshare -m --propagation private bash "$dir/scenario.sh" "$dir"
    printf '%s\n' "$OUT" >&2
    [[ -n "$ERR" ]] && printf 'stderr:\n%s\n' "$ERR" >&2
    return 0
}

# podman_checks_ok NAME...: every named CHECK of the last podman_nv_run passed (and ran).
podman_checks_ok() {
    local n bad=""
    for n in "$@"; do
        grep -qx "CHECK $n ok" <<<"$OUT" || bad+=" $n"
    done
    [[ -z "$bad" ]] || fail "Podman scenario checks failed or did not run:$bad"
}

# podman_said KEY: the value of the last "KEY ..." line the scenario printed.
podman_said() { grep "^$1 " <<<"$OUT" | tail -n1 | cut -d' ' -f2-; }
