# shellcheck shell=bash
# A real client: Podman 4.3 with network_backend = "cni" runs two containers on a conflist whose
# plugin is `berth`; they ping each other; after they stop and are removed nothing is left.
# The private Podman sandbox (lib.sh: podman_cni_prepare, podman_cni_run) vanishes with the test.
#
# Needs the Debian packages podman, runc and busybox-static; skipped when they are missing.

test_cni_podman_two_containers() {
    local dir=$BT_TMP/podman
    podman_cni_prepare "$dir"
    podman_cni_conflist "$dir" btpod0 '[[{"subnet": "10.125.7.0/24", "gateway": "10.125.7.1"}]]' '[{"dst": "0.0.0.0/0"}]'
    podman_cni_run "$dir" <<'SCRIPT'
pm run -d --name bt-c1 --network bertnet localhost/bt-busybox sleep 300 >/dev/null
pm run -d --name bt-c2 --network bertnet --ip 10.125.7.50 localhost/bt-busybox sleep 300 >/dev/null
ip1=$(pm inspect -f '{{.NetworkSettings.Networks.bertnet.IPAddress}}' bt-c1)
ip2=$(pm inspect -f '{{.NetworkSettings.Networks.bertnet.IPAddress}}' bt-c2)
echo "ADDRS $ip1 $ip2"
ok=0
for i in 1 2 3; do pm exec bt-c1 ping -c1 -W1 "$ip2" >/dev/null 2>&1 && { ok=1; break; }; done
echo "PING12 $ok"
ok=0
for i in 1 2 3; do pm exec bt-c2 ping -c1 -W1 "$ip1" >/dev/null 2>&1 && { ok=1; break; }; done
echo "PING21 $ok"
echo "ENDPOINTS_RUNNING $(BERTH_STATE_DIR=$BT_STATE "$BERTH" endpoints --format json | tr -d '\n')"
pm stop -t 1 bt-c1 bt-c2 >/dev/null
pm rm bt-c1 bt-c2 >/dev/null
echo "ENDPOINTS_AFTER $(BERTH_STATE_DIR=$BT_STATE "$BERTH" endpoints --format json | tr -d '\n')"
echo "VETHS_AFTER $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^bv' | tr '\n' ' ')"
echo DONE
SCRIPT
    [[ $RC -eq 0 && "$OUT" == *DONE* ]] || { _show_result podman scenario; fail "podman scenario failed"; }
    local addrs running after
    addrs=$(grep '^ADDRS ' <<<"$OUT" | cut -d' ' -f2-)
    in_subnet "${addrs% *}" 10.125.7.0/24 || fail "container 1 address $addrs not from the conflist's subnet"
    assert_eq 10.125.7.50 "${addrs#* }" "static --ip passed through CNI_ARGS"
    assert_contains "$OUT" "PING12 1" "container 1 pings container 2"
    assert_contains "$OUT" "PING21 1" "container 2 pings container 1"
    running=$(grep '^ENDPOINTS_RUNNING ' <<<"$OUT" | cut -d' ' -f2-)
    assert_eq 2 "$(jq length <<<"$running")" "berth endpoints shows the two Podman containers"
    after=$(grep '^ENDPOINTS_AFTER ' <<<"$OUT" | cut -d' ' -f2-)
    assert_eq "[]" "$(jq -c . <<<"$after")" "no lease left after podman rm"
    assert_eq "" "$(grep '^VETHS_AFTER' <<<"$OUT" | cut -d' ' -f2- | tr -d ' ')" "no veth left after podman rm"
    assert_clean
}
