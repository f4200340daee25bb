# bash completion for awgbox's awg, wg, awg-quick, wg-quick (and awgbox).
# `make install` puts this file in $(PREFIX)/share/bash-completion/completions/
# as awg, with wg, awg-quick, wg-quick and awgbox linked to it: bash-completion
# loads it by the command's name.  Or source it from ~/.bashrc.
#
# Subcommands, option names and `show` fields come from the command's own
# --help, so they follow the binary (awg has AmneziaWG's, wg has not);
# interfaces from `CMD show interfaces`, peers from `CMD show IF peers`
# (both need root, else nothing is offered); configurations from
# /etc/amnezia/amneziawg and /etc/wireguard (awg-quick) or /etc/wireguard
# (wg-quick), and files ending in .conf.

# the directories awg-quick and wg-quick look in, tests may set them first
if [ -z "${_awgbox_awg_confdirs+set}" ]; then
	_awgbox_awg_confdirs=(/etc/amnezia/amneziawg /etc/wireguard)
	_awgbox_wg_confdirs=(/etc/wireguard)
fi

# _awgbox_add WORDS...: offer those of WORDS that start with the current word
_awgbox_add() {
	local w
	for w in "$@"; do
		[[ $w == "$_awgbox_cur"* ]] && COMPREPLY+=("$w")
	done
}

# _awgbox_files [-d]: offer files (or only directories) the current word names
_awgbox_files() {
	local f
	while IFS= read -r f; do COMPREPLY+=("$f"); done < <(compgen "${1:--f}" -- "$_awgbox_cur")
	compopt -o filenames 2>/dev/null
}

# _awgbox_help TOOL SUB: TOOL SUB --help, wherever TOOL prints it
# TOOL is run unquoted: "awgbox awg" is a command too
_awgbox_help() { $1 "$2" --help 2>&1; }

_awgbox_interfaces() { $1 show interfaces 2>/dev/null; }

# the fields of `show IF FIELD`: the last [a | b | ...] of show's usage
_awgbox_show_fields() {
	_awgbox_help "$1" show | sed -n 's/.*\[\([^][]*\)\]$/\1/p' | tr -d '|'
}

# `set` options: "[name <...>]" words before "[peer", or after it (peer's)
_awgbox_set_options() {	# TOOL interface|peer
	_awgbox_help "$1" set | head -n 1 | awk -v want="$2" '{
		for (i = 1; i <= NF; i++) {
			if ($i !~ /^\[[a-z0-9-]+\]*$/)
				continue
			w = $i
			gsub(/[][]/, "", w)
			if (w == "peer") { part = "peer"; continue }
			if ((part == "peer") == (want == "peer"))
				print w
		}
	}'
}

_awgbox_wg() {	# _awgbox_wg COMMAND: awg or wg (as typed: a path works)
	local tool=$1 sub=${COMP_WORDS[1]:-} i w
	if [ "$COMP_CWORD" = 1 ]; then
		_awgbox_add $($tool --help 2>&1 | sed -n 's/^  \([a-z]*\): .*/\1/p') --help --version
		return
	fi
	case $sub in
	show)
		if [ "$COMP_CWORD" = 2 ]; then
			_awgbox_add all interfaces $(_awgbox_interfaces "$tool")
		elif [ "$COMP_CWORD" = 3 ] && [ "${COMP_WORDS[2]}" != interfaces ]; then
			_awgbox_add $(_awgbox_show_fields "$tool")
		fi ;;
	showconf)
		[ "$COMP_CWORD" = 2 ] && _awgbox_add $(_awgbox_interfaces "$tool") ;;
	setconf|addconf|syncconf)
		if [ "$COMP_CWORD" = 2 ]; then
			_awgbox_add $(_awgbox_interfaces "$tool")
		elif [ "$COMP_CWORD" = 3 ]; then
			_awgbox_files
		fi ;;
	set)
		if [ "$COMP_CWORD" = 2 ]; then
			_awgbox_add $(_awgbox_interfaces "$tool")
			return
		fi
		# walk the words: each option but remove takes one value
		local opts peer_opts expect= in_peer=0
		opts=" $(_awgbox_set_options "$tool" interface | tr '\n' ' ')"
		peer_opts=" $(_awgbox_set_options "$tool" peer | tr '\n' ' ')"
		for ((i = 3; i < COMP_CWORD; i++)); do
			w=${COMP_WORDS[i]}
			if [ -n "$expect" ]; then
				expect=
			elif [ "$w" = peer ]; then
				expect=peer in_peer=1
			elif [ "$w" != remove ] && [[ $opts$peer_opts == *" $w "* ]]; then
				expect=$w
			fi
		done
		case $expect in
		private-key|preshared-key|header-protection-key) _awgbox_files ;;
		peer) _awgbox_add $($tool show "${COMP_WORDS[2]}" peers 2>/dev/null) ;;
		"") if [ $in_peer = 1 ]; then _awgbox_add peer $peer_opts; else _awgbox_add $opts peer; fi ;;
		esac ;;
	esac
}

_awgbox_quick() {	# _awgbox_quick COMMAND: awg-quick or wg-quick
	local wgtool=${1%-quick} d f base=${1##*[/ ]}
	local -n dirs=_awgbox_${base%-quick}_confdirs
	if [ "$COMP_CWORD" = 1 ]; then
		_awgbox_add up down save strip --help
		return
	fi
	[ "$COMP_CWORD" = 2 ] || return
	case ${COMP_WORDS[1]} in
	up|strip)
		for d in "${dirs[@]}"; do
			for f in "$d"/*.conf; do
				[ -f "$f" ] || continue
				f=${f##*/}
				_awgbox_add "${f%.conf}"
			done
		done
		_awgbox_conf_files ;;
	down|save)
		_awgbox_add $(_awgbox_interfaces "$wgtool")
		_awgbox_conf_files ;;
	esac
}

# paths to *.conf files and directories on the way to them
_awgbox_conf_files() {
	local f
	[[ $_awgbox_cur == */* || $_awgbox_cur == .* ]] || return 0
	while IFS= read -r f; do
		[ -d "$f" ] || [[ $f == *.conf ]] && COMPREPLY+=("$f")
	done < <(compgen -f -- "$_awgbox_cur")
	compopt -o filenames 2>/dev/null
}

_awgbox_complete() {
	local _awgbox_cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[0]}
	COMPREPLY=()
	if [ "${cmd##*/}" = awgbox ]; then
		# awgbox APPLET ARGS...: the applet's completion, shifted by one
		if [ "$COMP_CWORD" = 1 ]; then
			_awgbox_add $("${COMP_WORDS[0]}" --list 2>/dev/null) --list --install --help --version
			return
		fi
		local COMP_WORDS=("${COMP_WORDS[@]:1}") COMP_CWORD=$((COMP_CWORD - 1))
		# through awgbox: `awgbox awg show interfaces` and so on
		case ${COMP_WORDS[0]} in
		awg|wg)             _awgbox_wg "$cmd ${COMP_WORDS[0]}" ;;
		awg-quick|wg-quick) _awgbox_quick "$cmd ${COMP_WORDS[0]}" ;;
		esac
		return
	fi
	case ${cmd##*/} in
	awg|wg)             _awgbox_wg "$cmd" ;;
	awg-quick|wg-quick) _awgbox_quick "$cmd" ;;
	esac
}

complete -F _awgbox_complete awg wg awg-quick wg-quick awgbox
