# shell: bash
# `make install` and `make uninstall`, always into a DESTDIR under the test's temp dir: the
# binary, its CNI plugin link, shell completions and the man page; what install put, uninstall
# removes. The generated files go to the test's temp dir too (GEN_DIR), so the checkout is not
# touched; the binary under test is installed, never rebuilt.

# _install_make TARGET [VAR=VALUE...]: make in the checkout for the binary under test; sets RC OUT ERR.
_install_make() {
    local tool=${BERTH%/*}/generate-manual
    [[ -x "$tool" ]] || tool=$BT_REPO/.build/release/generate-manual
    command -v make >/dev/null || skip_test "make is not installed"
    # built by `make integration-test` (and `make`): a test does not compile into the checkout
    [[ -x "$tool" ]] || skip_test "swift-argument-parser's generate-manual is not built (make docs)"
    run_capture make -C "$BT_REPO" --no-print-directory BERTH="$BERTH" GEN_DIR="$BT_TMP/gen" \
        GENERATE_MANUAL="$tool" "$@"
}

# _installed_files DESTDIR: every file and link under DESTDIR, relative to it, sorted.
_installed_files() { (cd "$1" && find . ! -type d | sed 's|^\./|/|' | sort); }

# _check_install DESTDIR BINDIR CNI_PLUGIN_DIR MANDIR SHAREDIR NETAVARK_DIR: everything install must put there works.
_check_install() {
    local d=$1 bin=$2 cni=$3 man=$4 share=$5 nv=$6 version
    assert_eq "$(printf '%s\n' "$bin/berth" "$bin/berth-dns" "$bin/berth-agent" "$cni/berth" "$nv/netavark" "$man/man1/berth.1" \
                   "$share/bash-completion/completions/berth" "$share/fish/vendor_completions.d/berth.fish" \
                   "$share/zsh/site-functions/_berth" | sort)" \
              "$(_installed_files "$d")" "installed files"
    # the name service beside berth, where berth looks for it
    cmp -s "$d$bin/berth-dns" "$(dirname "$BERTH")/berth-dns" || fail "the installed berth-dns is not the built one"
    [[ -x "$d$bin/berth-dns" ]] || fail "the installed berth-dns is not executable"
    # the overlay agent beside berth, where `berth agent` and `berth overlay` look for it
    cmp -s "$d$bin/berth-agent" "$(dirname "$BERTH")/berth-agent" || fail "the installed berth-agent is not the built one"
    # the binary, and its version from the one place it is defined
    assert_ok in_host "$d$bin/berth" --version
    version=$OUT
    assert_match "$version" '^[0-9]+\.[0-9]+\.[0-9]+$' "berth --version"
    assert_eq "$(grep -oE '"[0-9]+\.[0-9]+\.[0-9]+"' "$BT_REPO/Sources/BerthCLI/Version.swift" | tr -d '"')" \
              "$version" "the version is Version.swift's"
    # the CNI plugin: a relative link to the installed binary (it resolves inside DESTDIR too),
    # found under the plugin name a runtime execs ("type": "berth")
    [[ -L "$d$cni/berth" ]] || fail "$cni/berth is not a link"
    assert_eq "$d$bin/berth" "$(readlink -f "$d$cni/berth")" "CNI link target"
    in_host env -i CNI_COMMAND=VERSION BERTH_STATE_DIR="$BT_STATE" "$d$cni/berth" \
        <<<'{"cniVersion":"1.0.0"}' >"$BT_TMP/.out" 2>"$BT_TMP/.err" || fail "CNI VERSION through the link failed: $(cat "$BT_TMP/.err")"
    assert_eq '1.0.0 true' "$(jq -r '"\(.cniVersion) \(.supportedVersions | index("1.1.0") != null)"' "$BT_TMP/.out")" \
              "CNI VERSION through the link"
    # Podman's netavark: a relative link in the helper directory, answering as netavark does
    [[ -L "$d$nv/netavark" ]] || fail "$nv/netavark is not a link"
    assert_eq "$(realpath -m --relative-to="$nv" "$bin/berth")" "$(readlink "$d$nv/netavark")" "netavark link is relative"
    assert_eq "$d$bin/berth" "$(readlink -f "$d$nv/netavark")" "netavark link target"
    assert_ok in_host env -i "$d$nv/netavark" --version
    assert_eq "netavark $version" "$OUT" "netavark --version through the link"
    assert_ok in_host env -i "$d$nv/netavark" version
    assert_eq "$version" "$(jq -r .version <<<"$OUT")" "netavark version through the link"
    # completions: scripts for each shell that know berth's commands
    local f
    for f in bash-completion/completions/berth zsh/site-functions/_berth fish/vendor_completions.d/berth.fish; do
        [[ -s "$d$share/$f" ]] || fail "empty completion script $f"
        assert_contains "$(cat "$d$share/$f")" "disconnect" "completion script $f knows the commands"
        assert_contains "$(cat "$d$share/$f")" "version" "completion script $f knows the version flag"
    done
    bash -n "$d$share/bash-completion/completions/berth" || fail "bash completion does not parse"
    assert_eq "#compdef berth" "$(head -n1 "$d$share/zsh/site-functions/_berth")" "zsh completion header"
    if command -v zsh >/dev/null; then zsh -n "$d$share/zsh/site-functions/_berth" || fail "zsh completion does not parse"; fi
    if command -v fish >/dev/null; then fish -n "$d$share/fish/vendor_completions.d/berth.fish" || fail "fish completion does not parse"; fi
    # the man page renders, without warnings
    local page=$d$man/man1/berth.1 text
    assert_match "$(head -n5 "$page")" $'\n''\.Dt BERTH 1' "man page header"
    if command -v groff >/dev/null; then
        run_capture groff -mandoc -Tutf8 -ww -z "$page"
        assert_eq "0:" "$RC:$ERR" "groff warnings for the man page"
    fi
    if command -v man >/dev/null; then
        text=$(MANWIDTH=100 MANPAGER=cat man -l "$page" 2>&1) || fail "man -l failed: $text"
        assert_contains "$text" "berth — Container networking for Linux" "man page NAME"
        assert_contains "$text" "disconnect" "man page describes the subcommands"
    fi
}

test_install_and_uninstall() {
    local d=$BT_TMP/dest stamp
    stamp=$(stat -c %Y "$BERTH")
    _install_make install DESTDIR="$d"
    [[ $RC -eq 0 ]] || { _show_result make install; fail "make install failed"; }
    assert_not_contains "$OUT$ERR" "swift build" "make install compiled something"
    assert_eq "$stamp" "$(stat -c %Y "$BERTH")" "make install rebuilt the binary"
    _check_install "$d" /usr/local/bin /opt/cni/bin /usr/local/share/man /usr/local/share /usr/local/lib/berth
    _install_make uninstall DESTDIR="$d"
    [[ $RC -eq 0 ]] || { _show_result make uninstall; fail "make uninstall failed"; }
    assert_eq "" "$(_installed_files "$d")" "files left after uninstall"
}

# Other locations, as a distribution package would use them (Debian's CNI plugins live in
# /usr/lib/cni): the link is still relative, so it resolves.
test_install_elsewhere() {
    local d=$BT_TMP/dest
    local -a where=(PREFIX=/usr CNI_PLUGIN_DIR=/usr/lib/cni MANDIR=/usr/share/man)
    _install_make install DESTDIR="$d" "${where[@]}"
    [[ $RC -eq 0 ]] || { _show_result make install; fail "make install failed"; }
    assert_eq "../../bin/berth" "$(readlink "$d/usr/lib/cni/berth")" "relative CNI link"
    assert_eq "../../bin/berth" "$(readlink "$d/usr/lib/berth/netavark")" "relative netavark link"
    _check_install "$d" /usr/bin /usr/lib/cni /usr/share/man /usr/share /usr/lib/berth
    _install_make uninstall DESTDIR="$d" "${where[@]}"
    assert_eq "" "$(_installed_files "$d")" "files left after uninstall"
}
