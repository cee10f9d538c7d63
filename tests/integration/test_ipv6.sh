# shellcheck shell=bash
# IPv6 (issue 14): dual-stack and IPv6-only networks, NAT66 and routed prefixes, the automatic
# unique local prefix, static addresses, published ports over IPv6, isolation, ICC off and
# internal networks over IPv6, SLAAC on the uplink kept working when forwarding goes on, gc and
# removal leaving nothing, bad input, and CNI dual-stack (every result version, and Podman).
#
# Every test first gives the sandbox IPv6 (lib.sh: setup_host_ipv6): uplink 2001:db8:203::2/64,
# upstream 2001:db8:203::1/64 and 2001:db8:198::1 on its lo; the upstream has no route back to
# any container prefix unless a test adds one.

# _refused CONTAINERS -- BERTH_ARGS...: a one-line berth error that changed nothing, IPv6 included.
_refused() {
    local -a conts
    local before
    read -ra conts <<<"$1"; shift 2
    before=$(snapshot "${conts[@]}")
    assert_berth_error berth_host "$@"
    assert_unchanged "$before" "${conts[@]}"
}

# _v6_state NS: the IPv6 facts of a container's eth0 in one line each: the global address line
# (with its flags), the default route. (Its accept_ra is left at the kernel's default: no
# advertisement reaches it, which test_ipv6_container_router_advertisements_dropped proves.)
_v6_state() {
    in_ns "$1" ip -o -6 addr show dev eth0 scope global
    in_ns "$1" ip -6 route show default
}

# _assert_v6_endpoint NS: the endpoint just connected ($EP...) is in the kernel as promised: its
# IPv6 address on eth0 (/64, no DAD pending), default route via the gateway.
_assert_v6_endpoint() {
    local st
    st=$(_v6_state "$1")
    [[ "$EP_CIDR6" == */64 ]] || fail "endpoint ipv6 is not ADDR/64: $EP"
    in_subnet6 "$EP_IP6" "$NET_SUBNET6" || fail "endpoint address $EP_IP6 not in $NET_SUBNET6"
    assert_eq "$NET_GW6" "$EP_GW6" "endpoint gateway6"
    assert_contains "$st" "inet6 $EP_CIDR6 " "the address on eth0"
    assert_not_contains "$st" "tentative" "the address must be usable at once (no DAD)"
    assert_match "$st" "default via $NET_GW6 dev eth0" "IPv6 default route"
}

test_ipv6_dual_stack_connect() {
    local a b ipa6 ipb6 line
    setup_host_ipv6
    create_net ds --ipv6
    is_ula64 "$NET_SUBNET6" || fail "automatic prefix is not a unique local /64: $NET_SUBNET6"
    in_subnet "$NET_GW" "$NET_SUBNET" || fail "IPv4 side missing: $NET_SUBNET $NET_GW"
    assert_eq "$(ip6_nth "$NET_SUBNET6" 1)" "$NET_GW6" "gateway6 is the prefix's first address"
    assert_eq true "$(net_field ds ipv6Nat)" "NAT66 by default"
    line=$(addr6_line host "$NET_BRIDGE" "$NET_GW6")
    assert_contains "$line" "$NET_GW6/64" "gateway6 on the bridge"
    assert_not_contains "$line" tentative "gateway6 usable at once (no DAD)"
    assert_eq 1 "$(in_host sysctl -n net.ipv6.conf.all.forwarding)" "IPv6 forwarding in the host netns"

    new_netns_container a
    new_pid_container b
    connect ds "$a"; ipa6=$EP_IP6
    ping_once_ok "$a" "$NET_GW6"            # right after connect returned
    _assert_v6_endpoint "$a"
    in_subnet "$EP_IP" "$NET_SUBNET" || fail "no IPv4 address from $NET_SUBNET: $EP"
    assert_eq "$NET_GW" "$EP_GW" "gateway (IPv4)"
    connect ds "$b"; ipb6=$EP_IP6
    ping_once_ok "$a" "$ipb6"
    ping_once_ok "$b" "$ipa6"
    _assert_v6_endpoint "$b"
    assert_ne "$ipa6" "$ipb6" "two containers, two IPv6 addresses"
    # IPv4 still works next to it
    ping_ok "$a" "$EP_IP"

    # TCP over IPv6, container to container (source kept) and container to the gateway
    start_listener "$b" :: 9000
    assert_ok tcp_ask "$a" "$ipb6" 9000
    assert_eq "$ipa6" "$OUT" "container-to-container IPv6 keeps its source address"
    start_listener host "$NET_GW6" 9001
    assert_ok tcp_ask "$b" "$NET_GW6" 9001
    assert_eq "$ipb6" "$OUT" "TCP to the gateway over IPv6"

    # the same facts through `berth endpoints`
    assert_ok berth_host endpoints --network ds --format json
    assert_eq "$ipa6/64 $NET_GW6 $NET_GW" "$(jq -r --arg a "$ipa6/64" '.[] | select(.ipv6 == $a) | "\(.ipv6) \(.gateway6) \(.gateway)"' <<<"$OUT")" "endpoints JSON for a"
    jq -e 'all(.[]; (.ipv4 | test("/24$")) and (.ipv6 | test("/64$")))' >/dev/null <<<"$OUT" || fail "endpoints JSON lacks an address: $OUT"
    assert_ok berth_host network inspect ds
    assert_eq "$NET_SUBNET6 $NET_GW6 true" "$(jq -r '.[0] | "\(.subnet6) \(.gateway6) \(.ipv6Nat)"' <<<"$OUT")" "inspect JSON"
    assert_contains "$(berth_host network ls)" "$NET_SUBNET6" "network ls shows the IPv6 subnet"
}

