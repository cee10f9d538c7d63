# shellcheck shell=bash
# Anti-spoofing: only a network's own addresses are forwarded out of its bridge.

# _udp_from NS SOURCE DEST PORT TAG: one datagram from SOURCE (an address of NS) to DEST:PORT.
_udp_from() {
    in_ns "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(sys.argv[4].encode(), (sys.argv[2], int(sys.argv[3])))
' "$2" "$3" "$4" "$5" || fail "cannot send from $2 in $1"
}

# _await_tag PORT TAG: wait until the listener has logged TAG (datagrams from one container
# take one path in order, so everything sent before TAG has arrived or was dropped by then).
_await_tag() {
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q " $2\$" "$BT_TMP/peers-$1" && return 0
        sleep 0.05
    done
    fail "datagram $2 never arrived: $(cat "$BT_TMP/peers-$1")"
}

test_spoofed_sources_are_dropped_not_masqueraded() {
    local c real other_ip foreign_ip seen
    create_net neighbour
    other_ip=$(int2ip $(( $(ip2int "${NET_SUBNET%/*}") + 77 )))   # inside another Berth subnet
    foreign_ip=192.0.2.77                                          # inside no Berth subnet
    create_net spoof
    new_netns_container c
    connect spoof "$c"
    real=$EP_IP
    # The container claims both addresses itself: nothing stops it sending from them.
    in_ns "$c" ip addr add "$other_ip/32" dev eth0
    in_ns "$c" ip addr add "$foreign_ip/32" dev eth0
    start_udp_listener up "$UPSTREAM_IP" 5400 tagged
    _udp_from "$c" "$other_ip" "$UPSTREAM_IP" 5400 spoof-neighbour
    _udp_from "$c" "$foreign_ip" "$UPSTREAM_IP" 5400 spoof-foreign
    # The real address still works, masqueraded as always.
    _udp_from "$c" "$real" "$UPSTREAM_IP" 5400 real
    _await_tag 5400 real
    seen=$(cat "$BT_TMP/peers-5400")
    assert_eq "$UPLINK_HOST_IP real" "$seen" "only the datagram from the network's own address left the host"
    ping_ok "$c" "$UPSTREAM_IP"
    # The kernel drops them in the network's own chain, one rule for the whole network.
    assert_contains "$(nft_berth)" "ip saddr $NET_SUBNET goto egress"
}

test_spoofed_sources_between_containers_of_one_bridge_are_dropped() {
    # With br_netfilter, traffic between two ports of one bridge passes the IP forward hook too,
    # and the same source check applies there.
    local a b b_ip foreign_ip=192.0.2.79
    [[ "$(in_host cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" == 1 ]] \
        || { echo "SKIP: br_netfilter does not hand bridged IPv4 to the forward hook here"; exit 77; }
    create_net local
    new_netns_container a
    new_netns_container b
    connect local "$b"
    b_ip=$EP_IP
    connect local "$a"
    in_ns "$a" ip addr add "$foreign_ip/32" dev eth0
    start_udp_listener "$b" 0.0.0.0 5401 tagged
    _udp_from "$a" "$foreign_ip" "$b_ip" 5401 spoof
    _udp_from "$a" "$EP_IP" "$b_ip" 5401 real
    _await_tag 5401 real
    assert_eq "$EP_IP real" "$(cat "$BT_TMP/peers-5401")" "only the datagram from a's own address reached b"
}
