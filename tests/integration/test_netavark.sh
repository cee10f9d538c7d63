# shellcheck shell=bash
# Berth as Podman's netavark, driven exactly as Podman 4.3 drives it: a link named `netavark` to
# the berth binary, `netavark --config DIR --rootless=false --aardvark-binary=PATH setup|teardown
# /run/netns/NAME` with the network options on stdin, the status block or {"error": …} read
# from stdout. Real namespaces, real traffic, kernel and store state checked afterwards.
# (Captured calls: /work/shared/reference/podman-samples/netavark-*.txt.)

DNSTOOL="$BT_LIB_DIR/dnstool.py"

# nv_link: the `netavark` link to $BERTH in this test's temp dir (Podman finds it through
# helper_binaries_dir); prints its path.
nv_link() {
    local dir="$BT_TMP/nvbin"
    if [[ ! -L "$dir/netavark" ]]; then
        mkdir -p "$dir" "$BT_TMP/nvconfig"
        ln -s "$BERTH" "$dir/netavark" || fail "cannot link netavark"
    fi
    echo "$dir/netavark"
}

# nv_network NAME BRIDGE SUBNET [JQ_FILTER]: a network definition as Podman writes it in
# network_info (the gateway is the subnet's first address), optionally transformed.
nv_network() {
    jq -cn --arg n "$1" --arg b "$2" --arg s "$3" '{
        name: $n, id: ("f91b1157c9fd1bb5707278d52029aa300247a3d988662d57aa3fe731e8356b5" + ($n | length | tostring)),
        driver: "bridge", network_interface: $b, created: "2026-11-29T05:45:23.019743996Z",
        subnets: [{subnet: $s, gateway: ($s | sub("0/[0-9]+$"; "1"))}],
        ipv6_enabled: false, internal: false, dns_enabled: true, ipam_options: {driver: "host-local"}}' | jq -c "${4:-.}"
}