test_ipv6_disconnect_and_rm_leave_nothing() {
    local a b ipa6 ipb6
    setup_host_ipv6
    create_net ds --ipv6
    new_netns_container a
    new_pid_container b
    connect ds "$a" -p 8080:80 -p "[$UPLINK_HOST_IP6]:8443:443"; ipa6=$EP_IP6
    connect ds "$b"; ipb6=$EP_IP6
    [[ -n "$(ipv6_traces "$ipa6/128")" ]] || fail "test setup: the published ports should name $ipa6 in the ruleset:
$(nft_berth)"
    assert_ok berth_host network disconnect ds "$a"
    assert_eq "" "$(ipv6_traces "$ipa6/128")" "traces of the disconnected endpoint"
    assert_container_clean "$a"
    assert_eq "" "$(in_ns "$a" ip -6 route show default)" "default route left in the container"
    ping_ok "$b" "$NET_GW6"                 # the other endpoint is unharmed
    assert_ok berth_host network disconnect ds "$b"
    assert_eq "" "$(ipv6_traces "$ipb6/128")" "traces of the second endpoint"
    assert_ok berth_host network rm ds
    assert_eq "" "$(ipv6_traces "$NET_SUBNET6")" "traces of the removed network's prefix"
    assert_clean "$NET_BRIDGE:$NET_SUBNET6" "$NET_BRIDGE:$NET_SUBNET"
    assert_eq "[]" "$(berth_host network ls --format json | jq -c '[.[] | select(.name == "ds")]')" "network gone from the store"
    assert_eq "[]" "$(berth_host ports --format json | jq -c .)" "no published port left"
}

test_ipv6_nat66_outbound() {
    local kind c
    setup_host_ipv6
    create_net natnet --ipv6
    start_listener up "$UPSTREAM_IP6" 8086
    start_upstream_listener 8087
    for kind in netns pid; do
        new_container "$kind" c
        connect natnet "$c"
        ping_ok "$c" "$UPSTREAM_IP6"        # the uplink peer
        ping_ok "$c" "$BEYOND_IP6"          # beyond it, via the host's IPv6 default route
        assert_ok tcp_ask "$c" "$UPSTREAM_IP6" 8086
        assert_eq "$UPLINK_HOST_IP6" "$OUT" "$kind: source address seen by the upstream (NAT66)"
        assert_ok tcp_ask "$c" "$UPSTREAM_IP" 8087
        assert_eq "$UPLINK_HOST_IP" "$OUT" "$kind: IPv4 is still masqueraded"
    done
    assert_eq "$UPLINK_HOST_IP6
$UPLINK_HOST_IP6" "$(peers_seen 8086)" "listener log"
}

test_ipv6_routed_prefix_without_nat() {
    local c
    setup_host_ipv6
    create_net routed --subnet 10.123.21.0/24 --subnet 2001:db8:21::/64 --ipv6-nat=false
    assert_eq false "$(net_field routed ipv6Nat)" "inspect ipv6Nat"
    assert_eq 2001:db8:21::/64 "$NET_SUBNET6" "subnet6"
    new_netns_container c
    connect routed "$c"
    # without a route back nothing returns, but what arrives carries the container's own address
    start_udp_listener up "$UPSTREAM_IP6" 5354
    udp_send "$c" "$UPSTREAM_IP6" 5354
    wait_until 20 "the upstream logged a datagram" test -s "$BT_TMP/peers-5354"
    assert_eq "$EP_IP6" "$(peers_seen 5354 | sort -u)" "routed: the upstream sees the container's address"
    # the upstream routes the prefix to the host, as a provider would
    in_up ip -6 route add 2001:db8:21::/64 via "$UPLINK_HOST_IP6"
    ping_ok "$c" "$UPSTREAM_IP6"
    start_listener up "$UPSTREAM_IP6" 8088
    assert_ok tcp_ask "$c" "$UPSTREAM_IP6" 8088
    assert_eq "$EP_IP6" "$OUT" "routed: not NATed"
    # IPv4 on the same network is masqueraded as usual
    start_upstream_listener 8089
    assert_ok tcp_ask "$c" "$UPSTREAM_IP" 8089
    assert_eq "$UPLINK_HOST_IP" "$OUT" "IPv4 masqueraded next to a routed IPv6 prefix"
}

test_ipv6_only_network() {
    local a b c
    setup_host_ipv6
    create_net v6 --ipv6 --ipv4=false
    assert_eq "null null" "$(net_json v6 | jq -r '"\(.subnet) \(.gateway)"')" "no IPv4 subnet/gateway"
    is_ula64 "$NET_SUBNET6" || fail "automatic prefix is not a unique local /64: $NET_SUBNET6"
    new_netns_container a
    new_pid_container b
    connect v6 "$a"
    assert_eq '""' "$(jq -c .ipv4 <<<"$EP")" "connect JSON: ipv4 is an empty string"
    ping_once_ok "$a" "$NET_GW6"
    _assert_v6_endpoint "$a"
    assert_eq "" "$(in_ns "$a" ip -o -4 addr show dev eth0)" "no IPv4 address in the container"
    assert_eq "" "$(in_ns "$a" ip -4 route show)" "no IPv4 route in the container"
    local ipa6=$EP_IP6
    connect v6 "$b"
    ping_ok "$b" "$ipa6"
    ping_ok "$a" "$UPSTREAM_IP6"
    start_listener up "$UPSTREAM_IP6" 8090
    assert_ok tcp_ask "$b" "$UPSTREAM_IP6" 8090
    assert_eq "$UPLINK_HOST_IP6" "$OUT" "NAT66 on an IPv6-only network"
    assert_ok berth_host endpoints --network v6 --format json
    assert_eq '["",""]' "$(jq -c '[.[].ipv4]' <<<"$OUT")" "endpoints JSON: ipv4 empty"
    # the other spelling: only an IPv6 --subnet, with the gateway Berth picks
    create_net v6b --subnet 2001:db8:22::/64
    assert_eq "null null 2001:db8:22::/64 2001:db8:22::1" "$(net_json v6b | jq -r '"\(.subnet) \(.gateway) \(.subnet6) \(.gateway6)"')" "IPv6-only by --subnet"
    new_netns_container c
    connect v6b "$c"
    assert_eq "" "$EP_CIDR" "no IPv4 address from an IPv6 --subnet alone"
    _assert_v6_endpoint "$c"
    ping_once_ok "$c" 2001:db8:22::1
}

