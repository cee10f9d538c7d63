# shellcheck shell=bash
# Real hosts: containers that die without a disconnect, targets that are not namespaces,
# runtimes' garbage collection beside a user's attachments, a container's loopback.

# bare_pid_container VAR: like new_pid_container, but the process gets a new network namespace
# and nothing else (`ip netns exec` would also make a mount namespace, whose inode — from the
# same allocator — the next namespace would take when both die). Stores its PID in VAR.
bare_pid_container() {
    local _pid _i
    nsenter --net="/run/netns/$BT_HOST" unshare -n sleep 300 </dev/null >/dev/null 2>&1 &
    _pid=$!
    _bt_record pids "$_pid"
    # nsenter and unshare exec in place, so $! becomes sleep in its own netns.
    for ((_i = 0; _i < 100; _i++)); do
        [[ "$(cat "/proc/$_pid/comm" 2>/dev/null)" == sleep ]] && break
        sleep 0.02
    done
    ((_i < 100)) || fail "container process $_pid never started"
    printf -v "$1" '%s' "$_pid"
}

# pid_container_reusing_inode VAR INODE: a new PID container whose network namespace has the
# inode INODE, the dead container's. The kernel hands out the lowest free inode, and a dead
# namespace's becomes free once its (asynchronous) cleanup is done. Candidates that get another
# one keep it until then, so lower free inodes (other namespaces that died meanwhile) fill up
# instead of being handed out again and again; they go afterwards.
# On a machine where other work makes namespaces all the time, one of those may take the inode
# first. After 15 s (BT_INODE_REUSE_WAIT) the dead container's record is then given the last candidate's inode in the
# store — what reuse would have made of it, so berth meets the same state — and the test says so.
pid_container_reusing_inode() {
    local _want=$2 _cand _f _until=$((SECONDS + ${BT_INODE_REUSE_WAIT:-15})) _fillers=()
    while :; do
        bare_pid_container _cand
        [[ "$(readlink "/proc/$_cand/ns/net")" == "$_want" ]] && break
        if ((SECONDS >= _until)); then
            log "another namespace took $_want first: the dead container's record now names $_cand's inode"
            local old=${_want//[^0-9]/} new dev
            new=$(stat -L -c %i "/proc/$_cand/ns/net") dev=$(stat -L -c %d "/proc/$_cand/ns/net")
            sqlite3 "$BT_STATE/berth.db" "UPDATE endpoints SET netns_ino = $new, netns_dev = $dev WHERE netns_ino = $old" \
                || fail "cannot rewrite the dead container's record"
            break
        fi
        _fillers+=("$_cand")
        sleep 0.02
    done
    for _f in "${_fillers[@]}"; do kill_container "$_f"; done
    printf -v "$1" '%s' "$_cand"
}

# _died_without_disconnect NET [CONNECT_ARGS...]: connects a PID container, kills it without a
# disconnect, waits for its namespace to be gone (its veth goes with it) and sets DEAD_INODE,
# DEAD_IP.
_died_without_disconnect() {
    local net=$1 c; shift
    bare_pid_container c
    connect "$net" "$c" "$@"
    DEAD_INODE=$(readlink "/proc/$c/ns/net") DEAD_IP=$EP_IP
    local hostif=$EP_HOSTIF i
    kill_container "$c"
    for ((i = 0; i < 100; i++)); do
        ip -n "$BT_HOST" link show dev "$hostif" >/dev/null 2>&1 || break
        sleep 0.05
    done
    ((i < 100)) || fail "veth $hostif of the killed container never went"
}

test_connect_after_dead_container_with_same_inode() {
    local c
    create_net reuse --subnet 10.123.40.0/24
    _died_without_disconnect reuse
    pid_container_reusing_inode c "$DEAD_INODE"
    # Used to fail: "interface eth0 of PID is already connected to network 'reuse'".
    connect reuse "$c"
    ping_ok "$c" "$NET_GW"
    assert_ok berth_host endpoints --network reuse --format json
    assert_eq "$c" "$(jq -r '.[] | .target' <<<"$OUT")" "only the live container's endpoint is left"
    assert_ok berth_host network disconnect reuse "$c"
    assert_clean
}

test_connect_with_port_after_dead_container_with_same_inode() {
    local c
    create_net reusep --subnet 10.123.41.0/24
    _died_without_disconnect reusep -p 18080:80 --ip 10.123.41.50
    pid_container_reusing_inode c "$DEAD_INODE"
    # The same port and address again: both were the dead container's.
    connect reusep "$c" -p 18080:80 --ip 10.123.41.50
    assert_ok berth_host ports --format json
    assert_eq 1 "$(jq length <<<"$OUT")" "one published port, the live container's"
    start_payload_listener "$c" 10.123.41.50 80 alive
    assert_eq "alive $UPSTREAM_IP" "$(port_ask up "$UPLINK_HOST_IP" 18080)" "the port reaches the live container"
    assert_ok berth_host network disconnect reusep "$c"
    assert_clean
}

test_disconnect_of_new_container_releases_dead_ones_record() {
    local c
    create_net reused --subnet 10.123.42.0/24
    _died_without_disconnect reused
    pid_container_reusing_inode c "$DEAD_INODE"
    # The record under this inode is the dead container's, not c's: c has nothing to disconnect.
    assert_fails berth_host network disconnect reused "$c"
    assert_contains "$ERR" "has no interface" "says the new container is not connected"
    assert_eq 0 "$(berth_host endpoints --format json | jq length)" "the dead container's lease is released"
    connect reused "$c" --ip "$DEAD_IP"
    assert_ok berth_host network disconnect reused "$c"
    assert_clean
}

test_fifo_target_does_not_hang() {
    local c
    create_net ff
    new_netns_container c
    connect ff "$c"
    mkfifo "$BT_TMP/fifo"
    # Each used to block forever in open(2); timeout ends the test with 124 if one still does.
    run_capture timeout 10 env BERTH_STATE_DIR="$BT_STATE" ip netns exec "$BT_HOST" "$BERTH" network disconnect ff "$BT_TMP/fifo"
    [[ $RC -ne 124 ]] || fail "disconnect with a FIFO target hung"
    assert_ne 0 "$RC" "disconnect with a FIFO target fails"
    run_capture timeout 10 env BERTH_STATE_DIR="$BT_STATE" ip netns exec "$BT_HOST" "$BERTH" network connect ff "$BT_TMP/fifo"
    [[ $RC -ne 124 ]] || fail "connect with a FIFO target hung"
    assert_ne 0 "$RC" "connect with a FIFO target fails"
    assert_contains "$ERR" "not a namespace file" "connect names the problem"
    CNI_STDIN=$(cni_conf ffcni) cni_error 4 ADD k1 "$BT_TMP/fifo" eth0
    # Nothing was left holding the operation lock: gc runs at once and finds nothing to repair.
    run_capture timeout 10 env BERTH_STATE_DIR="$BT_STATE" ip netns exec "$BT_HOST" "$BERTH" gc
    assert_eq 0 "$RC" "gc after the FIFO attempts"
    ping_ok "$c" "$NET_GW"
}

test_cni_gc_leaves_cli_endpoints_alone() {
    local a b
    new_netns_container a; new_netns_container b
    CNI_STDIN=$(cni_conf shared) cni_ok ADD cni-one "$(cni_netns "$a")" eth0
    # A user attaches a container by hand to the network of the same name.
    connect shared "$b" --name by-hand
    CNI_STDIN=$(jq -c '.["cni.dev/valid-attachments"] = []' <<<"$(cni_conf shared)") cni_ok GC "" "" ""
    assert_ok berth_host endpoints --network shared --format json
    assert_eq "by-hand" "$(jq -r '[.[].name] | join(" ")' <<<"$OUT")" "GC released only what CNI made"
    ping_ok "$b" "$EP_GW"
    assert_ok berth_host network disconnect shared by-hand
    assert_clean
}

test_connect_brings_loopback_up() {
    local c
    create_net lo1
    new_netns_container c
    in_ns "$c" ip link set lo down
    connect lo1 "$c"
    assert_match "$(in_ns "$c" ip -o link show dev lo)" "[<,]UP[,>]" "lo is up after connect"
    ping_ok "$c" 127.0.0.1
}

# A state directory someone else can change is refused before anything happens.
test_state_directory_others_can_change_is_refused() {
    local d=$BT_TMP/foreign-state before
    mkdir -m 0777 "$d"
    chmod 0777 "$d"
    before=$(snapshot)
    run_capture in_host env BERTH_STATE_DIR="$d" "$BERTH" network create shared
    assert_ne 0 "$RC" "a world-writable state directory is refused"
    assert_contains "$ERR" "writable by other users" "the error names the problem"
    assert_contains "$ERR" "chmod go-w $d" "and the fix"
    chmod 0700 "$d"
    chown 65534 "$d"
    run_capture in_host env BERTH_STATE_DIR="$d" "$BERTH" network create shared
    assert_ne 0 "$RC" "a state directory owned by another user is refused"
    assert_contains "$ERR" "owned by uid 65534" "the error names the owner"
    assert_unchanged "$before"
    assert_eq "" "$(ls -A "$d")" "nothing was created in it"
}

# Links planted in the state directory are never followed.
test_state_files_are_never_followed() {
    local d=$BT_TMP/linked-state victim=$BT_TMP/victim
    mkdir -m 0700 "$d"
    printf 'precious\n' >"$victim"
    ln -s "$victim" "$d/berth.db"
    run_capture in_host env BERTH_STATE_DIR="$d" "$BERTH" network create l1
    assert_ne 0 "$RC" "a linked database is refused"
    rm "$d/berth.db"
    ln -s "$victim" "$d/operations.lock"
    run_capture in_host env BERTH_STATE_DIR="$d" "$BERTH" network create l1
    assert_ne 0 "$RC" "a linked lock file is refused"
    assert_eq "precious" "$(cat "$victim")" "the links' target is untouched"
    assert_eq "" "$(ip -n "$BT_HOST" -o link show type bridge)" "no bridge was made"
}

# The database and its companions are private: labels are nobody else's to read.
test_state_files_are_private() {
    local c f
    create_net priv --label owner=alice
    new_netns_container c
    connect priv "$c"
    for f in "$BT_STATE"/berth.db "$BT_STATE"/berth.db-wal "$BT_STATE"/berth.db-shm "$BT_STATE"/operations.lock; do
        [[ -e "$f" ]] || continue
        assert_eq 600 "$(stat -c %a "$f")" "mode of $f"
    done
    assert_eq 600 "$(stat -c %a "$BT_STATE/berth.db")" "mode of the database"
}

# A configuration far larger than any real one is refused without being read whole.
test_cni_oversized_configuration_is_refused() {
    local c CNI_STDIN   # not exported: 2 MiB is more than an environment may hold
    new_netns_container c
    CNI_STDIN=$(python3 -c 'import json; print(json.dumps({"cniVersion": "1.1.0", "name": "big", "type": "berth", "pad": "x" * (2 << 20)}))')
    cni_error 6 ADD big1 "$(cni_netns "$c")" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "larger than 1 MiB" "the error says why"
    assert_clean
}

# A state directory reached through a link: fine when the link is this user's own, refused when
# someone else planted it where the directory was expected.
test_state_directory_links() {
    local real=$BT_TMP/real-state
    mkdir -m 0700 "$real"
    ln -s "$real" "$BT_TMP/own-link"
    run_capture in_host env BERTH_STATE_DIR="$BT_TMP/own-link" "$BERTH" network create viaownlink --subnet 10.123.60.0/24
    assert_eq 0 "$RC" "a link of berth's own user is followed: $ERR"
    [[ -f "$real/berth.db" ]] || fail "the state went through the link"
    ln -s "$real" "$BT_TMP/foreign-link"
    chown -h 65534 "$BT_TMP/foreign-link"
    run_capture in_host env BERTH_STATE_DIR="$BT_TMP/foreign-link" "$BERTH" network ls
    assert_ne 0 "$RC" "a link planted by another user is refused"
    assert_contains "$ERR" "is a link owned by uid 65534" "the error says why"
    run_capture in_host env BERTH_STATE_DIR="$BT_TMP/own-link" "$BERTH" network rm viaownlink
    assert_eq 0 "$RC" "cleanup through the own link: $ERR"
}

# A `hints` folder that is a link is never written through (nor read): the hint is only an
# optimisation, so connects still work.
test_hints_link_is_never_followed() {
    local c elsewhere=$BT_TMP/elsewhere
    mkdir -m 0700 "$elsewhere"
    mkdir -p "$BT_STATE"
    ln -s "$elsewhere" "$BT_STATE/hints"
    create_net hinted --subnet 10.123.61.0/24
    new_netns_container c
    connect hinted "$c"
    ping_ok "$c" "$NET_GW"
    assert_eq "" "$(ls -A "$elsewhere")" "nothing was written through the link"
}

# A network create that crashed after making its bridge leaves an orphan whose address is the
# gateway: the same create (or a runtime's retried ADD) must not need `berth gc` first.
test_create_again_after_a_crash_needs_no_gc() {
    local c point
    for point in create:after-bridge create:after-firewall; do
        run_capture in_host env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT="$point" "$BERTH" network create again --subnet 10.123.62.0/24
        assert_eq 137 "$RC" "killed at $point"
        assert_ok berth_host network create again --subnet 10.123.62.0/24
        assert_ok berth_host network rm again
    done
    new_netns_container c
    CNI_EXTRA_ENV="BERTH_FAULT=create:after-bridge" CNI_STDIN=$(cni_conf again '.subnet = "10.123.62.0/24"') cni_run ADD r1 "$(cni_netns "$c")" eth0
    assert_eq 137 "$RC" "the ADD was killed half-way through creating its network"
    CNI_STDIN=$(cni_conf again '.subnet = "10.123.62.0/24"') cni_ok ADD r1 "$(cni_netns "$c")" eth0
    ping_ok "$c" 10.123.62.1
}
