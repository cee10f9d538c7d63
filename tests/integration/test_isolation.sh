# shellcheck shell=bash
# Isolation between networks (default, both directions, opt-out with --isolate=false), published
# ports reachable across networks through the host address, ICC off, internal networks.

test_isolation_matrix() {
    create_net one; create_net two; create_net three
    _matrix one two three
    _check_matrix _same_network
    # TCP too, both directions between two networks
    start_payload_listener "${M_NS[2]}" 0.0.0.0 7000 two tcp
    start_payload_listener "${M_NS[0]}" 0.0.0.0 7000 one tcp
    assert_port_silent "${M_NS[0]}" "${M_IP[2]}" 7000 tcp
    assert_port_silent "${M_NS[3]}" "${M_IP[0]}" 7000 tcp
    assert_port_answers "${M_NS[3]}" "${M_IP[2]}" 7000 tcp two
    # everyone still reaches the outside
    ping_ok "${M_NS[0]}" "$UPSTREAM_IP"
    ping_ok "${M_NS[5]}" "$UPSTREAM_IP"
}

_open_pair() { [[ "$1" == "$2" || ( "$1" != three && "$2" != three ) ]]; }

test_isolation_opt_out() {
    create_net one --isolate=false
    create_net two --isolate false
    create_net three
    assert_eq false "$(net_field one isolate)" "inspect isolate"
    assert_eq true "$(net_field three isolate)" "inspect isolate default"
    _matrix one two three
    _check_matrix _open_pair
}

test_isolation_published_port_across_networks() {
    local a b b_ip
    create_net one; create_net two
    new_netns_container a; connect one "$a"
    new_netns_container b; connect two "$b" -p 8080:80; b_ip=$EP_IP
    start_payload_listener "$b" 0.0.0.0 80 web tcp
    assert_port_silent "$a" "$b_ip" 80 tcp
    assert_port_answers "$a" "$UPLINK_HOST_IP" 8080 tcp web
    # also through the host's address on the caller's own bridge
    local gw_one
    gw_one=$(net_field one gateway)
    assert_port_answers "$a" "$gw_one" 8080 tcp web
}

test_isolation_survives_network_changes() {
    # adding and removing networks re-renders the table; the walls stay
    create_net one; create_net two
    _matrix one two
    create_net three
    assert_ok berth_host network rm three
    _check_matrix _same_network
}

test_icc_off() {
    local a b ipb
    create_net quiet --icc=false
    assert_eq false "$(net_field quiet icc)" "inspect icc"
    new_netns_container a; connect quiet "$a"
    new_pid_container b; connect quiet "$b" -p 8080:80; ipb=$EP_IP
    start_payload_listener "$b" 0.0.0.0 80 web tcp
    ping_fails "$a" "$ipb"
    assert_port_silent "$a" "$ipb" 80 tcp
    # gateway, NAT and published ports keep working
    ping_ok "$a" "$NET_GW"
    ping_ok "$b" "$NET_GW"
    ping_ok "$a" "$UPSTREAM_IP"
    start_upstream_listener 8099
    assert_ok tcp_ask "$a" "$UPSTREAM_IP" 8099
    assert_eq "$UPLINK_HOST_IP" "$OUT" "NAT with icc off"
    assert_port_answers "$a" "$UPLINK_HOST_IP" 8080 tcp web
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp web
    # a default network next to it still has ICC
    local c d ipd
    create_net chatty
    new_netns_container c; connect chatty "$c"
    new_netns_container d; connect chatty "$d"; ipd=$EP_IP
    ping_ok "$c" "$ipd"
    # the bridge table goes when the last icc=false network goes
    assert_contains "$(in_host nft list tables)" "table bridge berth"
    assert_ok berth_host network rm quiet --force
    assert_not_contains "$(in_host nft list tables)" "table bridge berth"
    ping_ok "$c" "$ipd"
}

# Berth's tables are made with a creation-only batch when neither is there, and rendered in full
# (replacing) otherwise: a leftover bridge table, with Berth's inet table gone, is removed by the
# repair that puts the inet table back, not kept beside it.
test_table_repair_removes_a_leftover_bridge_table() {
    local a
    create_net plain
    assert_not_contains "$(in_host nft list tables)" "table bridge berth"
    in_host nft delete table inet berth
    in_host nft add table bridge berth
    in_host nft add chain bridge berth leftover
    new_netns_container a; connect plain "$a"
    assert_contains "$(in_host nft list tables)" "table inet berth" "the inet table is back"
    assert_not_contains "$(in_host nft list tables)" "table bridge berth" "the leftover bridge table is gone"
    ping_ok "$a" "$NET_GW"
    ping_ok "$a" "$UPSTREAM_IP"
}

test_internal_isolated_and_refuses_ports() {
    local a b c ipa ipc
    create_net inner --internal
    new_netns_container a; connect inner "$a"; ipa=$EP_IP
    new_netns_container b; connect inner "$b"
    create_net outer
    new_netns_container c; connect outer "$c" -p 8080:80; ipc=$EP_IP
    start_payload_listener "$c" 0.0.0.0 80 web tcp
    ping_ok "$a" "$(jq -r .ipv4 <<<"$(berth_host endpoints --format json | jq -c --arg n inner '[.[] | select(.network == $n)][1]')" | cut -d/ -f1)"
    # no way out: not to the outside, not to other networks, not to published ports
    in_ns "$a" ip route add default via "$(net_field inner gateway)"
    ping_fails "$a" "$UPSTREAM_IP"
    ping_fails "$a" "$ipc"
    assert_port_silent "$a" "$UPLINK_HOST_IP" 8080 tcp
    # and nothing in
    ping_fails "$c" "$ipa"
    assert_berth_error berth_host network connect inner "$b" --ifname eth1 -p 9090:80
    assert_contains "$ERR" "internal"
}