# nv_options CID NAME NETWORK_JSON IFNAME IP [NETWORK_JSON IFNAME IP…]: the options of a setup or
# teardown: the container joins each network on IFNAME with IP (Podman's allocation; "-" none,
# several comma-separated). Podman writes the networks sorted by name.
nv_options() {
    local cid=$1 cname=$2; shift 2
    local doc
    doc=$(jq -cn --arg c "$cid" --arg n "$cname" '{container_id: $c, container_name: $n, networks: {}, network_info: {}}')
    while (($# >= 3)); do
        doc=$(jq -c --argjson net "$1" --arg ifn "$2" --arg ip "$3" '
            .network_info[$net.name] = $net
            | .networks[$net.name] = {static_ips: (if $ip == "-" then [] else ($ip | split(",")) end),
                                      aliases: [.container_id[0:12]], interface_name: $ifn}' <<<"$doc")
        shift 3
    done
    jq -cS . <<<"$doc"   # -S: Go's encoder writes map keys sorted
}

# nv_run COMMAND NETNS_PATH: run the link as Podman does (its arguments, RUST_LOG at Podman's
# default level, this test's state dir) with $NV_STDIN on stdin; sets RC OUT ERR. Never fails.
nv_run() {
    local bin
    bin=$(nv_link)
    local -a envs=(PATH="$PATH" RUST_LOG="${NV_RUST_LOG:-warning}" BERTH_STATE_DIR="$BT_STATE")
    [[ -n "${BERTH_RESOLV_CONF:-}" ]] && envs+=(BERTH_RESOLV_CONF="$BERTH_RESOLV_CONF")
    [[ -n "${BERTH_DNS_BINARY:-}" ]] && envs+=(BERTH_DNS_BINARY="$BERTH_DNS_BINARY")
    in_host env -i "${envs[@]}" "$bin" --config "$BT_TMP/nvconfig" --rootless=false \
        --aardvark-binary=/usr/lib/podman/aardvark-dns "$@" <<<"${NV_STDIN:-}" >"$BT_TMP/.out" 2>"$BT_TMP/.err"
    RC=$?
    OUT=$(cat "$BT_TMP/.out")
    ERR=$(cat "$BT_TMP/.err")
    return 0
}

# nv_ok COMMAND NETNS_PATH: nv_run, asserting exit 0, nothing on stderr, and for setup a JSON
# object on stdout (teardown prints nothing).
nv_ok() {
    nv_run "$@"
    if [[ $RC -ne 0 ]]; then _show_result "netavark $*"; fail "netavark $1 failed"; fi
    [[ -z "$ERR" ]] || { _show_result "netavark $*"; fail "netavark $1 wrote to stderr"; }
    case "$1" in
        setup|version) jq -e 'type == "object"' >/dev/null 2>&1 <<<"$OUT" || { _show_result "netavark $*"; fail "netavark $1 printed no JSON object"; } ;;
        teardown|update) [[ -z "$OUT" ]] || { _show_result "netavark $*"; fail "netavark $1 printed something on success"; } ;;
    esac
}

# nv_error SUBSTRING COMMAND NETNS_PATH: nv_run, asserting exit 1, {"error": "…SUBSTRING…"} on
# stdout and nothing on stderr.
nv_error() {
    local want=$1; shift
    nv_run "$@"
    if [[ $RC -ne 1 ]]; then _show_result "netavark $*"; fail "netavark $1: expected exit 1, got $RC"; fi
    jq -e '(keys == ["error"]) and (.error | type == "string")' >/dev/null 2>&1 <<<"$OUT" \
        || { _show_result "netavark $*"; fail "netavark $1: stdout is not {\"error\": …}"; }
    assert_contains "$(jq -r .error <<<"$OUT")" "$want" "error message"
    [[ -z "$ERR" ]] || { _show_result "netavark $*"; fail "netavark $1 wrote to stderr"; }
}

# nv_mac NS [IFNAME]: the MAC of IFNAME (default eth0) in a container.
nv_mac() { in_ns "$1" cat "/sys/class/net/${2:-eth0}/address"; }

# nv_assert_network_gone NAME BRIDGE SUBNET: no record, bridge or rule of the network is left.
nv_assert_network_gone() {
    berth_host network ls --format json | jq -e --arg n "$1" 'map(select(.name == $n)) | length == 0' >/dev/null \
        || fail "network $1 is still in Berth's store"
    assert_clean "$2:$3"
}

CID1=c10905e990522dc476e602803a695f308b18b2e89b06b0a7a7f68589e4f16def
CID2=305422da6c69a81b5fcf09e59ebf3a945eef62e5bb3a5f9069e0fc43192161a5

test_netavark_setup_teardown() {
    local c net status
    new_netns_container c
    net=$(nv_network example-net podman1 10.89.42.0/24)
    NV_STDIN=$(nv_options "$CID1" web "$net" eth0 10.89.42.4)
    nv_ok setup "/run/netns/$c"
    status=$OUT
    # The status block, as netavark prints it (podman-samples/netavark-setup-web.txt).
    assert_eq '["example-net"]' "$(jq -c keys <<<"$status")" "one block per network"
    assert_eq '["dns.podman"]' "$(jq -c '.["example-net"].dns_search_domains' <<<"$status")" "dns_search_domains"
    assert_eq '["10.89.42.1"]' "$(jq -c '.["example-net"].dns_server_ips' <<<"$status")" "dns_server_ips"
    assert_eq '["eth0"]' "$(jq -c '.["example-net"].interfaces | keys' <<<"$status")" "interfaces"
    assert_eq "$(nv_mac "$c")" "$(jq -r '.["example-net"].interfaces.eth0.mac_address' <<<"$status")" "mac_address is eth0's"
    assert_eq '[{"gateway":"10.89.42.1","ipnet":"10.89.42.4/24"}]' "$(jq -c '.["example-net"].interfaces.eth0.subnets' <<<"$status")" "subnets"
    # The kernel: Podman's bridge name, the address, the default route (metric 100, as netavark).
    assert_eq 10.89.42.4/24 "$(container_ipv4 "$c")" "address in the container"
    assert_eq 10.89.42.1 "$(container_default_gw "$c")" "default route"
    assert_contains "$(ip -n "$BT_HOST" -o addr show dev podman1)" "10.89.42.1/24" "bridge podman1 holds the gateway"
    ping_ok "$c" 10.89.42.1
    ping_ok "$c" "$UPSTREAM_IP"
    # The store: a Podman-owned network.
    assert_eq 1 "$(berth_host endpoints --format json | jq length)" "one endpoint"
    NV_STDIN=$(nv_options "$CID1" web "$net" eth0 10.89.42.4)
    nv_ok teardown "/run/netns/$c"
    assert_container_clean "$c"
    assert_clean
    # The teardown that detaches a Podman network's last endpoint removes the network.
    nv_assert_network_gone example-net podman1 10.89.42.0/24
    # Teardown is idempotent.
    nv_ok teardown "/run/netns/$c"
}
