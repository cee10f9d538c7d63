# shellcheck shell=bash
# Other firewalls whose forward policy is drop (not Docker's: Berth handles that one itself):
# Berth changes nothing in them, and `berth doctor` names a fix that, run as printed, lets
# Berth's traffic through.

# _doctor_fix: run doctor (expecting findings) and print the fix of the drop-policy finding,
# without the trailing explanation in parentheses.
_doctor_fix() {
    run_capture berth_host doctor
    assert_eq 1 "$RC" "doctor reports the drop policy: $OUT"
    assert_contains "$OUT" "has a forward hook with policy drop"
    grep -A1 "policy drop" <<<"$OUT" | sed -n 's/^ *fix: //p' | sed 's/ (.*)$//'
}

# _egress_works C: outbound NAT from C reaches the upstream.
_egress_works() { assert_eq "$UPLINK_HOST_IP" "$(tcp_ask "$1" "$UPSTREAM_IP" 8081)" "outbound NAT"; }

test_nft_drop_policy_fix_from_doctor_works() {
    local c fix
    in_host nft add table inet bt_fw
    in_host nft add chain inet bt_fw bt_forward '{ type filter hook forward priority 0; policy drop; }' \
        || fail "test setup: foreign chain"
    create_net web
    new_netns_container c
    connect web "$c"
    start_upstream_listener 8081
    assert_fails tcp_ask "$c" "$UPSTREAM_IP" 8081
    assert_eq "" "$(in_host nft list chain inet bt_fw bt_forward | grep -v -e 'chain bt_forward' -e 'type filter' -e '^table' -e '[{}]$' || true)" \
        "Berth added nothing to a firewall it does not own"
    fix=$(_doctor_fix)
    assert_eq "nft insert rule inet bt_fw bt_forward meta mark and 0x100000 == 0x100000 accept" "$fix"
    # shellcheck disable=SC2086  # the fix is a command line, run word by word as a user would
    in_host $fix
    _egress_works "$c"
    assert_ok berth_host doctor
}

test_iptables_drop_policy_fix_from_doctor_works() {
    local c fix
    command -v iptables >/dev/null 2>&1 || { echo "SKIP: iptables not installed"; exit 77; }
    in_host iptables -P FORWARD DROP
    create_net web
    new_netns_container c
    connect web "$c"
    start_upstream_listener 8081
    assert_fails tcp_ask "$c" "$UPSTREAM_IP" 8081
    assert_eq "-P FORWARD DROP" "$(in_host iptables -S FORWARD)" "Berth added nothing without Docker"
    fix=$(_doctor_fix)
    assert_eq "iptables -I FORWARD -m mark --mark 0x100000/0x100000 -j ACCEPT" "$fix"
    # shellcheck disable=SC2086
    in_host $fix
    _egress_works "$c"
    assert_ok berth_host doctor
}
