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
    CNI_STDIN=$conf cni_error 4 ADD x "$dns" eth0 "K8S_POD_UID=x"
    CNI_STDIN=$conf cni_error 4 ADD x "$dns" eth0 "IgnoreUnknown=1;IP=10.124.30.300"
    CNI_STDIN=$conf cni_error 4 FROB x "$dns" eth0
    CNI_STDIN=$conf cni_error 4 DEL "" "$dns" eth0
    # configuration the plugin cannot honour
    CNI_STDIN=$(jq -c '.subnet = "10.124.31.0/24"' <<<"$conf") cni_error 7 ADD x "$dns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "subnet" "conflict names the subnet"
    CNI_STDIN=$(jq -c '.bridge = "otherbr"' <<<"$conf") cni_error 7 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.ipam = {type: "dhcp"}' <<<"$conf") cni_error 2 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c 'del(.subnet) | .ipam = {type: "host-local", ranges: [[{subnet: "10.124.30.0/24"}], [{subnet: "10.124.32.0/24"}]]}' <<<"$conf") cni_error 2 ADD x "$dns" eth0
    # a dual-stack configuration for the existing IPv4-only network
    CNI_STDIN=$(jq -c 'del(.subnet) | .ipam = {type: "host-local", ranges: [[{subnet: "10.124.30.0/24"}], [{subnet: "fd00::/64"}]]}' <<<"$conf") cni_error 7 ADD x "$dns" eth0
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
    assert_eq 7 "$(sqlite3 "$BT_STATE/berth.db" 'PRAGMA user_version')" "the first good ADD upgraded it (to the current version, 7)"
    ping_ok "$c" 10.124.40.1
}

# ---------------------------------------------------------------------------------------------
# IPv6 (issue 14): dual-stack and IPv6-only networks through CNI. Unique local prefixes
# fd00:b7:N::/64; the sandbox's upstream has no IPv6 at all, so nothing leaves the namespaces.

