#!/usr/bin/env bash
# Every applet's --help: on stdout, exit 0, a "Usage: NAME" first line, no
# trailing blanks; and every option it names is one the applet takes.
. "$(dirname "$0")/../lib.sh"

# applets whose texts are upstream's, byte for byte (where they go, long
# lines, trailing blanks): compared with upstream's by other tests
upstream_text() { case $1 in awg|wg|awg-quick|wg-quick) return 0 ;; esac; return 1; }

help_texts() {
	local a bad=0
	for a in $("$AWGBOX" --list); do
		run "$BIN/$a" --help
		[ "$RC" = 0 ] || { echo "$a --help: exit status $RC"; bad=1; }
		if upstream_text "$a"; then
			# upstream's places: wg-quick's on stderr, wg's names argv[0] as given
			case $OUT$ERR in
			"Usage: $a "*|"Usage: $BIN/$a "*) continue ;;
			esac
			echo "$a --help: $OUT$ERR"; bad=1
			continue
		fi
		[ -z "$ERR" ] || { echo "$a --help: stderr: $ERR"; bad=1; }
		case $(head -n 1 <<<"$OUT") in
		"Usage: $a"|"Usage: $a "*) ;;
		*) echo "$a --help: first line: $(head -n 1 <<<"$OUT")"; bad=1 ;;
		esac
		if grep -n '[[:blank:]]$' <<<"$OUT"; then echo "$a --help: trailing blanks (lines above)"; bad=1; fi
		if awk 'length > 80' <<<"$OUT" | grep .; then echo "$a --help: lines over 80 columns"; bad=1; fi
	done
	return $bad
}

# The options of a help text, "-x, --name ARG" or a line starting with
# "--name ARG": "x name ARG" lines ("- name ARG" without a letter; ARG may
# be empty)
help_options() {
	local text
	text=$(cat)
	grep -oE -- '-[[:alnum:]], --[a-z0-9-]+( [A-Z]+)?' <<<"$text" |
		sed -E 's/^-(.), --([a-z0-9-]+) ?/\1 \2 /'
	grep -oE -- '^[[:blank:]]+--[a-z0-9-]+( [A-Z]+)?' <<<"$text" |
		sed -E 's/^[[:blank:]]+--([a-z0-9-]+) ?/- \1 /'
}

# APPLET OPTION [ARG]: the parser takes OPTION and stops at the unknown -Z
# after it, so the applet does nothing
takes_option() {
	local a=$1 opt=$2 arg=${3:-}
	if [ -n "$arg" ]; then
		case $opt in --*) run "$BIN/$a" "$opt=$arg" -Z ;; *) run "$BIN/$a" "$opt" "$arg" -Z ;; esac
	else
		run "$BIN/$a" "$opt" -Z
	fi
	[ "$RC" != 0 ] || { echo "$a $opt: ran instead of refusing -Z"; return 1; }
	case $ERR in
	*"'-Z'"*) return 0 ;;
	*) echo "$a $opt${arg:+ $arg} -Z: $ERR"; return 1 ;;
	esac
}

options_are_real() {
	local a short long arg n bad=0
	for a in $("$AWGBOX" --list); do
		upstream_text "$a" && continue
		n=0
		while read -r short long arg; do
			n=$((n + 1))
			[ "$short" = - ] || takes_option "$a" "-$short" "${arg:+x}" || bad=1
			takes_option "$a" "--$long" "${arg:+x}" || bad=1
		done < <("$BIN/$a" --help | help_options)
		case $a in
		awg-detect|modinfo) [ $n -ge 6 ] || { echo "$a: only $n options found in --help"; bad=1; } ;;
		awg-easy-init) [ $n -ge 1 ] || { echo "$a: only $n options found in --help"; bad=1; } ;;
		esac
	done
	# the check itself: an option the applet does not take is caught
	if takes_option awg-detect --no-such-option >/dev/null; then
		echo "takes_option accepted --no-such-option"; bad=1
	fi
	return $bad
}

t "every applet: --help exits 0; ours: on stdout, a Usage line, no trailing blanks, 80 columns" help_texts
t "every -x/--name an applet's --help lists is an option it takes" options_are_real

# a refused option is named alone, with why
option_errors() {
	run "$BIN/awg-detect" --module
	rc_is 2
	eq "awg-detect: option '--module' needs an argument" "$(head -n 1 <<<"$ERR")"
	run "$BIN/awg-detect" -nqm
	eq "awg-detect: option '-m' needs an argument" "$(head -n 1 <<<"$ERR")"
	run "$BIN/awg-detect" --json=yes
	eq "awg-detect: option '--json' takes no argument" "$(head -n 1 <<<"$ERR")"
	run "$BIN/awg-detect" -nz
	eq "awg-detect: invalid option '-z'" "$(head -n 1 <<<"$ERR")"
	run "$BIN/modinfo" --field
	rc_is 1
	eq "modinfo: option '--field' needs an argument" "$ERR"
	run "$BIN/modinfo" -0x
	eq "modinfo: invalid option '-x'" "$ERR"
}
t "a refused option: named alone, and why (unknown, needs an argument, takes none)" option_errors
