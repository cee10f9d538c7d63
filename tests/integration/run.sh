#!/usr/bin/env bash
# Berth integration tests runner.
#
#   tests/integration/run.sh                       # every tests/integration/test_*.sh
#   tests/integration/run.sh test_nat.sh           # one file (name or path)
#   tests/integration/run.sh test_nat.sh:test_nat_source_is_uplink   # one test
#   tests/integration/run.sh -k internal           # tests whose file:function contains "internal"
#
# Every test function runs in its own bash process with a fresh sandbox (throwaway host netns,
# upstream netns, temp state dir) that is torn down afterwards even if the test fails or times out.
# Env: BERTH (binary), BT_TEST_TIMEOUT (seconds per test, default 180), BT_VERBOSE=1 (show output
# of passing tests too), BT_REQUIRE_ROOT=1 (not root is a failure instead of a skip).
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---------------------------------------------------------------------------------------------
# internal mode: run one test function (used by the runner itself)
if [[ "${1:-}" == "--one" ]]; then
    file=$2 fn=$3
    # shellcheck source=lib.sh
    source "$HERE/lib.sh"
    # shellcheck disable=SC1090
    source "$file"
    setup_host
    "$fn"
    exit $?
fi

# ---------------------------------------------------------------------------------------------
banner() { printf '\n%s\n%s\n%s\n\n' "################################################################" "$*" "################################################################" >&2; }

if [[ $(id -u) -ne 0 ]]; then
    banner "SKIPPED: Berth integration tests need root (network namespaces, veth, nftables).
Run them as root, e.g.: sudo make test   (or sudo $0)"
    echo "integration: 0 passed, 0 failed"
    [[ "${BT_REQUIRE_ROOT:-0}" == 1 ]] && exit 1
    exit 0
fi

# shellcheck source=lib.sh
source "$HERE/lib.sh"

missing=()
for tool in ip jq nft python3 nsenter unshare setpriv ping timeout; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
    banner "FAILED: tools missing for the integration tests: ${missing[*]}
(Debian: apt-get install iproute2 jq nftables python3 util-linux iputils-ping coreutils)"
    echo "integration: 0 passed, 1 failed"
    exit 1
fi
if [[ ! -x "$BERTH" ]]; then
    banner "FAILED: berth binary not found at $BERTH (build it first, or set BERTH=...)"
    echo "integration: 0 passed, 1 failed"
    exit 1
fi
if ! ip netns add "bt-probe-$$" 2>/dev/null; then
    banner "SKIPPED: cannot create network namespaces here (not privileged enough?)"
    echo "integration: 0 passed, 0 failed"
    [[ "${BT_REQUIRE_ROOT:-0}" == 1 ]] && exit 1
    exit 0
fi
ip netns del "bt-probe-$$"

# ---------------------------------------------------------------------------------------------
# select tests
filter=""
selected=()
while (($#)); do
    case "$1" in
        -k) filter=$2; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) selected+=("$1"); shift ;;
    esac
done

list_tests() {   # list_tests FILE: test functions in definition order
    grep -oE '^[[:space:]]*(function[[:space:]]+)?test_[A-Za-z0-9_]+[[:space:]]*\(\)' "$1" \
        | sed -E 's/^[[:space:]]*(function[[:space:]]+)?//; s/[[:space:]]*\(\)$//'
}

resolve_file() {
    local f=$1
    [[ -f "$f" ]] && { (cd "$(dirname "$f")" && echo "$PWD/$(basename "$f")"); return; }
    [[ -f "$HERE/$f" ]] && { echo "$HERE/$f"; return; }
    [[ -f "$HERE/$f.sh" ]] && { echo "$HERE/$f.sh"; return; }
    return 1
}

