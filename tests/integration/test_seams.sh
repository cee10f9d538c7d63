# shellcheck shell=bash
# The seams of issue 12 as a user meets them: each network records its driver and its firewall
# (`--driver`, `--firewall nftables|none`, the CNI `firewall` key); a `none` network installs no
# rules and is left alone by the self-heal, gc and doctor, while an nftables network beside it
# keeps its own; unknown drivers and firewalls are refused and change nothing.

test_firewall_none_network_installs_no_rules_beside_an_nftables_one() {
    local c d nft ruled ruled_id plain_id
    create_net ruled
    ruled_id=$(net_field ruled id)
    create_net plain --firewall none
    local plain_gw=$NET_GW plain_bridge=$NET_BRIDGE plain_subnet=$NET_SUBNET
    plain_id=$(net_field plain id)
    assert_eq none "$(net_field plain firewall)" "inspect shows the firewall"
    assert_eq bridge "$(net_field plain driver)" "inspect shows the driver"
    assert_eq nftables "$(net_field ruled firewall)" "nftables is the default firewall"
    nft=$(nft_berth)
    assert_contains "$nft" "$ruled_id" "the nftables network has its rules"
    assert_not_contains "$nft" "$plain_id" "the none network has no rules"
    assert_not_contains "$nft" "$plain_bridge" "no rule names the none network's bridge"
    assert_not_contains "$nft" "$plain_subnet" "no rule names the none network's subnet"

    new_netns_container c
    connect plain "$c"
    assert_eq "$plain_gw" "$EP_GW" "the container's gateway"
    ping_ok "$c" "$plain_gw"
    assert_not_contains "$(nft_berth)" "$plain_id" "connecting added no rule"

    # Publishing on it is refused: nothing would forward the port.
    new_netns_container d
    local before; before=$(snapshot "$c" "$d")
    assert_berth_error berth_host network connect plain "$d" -p 8080:80
    assert_contains "$ERR" "no firewall" "the error says why"
    assert_unchanged "$before" "$c" "$d"

    # Self-heal and gc restore the nftables network's rules, never the none network's.
    in_host nft flush ruleset
    local e; new_netns_container e
    connect ruled "$e"
    nft=$(nft_berth)
    assert_contains "$nft" "$ruled_id" "the self-heal restored the nftables network's rules"
    assert_not_contains "$nft" "$plain_id" "the self-heal added nothing for the none network"
    assert_ok berth_host gc
    assert_not_contains "$(nft_berth)" "$plain_id" "gc added nothing for the none network"

    assert_ok berth_host network rm --force plain
    assert_not_contains "$(host_links)" "$plain_bridge" "the none network's bridge is gone"
    assert_contains "$(nft_berth)" "$ruled_id" "the nftables network keeps its rules"
}

test_only_none_networks_never_create_the_table() {
    local c
    create_net quiet --firewall none
    assert_fails in_host nft list table inet berth
    new_netns_container c
    connect quiet "$c"
    ping_ok "$c" "$NET_GW"
    assert_fails in_host nft list table inet berth
    assert_ok berth_host gc
    assert_eq "nothing to repair" "$OUT" "gc finds nothing to repair on a none network"
    assert_fails in_host nft list table inet berth
    run_capture berth_host doctor
    assert_not_contains "$OUT" "nftables" "doctor reports nothing about rules a none network never has"
    assert_ok berth_host network disconnect quiet "$c"
    assert_ok berth_host network rm quiet
    assert_clean "$NET_BRIDGE:$NET_SUBNET"
}

test_unknown_driver_or_firewall_is_refused_and_changes_nothing() {
    local before
    create_net kept
    before=$(snapshot)
    assert_berth_error berth_host network create other --driver vxlan
    assert_contains "$ERR" "driver 'vxlan' is not one of: bridge" "the error names the driver"
    assert_berth_error berth_host network create other --firewall iptables
    assert_contains "$ERR" "firewall 'iptables' is not one of: nftables, none" "the error names the firewall"
    assert_unchanged "$before"
}

test_cni_firewall_key_and_ports_refused_on_a_none_network() {
    local c d ns dns conf before
    new_netns_container c; new_netns_container d
    ns=$(cni_netns "$c"); dns=$(cni_netns "$d")
    conf=$(cni_conf cniquiet '.subnet = "10.124.60.0/24" | .firewall = "none"')
    CNI_STDIN=$conf cni_ok ADD one "$ns" eth0
    assert_eq none "$(net_field cniquiet firewall)" "the CNI network records its firewall"
    assert_not_contains "$(nft_berth)" "10.124.60.0/24" "no rules for it"
    ping_ok "$c" 10.124.60.1
    # Another configuration of the same network must agree on the firewall.
    before=$(snapshot "$c" "$d")
    CNI_STDIN=$(jq -c 'del(.firewall)' <<<"$conf") cni_error 7 ADD two "$dns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "firewall" "the mismatch names the firewall"
    CNI_STDIN=$(jq -c '.firewall = "ufw"' <<<"$conf") cni_error 7 ADD two "$dns" eth0
    CNI_STDIN=$(jq -c '.runtimeConfig = {portMappings: [{hostPort: 8080, containerPort: 80, protocol: "tcp"}]}' <<<"$conf") \
        cni_error 7 ADD two "$dns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "no firewall" "ports on a none network are refused"
    assert_unchanged "$before" "$c" "$d"
    # A network the failed ADD would have created is gone again.
    before=$(snapshot "$c" "$d")
    CNI_STDIN=$(jq -c '.name = "cnifresh" | .subnet = "10.124.61.0/24" | .runtimeConfig = {portMappings: [{hostPort: 8081, containerPort: 80, protocol: "tcp"}]}' <<<"$conf") \
        cni_error 7 ADD three "$dns" eth0
    assert_unchanged "$before" "$c" "$d"
    CNI_STDIN=$conf cni_ok DEL one "$ns" eth0
}
