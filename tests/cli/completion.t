#!/usr/bin/env bash
# bash completion (scripts/completion/awgbox.bash) for awg, wg, awg-quick,
# wg-quick and awgbox, as bash calls it; candidates come from our binary's
# own --help.  Interfaces and peers are in tests/netns/completion.t.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/completion.sh"

SUBS="show showconf set setconf addconf syncconf genkey genpsk pubkey --help --version"
WG_FIELDS="public-key private-key listen-port fwmark peers preshared-keys endpoints allowed-ips
	latest-handshakes transfer persistent-keepalive dump"
AWG_FIELDS="$WG_FIELDS jc jmin jmax s1 s2 s3 s4 h1 h2 h3 h4 i1 i2 i3 i4 i5 header-protection-key
	content-padding-addition rekey-after-time rekey-timeout reject-after-time keepalive-timeout
	max-handshake-attempts random-trailers disable-cookies"
WG_SET="listen-port fwmark private-key peer"
WG_PEER="remove preshared-key endpoint persistent-keepalive allowed-ips peer"

subcommands() {
	# shellcheck disable=SC2086
	completes 'awg ' $SUBS
	completes 'wg ' $SUBS
	completes 'awg s' show showconf set setconf syncconf
	completes 'wg gen' genkey genpsk
	completes 'awg pubkey '
}

show_fields() {
	# shellcheck disable=SC2086
	completes 'awg show all ' $AWG_FIELDS
	# shellcheck disable=SC2086
	completes 'wg show all ' $WG_FIELDS
	completes 'wg show all p' public-key private-key peers preshared-keys persistent-keepalive
	completes 'awg show all h' h1 h2 h3 h4 header-protection-key
	completes 'awg show interfaces '
	completes 'awg show i' interfaces
}

set_options() {
	local awg_set
	# shellcheck disable=SC2086
	completes 'wg set wg0 ' $WG_SET
	awg_set="$WG_SET jc jmin jmax s1 s2 s3 s4 h1 h2 h3 h4 i1 i2 i3 i4 i5 header-protection-key
		content-padding-addition rekey-after-time rekey-timeout reject-after-time keepalive-timeout
		max-handshake-attempts random-trailers disable-cookies"
	# shellcheck disable=SC2086
	completes 'awg set wg0 ' $awg_set
	# an option's value: nothing; after it, options again
	completes 'wg set wg0 listen-port '
	# shellcheck disable=SC2086
	completes 'wg set wg0 listen-port 51820 ' $WG_SET
	completes 'wg set wg0 fwmark 0x10 pr' private-key
	# a peer's options, remove taking no value, then a next peer
	# shellcheck disable=SC2086
	completes 'wg set wg0 peer AAAA= ' $WG_PEER
	# shellcheck disable=SC2086
	completes 'wg set wg0 listen-port 1 peer AAAA= remove ' $WG_PEER
	# shellcheck disable=SC2086
	completes 'awg set wg0 peer AAAA= endpoint 1.2.3.4:5 ' $WG_PEER advanced-security
	completes 'wg set wg0 peer AAAA= persistent-keepalive '
}

key_files() {
	mkdir -p "$T_TMP/keys/sub"
	: >"$T_TMP/keys/priv.key"
	: >"$T_TMP/keys/psk"
	cd "$T_TMP/keys"
	completes 'wg set wg0 private-key ' priv.key psk sub
	completes 'wg set wg0 private-key p' priv.key psk
	completes 'wg set wg0 peer AAAA= preshared-key ps' psk
	completes 'awg set wg0 header-protection-key pr' priv.key
	completes 'awg setconf wg0 pr' priv.key
	completes 'awg setconf wg0 x y '
}

quick() {
	local a=$T_TMP/amnezia w=$T_TMP/wireguard
	mkdir -p "$a" "$w" "$T_TMP/here/confs"
	: >"$a/awg0.conf"; : >"$a/notes.txt"; : >"$w/wg0.conf"; : >"$w/wg1.conf"
	: >"$T_TMP/here/x.conf"; : >"$T_TMP/here/x.txt"; : >"$T_TMP/here/confs/y.conf"
	cd "$T_TMP/here"
	completes 'awg-quick ' up down save strip --help
	completes 'wg-quick s' save strip
	AWG_CONFDIRS="$a $w" WG_CONFDIRS=$w completes 'awg-quick up ' awg0 wg0 wg1
	AWG_CONFDIRS="$a $w" WG_CONFDIRS=$w completes 'wg-quick up ' wg0 wg1
	AWG_CONFDIRS="$a $w" WG_CONFDIRS=$w completes 'wg-quick strip wg1' wg1
	# a path: *.conf files and directories
	AWG_CONFDIRS="$a $w" WG_CONFDIRS=$w completes 'wg-quick up ./' ./x.conf ./confs
	AWG_CONFDIRS="$a $w" WG_CONFDIRS=$w completes 'awg-quick up confs/' confs/y.conf
	AWG_CONFDIRS="$a $w" WG_CONFDIRS=$w completes 'awg-quick up wg0 '
}

through_awgbox() {
	local applets
	applets=$("$AWGBOX" --list)
	# shellcheck disable=SC2086
	completes 'awgbox ' $applets --list --install --help --version
	completes 'awgbox awg-q' awg-quick
	# shellcheck disable=SC2086
	completes 'awgbox wg show all ' $WG_FIELDS
	completes 'awgbox wg-quick ' up down save strip --help
	# and with awgbox given as a path, no applet links in PATH
	BIN=/nonexistent completes "$AWGBOX wg set wg0 " $WG_SET
}

t "awg/wg: subcommands from --help" subcommands
t "show: 'all', 'interfaces', then the fields of awg (AmneziaWG's too) or wg" show_fields
t "set: interface options, a peer's options, none after an option taking a value" set_options
t "set/setconf: key and config files" key_files
t "awg-quick/wg-quick: commands, config names from their directories, .conf paths" quick
t "awgbox APPLET ...: applets, then the applet's completion" through_awgbox

# make install: the file once, the names bash-completion loads linked to it
installed() {
	local root=$T_TMP/root c=/usr/share/bash-completion/completions
	make -s -C "$TOP" install DESTDIR="$root" >/dev/null
	eq "awg -> awgbox
awg-quick -> awgbox
awgbox
wg -> awgbox
wg-quick -> awgbox" "$(cd "$root$c" && for f in *; do if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else echo "$f"; fi; done)"
	cmp "$root$c/awgbox" "$TOP/scripts/completion/awgbox.bash"
	run bash --norc -c ". '$root$c/wg-quick' && complete -p wg-quick awg"
	eq "complete -F _awgbox_complete wg-quick
complete -F _awgbox_complete awg" "$OUT"
}

# (make install installs the default build: with another under test, the
# case belongs to that build's run)
[ "$AWGBOX_BUILD" != build ] || t "make install: the completion file and its links" installed
