#!/usr/bin/env bash
# Berth demo: the seed document's "Docker networking by hand", done by berth in one command each.
#
# Everything happens inside throwaway network namespaces (prefix bt-demo-) that are removed at
# the end, also on failure or Ctrl-C. The real host's interfaces, routes, sysctls and firewall are
# never touched; all traffic stays between namespaces this script creates.
#
#   [container A: named netns] ─┐                                        ┌──────────────────────┐
#                               ├─ bridge (berth) ── host ns ── uplink ──┤ "upstream" namespace │
#   [container B: a process  ] ─┘   bt-demo-host-…   203.0.113.2        │ 203.0.113.1 (+198.51.100.1)
#                                                                        └──────────────────────┘
# Env: BERTH (binary; default .build/release/berth, else .build/debug/berth), DEMO_FAST=1 (no pauses).
set -u -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z "${BERTH:-}" ]]; then
    BERTH="$REPO/.build/release/berth"
    [[ -x "$BERTH" ]] || BERTH="$REPO/.build/debug/berth"
fi

if [[ -t 1 ]]; then
    B=$'\e[1m' DIM=$'\e[2m' G=$'\e[32m' R=$'\e[31m' C=$'\e[36m' Y=$'\e[33m' N=$'\e[0m'
else
    B="" DIM="" G="" R="" C="" Y="" N=""
fi

die() { echo "${R}demo: $*${N}" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, veth, nftables): try sudo $0"
[[ -x "$BERTH" ]] || die "berth binary not found at $BERTH (build it first: make build, or set BERTH=...)"
for t in ip jq python3 unshare nsenter ping; do
    command -v "$t" >/dev/null 2>&1 || die "missing tool: $t (Debian: iproute2 jq python3 util-linux iputils-ping)"
done

ID=$$
HOST="bt-demo-host-$ID"
UP="bt-demo-up-$ID"
CA="bt-demo-a-$ID"
STATE=$(mktemp -d /tmp/bt-demo-state.XXXXXX)
BPID=""
LPID=""
NETNS_MADE=()

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    trap "" PIPE   # a closed stdout (demo | head) must not stop the cleanup
    echo
    echo "${B}== Cleaning up${N}"
    [[ -n "$BPID" ]] && kill "$BPID" 2>/dev/null && wait "$BPID" 2>/dev/null
    [[ -n "$LPID" ]] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
    # The name service exits by itself with the last DNS network; after a failure it may not have.
    local dns_pid
    dns_pid=$(cat "$STATE/dns/berth-dns.pid" 2>/dev/null)
    if [[ -n "$dns_pid" && "$(cat "/proc/$dns_pid/comm" 2>/dev/null)" == berth-dns ]]; then
        kill "$dns_pid" 2>/dev/null
    fi
    local ns
    for ns in "${NETNS_MADE[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf -- "$STATE"
    local left
    left=$(ip netns list | awk '{print $1}' | grep -E "^bt-demo-.*-$ID\$" || true)
    if [[ -z "$left" ]]; then
        echo "   removed namespaces ${HOST}, ${UP}, ${CA} and container B's process; nothing left."
    else
        echo "${R}   left behind: $left${N}"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

pause() { [[ "${DEMO_FAST:-0}" == 1 ]] || sleep "${1:-0.6}"; }
step() { echo; echo "${B}== $*${N}"; pause 0.3; }
say() { echo "   $*"; }
# show WHERE CMD...: print the command as a user would type it, then run it (output indented)
show() {
    local where=$1; shift
    echo "${C}[$where]\$ $*${N}"
}
# berth-dns (started by the first network with DNS) forwards unknown names to the resolvers of
# this file: the simulated outside, never the machine's own.
printf 'nameserver 203.0.113.1\n' >"$STATE/resolv.conf"
berth() { ip netns exec "$HOST" env BERTH_STATE_DIR="$STATE" BERTH_RESOLV_CONF="$STATE/resolv.conf" "$BERTH" "$@"; }
in_a() { ip netns exec "$CA" "$@"; }
in_b() { nsenter --net="/proc/$BPID/ns/net" -- "$@"; }
indent() { sed 's/^/     /'; }

