# shellcheck shell=bash
# Outbound NAT: a container reaches the simulated outside (the upstream netns, which has no route
# back to any container subnet) and the upstream sees the host's uplink address as the source.
# --internal: no default route, no NAT. --no-masquerade: routed but not NATed.

# _masq_lines SUBNET: evidence of a masquerade for SUBNET in Berth's table: rule lines naming the
# subnet together with masquerade, or a chain that a verdict map / rule sends the subnet to
# (`SUBNET : jump CHAIN`, `ip saddr SUBNET jump CHAIN`) and that contains a masquerade.
_masq_lines() {
    local nft subnet=$1 re ch
    nft=$(nft_berth)
    grep -F "$subnet" <<<"$nft" | grep -i masquerade
    re="${subnet//./\\.}"
    for ch in $(grep -oE "${re}( :)? (jump|goto) [A-Za-z0-9_.-]+" <<<"$nft" | awk '{print $NF}' | sort -u); do
        awk -v c="$ch" '$1 == "chain" && $2 == c { f = 1; next } f && $1 == "}" { f = 0 } f' <<<"$nft" \
            | grep -i masquerade | sed "s/^/chain $ch: /"
    done
    return 0
}

_nat_scenario() {
    local kind=$1 c
    create_net natnet
    new_container "$kind" c
    connect natnet "$c"
    assert_eq 1 "$(in_host sysctl -n net.ipv4.ip_forward)" "ip_forward in the host netns"

    ping_ok "$c" "$UPSTREAM_IP"      # the uplink peer
    ping_ok "$c" "$BEYOND_IP"        # beyond it, via the host's default route

    start_upstream_listener 8080
    assert_ok tcp_ask "$c" "$UPSTREAM_IP" 8080
    assert_eq "$UPLINK_HOST_IP" "$OUT" "source address seen by the upstream (masqueraded)"
    assert_eq "$UPLINK_HOST_IP" "$(peers_seen 8080)" "listener log"
    [[ -n "$(_masq_lines "$NET_SUBNET")" ]] || fail "no masquerade rule for $NET_SUBNET in:
$(nft_berth)"
}

test_nat_named_netns() { _nat_scenario netns; }

test_nat_pid() { _nat_scenario pid; }

test_nat_not_applied_between_containers() {
    # masquerade applies to traffic leaving via other interfaces, not to traffic on the bridge
    local a b ipa ipb
    create_net lan
    new_netns_container a
    new_pid_container b
    connect lan "$a"; ipa=$EP_IP
    connect lan "$b"; ipb=$EP_IP
    start_listener "$b" "$ipb" 9000
    assert_ok tcp_ask "$a" "$ipb" 9000
    assert_eq "$ipa" "$OUT" "container-to-container traffic keeps its source address"
}

test_connect_makes_no_firewall_change() {
    local c before
    create_net fw
    before=$(in_host nft list ruleset)
    new_netns_container c
    connect fw "$c"
    assert_eq "$before" "$(in_host nft list ruleset)" "ruleset after connect"
    assert_ok berth_host network disconnect fw "$c"
    assert_eq "$before" "$(in_host nft list ruleset)" "ruleset after disconnect"
}

test_firewall_only_in_berth_table() {
    # Berth must not touch tables it does not own nor any base chain policy.
    local c
    in_host nft add table inet bt_foreign
    in_host nft add chain inet bt_foreign fwd '{ type filter hook forward priority 10; policy accept; }'
    in_host nft add rule inet bt_foreign fwd counter
    local foreign_before
    foreign_before=$(in_host nft list table inet bt_foreign | grep -v counter)
    create_net own
    new_netns_container c
    connect own "$c"
    ping_ok "$c" "$UPSTREAM_IP"
    assert_eq "$foreign_before" "$(in_host nft list table inet bt_foreign | grep -v counter)" "foreign table untouched"
    local tables
    tables=$(in_host nft list tables)
    assert_contains "$tables" "table inet berth" "Berth's table exists"
    assert_eq 2 "$(grep -c '^table' <<<"$tables")" "only Berth's table was added: $tables"
}