test_ipv6_ula_avoids_host_prefixes() {
    local first second third
    setup_host_ipv6
    create_net first --ipv6; first=$NET_SUBNET6
    is_ula64 "$first" || fail "not a unique local /64: $first"
    assert_ok berth_host network rm first
    # that /64 now belongs to a host interface (an ifb link: this kernel has no dummy links)
    in_host ip link add bt-ifb0 type ifb || fail "cannot create an ifb link"
    in_host ip addr add "$(ip6_nth "$first" 1)/64" dev bt-ifb0 nodad
    in_host ip link set bt-ifb0 up
    wait_until 20 "the prefix route of $first" nonempty ip -n "$BT_HOST" -6 route show "$first" dev bt-ifb0
    create_net second --ipv6; second=$NET_SUBNET6
    is_ula64 "$second" || fail "not a unique local /64: $second"
    assert_ne "$first" "$second" "the prefix on the host interface was chosen again"
    subnets_overlap6 "$first" "$second" && fail "$second overlaps $first, which a host interface holds"
    # the global ID is chosen once per state: the same /48
    _ip6calc 'a.supernet(new_prefix=48) == b.supernet(new_prefix=48)' "$first" "$second" \
        || fail "the global ID changed within one state: $first then $second"
    # a route (not an address) to a prefix counts as well
    assert_ok berth_host network rm second
    in_host ip -6 route add "$second" via "$UPSTREAM_IP6"
    create_net third --ipv6; third=$NET_SUBNET6
    subnets_overlap6 "$third" "$first" && fail "$third overlaps $first (on bt-ifb0)"
    subnets_overlap6 "$third" "$second" && fail "$third overlaps $second (routed to the uplink)"
    return 0
}

test_ipv6_static_address() {
    local a b c out
    setup_host_ipv6
    create_net st --subnet 10.123.20.0/24 --subnet 2001:db8:20::/64 --gateway 2001:db8:20::1
    assert_eq "10.123.20.0/24 10.123.20.1 2001:db8:20::/64 2001:db8:20::1" "$NET_SUBNET $NET_GW $NET_SUBNET6 $NET_GW6" "dual-stack from two --subnet"
    new_netns_container a
    new_pid_container b
    new_netns_container c
    connect st "$a" --ip 10.123.20.10 --ip6 2001:db8:20::10
    assert_eq "10.123.20.10/24 2001:db8:20::10/64" "$EP_CIDR $EP_CIDR6" "static addresses of both families"
    _assert_v6_endpoint "$a"
    # any spelling in, RFC 5952 out
    connect st "$b" --ip6 2001:DB8:20:0:0:0:A:B
    assert_eq 2001:db8:20::a:b/64 "$EP_CIDR6" "the address as printed"
    _assert_v6_endpoint "$b"
    ping_once_ok "$b" 2001:db8:20::10
    # taken addresses are refused
    _refused "$a $b $c" -- network connect st "$c" --ip6 2001:db8:20::10
    _refused "$a $b $c" -- network connect st "$c" --ip6 2001:db8:20::1
    _refused "$a $b $c" -- network connect st "$c" --ip6 2001:db8:20::     # the subnet-router anycast address
    # a gateway that is not the first address
    create_net gw --subnet 2001:db8:23::/64 --gateway 2001:db8:23::fe
    assert_contains "$(addr6_line host "$NET_BRIDGE" 2001:db8:23::fe)" "2001:db8:23::fe/64" "the chosen gateway on the bridge"
    connect gw "$c"
    _assert_v6_endpoint "$c"
    # berth run --ip6
    assert_ok berth_host run --network st --ip6 2001:db8:20::20 -- sh -c 'ip -o -6 addr show dev eth0 scope global; ip -6 route show default; ping -n -c1 -W2 2001:db8:20::10 >/dev/null && echo PING-OK'
    out=$OUT
    assert_contains "$out" "inet6 2001:db8:20::20/64" "berth run --ip6: the address"
    assert_contains "$out" "default via 2001:db8:20::1" "berth run --ip6: the default route"
    assert_contains "$out" PING-OK "berth run --ip6: reaches a sibling at once"
    assert_eq 2 "$(berth_host endpoints --network st --format json | jq length)" "the run endpoint is gone"
}

# _webserver NS: a dual-stack payload server in NS on :80 (web), :443 (tls) and :53/udp (dns).
_webserver() {
    start_payload_listener "$1" :: 80 web tcp
    start_payload_listener "$1" :: 443 tls tcp
    start_payload_listener "$1" :: 53 dns udp
}

