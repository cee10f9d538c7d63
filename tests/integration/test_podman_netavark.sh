# shellcheck shell=bash
# A real client of Berth's netavark front end: Podman 4.3 with network_backend = "netavark" and
# Berth linked as `netavark` first in helper_binaries_dir. Podman networks with DNS, containers
# reaching each other by address and by name, published ports from outside, from the host and
# from 127.0.0.1, connect/disconnect on a running container, stop/start, and after `podman rm` /
# `podman network rm` nothing left (links, rules, leases, berth-dns); macvlan on an ifb parent;
# dual stack with a published port range.
#
# The private Podman sandbox (lib.sh: podman_nv_prepare, podman_nv_run) vanishes with the test.
# PODMAN_NV_HELPER=/usr/lib/podman/netavark runs the same scenarios against Debian's netavark
# (the checks that look into Berth's state are left out): the harness is proven on the original.
# BT_PODMAN_CALLS=DIR logs every call Podman makes to its helper under DIR/<test>/.
#
# Needs the Debian packages podman, runc, busybox-static and aardvark-dns; skipped without them.

_nv_target() { echo "${PODMAN_NV_HELPER:-$BERTH}"; }
_nv_is_berth() { [[ "$(_nv_target)" == "$BERTH" ]]; }

# _nv_prepare DIR: podman_nv_prepare with the chosen helper (and the call log, when asked for);
# skips when Berth is the helper but has no netavark front end.
_nv_prepare() {
    local target
    target=$(_nv_target)
    if _nv_is_berth; then
        (exec -a netavark "$BERTH" version) 2>/dev/null | jq -e '.version' >/dev/null 2>&1 \
            || skip_test "this berth binary has no netavark front end (netavark version failed)"
    fi
    podman_nv_prepare "$1" "$target" "${BT_PODMAN_CALLS:+$BT_PODMAN_CALLS/${FUNCNAME[1]}}"
}

# _nv_host_clean: the host namespace holds only lo and the uplink; with Berth also no endpoint,
# no network, no rule in Berth's table mentioning a container subnet, and no berth-dns.
_nv_host_clean() {
    local links
    await_detaches
    links=$(ip -n "$BT_HOST" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -vx -e lo -e "$UPLINK_IF" -e "${1:-none}" | tr '\n' ' ')
    assert_eq "" "$links" "links left in the host namespace"
    _nv_is_berth || return 0
    assert_eq "[]" "$(berth_host endpoints --format json | jq -c .)" "Berth endpoints left"
    assert_eq "[]" "$(berth_host network ls --format json | jq -c .)" "Berth networks left"
    local nft
    nft=$(nft_berth)
    assert_not_contains "$nft" "10.125." "rule for a Podman subnet left in Berth's table"
    wait_until 10 "berth-dns to exit once no DNS network is left" _no_berth_dns
}
_no_berth_dns() { ! berth_dns_pid >/dev/null; }