test_internal_network() {
    local a b ipa ipb
    create_net inner --internal
    assert_eq true "$(net_field inner internal)" "inspect internal"
    new_netns_container a
    new_pid_container b
    connect inner "$a"; ipa=$EP_IP
    connect inner "$b"; ipb=$EP_IP
    # no default route
    assert_eq "" "$(in_ns "$a" ip -4 route show default)" "internal: no default route in a"
    assert_eq "" "$(in_ns "$b" ip -4 route show default)" "internal: no default route in b"
    # containers still talk to each other
    ping_ok "$a" "$ipb"
    ping_ok "$b" "$ipa"
    # but not to the outside
    ping_fails "$a" "$UPSTREAM_IP"
    start_upstream_listener 8081
    assert_fails tcp_ask "$a" "$UPSTREAM_IP" 8081
    assert_eq "" "$(peers_seen 8081)" "upstream saw nothing from an internal network"
    assert_eq "" "$(_masq_lines "$NET_SUBNET")" "internal: no masquerade rule for $NET_SUBNET"
}

test_internal_network_not_forwarded() {
    # Stronger isolation (Docker's --internal drops forwarding between the bridge and anything
    # else): even if a container adds a default route itself, nothing reaches the outside.
    local a
    create_net regular            # a non-internal network turns ip_forward on in the host netns
    create_net inner --internal
    assert_eq 1 "$(in_host sysctl -n net.ipv4.ip_forward)" "test setup: ip_forward on"
    new_netns_container a
    connect inner "$a"
    in_ns "$a" ip route add default via "$NET_GW" || fail "test setup: own default route"
    start_udp_listener up "$UPSTREAM_IP" 5353
    udp_send "$a" "$UPSTREAM_IP" 5353
    assert_eq "" "$(peers_seen 5353)" "datagrams from an internal network reached the upstream"
}

test_no_masquerade() {
    local c
    create_net plain --no-masquerade
    assert_eq false "$(net_field plain masquerade)" "inspect masquerade"
    new_netns_container c
    connect plain "$c"
    assert_eq "$NET_GW" "$(container_default_gw "$c")" "default route present"
    assert_eq "" "$(_masq_lines "$NET_SUBNET")" "no masquerade rule for $NET_SUBNET"
    # the upstream has no route back to the container subnet, so without NAT no reply arrives;
    # the request itself does arrive with the container's own address as source.
    start_upstream_listener 8082
    assert_fails tcp_ask "$c" "$UPSTREAM_IP" 8082
    assert_eq "" "$(peers_seen 8082)" "no connection was completed"
    ping_fails "$c" "$UPSTREAM_IP"
    # routed without NAT: what arrives upstream carries the container's own address
    start_udp_listener up "$UPSTREAM_IP" 5354
    udp_send "$c" "$UPSTREAM_IP" 5354
    wait_until 20 "the upstream logged a datagram" test -s "$BT_TMP/peers-5354"
    assert_contains "$(peers_seen 5354)" "$EP_IP" "--no-masquerade: upstream sees the container's address"
    assert_not_contains "$(peers_seen 5354)" "$UPLINK_HOST_IP" "--no-masquerade: not NATed"
}

test_nat_two_networks() {
    local a b
    create_net one; local s1=$NET_SUBNET
    create_net two; local s2=$NET_SUBNET
    new_netns_container a
    new_pid_container b
    connect one "$a"
    connect two "$b"
    start_upstream_listener 8083
    assert_ok tcp_ask "$a" "$UPSTREAM_IP" 8083
    assert_eq "$UPLINK_HOST_IP" "$OUT" "network one masqueraded"
    assert_ok tcp_ask "$b" "$UPSTREAM_IP" 8083
    assert_eq "$UPLINK_HOST_IP" "$OUT" "network two masqueraded"
    [[ -n "$(_masq_lines "$s1")" && -n "$(_masq_lines "$s2")" ]] || fail "a masquerade rule per network expected:
$(nft_berth)"
    # removing one network leaves the other's NAT working
    assert_ok berth_host network rm one --force
    assert_eq "" "$(_masq_lines "$s1")" "rule of removed network gone"
    assert_ok tcp_ask "$b" "$UPSTREAM_IP" 8083
    assert_eq "$UPLINK_HOST_IP" "$OUT" "network two still masqueraded"
}