test_ipv6_published_ports() {
    local C a c_ip6 other=2001:db8:203::3
    setup_host_ipv6
    in_host ip addr add "$other/64" dev "$UPLINK_IF" nodad       # a second IPv6 address of the host
    create_net web --ipv6
    new_netns_container C
    connect web "$C" -p 8080:80 -p 5353:53/udp -p "[$UPLINK_HOST_IP6]:8443:443" -p "[::]:8081:80" -p 0.0.0.0:8082:80
    c_ip6=$EP_IP6
    _webserver "$C"
    # `berth ports`: one line per family
    assert_ok berth_host ports --format json
    assert_eq "0.0.0.0 $EP_IP|:: $c_ip6" "$(jq -r '[.[] | select(.hostPort == 8080) | "\(.hostIP) \(.containerIP)"] | sort | join("|")' <<<"$OUT")" "-p 8080:80 on both families"
    assert_eq "$UPLINK_HOST_IP6 $c_ip6" "$(jq -r '.[] | select(.hostPort == 8443) | "\(.hostIP) \(.containerIP)"' <<<"$OUT")" "-p [ADDR]:8443:443"
    assert_eq ":: $c_ip6" "$(jq -r '.[] | select(.hostPort == 8081) | "\(.hostIP) \(.containerIP)"' <<<"$OUT")" "-p [::]:8081:80"
    assert_eq "0.0.0.0 $EP_IP" "$(jq -r '.[] | select(.hostPort == 8082) | "\(.hostIP) \(.containerIP)"' <<<"$OUT")" "-p 0.0.0.0:8082:80"
    # -p 8080:80 on a dual-stack network: both families, every address; DNAT keeps the client
    assert_port_answers up "$UPLINK_HOST_IP6" 8080 tcp web
    assert_eq "web $UPSTREAM_IP6" "$OUT" "the container sees the real IPv6 client"
    assert_port_answers up "$other" 8080 tcp web
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp web
    assert_port_answers up "$UPLINK_HOST_IP6" 5353 udp dns
    assert_eq "dns $UPSTREAM_IP6" "$OUT" "UDP over IPv6"
    # [2001:db8:203::2]:8443: that address only
    assert_port_answers up "$UPLINK_HOST_IP6" 8443 tcp tls
    assert_port_silent up "$other" 8443 tcp
    assert_port_silent up "$UPLINK_HOST_IP" 8443 tcp
    # [::]:8081: every IPv6 address, no IPv4
    assert_port_answers up "$UPLINK_HOST_IP6" 8081 tcp web
    assert_port_answers up "$other" 8081 tcp web
    assert_port_silent up "$UPLINK_HOST_IP" 8081 tcp
    # 0.0.0.0:8082: IPv4 only
    assert_port_answers up "$UPLINK_HOST_IP" 8082 tcp web
    assert_port_silent up "$UPLINK_HOST_IP6" 8082 tcp
    # from the host itself, to its own IPv6 addresses
    assert_port_answers host "$UPLINK_HOST_IP6" 8080 tcp web
    assert_port_answers host "$UPLINK_HOST_IP6" 8443 tcp tls
    assert_port_answers host "$NET_GW6" 8080 tcp web
    assert_port_answers host "$UPLINK_HOST_IP6" 5353 udp dns
    # hairpin: a sibling, and the publishing container itself, through the host's address
    new_netns_container a
    connect web "$a"
    assert_port_answers "$a" "$UPLINK_HOST_IP6" 8080 tcp web
    assert_eq "web $NET_GW6" "$OUT" "hairpin traffic is masqueraded to the gateway"
    assert_port_answers "$a" "$UPLINK_HOST_IP6" 8443 tcp tls
    assert_port_answers "$C" "$UPLINK_HOST_IP6" 8080 tcp web
    assert_port_answers "$C" "$NET_GW6" 8080 tcp web
    # the same port on another address is no clash; the same address and port is
    local b e
    new_netns_container b
    new_netns_container e
    connect web "$b" -p "[$other]:8443:443"
    _refused "$e" -- network connect web "$e" -p "[$UPLINK_HOST_IP6]:8443:443"
    # disconnect takes every publication along
    assert_ok berth_host network disconnect web "$C"
    assert_port_silent up "$UPLINK_HOST_IP6" 8080 tcp
    assert_port_silent up "$UPLINK_HOST_IP6" 8443 tcp
    assert_port_silent up "$UPLINK_HOST_IP6" 5353 udp
    assert_eq "" "$(ipv6_traces "$c_ip6/128")" "nothing of the disconnected endpoint left"
}

test_ipv6_direct_access_blocked() {
    # as for IPv4 (test_ports.sh: test_direct_access_blocked): behind NAT66 only published ports
    # come in, even when the outside routes the prefix to the host
    local C
    setup_host_ipv6
    create_net web --ipv6
    new_netns_container C
    connect web "$C" -p 8080:80
    start_payload_listener "$C" :: 80 web tcp
    start_payload_listener "$C" :: 81 secret tcp
    in_up ip -6 route add "$NET_SUBNET6" via "$UPLINK_HOST_IP6"
    assert_port_silent up "$EP_IP6" 81 tcp
    assert_port_silent up "$EP_IP6" 80 tcp
    ping_fails up "$EP_IP6"
    assert_port_answers up "$UPLINK_HOST_IP6" 8080 tcp web
    ping_ok "$C" "$UPSTREAM_IP6"
    assert_port_answers host "$EP_IP6" 81 tcp secret
}