test_podman_netavark_bridge_dns_ports() {
    local dir=$BT_TMP/podman
    _nv_prepare "$dir"
    podman_nv_run "$dir" <<'SCRIPT'
ipof() { pm inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"; }
get() { c_http_ok bt-cli "http://$1/"; }
resolves() { [[ "$(pm exec bt-cli nslookup "$1" 2>/dev/null | awk '/^Address/ {a=$NF} END {print a}')" == "$2" ]]; }

pm network create --subnet 10.125.8.0/24 btnet1 >/dev/null || { echo "network create failed"; exit 1; }
say NET1 "$(pm network inspect btnet1 | jq -c '.[0] | {driver, network_interface, dns_enabled}')"
pm run -d --name bt-web --network btnet1 -p 8080:80 localhost/bt-busybox httpd -f -p 80 -h /www >/dev/null || { echo "run bt-web failed"; exit 1; }
pm run -d --name bt-cli --network btnet1 localhost/bt-busybox sleep 600 >/dev/null || { echo "run bt-cli failed"; exit 1; }
web=$(ipof bt-web btnet1); cli=$(ipof bt-cli btnet1)
say ADDRS "$web" "$cli"
say RESOLV "$(pm exec bt-cli cat /etc/resolv.conf | tr '\n' ';')"
say ENDPOINTS_RUNNING "$(be endpoints --format json | jq -c 'length')"
say NETWORKS_RUNNING "$(be network ls --format json | jq -c '[.[].name]')"
say DNS_PIDFILE "$(cat "$BT_STATE/dns/berth-dns.pid" 2>/dev/null | tr -dc 0-9)"
check_within web-listening 20 c_http_ok bt-web http://127.0.0.1/
check ping-ip pm exec bt-cli ping -c1 -W1 "$web"
check http-ip get "$web"
check ping-name pm exec bt-cli ping -c1 -W1 bt-web
check ping-fqdn pm exec bt-cli ping -c1 -W1 bt-web.dns.podman
check http-name get bt-web
check http-fqdn get bt-web.dns.podman
check resolve-name resolves bt-web "$web"
check port-outside http_ok up "http://$UPLINK_HOST_IP:8080/"
check port-host http_ok "http://$UPLINK_HOST_IP:8080/"
check port-localhost http_ok http://127.0.0.1:8080/

# a second network on the running container: eth1 comes and goes
pm network create --subnet 10.125.9.0/24 btnet2 >/dev/null || echo "network create btnet2 failed"
pm network connect btnet2 bt-cli || echo "network connect failed"
say ETH1 "$(pm exec bt-cli ip -o -4 addr show dev eth1 | awk '{print $4}')"
check eth1-up pm exec bt-cli ping -c1 -W1 10.125.9.1
check eth0-still get "$web"
pm network disconnect btnet2 bt-cli || echo "network disconnect failed"
say NETWORKS_AFTER_DISCONNECT "$(be network ls --format json | jq -c '[.[].name]')"
check eth1-gone eval '! pm exec bt-cli ip link show eth1'
check eth0-after-disconnect get bt-web
pm network rm btnet2 >/dev/null || echo "network rm btnet2 failed"

# stop/start: the name follows the (possibly new) address
pm stop -t 1 bt-web >/dev/null
check stopped-unreachable eval "! pm exec bt-cli ping -c1 -W1 $web"
pm run -d --name bt-other --network btnet1 localhost/bt-busybox sleep 600 >/dev/null
pm start bt-web >/dev/null || echo "START FAILED"
web2=$(ipof bt-web btnet1)
say ADDR_AFTER_START "$web2"
say NSLOOKUP_AFTER_START "$(pm exec bt-cli nslookup bt-web 2>&1 | tr '\n' ';')"
check_within web-listening-again 20 c_http_ok bt-web http://127.0.0.1/
check_within resolve-after-start 10 resolves bt-web "$web2"
check http-name-after-start get bt-web
check port-after-start http_ok up "http://$UPLINK_HOST_IP:8080/"

pm rm -f -t 0 bt-web bt-cli bt-other >/dev/null || echo "rm failed"
pm network rm btnet1 >/dev/null || echo "network rm failed"
say LINKS_AFTER "$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | tr '\n' ' ')"
say ENDPOINTS_AFTER "$(be endpoints --format json | jq -c .)"
check port-gone eval "! http_ok up http://$UPLINK_HOST_IP:8080/"
say DONE
SCRIPT
    [[ $RC -eq 0 && "$OUT" == *DONE* ]] || { _show_result podman scenario; fail "podman scenario did not finish"; }
    local addrs web
    addrs=$(podman_said ADDRS); web=${addrs% *}
    in_subnet "$web" 10.125.8.0/24 || fail "bt-web address [$web] not in btnet1's subnet"
    in_subnet "${addrs#* }" 10.125.8.0/24 || fail "bt-cli address [${addrs#* }] not in btnet1's subnet"
    assert_contains "$(podman_said NET1)" '"dns_enabled":true' "Podman made btnet1 with DNS"
    assert_contains "$(podman_said RESOLV)" "search dns.podman" "the container searches dns.podman"
    assert_contains "$(podman_said RESOLV)" "nameserver 10.125.8.1" "the container asks the gateway"
    assert_match "$(podman_said ETH1)" '^10\.125\.9\.[0-9]+/24$' "eth1 got an address of btnet2"
    podman_checks_ok web-listening web-listening-again ping-ip http-ip ping-name ping-fqdn http-name http-fqdn resolve-name \
        port-outside port-host port-localhost eth1-up eth0-still eth1-gone eth0-after-disconnect \
        stopped-unreachable port-after-start port-gone
    # Debian's aardvark-dns 1.4 closes and re-binds its sockets on every reload and sometimes stays
    # deaf afterwards (docs: reference dns.md); berth-dns must always answer with the new address.
    if _nv_is_berth; then
        podman_checks_ok resolve-after-start http-name-after-start
    elif ! grep -qx "CHECK resolve-after-start ok" <<<"$OUT" || ! grep -qx "CHECK http-name-after-start ok" <<<"$OUT"; then
        log "Debian's aardvark-dns did not answer after the restart (a known aardvark-dns 1.4 weakness)"
    fi
    if _nv_is_berth; then
        assert_eq 2 "$(podman_said ENDPOINTS_RUNNING)" "berth endpoints lists the two containers"
        assert_eq '["btnet1"]' "$(podman_said NETWORKS_RUNNING)" "Berth holds the Podman network"
        assert_eq '["btnet1"]' "$(podman_said NETWORKS_AFTER_DISCONNECT)" "the disconnect of btnet2's last container removed it from Berth"
        assert_match "$(podman_said DNS_PIDFILE)" '^[0-9]+$' "berth-dns ran while btnet1 had containers"
        assert_eq "[]" "$(podman_said ENDPOINTS_AFTER)" "no lease left after podman rm"
    fi
    _nv_host_clean
}

test_podman_netavark_macvlan() {
    local dir=$BT_TMP/podman
    _nv_prepare "$dir"
    ip -n "$BT_HOST" link add bt-ifb0 type ifb 2>/dev/null || skip_test "no ifb links in this kernel"
    ip -n "$BT_HOST" link set bt-ifb0 up
    podman_nv_run "$dir" <<'SCRIPT'
ipof() { pm inspect -f '{{(index .NetworkSettings.Networks "btmac").IPAddress}}' "$1"; }
pm network create -d macvlan -o parent=bt-ifb0 --subnet 10.125.10.0/24 btmac >/dev/null || { echo "network create failed"; exit 1; }
pm run -d --name bt-m1 --network btmac localhost/bt-busybox httpd -f -p 80 -h /www >/dev/null || { echo "run bt-m1 failed"; exit 1; }
pm run -d --name bt-m2 --network btmac localhost/bt-busybox sleep 600 >/dev/null || { echo "run bt-m2 failed"; exit 1; }
m1=$(ipof bt-m1); m2=$(ipof bt-m2)
say ADDRS "$m1" "$m2"
say LINK "$(nsenter --net="$(pm inspect -f '{{.NetworkSettings.SandboxKey}}' bt-m1)" ip -d -o link show eth0)"
check_within web-listening 20 c_http_ok bt-m1 http://127.0.0.1/
check ping-12 pm exec bt-m1 ping -c1 -W1 "$m2"
check ping-21 pm exec bt-m2 ping -c1 -W1 "$m1"
check http-21 c_http_ok bt-m2 "http://$m1/"
pm rm -f -t 0 bt-m1 bt-m2 >/dev/null || echo "rm failed"
pm network rm btmac >/dev/null || echo "network rm failed"
say ENDPOINTS_AFTER "$(be endpoints --format json | jq -c .)"
say DONE
SCRIPT
    # until the macvlan driver lands, Berth's front end refuses the network (one clear line)
    if _nv_is_berth && [[ "$ERR" == *"network driver 'macvlan' is not one of"* || "$ERR" == *'unsupported network driver "macvlan"'* ]]; then
        skip_test "this berth has no macvlan driver yet"
    fi
    [[ $RC -eq 0 && "$OUT" == *DONE* ]] || { _show_result podman scenario; fail "podman scenario did not finish"; }
    local addrs
    addrs=$(podman_said ADDRS)
    in_subnet "${addrs% *}" 10.125.10.0/24 && in_subnet "${addrs#* }" 10.125.10.0/24 || fail "macvlan addresses [$addrs] not in the subnet"
    assert_contains "$(podman_said LINK)" "macvlan" "eth0 is a macvlan link"
    podman_checks_ok web-listening ping-12 ping-21 http-21
    _nv_is_berth && assert_eq "[]" "$(podman_said ENDPOINTS_AFTER)" "no lease left after podman rm"
    _nv_host_clean bt-ifb0
}

test_podman_netavark_dual_stack_port_range() {
    local dir=$BT_TMP/podman
    setup_host_ipv6
    _nv_prepare "$dir"
    podman_nv_run "$dir" <<'SCRIPT'
ip6of() { pm inspect -f '{{(index .NetworkSettings.Networks "btds").GlobalIPv6Address}}' "$1"; }
ipof() { pm inspect -f '{{(index .NetworkSettings.Networks "btds").IPAddress}}' "$1"; }
pm network create --ipv6 --subnet 10.125.11.0/24 --subnet fd42:4254:7711::/64 btds >/dev/null || { echo "network create failed"; exit 1; }
pm run -d --name bt-d1 --network btds -p 9000-9002:8000-8002 localhost/bt-busybox httpd -f -p 8001 -h /www >/dev/null || { echo "run bt-d1 failed"; exit 1; }
pm run -d --name bt-d2 --network btds localhost/bt-busybox sleep 600 >/dev/null || { echo "run bt-d2 failed"; exit 1; }
a4=$(ipof bt-d1); a6=$(ip6of bt-d1)
say ADDRS "$a4" "$a6"
check_within web-listening 20 c_http_ok bt-d1 http://127.0.0.1:8001/
check ping6 pm exec bt-d2 ping -c1 -W1 "$a6"
check http6 c_http_ok bt-d2 "http://[$a6]:8001/"
check ping6-name pm exec bt-d2 ping -6 -c1 -W1 bt-d1
check range-outside http_ok up "http://$UPLINK_HOST_IP:9001/"
check range-outside6 http_ok up "http://[2001:db8:203::2]:9001/"
check range-unused eval "! http_ok up http://$UPLINK_HOST_IP:9002/"
pm rm -f -t 0 bt-d1 bt-d2 >/dev/null || echo "rm failed"
pm network rm btds >/dev/null || echo "network rm failed"
say DONE
SCRIPT
    [[ $RC -eq 0 && "$OUT" == *DONE* ]] || { _show_result podman scenario; fail "podman scenario did not finish"; }
    local addrs
    addrs=$(podman_said ADDRS)
    in_subnet "${addrs% *}" 10.125.11.0/24 || fail "IPv4 address [${addrs% *}] not in the subnet"
    in_subnet6 "${addrs#* }" fd42:4254:7711::/64 || fail "IPv6 address [${addrs#* }] not in the subnet"
    podman_checks_ok web-listening ping6 http6 ping6-name range-outside range-outside6 range-unused
    _nv_host_clean
}
