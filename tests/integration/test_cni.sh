# shellcheck shell=bash
# Berth as a CNI plugin, driven exactly as a runtime drives it: CNI_* environment, the network
# configuration on stdin, the result or error object read from stdout. Real namespaces, real
# traffic, kernel and store state checked afterwards.

CNI_VERSIONS=(0.3.0 0.3.1 0.4.0 1.0.0 1.1.0)
# The configuration Podman 4.3 generates for the reference bridge plugin, with only `type`
# changed (captured in /work/shared/reference/podman-samples/cni-ADD-main-plugin.txt).
PODMAN_CONF='{"bridge":"cni-example1","capabilities":{"ips":true},"cniVersion":"0.4.0","hairpinMode":true,"ipMasq":true,"ipam":{"ranges":[[{"gateway":"10.89.42.1","subnet":"10.89.42.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}],"type":"host-local"},"isGateway":true,"name":"example-net","type":"berth"}'

# _check_add_result CONTAINER IFNAME: the ADD result in $OUT matches the kernel and the store.
_check_add_result() {
    local c=$1 ifname=$2 res=$OUT n cidr gw mac hostif
    n=$(jq '.interfaces | length' <<<"$res")
    assert_eq 3 "$n" "interfaces: bridge, host veth, container"
    assert_eq "$ifname" "$(jq -r '.interfaces[2].name' <<<"$res")" "container interface name"
    assert_eq "$(cni_netns "$c")" "$(jq -r '.interfaces[2].sandbox' <<<"$res")" "sandbox"
    assert_eq 2 "$(jq -r '.ips[0].interface' <<<"$res")" "ips[0].interface points at the container interface"
    cidr=$(jq -r '.ips[0].address' <<<"$res"); gw=$(jq -r '.ips[0].gateway' <<<"$res")
    mac=$(jq -r '.interfaces[2].mac' <<<"$res"); hostif=$(jq -r '.interfaces[1].name' <<<"$res")
    assert_eq "$cidr" "$(container_ipv4 "$c" "$ifname")" "address in the container"
    assert_eq "$gw" "$(container_default_gw "$c")" "default route via the result's gateway"
    assert_contains "$(in_ns "$c" ip -o link show dev "$ifname")" "link/ether $mac" "MAC in the container"
    assert_contains "$(ip -n "$BT_HOST" -o link show dev "$hostif")" "master $(jq -r '.interfaces[0].name' <<<"$res")" "host veth on the bridge"
    # the MACs reported for the bridge and the host veth are the kernel's
    assert_contains "$(ip -n "$BT_HOST" -o link show dev "$hostif")" "link/ether $(jq -r '.interfaces[1].mac' <<<"$res")" "host veth MAC"
    assert_contains "$(ip -n "$BT_HOST" -o link show dev "$(jq -r '.interfaces[0].name' <<<"$res")")" \
        "link/ether $(jq -r '.interfaces[0].mac' <<<"$res")" "bridge MAC"
    assert_eq '[{"dst":"0.0.0.0/0","gw":"'"$gw"'"}]' "$(jq -c .routes <<<"$res")" "routes"
    ADD_IP=${cidr%/*}
}

test_cni_version() {
    local v
    for v in "${CNI_VERSIONS[@]}"; do
        CNI_STDIN="{\"cniVersion\":\"$v\"}" cni_ok VERSION "" "" ""
        assert_eq "$v" "$(jq -r .cniVersion <<<"$OUT")" "VERSION answers in the requested version"
        assert_eq "$(printf '%s\n' "${CNI_VERSIONS[@]}")" "$(jq -r '.supportedVersions[]' <<<"$OUT")" "supportedVersions"
    done
    # Exactly what Podman sends (env from cni-VERSION-main.txt): dummy values everywhere.
    CNI_STDIN='{"cniVersion":"1.0.0"}' cni_ok VERSION "" dummy dummy
    # VERSION never fails: unknown version, garbage, nothing at all.
    for input in '{"cniVersion":"9.9.9"}' 'not json' ''; do
        CNI_STDIN=$input cni_ok VERSION "" "" ""
        assert_eq 1.1.0 "$(jq -r .cniVersion <<<"$OUT")" "VERSION falls back to the latest version"
    done
    [[ ! -e "$BT_STATE/berth.db" ]] || fail "VERSION touched the state"
}

test_cni_add_check_del_every_version() {
    local v c i=0 res
    for v in "${CNI_VERSIONS[@]}"; do
        i=$((i + 1))
        new_netns_container c
        CNI_STDIN=$(cni_conf "net$i" ".cniVersion = \"$v\" | .subnet = \"10.124.$i.0/24\"")
        cni_ok ADD "ctr$i" "$(cni_netns "$c")" eth0
        res=$OUT
        assert_eq "$v" "$(jq -r .cniVersion <<<"$res")" "result cniVersion"
        _check_add_result "$c" eth0
        in_subnet "$ADD_IP" "10.124.$i.0/24" || fail "address $ADD_IP not in the configured subnet"
        if [[ $v == 0.* ]]; then
            assert_eq 4 "$(jq -r '.ips[0].version' <<<"$res")" "$v: ips carry version 4"
        else
            assert_eq false "$(jq '.ips[0] | has("version")' <<<"$res")" "$v: ips carry no version"
        fi
        if [[ $v == 1.1.0 ]]; then
            jq -e '.interfaces[2].mtu > 0' >/dev/null <<<"$res" || fail "1.1.0: interface mtu missing: $res"
        else
            assert_eq false "$(jq '.interfaces[2] | has("mtu")' <<<"$res")" "$v: no interface mtu"
        fi
        ping_ok "$c" "$(jq -r '.ips[0].gateway' <<<"$res")"
        ping_ok host "$ADD_IP"
        # the CLI sees the CNI endpoint: one state, one engine
        assert_ok berth_host endpoints --network "net$i" --format json
        assert_eq "ctr$i eth0 $ADD_IP" "$(jq -r '.[0] | "\(.name) \(.ifname) \(.ipv4 | split("/")[0])"' <<<"$OUT")" "berth endpoints"
        if [[ $v == 0.3.* ]]; then
            CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$CNI_STDIN") cni_error 1 CHECK "ctr$i" "$(cni_netns "$c")" eth0
        else
            CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$CNI_STDIN") cni_ok CHECK "ctr$i" "$(cni_netns "$c")" eth0
        fi
        CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$CNI_STDIN") cni_ok DEL "ctr$i" "$(cni_netns "$c")" eth0
        assert_container_clean "$c"
        CNI_STDIN=$(cni_conf "net$i" ".cniVersion = \"$v\"") cni_ok DEL "ctr$i" "$(cni_netns "$c")" eth0
    done
    assert_clean
}

test_cni_podman_bridge_config() {
    local c1 c2 res
    new_netns_container c1
    CNI_STDIN=$PODMAN_CONF cni_ok ADD 2e99001608f3c3ae54063d5f67a72000f9a3165f0a47d5d3885b580e0c170151 "$(cni_netns "$c1")" eth0 "IgnoreUnknown=1;K8S_POD_NAME=c1"
    res=$OUT
    _check_add_result "$c1" eth0
    # The shape Podman got from the reference bridge plugin (cni-ADD-main-plugin.txt), except
    # that Berth also reports the default route's gateway.
    assert_eq '["cniVersion","dns","interfaces","ips","routes"]' "$(jq -c 'keys' <<<"$res")" "result keys"
    assert_eq cni-example1 "$(jq -r '.interfaces[0].name' <<<"$res")" "bridge from the config"
    assert_eq '{"version":"4","interface":2,"address":"10.89.42.2/24","gateway":"10.89.42.1"}' "$(jq -c '.ips[0]' <<<"$res")" "ips[0]"
    assert_ok berth_host network inspect example-net
    assert_eq 10.89.42.0/24 "$(jq -r '.[0].subnet' <<<"$OUT")" "network auto-created from ipam.ranges"
    assert_eq cni-example1 "$(jq -r '.[0].bridge' <<<"$OUT")" "bridge"
    # static IP from CNI_ARGS, as Podman passes it (cni-ADD-main-plugin-static-ip.txt)
    new_netns_container c2
    CNI_STDIN=$PODMAN_CONF cni_ok ADD 49c321acef1d6c8b "$(cni_netns "$c2")" eth0 "IgnoreUnknown=1;K8S_POD_NAME=keen_proskuriakova;IP=10.89.42.5"
    assert_eq 10.89.42.5/24 "$(jq -r '.ips[0].address' <<<"$OUT")" "static IP from CNI_ARGS"
    ping_ok "$c1" 10.89.42.5
    # DEL as Podman sends it: with prevResult from the libcni cache
    CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$PODMAN_CONF") \
        cni_ok DEL 2e99001608f3c3ae54063d5f67a72000f9a3165f0a47d5d3885b580e0c170151 "$(cni_netns "$c1")" eth0 "IgnoreUnknown=1;K8S_POD_NAME=c1"
    CNI_STDIN=$PODMAN_CONF cni_ok DEL 49c321acef1d6c8b "$(cni_netns "$c2")" eth0 "IgnoreUnknown=1"
    assert_container_clean "$c1"; assert_container_clean "$c2"
    assert_clean
}

test_cni_two_containers_ping_and_nat() {
    local a b ipa ipb seen
    new_netns_container a
    new_pid_container b
    CNI_STDIN=$(cni_conf web) cni_ok ADD ca "$(cni_netns "$a")" eth0
    _check_add_result "$a" eth0; ipa=$ADD_IP
    CNI_STDIN=$(cni_conf web) cni_ok ADD cb "$(cni_netns "$b")" eth0
    _check_add_result "$b" eth0; ipb=$ADD_IP
    assert_ne "$ipa" "$ipb" "two containers, two addresses"
    ping_ok "$a" "$ipb"
    ping_ok "$b" "$ipa"
    start_upstream_listener 8081
    seen=$(tcp_ask "$a" "$UPSTREAM_IP" 8081) || fail "container cannot reach the upstream"
    assert_eq "$UPLINK_HOST_IP" "$seen" "upstream sees the host's uplink address (NAT)"
    seen=$(tcp_ask "$b" "$UPSTREAM_IP" 8081) || fail "pid container cannot reach the upstream"
    assert_eq "$UPLINK_HOST_IP" "$seen" "NAT for the second container"
    CNI_STDIN=$(cni_conf web) cni_ok DEL ca "$(cni_netns "$a")" eth0
    CNI_STDIN=$(cni_conf web) cni_ok DEL cb "$(cni_netns "$b")" eth0
    assert_clean
}

test_cni_chain_with_prev_result() {
    local c first chained
    new_netns_container c
    CNI_STDIN=$(cni_conf front '.subnet = "10.124.20.0/24"') cni_ok ADD chain1 "$(cni_netns "$c")" eth0
    first=$OUT
    # the next plugin of a conflist receives the previous result and must carry it forward
    CNI_STDIN=$(jq -c --argjson p "$first" '.subnet = "10.124.21.0/24" | .internal = true | .prevResult = $p' <<<"$(cni_conf back)") \
        cni_ok ADD chain1 "$(cni_netns "$c")" eth1
    chained=$OUT
    assert_eq 6 "$(jq '.interfaces | length' <<<"$chained")" "interfaces of both plugins"
    assert_eq "eth0 eth1" "$(jq -r '[.interfaces[] | select(.sandbox) | .name] | join(" ")' <<<"$chained")" "container interfaces in order"
    assert_eq "2 5" "$(jq -r '[.ips[].interface] | join(" ")' <<<"$chained")" "ip entries point at their interfaces"
    assert_eq "$(jq -c '.ips[0]' <<<"$first")" "$(jq -c '.ips[0]' <<<"$chained")" "first plugin's ip entry carried over"
    in_subnet "$(container_ipv4 "$c" eth1)" 10.124.21.0/24 || fail "eth1 not on the second network"
    # CHECK each plugin against the chain's final result, as libcni does
    CNI_STDIN=$(jq -c --argjson p "$chained" '.subnet = "10.124.20.0/24" | .prevResult = $p' <<<"$(cni_conf front)") cni_ok CHECK chain1 "$(cni_netns "$c")" eth0
    CNI_STDIN=$(jq -c --argjson p "$chained" '.subnet = "10.124.21.0/24" | .internal = true | .prevResult = $p' <<<"$(cni_conf back)") cni_ok CHECK chain1 "$(cni_netns "$c")" eth1
    # DEL in reverse order, with the result
    CNI_STDIN=$(jq -c --argjson p "$chained" '.prevResult = $p' <<<"$(cni_conf back)") cni_ok DEL chain1 "$(cni_netns "$c")" eth1
    CNI_STDIN=$(jq -c --argjson p "$chained" '.prevResult = $p' <<<"$(cni_conf front)") cni_ok DEL chain1 "$(cni_netns "$c")" eth0
    assert_container_clean "$c"
    assert_clean
}

test_cni_del_twice_and_without_netns() {
    local c d
    new_netns_container c
    CNI_STDIN=$(cni_conf gone) cni_ok ADD g1 "$(cni_netns "$c")" eth0
    ip netns del "$c"
    # the namespace is gone: DEL still releases everything, and again, and with CNI_NETNS empty
    CNI_STDIN=$(cni_conf gone) cni_ok DEL g1 "/run/netns/$c" eth0
    assert_clean
    CNI_STDIN=$(cni_conf gone) cni_ok DEL g1 "/run/netns/$c" eth0
    CNI_STDIN=$(cni_conf gone) cni_ok DEL g1 "" eth0
    new_pid_container d
    CNI_STDIN=$(cni_conf gone) cni_ok ADD g2 "$(cni_netns "$d")" eth0
    kill_container "$d"
    CNI_STDIN=$(cni_conf gone) cni_ok DEL g2 "" eth0
    # a network that never existed, an unknown container: still success
    CNI_STDIN=$(cni_conf never) cni_ok DEL nobody "" eth0
    assert_clean
    assert_ok berth_host network ls --format json
    assert_eq '["gone"]' "$(jq -c '[.[].name]' <<<"$OUT")" "DEL of an unknown network created nothing"
}

test_cni_check_detects_damage() {
    local c res
    new_netns_container c
    CNI_STDIN=$(cni_conf chk) cni_ok ADD k1 "$(cni_netns "$c")" eth0
    res=$OUT
    local conf; conf=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$(cni_conf chk)")
    CNI_STDIN=$conf cni_ok CHECK k1 "$(cni_netns "$c")" eth0
    in_ns "$c" ip addr flush dev eth0
    CNI_STDIN=$conf cni_error 110 CHECK k1 "$(cni_netns "$c")" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "lacks address" "CHECK names the missing address"
    # a CHECK for an attachment that was never made
    CNI_STDIN=$conf cni_error 110 CHECK other "$(cni_netns "$c")" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "no lease" "CHECK names the missing lease"
    # host side gone
    local d; new_netns_container d
    CNI_STDIN=$(cni_conf chk) cni_ok ADD k2 "$(cni_netns "$d")" eth0
    conf=$(jq -c --argjson p "$OUT" '.prevResult = $p' <<<"$(cni_conf chk)")
    CNI_STDIN=$conf cni_ok CHECK k2 "$(cni_netns "$d")" eth0
    in_ns "$d" ip route del default
    CNI_STDIN=$conf cni_error 110 CHECK k2 "$(cni_netns "$d")" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "default route" "CHECK names the missing route"
    # firewall rules gone
    in_ns "$d" ip route add default via "$(jq -r '.prevResult.ips[0].gateway' <<<"$conf")"
    CNI_STDIN=$conf cni_ok CHECK k2 "$(cni_netns "$d")" eth0
    in_host nft delete table inet berth
    CNI_STDIN=$conf cni_error 110 CHECK k2 "$(cni_netns "$d")" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "firewall" "CHECK names the missing rules"
    # CHECK without prevResult is a config error
    CNI_STDIN=$(cni_conf chk) cni_error 7 CHECK k2 "$(cni_netns "$d")" eth0
    CNI_STDIN=$(cni_conf chk) cni_ok DEL k1 "" eth0
    CNI_STDIN=$(cni_conf chk) cni_ok DEL k2 "" eth0
    assert_clean
}

test_cni_gc_partial_list() {
    local c1 c2 c3 ip1 ip3
    new_netns_container c1; new_netns_container c2; new_netns_container c3
    CNI_STDIN=$(cni_conf gcnet) cni_ok ADD keep1 "$(cni_netns "$c1")" eth0; ip1=$(jq -r '.ips[0].address' <<<"$OUT")
    CNI_STDIN=$(cni_conf gcnet) cni_ok ADD drop2 "$(cni_netns "$c2")" eth0
    CNI_STDIN=$(cni_conf gcnet) cni_ok ADD keep3 "$(cni_netns "$c3")" net1; ip3=$(jq -r '.ips[0].address' <<<"$OUT")
    # an endpoint of another network must not be touched by this network's GC
    CNI_STDIN=$(cni_conf othernet) cni_ok ADD drop2 "$(cni_netns "$c2")" eth1
    # keep3 is listed with the wrong ifname for eth0 (it has net1), so only (keep3, net1) counts
    CNI_STDIN=$(jq -c '.["cni.dev/valid-attachments"] = [{containerID: "keep1", ifname: "eth0"}, {containerID: "keep3", ifname: "net1"}, {containerID: "ghost", ifname: "eth0"}]' <<<"$(cni_conf gcnet)") \
        cni_ok GC "" "" ""
    assert_ok berth_host endpoints --network gcnet --format json
    assert_eq "keep1/eth0 keep3/net1" "$(jq -r '[.[] | "\(.name)/\(.ifname)"] | sort | join(" ")' <<<"$OUT")" "exactly the unlisted attachment released"
    assert_fails in_ns "$c2" ip link show dev eth0
    assert_ok in_ns "$c2" ip link show dev eth1
    assert_eq "$ip1" "$(container_ipv4 "$c1")" "kept container untouched"
    assert_eq "$ip3" "$(container_ipv4 "$c3" net1)" "kept container untouched"
    ping_ok "$c1" "${ip3%/*}"
    # the older key of the draft spec, and an empty list
    CNI_STDIN=$(jq -c '.["cni.dev/attachments"] = [{containerID: "keep1", ifname: "eth0"}]' <<<"$(cni_conf gcnet)") cni_ok GC "" "" ""
    assert_eq 1 "$(berth_host endpoints --network gcnet --format json | jq length)" "older key honoured"
    CNI_STDIN=$(jq -c '.["cni.dev/valid-attachments"] = []' <<<"$(cni_conf gcnet)") cni_ok GC "" "" ""
    assert_eq 0 "$(berth_host endpoints --network gcnet --format json | jq length)" "empty list releases everything"
    assert_eq 1 "$(berth_host endpoints --network othernet --format json | jq length)" "other network untouched"
    # GC without a list is refused (it would release everything by accident)
    CNI_STDIN=$(cni_conf gcnet) cni_error 7 GC "" "" ""
    CNI_STDIN=$(cni_conf othernet) cni_ok DEL drop2 "" eth1
    assert_clean
}

test_cni_bad_input_changes_nothing() {
    local c ns before conf
    new_netns_container c
    ns=$(cni_netns "$c")
    conf=$(cni_conf bad '.subnet = "10.124.30.0/24"')
    CNI_STDIN=$conf cni_ok ADD existing "$ns" eth0
    local d; new_netns_container d
    local dns; dns=$(cni_netns "$d")
    before=$(snapshot "$c" "$d")

    CNI_STDIN='{"cniVersion": "1.1.0", "name": ' cni_error 6 ADD x "$dns" eth0
    CNI_STDIN='' cni_error 6 ADD x "$dns" eth0
    CNI_STDIN='{"cniVersion":"1.1.0","name":"bad","type":"berth","mtu":"big"}' cni_error 6 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.cniVersion = "0.9.9"' <<<"$conf") cni_error 1 ADD x "$dns" eth0
    assert_eq 1.1.0 "$(jq -r .cniVersion <<<"$OUT")" "error for an unknown version is in the latest version"
    CNI_STDIN=$(jq -c 'del(.cniVersion)' <<<"$conf") cni_error 7 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c 'del(.name)' <<<"$conf") cni_error 7 ADD x "$dns" eth0
    CNI_STDIN=$conf cni_error 4 ADD "" "$dns" eth0
    CNI_STDIN=$conf cni_error 4 ADD 'bad/id' "$dns" eth0
    CNI_STDIN=$conf cni_error 4 ADD x "" eth0
    CNI_STDIN=$conf cni_error 4 ADD x "$dns" ""
    CNI_STDIN=$conf cni_error 4 ADD x "$dns" abcdefghijklmnop
    CNI_STDIN=$conf cni_error 4 ADD x "$dns" 'eth/0'
    CNI_STDIN=$conf cni_error 4 ADD x "/run/netns/bt-missing-$BT_ID" eth0
    CNI_STDIN=$conf cni_error 4 ADD x /etc/hostname eth0
    CNI_STDIN=$conf cni_error 4 ADD x "$dns" eth0 "K8S_POD_NAME=x"
    CNI_STDIN=$conf cni_error 4 ADD x "$dns" eth0 "IgnoreUnknown=1;IP=10.124.30.300"
    CNI_STDIN=$conf cni_error 4 FROB x "$dns" eth0
    CNI_STDIN=$conf cni_error 4 DEL "" "$dns" eth0
    # configuration the plugin cannot honour
    CNI_STDIN=$(jq -c '.subnet = "10.124.31.0/24"' <<<"$conf") cni_error 7 ADD x "$dns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "subnet" "conflict names the subnet"
    CNI_STDIN=$(jq -c '.bridge = "otherbr"' <<<"$conf") cni_error 7 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.ipam = {type: "dhcp"}' <<<"$conf") cni_error 2 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c 'del(.subnet) | .ipam = {type: "host-local", ranges: [[{subnet: "10.124.30.0/24"}], [{subnet: "fd00::/64"}]]}' <<<"$conf") cni_error 2 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.ipam = {routes: [{dst: "192.0.2.0/24"}]}' <<<"$conf") cni_error 2 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.subnet = "10.124.30.5/24"' <<<"$conf") cni_error 7 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.name = "bad name"' <<<"$conf") cni_error 7 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.runtimeConfig = {portMappings: [{hostPort: 0, containerPort: 80}]}' <<<"$conf") cni_error 7 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.runtimeConfig = {ips: ["10.124.99.5/24"]}' <<<"$conf") cni_error 7 ADD x "$dns" eth0
    # the static address is taken; the interface already exists in the namespace
    CNI_STDIN=$conf cni_error 100 ADD x "$dns" eth0 "IP=$(container_ipv4 "$c" | cut -d/ -f1)"
    CNI_STDIN=$conf cni_error 100 ADD existing "$dns" eth0
    assert_unchanged "$before" "$c" "$d"

    in_ns "$d" ip link add eth0 type veth peer name bt-peer0
    before=$(snapshot "$c" "$d")
    CNI_STDIN=$conf cni_error 100 ADD y "$dns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "already exists" "interface exists"
    assert_unchanged "$before" "$c" "$d"
}

test_cni_static_ip_mac_and_ports() {
    local c1 c2 c3 conf
    conf=$(cni_conf st '.subnet = "10.124.40.0/24" | .capabilities = {ips: true, mac: true, portMappings: true}')
    new_netns_container c1; new_netns_container c2; new_netns_container c3
    CNI_STDIN=$conf cni_ok ADD s1 "$(cni_netns "$c1")" eth0 "IgnoreUnknown=1;IP=10.124.40.11;MAC=02:00:00:00:40:11"
    assert_eq 10.124.40.11/24 "$(container_ipv4 "$c1")" "CNI_ARGS IP"
    assert_contains "$(in_ns "$c1" ip -o link show dev eth0)" "02:00:00:00:40:11" "CNI_ARGS MAC"
    CNI_STDIN=$(jq -c '.args = {cni: {ips: ["10.124.40.12"], mac: "02:00:00:00:40:12"}}' <<<"$conf") cni_ok ADD s2 "$(cni_netns "$c2")" eth0
    assert_eq 10.124.40.12/24 "$(container_ipv4 "$c2")" "args.cni.ips"
    assert_contains "$(in_ns "$c2" ip -o link show dev eth0)" "02:00:00:00:40:12" "args.cni.mac"
    CNI_STDIN=$(jq -c '.runtimeConfig = {ips: ["10.124.40.13/24"], mac: "02:00:00:00:40:13", portMappings: [{hostPort: 8080, containerPort: 80, protocol: "tcp"}, {hostPort: 5353, containerPort: 53, protocol: "udp", hostIP: ""}]}' <<<"$conf") \
        cni_ok ADD s3 "$(cni_netns "$c3")" eth0 "IgnoreUnknown=1;IP=10.124.40.99"
    assert_eq 10.124.40.13/24 "$(container_ipv4 "$c3")" "runtimeConfig.ips wins over CNI_ARGS"
    assert_contains "$(in_ns "$c3" ip -o link show dev eth0)" "02:00:00:00:40:13" "runtimeConfig.mac"
    ping_ok "$c1" 10.124.40.13
    for i in 1 2 3; do CNI_STDIN=$conf cni_ok DEL "s$i" "" eth0; done
    assert_clean
}

test_cni_status() {
    local conf c
    conf=$(cni_conf stnet '.subnet = "10.124.50.0/24" | .bridge = "btst50"')
    CNI_STDIN=$conf cni_ok STATUS "" "" ""
    new_netns_container c
    CNI_STDIN=$conf cni_ok ADD st1 "$(cni_netns "$c")" eth0
    CNI_STDIN=$conf cni_ok STATUS "" "" ""
    # rules gone: existing containers lose connectivity -> 51
    in_host nft delete table inet berth
    CNI_STDIN=$conf cni_error 51 STATUS "" "" ""
    # a configuration at odds with the network -> 50
    CNI_STDIN=$(jq -c '.subnet = "10.124.51.0/24"' <<<"$conf") cni_error 50 STATUS "" "" ""
    # a new network whose bridge name is taken by someone else's device -> 50
    ip -n "$BT_HOST" link add btst51 type veth peer name btst51p
    CNI_STDIN=$(cni_conf other '.bridge = "btst51"') cni_error 50 STATUS "" "" ""
    CNI_STDIN=$conf cni_ok DEL st1 "" eth0
}

test_cni_cli_interop_and_state_dir() {
    local c d conf state2
    create_net clinet --subnet 10.124.60.0/24
    new_netns_container c
    # a CNI config agreeing with a CLI-made network attaches to it
    conf=$(cni_conf clinet '.subnet = "10.124.60.0/24" | .bridge = "'"$NET_BRIDGE"'"')
    CNI_STDIN=$conf cni_ok ADD cli1 "$(cni_netns "$c")" eth0
    assert_eq 1 "$(berth_host network inspect clinet | jq '.[0].endpoints | length')" "CLI sees the CNI endpoint"
    # ... and the CLI can detach it
    assert_ok berth_host network disconnect clinet "$c"
    CNI_STDIN=$conf cni_ok DEL cli1 "" eth0
    assert_clean
    # stateDir from the config, when BERTH_STATE_DIR is not set
    state2="$BT_TMP/state-from-config"
    new_netns_container d
    CNI_NO_STATE_ENV=1 CNI_STDIN=$(cni_conf cfgstate '.stateDir = "'"$state2"'"') cni_ok ADD sd1 "$(cni_netns "$d")" eth0
    [[ -f "$state2/berth.db" ]] || fail "stateDir from the config not used"
    assert_eq 1 "$(in_host env BERTH_STATE_DIR="$state2" "$BERTH" endpoints --format json | jq length)" "endpoint in the config's state dir"
    CNI_NO_STATE_ENV=1 CNI_STDIN=$(cni_conf cfgstate '.stateDir = "'"$state2"'"') cni_ok DEL sd1 "" eth0
    assert_container_clean "$d"
}

test_cni_second_network_reports_no_default_route() {
    local c ns
    new_netns_container c
    ns=$(cni_netns "$c")
    CNI_STDIN=$(cni_conf first '.subnet = "10.124.70.0/24"') cni_ok ADD two "$ns" eth0
    assert_eq '["0.0.0.0/0"]' "$(jq -c '[.routes[]?.dst]' <<<"$OUT")" "the first network gives the default route"
    CNI_STDIN=$(cni_conf second '.subnet = "10.124.71.0/24"') cni_ok ADD two "$ns" eth1
    assert_eq '[]' "$(jq -c '[.routes[]?.dst]' <<<"$OUT")" "the second network must not claim a default route it did not install"
    assert_eq "10.124.70.1" "$(container_default_gw "$c")" "the container keeps its first default route"
}

# A store written by an earlier berth (schema version 1) is upgraded by the first ADD that passes
# its checks, never by one that fails them (an ADD opens the store before it checks its input).
test_cni_old_store_upgraded_only_by_a_valid_add() {
    local c ns conf
    mkdir -p "$BT_STATE"
    sqlite3 "$BT_STATE/berth.db" >/dev/null <<'SQL'
PRAGMA page_size=1024; PRAGMA journal_mode=WAL;
CREATE TABLE networks (name TEXT PRIMARY KEY NOT NULL, id TEXT NOT NULL UNIQUE, bridge TEXT NOT NULL UNIQUE, subnet_address INTEGER NOT NULL, subnet_prefix INTEGER NOT NULL, gateway INTEGER NOT NULL, range_address INTEGER, range_prefix INTEGER, mtu INTEGER NOT NULL DEFAULT 0, internal INTEGER NOT NULL DEFAULT 0, masquerade INTEGER NOT NULL DEFAULT 1, icc INTEGER NOT NULL DEFAULT 1, isolated INTEGER NOT NULL DEFAULT 1, labels TEXT NOT NULL DEFAULT '{}', created INTEGER NOT NULL, last_allocated INTEGER);
CREATE TABLE endpoints (id TEXT PRIMARY KEY NOT NULL, network TEXT NOT NULL REFERENCES networks(name) ON DELETE CASCADE, container_id TEXT NOT NULL, target TEXT NOT NULL, netns_path TEXT NOT NULL, netns_dev INTEGER NOT NULL, netns_ino INTEGER NOT NULL, ifname TEXT NOT NULL, host_ifname TEXT NOT NULL UNIQUE, address INTEGER NOT NULL, prefix_length INTEGER NOT NULL, mac TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('creating', 'active', 'removing')), created INTEGER NOT NULL, UNIQUE (network, address), UNIQUE (network, netns_dev, netns_ino, ifname));
CREATE INDEX endpoints_by_netns ON endpoints (netns_dev, netns_ino, ifname);
CREATE INDEX endpoints_by_container ON endpoints (network, container_id);
CREATE TABLE ports (protocol TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')), host_port INTEGER NOT NULL CHECK (host_port BETWEEN 1 AND 65535), host_ip INTEGER NOT NULL, endpoint TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE, container_port INTEGER NOT NULL CHECK (container_port BETWEEN 1 AND 65535), PRIMARY KEY (protocol, host_port, host_ip)) WITHOUT ROWID;
CREATE INDEX ports_by_endpoint ON ports (endpoint);
PRAGMA user_version = 1;
SQL
    new_netns_container c
    ns=$(cni_netns "$c")
    conf=$(cni_conf old '.subnet = "10.124.40.0/24"')
    CNI_STDIN=$conf cni_error 4 ADD x "$ns" abcdefghijklmnop
    assert_eq 1 "$(sqlite3 "$BT_STATE/berth.db" 'PRAGMA user_version')" "a refused ADD left the schema alone"
    CNI_STDIN=$conf cni_ok ADD x "$ns" eth0
    assert_eq 5 "$(sqlite3 "$BT_STATE/berth.db" 'PRAGMA user_version')" "the first good ADD upgraded it (to the current version, 5)"
    ping_ok "$c" 10.124.40.1
}