_lines_at_least() { (($(wc -l <"$1") >= $2)); }   # _lines_at_least FILE N
_no_link() { ! ip -n "$BT_HOST" link show "$1" >/dev/null 2>&1; }   # _no_link IFNAME (host netns)

test_ipv6_isolation_matrix() {
    setup_host_ipv6
    create_net one --ipv6; create_net two --ipv6; create_net three --ipv6
    _matrix one two three
    M_FAMILY=6 _check_matrix _same_network
    # TCP across networks is walled off too, in both directions; the outside is still reachable
    start_payload_listener "${M_NS[2]}" :: 7000 two tcp
    start_payload_listener "${M_NS[0]}" :: 7000 one tcp
    assert_port_silent "${M_NS[0]}" "${M_IP6[2]}" 7000 tcp
    assert_port_silent "${M_NS[3]}" "${M_IP6[0]}" 7000 tcp
    assert_port_answers "${M_NS[3]}" "${M_IP6[2]}" 7000 tcp two
    ping_ok "${M_NS[0]}" "$UPSTREAM_IP6"
    ping_ok "${M_NS[5]}" "$UPSTREAM_IP6"
    # --isolate=false networks talk to each other over IPv6
    local d e
    create_net four --ipv6 --isolate=false
    new_netns_container d; connect four "$d"
    create_net five --ipv6 --isolate=false
    new_netns_container e; connect five "$e"
    ping_ok "$d" "$EP_IP6"
}

test_ipv6_icc_off() {
    local a b ipb6
    setup_host_ipv6
    create_net quiet --ipv6 --icc=false
    new_netns_container a; connect quiet "$a"
    new_pid_container b; connect quiet "$b" -p 8080:80; ipb6=$EP_IP6
    start_payload_listener "$b" :: 80 web tcp
    ping_fails "$a" "$ipb6"
    assert_port_silent "$a" "$ipb6" 80 tcp
    # the gateway, NAT66 and published ports keep working
    ping_ok "$a" "$NET_GW6"
    ping_ok "$b" "$NET_GW6"
    ping_ok "$a" "$UPSTREAM_IP6"
    start_listener up "$UPSTREAM_IP6" 8099
    assert_ok tcp_ask "$a" "$UPSTREAM_IP6" 8099
    assert_eq "$UPLINK_HOST_IP6" "$OUT" "NAT66 with icc off"
    assert_port_answers "$a" "$UPLINK_HOST_IP6" 8080 tcp web
    assert_port_answers up "$UPLINK_HOST_IP6" 8080 tcp web
    # a default network next to it still has ICC over IPv6
    local c d
    create_net chatty --ipv6
    new_netns_container c; connect chatty "$c"
    new_netns_container d; connect chatty "$d"
    ping_ok "$c" "$EP_IP6"
}

test_ipv6_internal() {
    local r a b ipb6
    setup_host_ipv6
    create_net regular --ipv6               # turns IPv6 forwarding on in the host netns
    new_netns_container r; connect regular "$r"
    create_net inner --internal --ipv6
    assert_eq "true false" "$(net_json inner | jq -r '"\(.internal) \(.ipv6Nat)"')" "internal: no NAT66"
    is_ula64 "$NET_SUBNET6" || fail "internal network without its /64: $NET_SUBNET6"
    new_netns_container a; connect inner "$a"
    new_pid_container b; connect inner "$b"; ipb6=$EP_IP6
    assert_eq "" "$(in_ns "$a" ip -6 route show default)" "internal: no IPv6 default route"
    ping_ok "$a" "$ipb6"
    ping_fails "$a" "$UPSTREAM_IP6"
    # even with a default route of its own nothing leaves: the internal container sends first,
    # the regular one after it; once the regular one's datagrams arrived, none other may have
    in_ns "$a" ip -6 route add default via "$NET_GW6" || fail "test setup: own default route"
    start_udp_listener up "$UPSTREAM_IP6" 5355
    udp_send "$a" "$UPSTREAM_IP6" 5355
    udp_send "$r" "$UPSTREAM_IP6" 5355
    wait_until 20 "the regular network's datagrams" _lines_at_least "$BT_TMP/peers-5355" 3
    assert_eq "$UPLINK_HOST_IP6" "$(peers_seen 5355 | sort -u)" "only the regular network reached the upstream"
    assert_eq 3 "$(peers_seen 5355 | wc -l)" "datagrams that reached the upstream"
}

test_ipv6_slaac_uplink_kept_working() {
    local ra c errs
    setup_host_ipv6
    in_host sysctl -qw "net.ipv6.conf.$UPLINK_IF.accept_ra=1"
    assert_eq 0 "$(in_host sysctl -n net.ipv6.conf.all.forwarding)" "test setup: forwarding off"
    start_ra_sender ra 2001:db8:aaaa::/64
    wait_until 20 "a SLAAC address in 2001:db8:aaaa::/64" host_addr6_in 2001:db8:aaaa::/64
    wait_until 20 "the default route from the RA" nonempty host_ra_default_route
    stop_ra_sender "$ra"
    # Berth turns forwarding on. The kernel then ignores RAs on an interface with accept_ra=1 and
    # drops the RA default routes of every interface not at accept_ra=2: Berth must set 2 first.
    assert_ok berth_host network create ds --ipv6
    errs=$ERR
    new_netns_container c
    connect ds "$c"
    errs+=$ERR
    assert_eq 1 "$(in_host sysctl -n net.ipv6.conf.all.forwarding)" "IPv6 forwarding on"
    assert_eq 2 "$(in_host sysctl -n "net.ipv6.conf.$UPLINK_IF.accept_ra")" "accept_ra of the SLAAC uplink"
    assert_contains "$errs" accept_ra "Berth says what it changed"
    [[ -n "$(host_ra_default_route)" ]] || fail "the RA default route was dropped when forwarding went on: $(ip -n "$BT_HOST" -6 route show default)"
    ping_ok "$c" "$UPSTREAM_IP6"
    assert_ok berth_host doctor
    # RAs are still taken: a second prefix shows up
    start_ra_sender ra 2001:db8:bbbb::/64
    wait_until 20 "a SLAAC address in 2001:db8:bbbb::/64 with forwarding on" host_addr6_in 2001:db8:bbbb::/64
    stop_ra_sender "$ra"
    # doctor names an interface that would now ignore RAs
    in_host sysctl -qw "net.ipv6.conf.$UPLINK_IF.accept_ra=1"
    run_capture berth_host doctor
    assert_eq 1 "$RC" "doctor reports accept_ra=1 with forwarding on: $OUT $ERR"
    assert_contains "$OUT$ERR" accept_ra "doctor names the setting"
    assert_contains "$OUT$ERR" "$UPLINK_IF" "doctor names the interface"
}

