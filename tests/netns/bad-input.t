#!/usr/bin/env bash
# timeout: 900
# The malformed inputs of tests/data/bad/ against a live wireguard-go device
# and a namespace: each gives its one expected stderr line and exit status,
# and changes nothing -- the device's dump, the namespace's links, addresses,
# routes, rules, firewall, processes and sockets are as before.
#   CASES  configs for awg setconf / addconf / syncconf (and awg-quick up/strip)
#   SET    arguments for awg set
. "$(dirname "$0")/lib.sh"

DATA=$TOP/tests/data/bad
AWG=$BIN/awg
QUICK=$BIN/awg-quick
umask 077

# A @NAME case's file, made here: what a repository should not hold, or
# cannot (a 1 MiB line, a directory, a loop, a missing or unreadable file).
case_file() {	# case_file NAME -> path
	local d=$T_TMP/special
	mkdir -p "$d"
	case $1 in
	@huge)
		{ printf '[Interface]\nPrivateKey = '; head -c 1048576 /dev/zero | tr '\0' A; echo; } >"$d/huge.conf"
		echo "$d/huge.conf" ;;
	@dir) mkdir -p "$d/dir.conf"; echo "$d/dir.conf" ;;
	@loop) ln -sfn loop2.conf "$d/loop1.conf"; ln -sfn loop1.conf "$d/loop2.conf"; echo "$d/loop1.conf" ;;
	@missing) echo "$d/missing.conf" ;;
	@unreadable)
		# root reads any file: the case runs as nobody (below)
		cp "$DATA/jc-range.conf" "$d/unreadable.conf"; chmod 000 "$d/unreadable.conf"
		chmod 755 "$T_TMP" "$d"
		echo "$d/unreadable.conf" ;;
	*) echo "$DATA/$1" ;;
	esac
}
as_user() {	# as_user NAME: the command prefix: nobody for @unreadable
	if [ "$1" = @unreadable ]; then echo "setpriv --reuid=65534 --regid=65534 --clear-groups"; fi
}

# The device as a whole: dump lines (peers in any order) and showconf.
device() { ip netns exec "$1" "$AWG" show "$2" dump | sort; ip netns exec "$1" "$AWG" showconf "$2" | sort; }

