# shellcheck shell=bash
# A real client: Podman 4.3 with network_backend = "cni" runs two containers on a conflist whose
# plugin is `berth`; they ping each other; after they stop and are removed nothing is left.
#
# Everything runs inside this test's throwaway host netns and a private mount namespace: Podman's
# storage, run dirs, containers.conf, network config dir, CNI plugin dir, /run/netns (where it
# creates container namespaces) and /var/lib/cni (libcni's cache) are private tmp directories
# or tmpfs mounts that vanish with the test. No registry is used: the image is imported from a
# busybox-static rootfs.
#
# Needs the Debian packages podman, runc and busybox-static; skipped when they are missing.

test_cni_podman_two_containers() {
    local p
    for p in podman runc; do command -v "$p" >/dev/null 2>&1 || skip_test "$p is not installed (apt-get install podman runc busybox-static)"; done
    [[ -x /bin/busybox ]] || skip_test "busybox-static is not installed"
    file -L /bin/busybox 2>/dev/null | grep -q "statically linked" || ldd /bin/busybox 2>&1 | grep -q "not a dynamic" \
        || skip_test "/bin/busybox is not statically linked (install busybox-static)"

    local dir=$BT_TMP/podman
    mkdir -p "$dir"/{root,runroot,tmp,net.d,plugins,rootfs/bin,rootfs/etc,rootfs/tmp,rootfs/proc,rootfs/sys,rootfs/dev}
    ln -s "$BERTH" "$dir/plugins/berth"
    cp /bin/busybox "$dir/rootfs/bin/busybox"
    for p in sh ping sleep ip cat; do ln -s busybox "$dir/rootfs/bin/$p"; done
    echo 'root:x:0:0:root:/:/bin/sh' >"$dir/rootfs/etc/passwd"
    cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[network]
network_backend = "cni"
cni_plugin_dirs = ["$dir/plugins"]
network_config_dir = "$dir/net.d"
default_network = "bertnet"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
CONF
    cat >"$dir/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$dir/root"
runroot = "$dir/runroot"
CONF
    # The reference bridge plugin's conflist as Podman writes it, with only `type` changed, plus
    # Berth's stateDir (Podman does not pass the test's environment through to plugins reliably).
    cat >"$dir/net.d/bertnet.conflist" <<CONF
{
  "cniVersion": "0.4.0",
  "name": "bertnet",
  "plugins": [
    {
      "type": "berth",
      "bridge": "btpod0",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "stateDir": "$BT_STATE",
      "ipam": {
        "type": "host-local",
        "routes": [{ "dst": "0.0.0.0/0" }],
        "ranges": [[{ "subnet": "10.125.7.0/24", "gateway": "10.125.7.1" }]]
      },
      "capabilities": { "ips": true }
    }
  ]
}
CONF
    cat >"$dir/scenario.sh" <<'SCRIPT'
set -eu
dir=$1
# private mounts: Podman's namespaces and libcni's cache live and die with this mount namespace
mount --make-rprivate /
mkdir -p /run/netns /var/lib/cni
mount -t tmpfs bt-podman-netns /run/netns
mount -t tmpfs bt-podman-cni /var/lib/cni
export CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf
export XDG_RUNTIME_DIR=$dir/tmp TMPDIR=$dir/tmp
pm() { podman --root "$dir/root" --runroot "$dir/runroot" --storage-driver vfs "$@"; }
# a failure half-way must not leave runc containers (and their cgroups) running
trap 'pm rm -f -t 0 bt-c1 bt-c2 >/dev/null 2>&1 || true' EXIT
tar -C "$dir/rootfs" -c . | pm import - localhost/bt-busybox:latest >/dev/null
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
    # nsenter rather than `ip netns exec`: the latter remounts /sys, hiding the cgroup mounts runc needs.
    run_capture nsenter --net="/run/netns/$BT_HOST" -- env BT_STATE="$BT_STATE" BERTH="$BERTH" \
        unshare -m --propagation private bash "$dir/scenario.sh" "$dir"
    printf '%s\n' "$OUT" >&2
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
