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
    # Another configuration of the same network must agree on the firewall it states.
    before=$(snapshot "$c" "$d")
    CNI_STDIN=$(jq -c '.firewall = "nftables"' <<<"$conf") cni_error 7 ADD two "$dns" eth0
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
    # One that states none agrees with whatever the network has.
    CNI_STDIN=$(jq -c 'del(.firewall)' <<<"$conf") cni_ok ADD two "$dns" eth0
    assert_not_contains "$(nft_berth)" "10.124.60.0/24" "still no rules for it"
    CNI_STDIN=$conf cni_ok DEL two "$dns" eth0
    CNI_STDIN=$conf cni_ok DEL one "$ns" eth0
}

# A runtime retrying its ADD after berth died half-way through creating the network (its bridge,
# named in the configuration, is left behind holding the gateway) needs no `berth gc`.
test_retried_add_after_a_crashed_create_with_a_named_bridge() {
    local c ns conf
    new_netns_container c
    ns=$(cni_netns "$c")
    conf=$(cni_conf crashy '.subnet = "10.124.63.0/24" | .bridge = "btcrash0"')
    CNI_STDIN=$conf CNI_EXTRA_ENV="BERTH_FAULT=create:after-bridge" cni_run ADD one "$ns" eth0
    assert_eq 137 "$RC" "berth was killed at the fault point"
    assert_ok in_host ip link show btcrash0
    CNI_STDIN=$conf cni_ok ADD one "$ns" eth0
    ping_ok "$c" 10.124.63.1
    CNI_STDIN=$conf cni_ok DEL one "$ns" eth0
}

# A state directory berth must not use is an I/O failure for a runtime (code 5), as before.
test_cni_unusable_state_is_code_5() {
    local c ns d=$BT_TMP/open-state
    mkdir -m 0777 "$d"
    new_netns_container c
    ns=$(cni_netns "$c")
    CNI_STDIN=$(cni_conf anywhere) CNI_NO_STATE_ENV=1 CNI_EXTRA_ENV="BERTH_STATE_DIR=$d" cni_error 5 ADD one "$ns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "writable by other users" "the message says why"
    assert_eq "" "$(ls -A "$d")" "nothing was created in it"
}

# A configuration whose `stateDir` key is written with an escape is still honoured: the ADD's
# early engine (opened before the configuration is decoded) must not be used for another
# directory. Run in a private mount namespace with a tmpfs over /var/lib, so that even a
# regression never touches the host's /var/lib/berth.
test_cni_escaped_state_dir_key_is_honoured() {
    local c ns d=$BT_TMP/escaped-state conf
    new_netns_container c
    ns=$(cni_netns "$c")
    conf=$(cni_conf escaped '.subnet = "10.124.64.0/24"' | jq -c --arg d "$d" '. + {stateDirX: $d}' | sed 's/"stateDirX"/"state\\u0044ir"/')
    assert_contains "$conf" 'state\u0044ir' "the key is written with an escape"
    run_capture in_host unshare -m --propagation private sh -c '
        mount -t tmpfs bt-var-lib /var/lib || exit 90
        printf "%s" "$2" | env -i PATH="$PATH" CNI_COMMAND=ADD CNI_CONTAINERID=one CNI_NETNS="$3" CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin "$1"
        rc=$?
        [ -e /var/lib/berth ] && echo "default state used" >&2 && exit 91
        exit $rc' sh "$BERTH" "$conf" "$ns"
    assert_eq 0 "$RC" "ADD with an escaped stateDir key (stderr: $ERR)"
    [[ -f "$d/berth.db" ]] || fail "the configured state directory was not used"
    assert_eq 1 "$(ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$d" "$BERTH" endpoints --format json | jq length)" "the endpoint is in the configured state"
    CNI_STDIN=$conf CNI_NO_STATE_ENV=1 CNI_EXTRA_ENV="BERTH_STATE_DIR=$d" cni_ok DEL one "$ns" eth0
}

# A damaged hint that names an unknown driver costs a redo, never a failed connect.
test_hint_naming_an_unknown_driver_is_redone() {
    local c hint
    create_net hinted2
    hint="$BT_STATE/hints/hinted2"
    sed -i 's/ bridge nftables / bridgX nftables /' "$hint"
    assert_contains "$(cat "$hint")" "bridgX" "the hint was damaged"
    new_netns_container c
    connect hinted2 "$c"
    ping_ok "$c" "$NET_GW"
    assert_match "$(cat "$hint")" " bridge nftables ip4=" "the hint was rewritten"
}

# Networks with `--firewall none` work on a host without libnftables (hidden here by a private
# mount namespace); an nftables network there fails with a clear error and changes nothing.
test_firewall_none_needs_no_libnftables() {
    local lib c before
    lib=$(readlink -f /usr/lib/x86_64-linux-gnu/libnftables.so.1 2>/dev/null || true)
    [[ -f "$lib" ]] || fail "libnftables is not installed here"
    new_netns_container c
    before=$(snapshot)
    run_capture ip netns exec "$BT_HOST" unshare -m --propagation private sh -c '
        mount --bind /dev/null "$1" || exit 90
        env BERTH_STATE_DIR="$2" "$3" network create nolib --subnet 10.124.65.0/24 --firewall none || exit 1
        env BERTH_STATE_DIR="$2" "$3" network connect nolib "$4" >/dev/null || exit 2
        env BERTH_STATE_DIR="$2" "$3" network create withlib --subnet 10.124.66.0/24 && exit 3
        env BERTH_STATE_DIR="$2" "$3" network disconnect nolib "$4" || exit 4
        env BERTH_STATE_DIR="$2" "$3" network rm nolib || exit 5' sh "$lib" "$BT_STATE" "$BERTH" "/run/netns/$c"
    assert_eq 0 "$RC" "a none network without libnftables (stderr: $ERR)"
    assert_contains "$ERR" "nftables" "the nftables network's error names what is missing"
    assert_unchanged "$before"
}

# A runtime's second ADD of the same container interface is refused as before: the message says
# what, the details name the endpoint that has it.
test_cni_second_add_names_the_endpoint_in_details() {
    local c d ns dns conf before
    new_netns_container c; new_netns_container d
    ns=$(cni_netns "$c"); dns=$(cni_netns "$d")
    conf=$(cni_conf twice '.subnet = "10.124.67.0/24"')
    CNI_STDIN=$conf cni_ok ADD same "$ns" eth0
    before=$(snapshot "$c" "$d")
    CNI_STDIN=$conf cni_error 100 ADD same "$dns" eth0
    assert_eq "container same already has eth0 on network 'twice'" "$(jq -r .msg <<<"$OUT")" "the message"
    assert_match "$(jq -r .details <<<"$OUT")" "^endpoint [0-9a-f]+ in $ns$" "the details name the endpoint"
    assert_unchanged "$before" "$c" "$d"
    CNI_STDIN=$conf cni_ok DEL same "$ns" eth0
}