# One line, exactly the expected one, and the status.
expect() {	# expect STATUS LINE WHAT
	[ "$RC" = "$1" ] || fail "$3: exit status $RC, expected $1 (stderr: $ERR)"
	[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "$3: more than one line: $ERR"
	eq "$2" "$ERR" "$3: stderr"
}

# a device with a full config: what every bad input must leave as it is
setup_device() {	# sets NS IF BEFORE
	ns_new NS
	ns_ifname IF awgbad
	ns_wggo "$NS" "$IF"
	{
		printf '[Interface]\nPrivateKey = %s\nListenPort = 41414\nFwMark = 0x99\n' "$(wg genkey)"
		for i in 1 2 3; do
			# no keepalive: no handshake traffic, so the counters stand still
			printf '\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.%d.0.0/16, fd00:%d::/64\nEndpoint = 127.0.0.%d:5%d\n' \
				"$(wg genkey | wg pubkey)" "$(wg genpsk)" $i $i $i $i
		done
	} >"$T_TMP/good.conf"
	ip netns exec "$NS" "$AWG" setconf "$IF" "$T_TMP/good.conf"
	BEFORE=$(device "$NS" "$IF")
}

bad_configs() {
	local name st want f cmd ns if
	setup_device
	while IFS=$'\t' read -r name st want; do
		case $name in '#'*|'') continue ;; esac
		[ "$st" = 0 ] && continue	# accepted ones: accepted_like_upstream
		f=$(case_file "$name")
		want=${want//FILE/$f}
		for cmd in setconf addconf syncconf; do
			run ip netns exec "$NS" $(as_user "$name") "$AWG" "$cmd" "$IF" "$f"
			ERR=${ERR#"$AWG: "} ERR=${ERR#awg: }	# as invoked: a path, or awg
			expect "$st" "$want" "awg $cmd $name"
			eq "$BEFORE" "$(device "$NS" "$IF")" "device after awg $cmd $name"
		done
	done <"$DATA/CASES"
}

bad_set_args() {
	local args st want key
	setup_device
	key=$(wg genkey | wg pubkey)
	while IFS=$'\t' read -r args st want; do
		case $args in '#'*|'') continue ;; esac
		eval "set -- ${args//KEY/$key}"
		run ip netns exec "$NS" "$AWG" set "$IF" "$@"
		expect "$st" "$want" "awg set $args"
		eq "$BEFORE" "$(device "$NS" "$IF")" "device after awg set $args"
	done <"$DATA/SET"
}

# What upstream accepts (CRLF, [Interface] twice) gives Debian's wg's device.
accepted_like_upstream() {
	local name st want ns2 if2 ours theirs
	setup_device
	ns_new ns2
	ns_ifname if2 awgbad
	ns_wggo "$ns2" "$if2"
	while IFS=$'\t' read -r name st want; do
		[ "$st" = 0 ] || continue
		ip netns exec "$NS" "$AWG" setconf "$IF" "$DATA/$name"
		ip netns exec "$ns2" wg setconf "$if2" "$DATA/$name"
		ours=$(ip netns exec "$NS" wg showconf "$IF") theirs=$(ip netns exec "$ns2" wg showconf "$if2")
		eq "$theirs" "$ours" "$name: device"
	done <"$DATA/CASES"
}

# awg-quick up of each bad config (as IF.conf, as awg-quick wants it):
# refused, and the namespace exactly as before -- no link, address, route,
# rule, table, wireguard-go or socket.
quick_up_leaves_nothing() {
	local name st want f ns if before conf
	ns_new ns
	ns_ifname if awgq
	ns_track "$if"
	before=$(ns_snapshot "$ns" "$if")
	mkdir -p "$T_TMP/q"
	conf=$T_TMP/q/$if.conf
	while IFS=$'\t' read -r name st want; do
		case $name in '#'*|'') continue ;; esac
		# (awg-quick runs as root only, and root reads any file)
		case $name in @unreadable) continue ;; esac
		[ "$st" = 0 ] && continue
		rm -rf "$conf"
		f=$(case_file "$name")
		case $name in
		@missing|@loop|@dir|@unreadable) ln -sfn "$f" "$conf" ;;
		*) cp "$f" "$conf"
		   # the config's own address and routes, so a half-done up would show
		   printf '[Interface]\nAddress = 10.77.0.1/24\nTable = 1234\n' >>"$conf" ;;
		esac
		run ip netns exec "$ns" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
			"$QUICK" up "$conf"
		case $name in
		@*)	# awg-quick's own reading: one line naming the file (or its target)
			[ "$RC" = 1 ] || fail "awg-quick up $name: exit status $RC (stderr: $ERR)"
			[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "awg-quick up $name: more than one line: $ERR"
			case $ERR in *"$conf"*|*"$f"*) ;; *) fail "awg-quick up $name: file not named: $ERR" ;; esac ;;
		*)	# awg's line (or awg-quick's, for what its own reader
			# refuses), before anything is made
			ERR=${ERR#awg: } ERR=${ERR#awg-quick: }
			expect "$st" "${want//FILE/$conf}" "awg-quick up $name" ;;
		esac
		eq "$before" "$(ns_snapshot "$ns" "$if")" "namespace after awg-quick up $name"
	done <"$DATA/CASES"
}

# awg-quick strip reads the file as upstream does: what it cannot read is one
# line naming the file and status 1; the wg-level keys are not its business.
quick_strip_errors() {
	local name f
	for name in @huge @dir @loop @missing nul-byte.conf; do
		f=$(case_file "$name")
		run "$QUICK" strip "$f"
		rc_is 1
		[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "strip $name: more than one line: $ERR"
		contains "$ERR" "$f" "strip $name: stderr"
		eq "" "$OUT" "strip $name: stdout"
	done
}

t "malformed configs: setconf/addconf/syncconf give the one expected line, device unchanged" bad_configs
t "malformed set arguments: the one expected line, device unchanged" bad_set_args
t "what upstream accepts (CRLF, [Interface] twice) gives Debian's wg's device" accepted_like_upstream
t "awg-quick up of each malformed config: refused, namespace unchanged" quick_up_leaves_nothing
t "awg-quick strip: unreadable or malformed files are one line, status 1" quick_strip_errors