test_ipv6_forwarding_leaves_unconfigured_interfaces_alone() {
    # Only interfaces configured from router advertisements get accept_ra=2: another runtime's
    # bridge (and an uplink with static addresses) keep accept_ra=1, so that runtime's
    # containers cannot advertise routes to the host.
    local errs
    setup_host_ipv6
    in_host sysctl -qw "net.ipv6.conf.$UPLINK_IF.accept_ra=1"
    in_host ip link add bt-rt0 type bridge
    in_host ip addr add 2001:db8:77::1/64 dev bt-rt0 nodad
    in_host ip link set bt-rt0 up
    in_host sysctl -qw net.ipv6.conf.bt-rt0.accept_ra=1
    assert_ok berth_host network create ds --ipv6
    errs=$ERR
    assert_eq 1 "$(in_host sysctl -n net.ipv6.conf.all.forwarding)" "IPv6 forwarding on"
    assert_eq 1 "$(in_host sysctl -n net.ipv6.conf.bt-rt0.accept_ra)" "accept_ra of another runtime's bridge"
    assert_eq 1 "$(in_host sysctl -n "net.ipv6.conf.$UPLINK_IF.accept_ra")" "accept_ra of a statically addressed uplink"
    assert_not_contains "$errs" accept_ra "nothing to say when nothing was changed"
    assert_ok berth_host doctor
}

test_ipv6_gc_after_netns_deleted() {
    local c ip6 hostif
    setup_host_ipv6
    create_net ds --ipv6
    new_netns_container c
    connect ds "$c" -p 8080:80 -p "[$UPLINK_HOST_IP6]:8443:443"
    ip6=$EP_IP6 hostif=$EP_HOSTIF
    [[ -n "$(ipv6_traces "$ip6/128")" ]] || fail "test setup: the published ports should name $ip6 in the ruleset"
    ip netns del "$c"
    # the kernel destroys the veth pair with the namespace, asynchronously
    wait_until 20 "the veth of the deleted namespace to go" _no_link "$hostif"
    assert_ok berth_host gc
    assert_eq "" "$(ipv6_traces "$ip6/128")" "IPv6 traces of the dead container after gc"
    assert_clean
    assert_eq "[]" "$(berth_host ports --format json | jq -c .)" "no published port left in the store"
    assert_ok berth_host network rm ds
    assert_eq "" "$(ipv6_traces "$NET_SUBNET6")" "IPv6 traces of the removed network"
    assert_clean "$NET_BRIDGE:$NET_SUBNET6"
}

test_ipv6_bad_input() {
    local c
    setup_host_ipv6
    create_net v4only --subnet 10.123.24.0/24
    create_net ds --subnet 10.123.25.0/24 --subnet 2001:db8:25::/64
    new_netns_container c
    _refused "" -- network create x --subnet 2001:db8:26::/64 --gateway 2001:db8:27::1    # gateway outside
    _refused "" -- network create x --subnet 10.123.26.0/24 --subnet 2001:db8:26::/64 --gateway 2001:db8:27::1
    _refused "" -- network create x --subnet 2001:db8::/129
    _refused "" -- network create x --subnet 2001:db8:26::/64 --subnet 2001:db8:27::/64        # two IPv6 subnets
    _refused "" -- network create x --ipv6 --subnet 2001:db8:25::/64                           # overlaps ds
    _refused "$c" -- network connect v4only "$c" --ip6 2001:db8:25::10                        # no IPv6 there
    _refused "$c" -- network connect ds "$c" --ip6 2001:db8:26::10                            # outside the subnet
    _refused "$c" -- network connect ds "$c" --ip6 nonsense
    _refused "$c" -- network connect v4only "$c" -p "[2001:db8::5]:80:80"                     # IPv6 port, IPv4-only network
    _refused "$c" -- network connect v4only "$c" -p "[$UPLINK_HOST_IP6]:80:80"
    # more of what the README lists as refused
    _refused "" -- network create x --subnet 2001:db8:26::/127                                 # longer than /126
    _refused "" -- network create x --subnet fe80::/64                                         # link-local
    _refused "" -- network create x --subnet ff05::/64                                         # multicast
    _refused "" -- network create x --subnet ::ffff:0:0/112                                    # IPv4-mapped
    _refused "" -- network create x --ipv6 --mtu 1200                                          # below 1280
    _refused "$c" -- network connect ds "$c" --ip6 2001:db8:25::1                             # the gateway
    _refused "$c" -- network connect ds "$c" -p "[::1]:8080:80"                               # not forwardable
    create_net v6only --subnet 2001:db8:28::/64
    _refused "$c" -- network connect v6only "$c" --ip 10.123.24.5                             # --ip, IPv6-only
    # the sandbox still works
    connect ds "$c" --ip6 2001:db8:25::10
    ping_once_ok "$c" 2001:db8:25::1
}

