# Drive scripts/completion/awgbox.bash as bash would: source after tests/lib.sh.
#
#   completions 'awg show all '    prints the candidates, sorted, one a line,
#                                  for that command line (a trailing space
#                                  starts a new, empty word); run in a fresh
#                                  bash with $BIN and awgbox first in PATH, in the current
#                                  directory; AWG_CONFDIRS / WG_CONFDIRS (space
#                                  separated) replace the config directories;
#                                  the array COMPLETION_IN (say ip netns exec
#                                  NS) runs that bash
COMPLETION_IN=()
completions() {
	BIN=$BIN AWGBOX_DIR=${AWGBOX%/*} LINE=$1 AWG_CONFDIRS=${AWG_CONFDIRS:-} WG_CONFDIRS=${WG_CONFDIRS:-} \
	COMPLETION=$TOP/scripts/completion/awgbox.bash "${COMPLETION_IN[@]}" bash --norc -c '
		PATH=$BIN:$AWGBOX_DIR:$PATH
		if [ -n "$AWG_CONFDIRS" ]; then
			read -ra _awgbox_awg_confdirs <<<"$AWG_CONFDIRS"
			read -ra _awgbox_wg_confdirs <<<"$WG_CONFDIRS"
		fi
		. "$COMPLETION"
		read -ra COMP_WORDS <<<"$LINE"
		[[ $LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$LINE COMP_POINT=${#LINE}
		spec=$(complete -p "${COMP_WORDS[0]##*/}") || exit 1
		[[ $spec == *"-F _awgbox_complete "* ]] || { echo "not ours: $spec"; exit 1; }
		_awgbox_complete
		[ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort
	'
}

# completes LINE EXPECTED...: the candidates are exactly EXPECTED
completes() {
	local line=$1
	shift
	eq "$(printf '%s\n' "$@" | sed '/^$/d' | sort)" "$(completions "$line")" "candidates for '$line'"
}
