# shellcheck shell=bash
# Concurrent berth processes never hand out the same address.

test_parallel_20_connects() {
    local i n=20 c pids=() conts=() rc ip
    create_net par
    for ((i = 0; i < n; i++)); do
        if ((i % 2)); then new_pid_container c; else new_netns_container c; fi
        conts+=("$c")
    done
    mkdir -p "$BT_TMP/par"
    for ((i = 0; i < n; i++)); do
        ( berth_host network connect par "${conts[$i]}" >"$BT_TMP/par/$i.out" 2>"$BT_TMP/par/$i.err"
          echo $? >"$BT_TMP/par/$i.rc" ) &
        pids+=("$!")
    done
    for p in "${pids[@]}"; do wait "$p"; done
    local ips=()
    for ((i = 0; i < n; i++)); do
        rc=$(cat "$BT_TMP/par/$i.rc")
        [[ "$rc" == 0 ]] || fail "connect #$i failed (exit $rc): $(cat "$BT_TMP/par/$i.err")"
        ip=$(jq -r .ipv4 "$BT_TMP/par/$i.out") || fail "connect #$i printed no JSON: $(cat "$BT_TMP/par/$i.out")"
        ip=${ip%/*}
        in_subnet "$ip" "$NET_SUBNET" || fail "address $ip not in $NET_SUBNET"
        assert_ne "$NET_GW" "$ip" "gateway handed out"
        assert_eq "$ip/${NET_SUBNET#*/}" "$(container_ipv4 "${conts[$i]}")" "container #$i address"
        ips+=("$ip")
    done
    local distinct
    distinct=$(printf '%s\n' "${ips[@]}" | sort -u | wc -l)
    assert_eq "$n" "$distinct" "distinct addresses among $n parallel connects: ${ips[*]}"
    assert_eq "$n" "$(berth_host endpoints --format json | jq length)" "endpoints recorded"
    assert_eq "$n" "$(host_veths | wc -l)" "host veths"
    # every container answers
    pids=()
    for ip in "${ips[@]}"; do
        ( ping_ok host "$ip" ) 2>"$BT_TMP/par/ping-$ip.err" &
        pids+=("$!")
    done
    for p in "${pids[@]}"; do wait "$p" || fail "$(cat "$BT_TMP"/par/ping-*.err)"; done
    ping_ok "${conts[0]}" "${ips[$((n - 1))]}"

    # and 20 parallel disconnects leave nothing
    pids=()
    for ((i = 0; i < n; i++)); do
        ( berth_host network disconnect par "${conts[$i]}" >/dev/null 2>"$BT_TMP/par/d$i.err"; echo $? >"$BT_TMP/par/d$i.rc" ) &
        pids+=("$!")
    done
    for p in "${pids[@]}"; do wait "$p"; done
    for ((i = 0; i < n; i++)); do
        rc=$(cat "$BT_TMP/par/d$i.rc")
        [[ "$rc" == 0 ]] || fail "disconnect #$i failed (exit $rc): $(cat "$BT_TMP/par/d$i.err")"
        assert_container_clean "${conts[$i]}"
    done
    assert_clean
}

test_parallel_same_static_ip_only_one_wins() {
    local i n=6 c conts=() pids=() ok=0
    create_net race --subnet 10.123.40.0/24
    for ((i = 0; i < n; i++)); do new_netns_container c; conts+=("$c"); done
    mkdir -p "$BT_TMP/race"
    for ((i = 0; i < n; i++)); do
        ( berth_host network connect race "${conts[$i]}" --ip 10.123.40.50 >/dev/null 2>"$BT_TMP/race/$i.err"
          echo $? >"$BT_TMP/race/$i.rc" ) &
        pids+=("$!")
    done
    for p in "${pids[@]}"; do wait "$p"; done
    for ((i = 0; i < n; i++)); do
        if [[ "$(cat "$BT_TMP/race/$i.rc")" == 0 ]]; then
            ok=$((ok + 1))
        else
            assert_container_clean "${conts[$i]}"
            assert_match "$(cat "$BT_TMP/race/$i.err")" '^Error: ' "loser's error message"
        fi
    done
    assert_eq 1 "$ok" "exactly one connect may get 10.123.40.50"
    assert_eq 1 "$(berth_host endpoints --format json | jq length)" "one endpoint"
    assert_eq 1 "$(host_veths | wc -l)" "one host veth"
}

test_parallel_network_creates_distinct_subnets() {
    local i n=6 pids=()
    mkdir -p "$BT_TMP/pc"
    for ((i = 0; i < n; i++)); do
        ( berth_host network create "pc$i" >/dev/null 2>"$BT_TMP/pc/$i.err"; echo $? >"$BT_TMP/pc/$i.rc" ) &
        pids+=("$!")
    done
    for p in "${pids[@]}"; do wait "$p"; done
    for ((i = 0; i < n; i++)); do
        [[ "$(cat "$BT_TMP/pc/$i.rc")" == 0 ]] || fail "create pc$i failed: $(cat "$BT_TMP/pc/$i.err")"
    done
    assert_ok berth_host network ls --format json
    local subs
    mapfile -t subs < <(jq -r '.[].subnet' <<<"$OUT")
    assert_eq "$n" "${#subs[@]}" "networks created"
    local j
    for ((i = 0; i < n; i++)); do
        for ((j = i + 1; j < n; j++)); do
            if subnets_overlap "${subs[$i]}" "${subs[$j]}"; then fail "parallel creates overlap: ${subs[*]}"; fi
        done
    done
    assert_eq "$n" "$(jq -r '.[].bridge' <<<"$OUT" | sort -u | wc -l)" "distinct bridges"
}
