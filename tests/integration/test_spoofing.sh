# shellcheck shell=bash
# Anti-spoofing: only a network's own addresses are forwarded out of its bridge.

# _udp_from NS SOURCE PORT TAG: one datagram from SOURCE (an address of NS) to the upstream.
_udp_from() {
    in_ns "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(sys.argv[4].encode(), (sys.argv[2], int(sys.argv[3])))
' "$2" "$UPSTREAM_IP" "$3" "$4" || fail "cannot send from $2 in $1"
}

# _await_tag PORT TAG: wait until the listener has logged TAG (datagrams from one container
# take one path in order, so everything sent before TAG has arrived or was dropped by then).
_await_tag() {
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q " $2\$" "$BT_TMP/peers-$1" && return 0
        sleep 0.05
    done
    fail "datagram $2 never reached the upstream: $(cat "$BT_TMP/peers-$1")"
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
    _udp_from "$c" "$other_ip" 5400 spoof-neighbour
    _udp_from "$c" "$foreign_ip" 5400 spoof-foreign
    # The real address still works, masqueraded as always.
    _udp_from "$c" "$real" 5400 real
    _await_tag 5400 real
    seen=$(cat "$BT_TMP/peers-5400")
    assert_eq "$UPLINK_HOST_IP real" "$seen" "only the datagram from the network's own address left the host"
    ping_ok "$c" "$UPSTREAM_IP"
    # The kernel drops them in the network's own chain, one rule for the whole network.
    assert_contains "$(nft_berth)" "ip saddr $NET_SUBNET goto egress"
}
