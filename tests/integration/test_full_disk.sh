# shellcheck shell=bash
# A command whose commit fails because the state's file system is full changes nothing, and CNI
# STATUS says that no ADD can work (code 50). The state directory is a tiny tmpfs under the
# test's temp dir, filled with a filler file.

# _create_until_the_disk_refuses: network creations until one fails. A full tmpfs can still take a commit
# whose WAL frames fit in the last page the WAL already has; each failing creation must leave
# no trace (no bridge, address, route or rule).
_create_until_the_disk_refuses() {
    local i before
    for i in 1 2 3 4 5 6 7 8 9; do
        before=$(snapshot)
        run_capture berth_host network create "full$i" --subnet "10.123.$((70 + i)).0/24"
        if [[ $RC -ne 0 ]]; then
            assert_match "$ERR" "^Error: .*(full|space)" "a one-line error naming the full disk"
            assert_eq 1 "$(wc -l <<<"$ERR")" "one line on stderr"
            assert_unchanged "$before"
            if ip -n "$BT_HOST" -o link show | grep -q "full$i"; then fail "a bridge of full$i exists"; fi
            assert_not_contains "$(nft_berth)" "10.123.$((70 + i)).0/24" "no rule of the failed network"
            return 0
        fi
    done
    fail "nine network creations succeeded on a full disk"
}

# _use_up_wal_slack: internal networks created until one fails (what those leave is not this
# helper's business: test_full_disk_network_create_changes_nothing checks it).
_use_up_wal_slack() {
    local i
    for i in 1 2 3 4 5 6 7 8 9; do
        berth_host network create "slack$i" --internal --subnet "10.123.$((90 + i)).0/24" >/dev/null 2>&1 || return 0
    done
    fail "nine network creations succeeded on a full disk"
}

test_full_disk_network_create_changes_nothing() {
    use_tiny_state_fs 2m
    create_net one --subnet 10.123.70.0/24
    fill_fs "$BT_STATE"
    _create_until_the_disk_refuses
    rm -f "$BT_STATE/filler"
    create_net two --subnet 10.123.89.0/24
}

test_full_disk_disconnect_changes_nothing() {
    local c before ip size
    use_tiny_state_fs 2m
    create_net one --subnet 10.123.70.0/24
    new_netns_container c
    connect one "$c" -p 18081:80
    ip=$EP_IP
    fill_fs "$BT_STATE"
    _use_up_wal_slack

    # One free page: enough for a first commit, not for all a disconnect writes. Before the fix
    # it marked the endpoint, deleted the veth, then failed to release the lease.
    size=$(stat -c %s "$BT_STATE/filler")
    truncate -s $((size - 4096)) "$BT_STATE/filler"
    before=$(snapshot "$c")
    run_capture berth_host network disconnect one "$c"
    log "disconnect with one free page: exit $RC $ERR"
    # Its one transaction (the endpoint's and its port's rows and their index entries) needs more
    # than one page of WAL: the commit must fail, or this test would prove nothing.
    assert_ne 0 "$RC" "the disconnect's commit fails on a full disk"
    assert_eq 1 "$(wc -l <<<"$ERR")" "one line on stderr: $ERR"
    assert_unchanged "$before" "$c"
    assert_eq active "$(berth_host endpoints --format json | jq -r '.[0].state')" "the lease is still held"
    ping_ok "$c" "$NET_GW"
    assert_eq "$NET_GW" "$(container_default_gw "$c")" "default route back"
    assert_contains "$(nft_berth)" "$ip" "published port still there"

    # With space again everything works.
    rm -f "$BT_STATE/filler"
    assert_ok berth_host network disconnect one "$c"
    assert_clean
    assert_container_clean "$c"
    connect one "$c"
    ping_ok "$c" "$NET_GW"
}

test_cni_status_says_50_when_the_state_is_full_or_read_only() {
    local conf c
    use_tiny_state_fs 2m
    new_netns_container c
    # No name service: berth-dns keeps the store open for writing (SQLite's WAL index), and a
    # file system with a file open for writing cannot be remounted read-only.
    conf=$(cni_conf fullnet '.subnet = "10.123.80.0/24" | .dns = false')
    CNI_STDIN=$conf cni_ok STATUS "" "" ""
    CNI_STDIN=$conf cni_ok ADD full1 "$(cni_netns "$c")" eth0
    fill_fs "$BT_STATE"
    CNI_STDIN=$conf cni_error 50 STATUS "" "" ""
    assert_contains "$(jq -r .msg <<<"$OUT")" "KiB left"
    rm -f "$BT_STATE/filler"
    CNI_STDIN=$conf cni_ok STATUS "" "" ""
    mount -o remount,ro "$BT_STATE" || fail "remount read-only"
    CNI_STDIN=$conf cni_error 50 STATUS "" "" ""
    mount -o remount,rw "$BT_STATE" || fail "remount read-write"
    CNI_STDIN=$conf cni_ok STATUS "" "" ""
}