test_ipv6_forwarding_repaired_by_gc() {
    local c
    setup_host_ipv6
    create_net ds --ipv6
    new_netns_container c
    connect ds "$c"
    ping_ok "$c" "$UPSTREAM_IP6"
    in_host sysctl -qw net.ipv6.conf.all.forwarding=0       # someone turns it off under Berth
    ping_fails "$c" "$UPSTREAM_IP6"
    run_capture berth_host doctor
    assert_eq 1 "$RC" "doctor reports IPv6 forwarding off: $OUT $ERR"
    assert_contains "$OUT" forwarding "doctor names the problem"
    assert_ok berth_host gc
    assert_eq 1 "$(in_host sysctl -n net.ipv6.conf.all.forwarding)" "gc turned IPv6 forwarding on again"
    ping_ok "$c" "$UPSTREAM_IP6"
    assert_ok berth_host doctor
}

test_ipv6_container_router_advertisements_dropped() {
    # No container may become the others' router: a sibling that would listen to advertisements
    # never sees one, while other multicast from the same container does reach it.
    local a b echos
    setup_host_ipv6
    create_net ds --ipv6
    new_netns_container a; connect ds "$a"
    new_netns_container b; connect ds "$b"
    in_ns "$b" sysctl -qw net.ipv6.conf.eth0.accept_ra=2
    in_ns "$a" ip addr add fe80::bad/64 dev eth0 nodad
    assert_ok in_ns "$a" python3 "$BT_LIB_DIR/ra_sender.py" eth0 fe80::bad 2001:db8:bad::/64 --count 3 --interval 0.05
    # control, sent after the advertisements along the same path: an all-nodes echo request
    echos=$(icmp6_count "$b" Icmp6InEchos)
    in_ns "$a" ping -n -q -c1 -W1 -I eth0 ff02::1 >/dev/null 2>&1
    wait_until 20 "the all-nodes echo request from a at b" _count_above "$b" Icmp6InEchos "$echos"
    assert_eq 0 "$(icmp6_count "$b" Icmp6InRouterAdvertisements)" "router advertisements from a container reached a sibling"
    assert_eq "" "$(in_ns "$b" ip -6 addr show to 2001:db8:bad::/64)" "SLAAC from a container's advertisement"
    assert_eq "" "$(in_ns "$b" ip -6 route show default proto ra)" "default route from a container's advertisement"
    assert_eq "" "$(ip -n "$BT_HOST" -6 route show proto ra)" "the host took a container's advertisement"
}

_count_above() { (($(icmp6_count "$1" "$2") > $3)); }   # _count_above NS COUNTER VALUE

# _check_dual_result VERSION SUBNET4 SUBNET6: the CNI ADD result in $OUT has one IPv4 and one IPv6
# entry on the container interface, in the version's shape, and both default routes.
_check_dual_result() {
    local v=$1 res=$OUT
    assert_eq "$v" "$(jq -r .cniVersion <<<"$res")" "result cniVersion"
    assert_eq 2 "$(jq '.ips | length' <<<"$res")" "two ips entries"
    assert_eq "2 2" "$(jq -r '[.ips[].interface] | join(" ")' <<<"$res")" "both on the container interface"
    ADD_CIDR4=$(jq -r '.ips[] | select(.address | contains(":") | not) | .address' <<<"$res")
    ADD_CIDR6=$(jq -r '.ips[] | select(.address | contains(":")) | .address' <<<"$res")
    ADD_GW6=$(jq -r '.ips[] | select(.address | contains(":")) | .gateway' <<<"$res")
    in_subnet "$ADD_CIDR4" "$2" || fail "$v: IPv4 $ADD_CIDR4 not in $2"
    in_subnet6 "$ADD_CIDR6" "$3" || fail "$v: IPv6 $ADD_CIDR6 not in $3"
    [[ "$ADD_CIDR6" == */64 ]] || fail "$v: IPv6 entry is not ADDR/64: $ADD_CIDR6"
    assert_eq "$(ip6_nth "$3" 1)" "$ADD_GW6" "$v: IPv6 gateway"
    if [[ $v == 0.* ]]; then
        jq -e 'all(.ips[]; .version == (if (.address | contains(":")) then "6" else "4" end))' >/dev/null <<<"$res" \
            || fail "$v: ips must carry version \"4\" and \"6\": $(jq -c .ips <<<"$res")"
    else
        assert_eq false "$(jq '[.ips[] | has("version")] | any' <<<"$res")" "$v: ips carry no version"
    fi
    assert_eq '["0.0.0.0/0","::/0"]' "$(jq -c '[.routes[].dst] | sort' <<<"$res")" "$v: both default routes"
    assert_eq "$ADD_GW6" "$(jq -r '.routes[] | select(.dst == "::/0") | .gw // empty' <<<"$res")" "$v: ::/0 via the IPv6 gateway"
}