plan=()   # entries "FILE FN"
if ((${#selected[@]} == 0)); then
    for f in "$HERE"/test_*.sh; do
        [[ -f "$f" ]] || continue
        for fn in $(list_tests "$f"); do plan+=("$f $fn"); done
    done
else
    for sel in "${selected[@]}"; do
        file=${sel%%:*} only=""
        [[ "$sel" == *:* ]] && only=${sel#*:}
        path=$(resolve_file "$file") || { echo "no such test file: $file" >&2; exit 2; }
        for fn in $(list_tests "$path"); do
            [[ -z "$only" || "$fn" == "$only" ]] && plan+=("$path $fn")
        done
    done
fi
if [[ -n "$filter" ]]; then
    filtered=()
    for e in "${plan[@]}"; do
        f=${e% *}; fn=${e#* }
        [[ "$(basename "$f"):$fn" == *"$filter"* ]] && filtered+=("$e")
    done
    plan=("${filtered[@]}")
fi
if ((${#plan[@]} == 0)); then
    echo "no tests selected" >&2
    echo "integration: 0 passed, 0 failed"
    exit 1
fi

# ---------------------------------------------------------------------------------------------
# run
# links Berth or these tests could create by mistake in the real host netns
root_links() { ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^(bv|berth|bt-)' | sort; }
root_ns_before=$(ip netns list | awk '{print $1}' | grep '^bt-' | sort)

passed=0 failed=0 skipped=0 n=0
failed_names=()
current_tmp="" current_id=""
sweep_current() {
    [[ -n "$current_tmp" ]] || return 0
    ( BT_TMP=$current_tmp BT_ID=$current_id; teardown ) >/dev/null 2>&1
    current_tmp=""
}
trap 'sweep_current; echo "interrupted" >&2; exit 130' INT TERM
trap 'sweep_current' EXIT

echo "berth integration tests: ${#plan[@]} tests, binary $BERTH"
for e in "${plan[@]}"; do
    f=${e% *}; fn=${e#* }
    n=$((n + 1))
    name="$(basename "$f" .sh):$fn"
    current_id="$$-$n"
    current_tmp=$(mktemp -d /tmp/bt-test.XXXXXX)
    log_file="$current_tmp.log"
    links_before=$(root_links)
    start=$(date +%s%N)
    BT_ID=$current_id BT_TMP=$current_tmp BT_HOST="bt-host-$current_id" BT_UP="bt-up-$current_id" BERTH=$BERTH \
        timeout --kill-after=10 "${BT_TEST_TIMEOUT:-180}" bash "$HERE/run.sh" --one "$f" "$fn" >"$log_file" 2>&1
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    secs="$((ms / 1000)).$(( (ms % 1000) / 100 ))"
    [[ $rc -eq 124 || $rc -eq 137 ]] && echo "  TIMEOUT after ${BT_TEST_TIMEOUT:-180}s" >>"$log_file"
    # safety net: tear down whatever the test left (idempotent)
    BT_KEEP_TMP=0 sweep_current
    # the real host must not have changed
    links_after=$(root_links)
    new_links=$(comm -13 <(echo "$links_before") <(echo "$links_after"))
    if [[ -n "$new_links" ]]; then
        echo "  NETWORK SAFETY: links appeared in the real host netns during this test: $new_links" >>"$log_file"
        rc=99
    fi
    if [[ $rc -eq 77 ]]; then
        # a test whose prerequisites are missing exits 77 (as automake's harness does)
        skipped=$((skipped + 1))
        echo "SKIP $name: $(grep -m1 '^SKIP: ' "$log_file" | cut -c7-)"
    elif [[ $rc -eq 0 ]]; then
        passed=$((passed + 1))
        echo "PASS $name (${secs}s)"
        [[ "${BT_VERBOSE:-0}" == 1 ]] && sed 's/^/    | /' "$log_file"
    else
        failed=$((failed + 1))
        failed_names+=("$name")
        echo "FAIL $name (${secs}s, exit $rc)"
        sed 's/^/    | /' "$log_file"
    fi
    rm -f "$log_file"
done

left=$(comm -13 <(echo "$root_ns_before") <(ip netns list | awk '{print $1}' | grep '^bt-' | sort))
if [[ -n "$left" ]]; then
    echo "WARNING: namespaces left behind: $left" >&2
fi
if ((failed)); then
    echo "failed tests:"
    printf '  %s\n' "${failed_names[@]}"
fi
echo "integration: $passed passed, $failed failed$( ((skipped)) && echo ", $skipped skipped")"
((failed == 0))