ping_show() {   # ping_show LABEL FUNC ADDR
    local label=$1 fn=$2 addr=$3 out
    show "$label" "ping -c1 -W1 $addr"
    if out=$($fn ping -n -c1 -W1 "$addr" 2>&1) || out=$($fn ping -n -c1 -W1 "$addr" 2>&1); then
        grep -E 'bytes from|packet loss' <<<"$out" | indent
        echo "     ${G}✓ reachable${N}"
    else
        indent <<<"$out"
        echo "     ${R}✗ unreachable${N}"
        FAILED=1
    fi
}
FAILED=0

echo "${B}Berth demo${N} — container networking like docker0, in one command per step."
echo "${DIM}binary: $BERTH   state: $STATE${N}"

step "1. A throwaway 'host' and a simulated outside world"
ip netns add "$HOST" && NETNS_MADE+=("$HOST")
ip netns add "$UP" && NETNS_MADE+=("$UP")
ip -n "$HOST" link set lo up
ip -n "$UP" link set lo up
ip -n "$HOST" link add uplink0 type veth peer name eth0 netns "$UP"
ip -n "$HOST" addr add 203.0.113.2/24 dev uplink0
ip -n "$HOST" link set uplink0 up
ip -n "$HOST" route add default via 203.0.113.1
ip -n "$UP" addr add 203.0.113.1/24 dev eth0
ip -n "$UP" addr add 198.51.100.1/24 dev lo
ip -n "$HOST" addr add 2001:db8:203::2/64 dev uplink0 nodad
ip -n "$UP" addr add 2001:db8:203::1/64 dev eth0 nodad
ip -n "$UP" link set eth0 up
ip -n "$HOST" -6 route add default via 2001:db8:203::1
say "host namespace  ${Y}$HOST${N}: uplink0 203.0.113.2/24 and 2001:db8:203::2/64, default routes via ::1 / .1"
say "upstream        ${Y}$UP${N}: 203.0.113.1, 198.51.100.1, 2001:db8:203::1 — and ${B}no route back${N} to container subnets,"
say "so replies can only come back through the host's NAT."

step "2. Create a dual-stack network (bridge + free private subnet + unique local IPv6 /64 + NAT)"
show host "berth network create demo --ipv6"
berth network create demo --ipv6 2>&1 | indent || die "network create failed"
show host "berth network ls"
berth network ls 2>&1 | indent
GW=$(berth network inspect demo | jq -r '.[0].gateway')
SUBNET=$(berth network inspect demo | jq -r '.[0].subnet')
GW6=$(berth network inspect demo | jq -r '.[0].gateway6')
SUBNET6=$(berth network inspect demo | jq -r '.[0].subnet6')
BRIDGE=$(berth network inspect demo | jq -r '.[0].bridge')
say "subnets ${Y}$SUBNET${N} and ${Y}$SUBNET6${N}, gateways ${Y}$GW${N} and ${Y}$GW6${N} on bridge ${Y}$BRIDGE${N}:"
ip -n "$HOST" -br addr show dev "$BRIDGE" | indent

step "3. Two 'containers' with no network at all"
ip netns add "$CA" && NETNS_MADE+=("$CA")
ip -n "$CA" link set lo up
say "container A: a named network namespace ${Y}$CA${N}"
ip netns exec "$HOST" unshare -n sleep 600 </dev/null >/dev/null 2>&1 &
BPID=$!
for _ in $(seq 50); do
    [[ "$(readlink "/proc/$BPID/ns/net" 2>/dev/null)" != "$(ip netns exec "$HOST" readlink /proc/self/ns/net)" \
       && "$(cat "/proc/$BPID/comm" 2>/dev/null)" == sleep ]] && break
    sleep 0.05
done
in_b ip link set lo up
say "container B: a process (${Y}unshare -n sleep 600${N}, PID ${Y}$BPID${N}) with its own empty network namespace"
show "container A" "ip -br addr"
in_a ip -br addr | indent