test_ipv6_cni_dual_stack_every_version() {
    local v i=0 c d conf res s4 s6 cidr6
    setup_host_ipv6
    for v in 0.3.1 0.4.0 1.0.0; do
        i=$((i + 1))
        s4=10.7.$i.0/24 s6=2001:db8:7:$i::/64
        conf=$(cni_conf "ds$i" ".cniVersion = \"$v\" | .ipam = {type: \"host-local\", ranges: [[{subnet: \"$s4\"}], [{subnet: \"$s6\"}]], routes: [{dst: \"0.0.0.0/0\"}, {dst: \"::/0\"}]}")
        new_netns_container c
        new_pid_container d
        CNI_STDIN=$conf cni_ok ADD "c$i" "$(cni_netns "$c")" eth0
        res=$OUT
        _check_dual_result "$v" "$s4" "$s6"
        cidr6=$ADD_CIDR6
        assert_contains "$(in_ns "$c" ip -o -6 addr show dev eth0 scope global)" "inet6 $cidr6 " "$v: IPv6 address in the container"
        assert_eq "${ADD_CIDR4}" "$(container_ipv4 "$c")" "$v: IPv4 address in the container"
        assert_match "$(in_ns "$c" ip -6 route show default)" "default via $ADD_GW6 dev eth0" "$v: IPv6 default route"
        ping_once_ok "$c" "$ADD_GW6"
        ping_ok host "${cidr6%/*}"
        CNI_STDIN=$conf cni_ok ADD "d$i" "$(cni_netns "$d")" eth0
        _check_dual_result "$v" "$s4" "$s6"
        ping_ok "$d" "${cidr6%/*}"
        assert_eq "$s6 $(ip6_nth "$s6" 1)" "$(net_json "ds$i" | jq -r '"\(.subnet6) \(.gateway6)"')" "$v: the network made from ipam.ranges"
        if [[ $v == 0.3.* ]]; then
            CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$conf") cni_error 1 CHECK "c$i" "$(cni_netns "$c")" eth0
        else
            CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$conf") cni_ok CHECK "c$i" "$(cni_netns "$c")" eth0
        fi
        CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$conf") cni_ok DEL "c$i" "$(cni_netns "$c")" eth0
        CNI_STDIN=$conf cni_ok DEL "d$i" "$(cni_netns "$d")" eth0
        assert_container_clean "$c"
        assert_container_clean "$d"
        assert_eq "" "$(ipv6_traces "${cidr6%/*}/128")" "$v: IPv6 traces after DEL"
    done
    assert_clean
}

test_ipv6_cni_podman_dual_stack() {
    local dir=$BT_TMP/podman
    setup_host_ipv6
    podman_cni_prepare "$dir"
    podman_cni_conflist "$dir" btpod6 '[[{"subnet": "10.125.8.0/24"}], [{"subnet": "2001:db8:8::/64"}]]' '[{"dst": "0.0.0.0/0"}, {"dst": "::/0"}]'
    podman_cni_run "$dir" <<'SCRIPT'
net() { pm inspect -f "{{.NetworkSettings.Networks.bertnet.$2}}" "$1"; }
pm run -d --name bt-c1 --network bertnet localhost/bt-busybox sleep 300 >/dev/null
pm run -d --name bt-c2 --network bertnet --ip6 2001:db8:8::50 localhost/bt-busybox sleep 300 >/dev/null
echo "ADDRS6 $(net bt-c1 GlobalIPv6Address) $(net bt-c2 GlobalIPv6Address)"
echo "ADDRS4 $(net bt-c1 IPAddress) $(net bt-c2 IPAddress)"
echo "GW6 $(net bt-c1 IPv6Gateway)"
for pair in "bt-c1 $(net bt-c2 GlobalIPv6Address)" "bt-c2 $(net bt-c1 GlobalIPv6Address)"; do
    set -- $pair
    ok=0
    for i in 1 2 3; do pm exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1 && { ok=1; break; }; done
    echo "PING6 $1 $ok"
done
echo "ROUTE6 $(pm exec bt-c1 ip -6 route show default)"
pm stop -t 1 bt-c1 bt-c2 >/dev/null
pm rm bt-c1 bt-c2 >/dev/null
echo "LEFT $(BERTH_STATE_DIR=$BT_STATE "$BERTH" endpoints --format json | tr -d '\n')"
echo DONE
SCRIPT
    [[ $RC -eq 0 && "$OUT" == *DONE* ]] || { _show_result podman scenario; fail "podman scenario failed"; }
    local addrs addrs6
    addrs6=$(grep '^ADDRS6 ' <<<"$OUT" | cut -d' ' -f2-)
    in_subnet6 "${addrs6% *}" 2001:db8:8::/64 || fail "container 1 IPv6 address [$addrs6] not from the conflist"
    assert_eq 2001:db8:8::50 "${addrs6#* }" "static --ip6 passed through"
    addrs=$(grep '^ADDRS4 ' <<<"$OUT" | cut -d' ' -f2-)
    in_subnet "${addrs% *}" 10.125.8.0/24 || fail "container 1 IPv4 address [$addrs] not from the conflist"
    assert_contains "$OUT" "GW6 2001:db8:8::1" "Podman got the IPv6 gateway"
    assert_contains "$OUT" "PING6 bt-c1 1" "container 1 pings container 2 over IPv6"
    assert_contains "$OUT" "PING6 bt-c2 1" "container 2 pings container 1 over IPv6"
    assert_contains "$OUT" "ROUTE6 default via 2001:db8:8::1" "IPv6 default route in the Podman container"
    assert_eq "[]" "$(grep '^LEFT ' <<<"$OUT" | cut -d' ' -f2- | jq -c .)" "no lease left after podman rm"
    assert_clean
    assert_eq "" "$(ipv6_traces "${addrs6% *}/128" "${addrs6#* }/128")" "nothing left of the containers' IPv6 addresses"
}
