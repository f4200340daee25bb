#!/usr/bin/env bash
# The multicall dispatcher: --list, --install, applet lookup, --help/--version.
. "$(dirname "$0")/../lib.sh"

list_matches_config() {
	run "$AWGBOX" --list
	rc_is 0
	contains "$OUT" awg
	# every listed applet has a link in build/bin and runs from it
	local a
	for a in $OUT; do
		[ -L "$BIN/$a" ] || fail "no link $BIN/$a"
	done
	[ "$(printf '%s\n' "$OUT" | sort)" = "$OUT" ] || fail "--list is not sorted"
}

unknown_applet() {
	run "$AWGBOX" nosuchapplet
	rc_is 127
	eq "awgbox: nosuchapplet: applet not found" "$ERR"
	ln -s "$AWGBOX" "$T_TMP/frobnicate"
	run "$T_TMP/frobnicate" x
	rc_is 127
	eq "awgbox: frobnicate: applet not found" "$ERR"
}

runs_applet_by_name() {
	run "$AWGBOX" awg genkey
	rc_is 0
	[ ${#OUT} = 44 ] || fail "awgbox awg genkey: '$OUT'"
	# argv[0] with a directory and as the first argument
	cp "$AWGBOX" "$T_TMP/awgbox"
	ln "$T_TMP/awgbox" "$T_TMP/wg"
	run "$T_TMP/wg" genpsk
	rc_is 0
	[ ${#OUT} = 44 ] || fail "wg genpsk via hard link: '$OUT'"
}

install_links() {
	local d=$T_TMP/inst a n=0
	mkdir "$d"
	cp "$AWGBOX" "$T_TMP/awgbox"
	run "$T_TMP/awgbox" --install "$d"
	rc_is 0
	for a in $("$AWGBOX" --list); do
		[ "$d/$a" -ef "$T_TMP/awgbox" ] || fail "$d/$a is not a hard link to awgbox"
		[ -L "$d/$a" ] && fail "$d/$a is a symlink without -s"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || fail "no applets"
	# again with -s: replaces our own links with symlinks
	run "$T_TMP/awgbox" --install -s "$d"
	rc_is 0
	for a in $("$AWGBOX" --list); do
		[ -L "$d/$a" ] || fail "$d/$a is not a symlink with -s"
		[ "$(readlink "$d/$a")" = "$T_TMP/awgbox" ] || fail "$d/$a -> $(readlink "$d/$a")"
	done
	# a foreign file is kept unless -f
	rm "$d/awg"; echo foreign >"$d/awg"
	run "$T_TMP/awgbox" --install "$d"
	rc_is 1
	contains "$ERR" "$d/awg: exists and is not awgbox"
	eq foreign "$(cat "$d/awg")" "foreign file"
	run "$T_TMP/awgbox" --install -f "$d"
	rc_is 0
	[ "$d/awg" -ef "$T_TMP/awgbox" ] || fail "-f did not replace the foreign file"
	# errors
	run "$T_TMP/awgbox" --install "$T_TMP/nonexistent"
	rc_is 1
	contains "$ERR" "nonexistent"
	run "$T_TMP/awgbox" --install -x "$d"
	rc_is 2
	ls -A "$d" | grep -q awgbox-new && fail "temporary link left behind"
	return 0
}

help_and_version() {
	run "$AWGBOX" --help
	rc_is 0
	contains "$OUT" "Usage: awgbox"
	run "$AWGBOX"
	rc_is 1
	contains "$ERR" "Usage: awgbox"
	run "$AWGBOX" --version
	rc_is 0
	[[ $OUT =~ ^awgbox\ v[0-9] ]] || fail "version: $OUT"
}

closed_stdio() {
	# with stdout closed, a key must never land in a file opened later
	run sh -c "'$BIN/awg' genkey >&-"
	[ "$RC" != 0 ] || [ -z "$OUT" ] || fail "genkey with closed stdout: $OUT"
}

t "--list shows the configured applets, each linked in build/bin" list_matches_config
t "an unknown applet: 'applet not found', exit 127" unknown_applet
t "applets run by name and through links" runs_applet_by_name
t "--install makes hard links, -s symlinks, keeps foreign files unless -f" install_links
t "--help and --version" help_and_version
t "closed stdout is not reused" closed_stdio