step "4. Connect them: one veth each, eth0 inside, address, default route"
show host "berth network connect demo $CA --name alpha"
EPA=$(berth network connect demo "$CA" --name alpha) || die "connect A failed"
jq . <<<"$EPA" | indent
show host "berth network connect demo $BPID --name beta"
EPB=$(berth network connect demo "$BPID" --name beta) || die "connect B failed"
jq . <<<"$EPB" | indent
IPA=$(jq -r .ipv4 <<<"$EPA"); IPA=${IPA%/*}
IPB=$(jq -r .ipv4 <<<"$EPB"); IPB=${IPB%/*}
IPB6=$(jq -r .ipv6 <<<"$EPB"); IPB6=${IPB6%/*}
show "container A" "ip -br addr; ip route"
{ in_a ip -br addr; in_a ip route; } | indent
show "container B" "ip -br addr; ip route"
{ in_b ip -br addr; in_b ip route; } | indent
show host "berth endpoints"
berth endpoints | indent

step "5. Traffic: containers ↔ each other, ↔ host, → outside"
ping_show "container A" in_a "$IPB"
ping_show "container B" in_b "$IPA"
ping_show "container A" in_a "$GW"
ping_show host "ip netns exec $HOST" "$IPA"
ping_show "container A" in_a 203.0.113.1
ping_show "container B" in_b 198.51.100.1
say "and over IPv6, right after connect (no duplicate address detection wait), also out through NAT66:"
ping_show "container A" in_a "$IPB6"
ping_show "container A" in_a "$GW6"
ping_show "container B" in_b 2001:db8:203::1

step "5b. Names: each container finds the other by name (berth-dns on the gateway)"
if command -v dig >/dev/null 2>&1; then
    for name in beta beta.demo alpha.berth.internal; do
        show "container A" "dig +short $name @$GW"
        answer=$(in_a dig +short +time=2 +tries=1 "$name" "@$GW" 2>&1 | tr '\n' ' ')
        expected=$IPB; [[ $name == alpha* ]] && expected=$IPA
        if [[ " $answer" == *" $expected "* ]]; then
            echo "     $answer ${G}✓${N}"
        else
            echo "     $answer ${R}✗ expected $expected${N}"; FAILED=1
        fi
    done
    show "container B" "dig +short -x $IPA @$GW"
    in_b dig +short +time=2 +tries=1 -x "$IPA" "@$GW" 2>&1 | indent
else
    say "(dig not installed: apt-get install bind9-dnsutils to see the names resolve)"
fi
show host "berth dns status"
berth dns status 2>&1 | indent

step "6. Who does the outside think is calling? (proof of NAT)"
ip netns exec "$UP" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("203.0.113.1", 8080)); s.listen(8)
while True:
    c, peer = s.accept(); c.sendall((peer[0] + "\n").encode()); c.close()
' </dev/null >/dev/null 2>&1 &
LPID=$!
sleep 0.4
say "a tiny TCP server on 203.0.113.1:8080 (upstream) answers with the source address it sees"
show "container A" "python3 -c 'connect to 203.0.113.1:8080 and print the answer'"
SEEN=$(in_a python3 -c '
import socket
s = socket.create_connection(("203.0.113.1", 8080), timeout=2); print(s.recv(100).decode().strip())' 2>&1)
echo "     upstream saw: ${Y}$SEEN${N}  (container A is $IPA)"
if [[ "$SEEN" == 203.0.113.2 ]]; then
    echo "     ${G}✓ masqueraded to the host's uplink address${N}"
else
    echo "     ${R}✗ expected 203.0.113.2${N}"; FAILED=1
fi

step "7. What Berth knows about the network"
show host "berth network inspect demo"
berth network inspect demo | jq . | indent
show host "nft list table inet berth"
ip netns exec "$HOST" nft list table inet berth 2>&1 | indent

step "8. berth run: a command in a fresh namespace, attached for as long as it runs"
show host "berth run --network demo -- sh -c 'ip -br -4 addr show eth0; cat /etc/resolv.conf; getent hosts alpha; ping -c1 -W1 alpha'"
berth run --network demo -- sh -c "ip -br -4 addr show eth0; cat /etc/resolv.conf; getent hosts alpha; ping -n -c1 -W1 alpha | grep 'bytes from'" 2>&1 | indent
say "exit status: ${PIPESTATUS[0]}"

step "9. Undo: disconnect and remove"
show host "berth network disconnect demo $CA"
berth network disconnect demo "$CA" 2>&1 | indent
show host "berth network rm --force demo"
berth network rm --force demo 2>&1 | indent
show host "ip -br link   # no bv* veths, no bridge left"
ip -n "$HOST" -br link | indent
show host "berth endpoints"
berth endpoints 2>&1 | indent

echo
if ((FAILED)); then
    echo "${R}${B}Demo finished with failures (see ✗ above).${N}"
    exit 1
fi
echo "${G}${B}Demo finished: two containers found each other by name and talked to each other, to the host and (through NAT) to the outside, over IPv4 and IPv6.${N}"