# _cni6_conf NAME VERSION N: a conflist plugin with one host-local range set per family
# (10.126.N.0/24, fd00:b7:N::/64) and both default routes.
_cni6_conf() {
    cni_conf "$1" ".cniVersion = \"$2\" | .ipam = {type: \"host-local\",
        ranges: [[{subnet: \"10.126.$3.0/24\"}], [{subnet: \"fd00:b7:$3::/64\", gateway: \"fd00:b7:$3::1\"}]],
        routes: [{dst: \"0.0.0.0/0\"}, {dst: \"::/0\"}]}"
}

# container_ipv6 NS [IFNAME]: the global IPv6 address/len of IFNAME (default eth0).
_container_ipv6() {
    in_ns "$1" ip -o -6 addr show dev "${2:-eth0}" scope global | awk '{print $4}' | head -n1
}

# _container_default_gw6 NS
_container_default_gw6() {
    in_ns "$1" ip -6 route show default | awk '/^default via/ {print $3; exit}'
}

# _ping6_ok NS ADDR: ping -6, up to 3 tries (the first may be lost to neighbour discovery).
_ping6_ok() {
    local i
    for i in 1 2 3; do
        in_ns "$1" ping -6 -n -q -c1 -W1 "$2" >/dev/null 2>&1 && return 0
    done
    fail "ping -6 from $1 to $2 failed"
}

# _assert_no_ipv6 NS: no global IPv6 address and no IPv6 default route left in the container.
_assert_no_ipv6() {
    assert_eq "" "$(in_ns "$1" ip -o -6 addr show scope global)" "IPv6 addresses left in $1"
    assert_eq "" "$(in_ns "$1" ip -6 route show default)" "IPv6 default route left in $1"
}

# _snapshot6 [CONTAINER...]: the IPv6 state a failed command must not change either.
_snapshot6() {
    local c
    await_detaches
    echo "## host addrs6"; ip -n "$BT_HOST" -o -6 addr show scope global | awk '{print $2, $4}' | sort
    echo "## host routes6"; ip -n "$BT_HOST" -6 route show | grep -v '^fe80::/64' | _settled_routes
    for c in "$@"; do
        echo "## container $c"
        in_ns "$c" ip -o -6 addr show scope global | awk '{print $2, $4}' | sort
        in_ns "$c" ip -6 route show | grep -v '^fe80::/64' | _settled_routes
    done
}

test_cni_dual_stack_add_check_del_per_version() {
    local v a b i=0 conf res resb cidr4 cidr6 peer6
    for v in 0.3.1 0.4.0 1.0.0; do
        i=$((i + 1))
        new_netns_container a; new_netns_container b
        conf=$(_cni6_conf "dual$i" "$v" "$i")
        CNI_STDIN=$conf cni_ok ADD "d$i-a" "$(cni_netns "$a")" eth0
        res=$OUT
        assert_eq "$v" "$(jq -r .cniVersion <<<"$res")" "$v: result cniVersion"
        assert_eq 2 "$(jq '.ips | length' <<<"$res")" "$v: one ip entry per family"
        assert_eq "2 2" "$(jq -r '[.ips[].interface] | join(" ")' <<<"$res")" "$v: both entries point at the container interface"
        cidr4=$(jq -r '.ips[0].address' <<<"$res"); cidr6=$(jq -r '.ips[1].address' <<<"$res")
        in_subnet "$cidr4" "10.126.$i.0/24" || fail "$v: $cidr4 not in the IPv4 range"
        assert_match "$cidr6" "^fd00:b7:$i::[0-9a-f:]+/64$" "$v: IPv6 address from the IPv6 range"
        assert_eq "10.126.$i.1 fd00:b7:$i::1" "$(jq -r '[.ips[].gateway] | join(" ")' <<<"$res")" "$v: gateways"
        if [[ $v == 0.* ]]; then
            assert_eq "4 6" "$(jq -r '[.ips[].version] | join(" ")' <<<"$res")" "$v: ips carry their version"
        else
            assert_eq "false false" "$(jq -r '[.ips[] | has("version")] | join(" ")' <<<"$res")" "$v: ips carry no version"
        fi
        assert_eq '[{"dst":"0.0.0.0/0","gw":"10.126.'"$i"'.1"},{"dst":"::/0","gw":"fd00:b7:'"$i"'::1"}]' \
            "$(jq -c .routes <<<"$res")" "$v: both default routes"
        # the kernel agrees with the result
        assert_eq "$cidr4" "$(container_ipv4 "$a")" "$v: IPv4 address in the container"
        assert_eq "$cidr6" "$(_container_ipv6 "$a")" "$v: IPv6 address in the container"
        assert_eq "10.126.$i.1" "$(container_default_gw "$a")" "$v: IPv4 default route"
        assert_eq "fd00:b7:$i::1" "$(_container_default_gw6 "$a")" "$v: IPv6 default route"
        CNI_STDIN=$conf cni_ok ADD "d$i-b" "$(cni_netns "$b")" eth0
        resb=$OUT
        peer6=$(jq -r '.ips[1].address' <<<"$resb")
        assert_ne "${cidr6%/*}" "${peer6%/*}" "$v: two containers, two IPv6 addresses"
        _ping6_ok "$a" "${peer6%/*}"
        _ping6_ok "$b" "${cidr6%/*}"
        _ping6_ok "$a" "fd00:b7:$i::1"
        ping_ok "$b" "${cidr4%/*}"
        assert_ok berth_host endpoints --network "dual$i" --format json
        assert_eq "$cidr6" "$(jq -r --arg n "d$i-a" '.[] | select(.name == $n) | .ipv6' <<<"$OUT")" "$v: berth endpoints shows the IPv6 address"
        if [[ $v == 0.3.* ]]; then
            CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$conf") cni_error 1 CHECK "d$i-a" "$(cni_netns "$a")" eth0
        else
            CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$conf") cni_ok CHECK "d$i-a" "$(cni_netns "$a")" eth0
            # CHECK compares the IPv6 address the runtime recorded with the lease
            CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p | .prevResult.ips[1].address = "fd00:b7:'"$i"'::9999/64"' <<<"$conf") \
                cni_error 110 CHECK "d$i-a" "$(cni_netns "$a")" eth0
            assert_contains "$(jq -r .msg <<<"$OUT")" "fd00:b7:$i::9999/64" "$v: CHECK names the recorded IPv6 address"
        fi
        CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$conf") cni_ok DEL "d$i-a" "$(cni_netns "$a")" eth0
        CNI_STDIN=$(jq -c --argjson p "$resb" '.prevResult = $p' <<<"$conf") cni_ok DEL "d$i-b" "$(cni_netns "$b")" eth0
        assert_container_clean "$a"; assert_container_clean "$b"
        _assert_no_ipv6 "$a"; _assert_no_ipv6 "$b"
        # DEL again is still success
        CNI_STDIN=$conf cni_ok DEL "d$i-a" "" eth0
    done
    assert_clean
}

test_cni_dual_stack_check_detects_ipv6_damage() {
    local c res conf
    new_netns_container c
    conf=$(_cni6_conf dmg 1.0.0 10)
    CNI_STDIN=$conf cni_ok ADD dm1 "$(cni_netns "$c")" eth0
    res=$OUT
    conf=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$conf")
    CNI_STDIN=$conf cni_ok CHECK dm1 "$(cni_netns "$c")" eth0
    # the ::/0 route gone
    in_ns "$c" ip -6 route del default
    CNI_STDIN=$conf cni_error 110 CHECK dm1 "$(cni_netns "$c")" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "default route via fd00:b7:10::1" "CHECK names the missing IPv6 route"
    in_ns "$c" ip -6 route add default via fd00:b7:10::1 dev eth0
    CNI_STDIN=$conf cni_ok CHECK dm1 "$(cni_netns "$c")" eth0
    # the IPv6 address gone (the IPv4 one stays)
    in_ns "$c" ip -6 addr del "$(jq -r '.ips[1].address' <<<"$res")" dev eth0
    CNI_STDIN=$conf cni_error 110 CHECK dm1 "$(cni_netns "$c")" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "lacks address $(jq -r '.ips[1].address' <<<"$res")" "CHECK names the missing IPv6 address"
    CNI_STDIN=$conf cni_ok DEL dm1 "$(cni_netns "$c")" eth0
    assert_container_clean "$c"
    assert_clean
}

test_cni_ipv6_only_network() {
    local a b conf res ip6a ip6b
    new_netns_container a; new_netns_container b
    conf=$(cni_conf v6only '.cniVersion = "1.0.0" | .ipam = {type: "host-local",
        ranges: [[{subnet: "fd00:b7:40::/64", rangeStart: "fd00:b7:40::100", rangeEnd: "fd00:b7:40::1ff"}]],
        routes: [{dst: "::/0", gw: "fd00:b7:40::1"}]}')
    CNI_STDIN=$conf cni_ok ADD v6a "$(cni_netns "$a")" eth0
    res=$OUT
    assert_eq 1 "$(jq '.ips | length' <<<"$res")" "IPv6 only: one ip entry"
    ip6a=$(jq -r '.ips[0].address' <<<"$res")
    assert_match "$ip6a" '^fd00:b7:40::1[0-9a-f][0-9a-f]/64$' "address from rangeStart-rangeEnd (fd00:b7:40::100/120)"
    assert_eq "fd00:b7:40::1" "$(jq -r '.ips[0].gateway' <<<"$res")" "gateway: the subnet's first host"
    assert_eq '[{"dst":"::/0","gw":"fd00:b7:40::1"}]' "$(jq -c .routes <<<"$res")" "only the IPv6 default route"
    assert_eq "" "$(container_ipv4 "$a")" "no IPv4 address in the container"
    assert_eq "" "$(container_default_gw "$a")" "no IPv4 default route"
    assert_eq "$ip6a" "$(_container_ipv6 "$a")" "IPv6 address in the container"
    assert_eq "fd00:b7:40::1" "$(_container_default_gw6 "$a")" "IPv6 default route"
    assert_ok berth_host network inspect v6only
    assert_eq "null fd00:b7:40::/64 fd00:b7:40::100/120" "$(jq -r '.[0] | "\(.subnet) \(.subnet6) \(.ipRange6)"' <<<"$OUT")" \
        "an IPv6-only network with the range as a CIDR block"
    CNI_STDIN=$conf cni_ok ADD v6b "$(cni_netns "$b")" eth0
    ip6b=$(jq -r '.ips[0].address' <<<"$OUT")
    _ping6_ok "$a" "${ip6b%/*}"
    _ping6_ok "$b" "${ip6a%/*}"
    CNI_STDIN=$(jq -c --argjson p "$res" '.prevResult = $p' <<<"$conf") cni_ok CHECK v6a "$(cni_netns "$a")" eth0
    # GC releases an IPv6-only endpoint the runtime no longer lists
    CNI_STDIN=$(jq -c '.["cni.dev/valid-attachments"] = [{containerID: "v6a", ifname: "eth0"}]' <<<"$conf") cni_ok GC "" "" ""
    assert_contains "$ERR" "GC released v6b eth0 (${ip6b%/*}) on v6only" "GC logs the IPv6 address it released"
    assert_eq '["v6a"]' "$(berth_host endpoints --network v6only --format json | jq -c '[.[].name]')" "GC kept only the listed one"
    assert_container_clean "$b"
    CNI_STDIN=$conf cni_ok DEL v6a "" eth0
    assert_container_clean "$a"
    _assert_no_ipv6 "$a"; _assert_no_ipv6 "$b"
    assert_clean
}

test_cni_static_dual_stack_ips() {
    local c1 c2 c3 conf
    conf=$(_cni6_conf st6 1.0.0 50 | jq -c '.capabilities = {ips: true}')
    new_netns_container c1; new_netns_container c2; new_netns_container c3
    CNI_STDIN=$(jq -c '.runtimeConfig = {ips: ["10.126.50.9/24", "fd00:b7:50::9/64"]}' <<<"$conf") cni_ok ADD s1 "$(cni_netns "$c1")" eth0
    assert_eq "10.126.50.9/24 fd00:b7:50::9/64" "$(jq -r '[.ips[].address] | join(" ")' <<<"$OUT")" "runtimeConfig.ips, both families"
    assert_eq 10.126.50.9/24 "$(container_ipv4 "$c1")" "static IPv4 in the container"
    assert_eq fd00:b7:50::9/64 "$(_container_ipv6 "$c1")" "static IPv6 in the container"
    # as Podman passes static addresses: CNI_ARGS IP=, comma-separated
    CNI_STDIN=$conf cni_ok ADD s2 "$(cni_netns "$c2")" eth0 "IgnoreUnknown=1;IP=fd00:b7:50::a,10.126.50.10"
    assert_eq 10.126.50.10/24 "$(container_ipv4 "$c2")" "CNI_ARGS IPv4"
    assert_eq fd00:b7:50::a/64 "$(_container_ipv6 "$c2")" "CNI_ARGS IPv6"
    # only the IPv6 address static: the IPv4 one is allocated
    CNI_STDIN=$(jq -c '.args = {cni: {ips: ["fd00:b7:50::b"]}}' <<<"$conf") cni_ok ADD s3 "$(cni_netns "$c3")" eth0
    assert_eq fd00:b7:50::b/64 "$(_container_ipv6 "$c3")" "args.cni.ips IPv6"
    in_subnet "$(container_ipv4 "$c3")" 10.126.50.0/24 || fail "IPv4 address not allocated from the range"
    _ping6_ok "$c1" fd00:b7:50::a
    _ping6_ok "$c3" fd00:b7:50::9
    # a static IPv6 address already taken
    local d; new_netns_container d
    CNI_STDIN=$conf cni_error 100 ADD s4 "$(cni_netns "$d")" eth0 "IP=fd00:b7:50::9"
    assert_container_clean "$d"
    for i in 1 2 3; do CNI_STDIN=$conf cni_ok DEL "s$i" "" eth0; done
    _assert_no_ipv6 "$c1"; _assert_no_ipv6 "$c2"; _assert_no_ipv6 "$c3"
    assert_clean
}

# _cni_ports NETWORK: the network's published ports, one "HOST_IP HOST_PORT CONTAINER_PORT
# PROTOCOL" per family a publication reaches, sorted, as a JSON array.
_cni_ports() {
    berth_host ports --network "$1" --format json | jq -c '[.[] | "\(.hostIP) \(.hostPort) \(.containerPort) \(.protocol)"] | sort'
}

test_cni_port_mapping_twins() {
    local c d conf twins
    twins='[{hostPort: 8080, containerPort: 80, protocol: "tcp", hostIP: "0.0.0.0"}, {hostPort: 8080, containerPort: 80, protocol: "tcp", hostIP: "::"}]'
    # IPv4-only network: the :: twin is left out
    new_netns_container c
    conf=$(cni_conf pt4 '.subnet = "10.126.60.0/24" | .capabilities = {portMappings: true}')
    CNI_STDIN=$(jq -c ".runtimeConfig = {portMappings: $twins}" <<<"$conf") cni_ok ADD p1 "$(cni_netns "$c")" eth0
    assert_eq '["0.0.0.0 8080 80 tcp"]' "$(_cni_ports pt4)" "only the IPv4 mapping published"
    # dual-stack network: both published
    new_netns_container d
    conf=$(_cni6_conf pt6 1.0.0 61 | jq -c '.capabilities = {portMappings: true}')
    CNI_STDIN=$(jq -c ".runtimeConfig = {portMappings: [{hostPort: 9090, containerPort: 90, hostIP: \"0.0.0.0\"}, {hostPort: 9090, containerPort: 90, hostIP: \"::\"}, {hostPort: 9191, containerPort: 91, hostIP: \"\"}]}" <<<"$conf") \
        cni_ok ADD p2 "$(cni_netns "$d")" eth0
    assert_eq '["0.0.0.0 9090 90 tcp","0.0.0.0 9191 91 tcp",":: 9090 90 tcp",":: 9191 91 tcp"]' "$(_cni_ports pt6)" \
        "both twins, and the every-address mapping for both families"
    CNI_STDIN=$(cni_conf pt4 '.subnet = "10.126.60.0/24"') cni_ok DEL p1 "" eth0
    CNI_STDIN=$conf cni_ok DEL p2 "" eth0
    assert_clean
}

test_cni_dual_stack_bad_input_changes_nothing() {
    local c d dns conf4 conf6 before before6
    new_netns_container c; new_netns_container d
    dns=$(cni_netns "$d")
    conf4=$(cni_conf old4 '.subnet = "10.126.70.0/24"')
    conf6=$(_cni6_conf dual70 1.0.0 71)
    CNI_STDIN=$conf4 cni_ok ADD e4 "$(cni_netns "$c")" eth0
    CNI_STDIN=$conf6 cni_ok ADD e6 "$(cni_netns "$c")" eth1
    before=$(snapshot "$c" "$d"); before6=$(_snapshot6 "$c" "$d")

    # mixed families in one range set
    CNI_STDIN=$(cni_conf new1 '.ipam = {ranges: [[{subnet: "10.126.72.0/24"}, {subnet: "fd00:b7:72::/64"}]]}') cni_error 7 ADD x "$dns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "mixes IPv4 and IPv6" "mixed range set named"
    # an IPv6 gateway outside its subnet (the engine's check: the network is not created)
    CNI_STDIN=$(cni_conf new2 '.ipam = {ranges: [[{subnet: "fd00:b7:73::/64", gateway: "fd00:b7:74::1"}]]}') cni_error 7 ADD x "$dns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "fd00:b7:74::1" "gateway named"
    # /129
    CNI_STDIN=$(cni_conf new3 '.ipam = {ranges: [[{subnet: "fd00:b7:75::/129"}]]}') cni_error 7 ADD x "$dns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "fd00:b7:75::/129" "bad prefix named"
    # two IPv6 range sets; two ranges in one set
    CNI_STDIN=$(cni_conf new4 '.ipam = {ranges: [[{subnet: "fd00:b7:76::/64"}], [{subnet: "fd00:b7:77::/64"}]]}') cni_error 2 ADD x "$dns" eth0
    CNI_STDIN=$(cni_conf new5 '.ipam = {ranges: [[{subnet: "fd00:b7:76::/64"}, {subnet: "fd00:b7:77::/64"}]]}') cni_error 2 ADD x "$dns" eth0
    # IPv6 rangeStart/rangeEnd that span no CIDR block
    CNI_STDIN=$(cni_conf new6 '.ipam = {ranges: [[{subnet: "fd00:b7:78::/64", rangeStart: "fd00:b7:78::10", rangeEnd: "fd00:b7:78::20"}]]}') cni_error 2 ADD x "$dns" eth0
    # routes: ::/0 on an IPv4-only network, ::/0 via another gateway, another IPv6 route
    CNI_STDIN=$(jq -c '.ipam = {routes: [{dst: "::/0"}]}' <<<"$conf4") cni_error 7 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.ipam.routes = [{dst: "::/0", gw: "fd00:b7:71::fe"}]' <<<"$conf6") cni_error 2 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.ipam.routes = [{dst: "fd00:b7:99::/48"}]' <<<"$conf6") cni_error 2 ADD x "$dns" eth0
    # static addresses: IPv6 on an IPv4-only network, two of one family, outside the subnet
    CNI_STDIN=$conf4 cni_error 7 ADD x "$dns" eth0 "IP=10.126.70.50,fd00:b7:70::50"
    CNI_STDIN=$(jq -c '.runtimeConfig = {ips: ["fd00:b7:71::50/64", "fd00:b7:71::51/64"]}' <<<"$conf6") cni_error 7 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.runtimeConfig = {ips: ["fd00:b7:79::50/64"]}' <<<"$conf6") cni_error 7 ADD x "$dns" eth0
    # a port on [::] alone for an IPv4-only network
    CNI_STDIN=$(jq -c '.runtimeConfig = {portMappings: [{hostPort: 8080, containerPort: 80, hostIP: "::"}]}' <<<"$conf4") cni_error 7 ADD x "$dns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "has no IPv6 range" "port family named"
    # families at odds with the existing networks
    CNI_STDIN=$(jq -c 'del(.subnet) | .ipam = {ranges: [[{subnet: "10.126.70.0/24"}], [{subnet: "fd00:b7:70::/64"}]]}' <<<"$conf4") cni_error 7 ADD x "$dns" eth0
    CNI_STDIN=$(jq -c '.ipam.ranges = [[{subnet: "fd00:b7:71::/64", gateway: "fd00:b7:71::1"}]]' <<<"$conf6") cni_error 7 ADD x "$dns" eth0
    assert_contains "$(jq -r .msg <<<"$OUT")" "IPv4" "the family named"
    assert_unchanged "$before" "$c" "$d"
    local after6; after6=$(_snapshot6 "$c" "$d")
    [[ "$before6" == "$after6" ]] || { diff <(printf '%s\n' "$before6") <(printf '%s\n' "$after6") | sed 's/^/      /' >&2; fail "IPv6 state changed by a failed command"; }
    assert_eq '["dual70","old4"]' "$(berth_host network ls --format json | jq -c '[.[].name] | sort')" "no network created"
}

test_cni_without_addressing_joins_a_dual_stack_network() {
    # A conflist that states no addressing joins a network made with the CLI as it is: a
    # dual-stack one gives both families, and a static IPv6 address is checked against it.
    local a b conf
    assert_ok berth_host network create cliDual --subnet 10.126.40.0/24 --subnet fd00:b7:40::/64
    conf=$(cni_conf cliDual '.cniVersion = "1.0.0"')
    new_netns_container a; new_netns_container b
    CNI_STDIN=$conf cni_ok ADD j-a "$(cni_netns "$a")" eth0
    assert_eq 2 "$(jq '.ips | length' <<<"$OUT")" "both families from the existing network"
    assert_match "$(_container_ipv6 "$a")" "^fd00:b7:40::[0-9a-f:]+/64$" "IPv6 address in the container"
    CNI_STDIN=$(jq -c '.runtimeConfig = {ips: ["fd00:b7:40::77/64"]}' <<<"$conf") cni_ok ADD j-b "$(cni_netns "$b")" eth0
    assert_eq "fd00:b7:40::77/64" "$(_container_ipv6 "$b")" "the static IPv6 address"
    _ping6_ok "$a" fd00:b7:40::77
}
