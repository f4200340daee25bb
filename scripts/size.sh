#!/bin/sh
# make size: how big the static binary is and what each applet adds to it.
#
#   scripts/size.sh            table on stdout
#   scripts/size.sh --brief    only the defconfig and tinyconfig lines
#
# Every configuration is built in its own directory under build/size/:
#   defconfig      everything on
#   tinyconfig     config/tiny_defconfig
#   no-SYMBOL      defconfig with one applet symbol off: "adds" = defconfig - this
#   only-SYMBOL    only that symbol on, and the same built from a tree that holds
#                  no other applet source at all; the two must be byte-identical,
#                  which proves that a disabled applet costs nothing.
# "stripped" is the file that ships; text/data/bss are of the unstripped one,
# and "adds" is the difference in text+data+bss (file sizes move in steps).
# Exit status 1 if the zero-cost check fails.
set -eu
cd "$(dirname "$0")/.."
out=build/size
mkdir -p "$out"
jobs=$(nproc 2>/dev/null || echo 2)

build() {	# build NAME KCONFIG-MODE FRAGMENT [APPLET_SRCS]
	name=$1 mode=$2 frag=$3 srcs=${4:-}
	d=$out/$name
	mkdir -p "$d"
	export AWGBOX_GEN="$d/gen"
	if [ -n "$srcs" ]; then
		# the applet table depends on the files, not on the list: a
		# table made from another list would be kept
		rm -rf "$d/gen"
		make -s -j"$jobs" B="$d" KCONFIG_CONFIG="$d/.config" APPLET_SRCS="$srcs" "$d/gen/applets.mk" >/dev/null
	else
		make -s -j"$jobs" B="$d" KCONFIG_CONFIG="$d/.config" "$d/gen/applets.mk" >/dev/null
	fi
	scripts/kconfig "$mode" Kconfig "$d/.config" "$frag"
	if [ -n "$srcs" ]; then
		make -s -j"$jobs" B="$d" KCONFIG_CONFIG="$d/.config" APPLET_SRCS="$srcs" "$d/awgbox" >/dev/null
	else
		make -s -j"$jobs" B="$d" KCONFIG_CONFIG="$d/.config" "$d/awgbox" >/dev/null
	fi
}
bytes() { wc -c < "$out/$1/awgbox" | tr -d ' '; }
segs() { size "$out/$1/awgbox_unstripped" | awk 'NR == 2 { printf "%7s %6s %6s", $1, $2, $3 }'; }
mem() { size "$out/$1/awgbox_unstripped" | awk 'NR == 2 { print $4 }'; }	# text+data+bss

# applet symbols and their source files, from the registration blocks
syms=$(sed -n 's|^//applet:[^ ]* \([A-Z0-9_]*\) .*|\1|p' applets/*.c | sort -u)
src_of() { grep -l "^//applet:[^ ]* $1 " applets/*.c | head -n 1; }
# a symbol and what it depends on ("depends on A && B" in its //config: entry)
with_deps() {
	awk -v want="$1" '
	/^\/\/config:config / { cur = $2 }
	/^\/\/config:[ \t]*depends on / { d = $0; sub(/.*depends on[ \t]*/, "", d); gsub(/[!&|()]/, " ", d); deps[cur] = deps[cur] " " d }
	END {
		n = split(want, todo, " "); for (i = 1; i <= n; i++) seen[todo[i]] = 1
		for (i = 1; i <= n; i++) { m = split(deps[todo[i]], ds, " ")
			for (j = 1; j <= m; j++) if (ds[j] != "" && !(ds[j] in seen)) { seen[ds[j]] = 1; todo[++n] = ds[j] } }
		for (s in seen) print s
	}' applets/*.c | sort
}

build defconfig defconfig config/defconfig
build tinyconfig allnoconfig config/tiny_defconfig
all=$(mem defconfig)

printf '%-24s %9s %7s %6s %6s %9s\n' configuration stripped text data bss adds
printf '%-24s %9s %s\n' defconfig "$(bytes defconfig)" "$(segs defconfig)"
printf '%-24s %9s %s\n' tinyconfig "$(bytes tinyconfig)" "$(segs tinyconfig)"
[ "${1:-}" != --brief ] || exit 0
status=0
for s in $syms; do
	printf 'CONFIG_%s=n\n' "$s" | sed 's/^CONFIG_\(.*\)=n$/# CONFIG_\1 is not set/' > "$out/frag-no-$s"
	build "no-$s" defconfig "$out/frag-no-$s"
	printf '%-24s %9s %s %9s\n' "without $s" "$(bytes "no-$s")" "$(segs "no-$s")" \
		"$((all - $(mem "no-$s")))"
done
echo
echo "zero-cost check: one applet symbol (and what it depends on) on, vs. a tree without the other applets' sources"
for s in $syms; do
	: > "$out/frag-only-$s"
	tree=	# not srcs: build() sets that
	for x in $(with_deps "$s"); do
		printf 'CONFIG_%s=y\n' "$x" >> "$out/frag-only-$s"
		tree="$tree $(src_of "$x")"
	done
	tree=$(printf '%s\n' $tree | sort -u | tr '\n' ' ')
	build "only-$s" allnoconfig "$out/frag-only-$s"
	build "alone-$s" allnoconfig "$out/frag-only-$s" "$tree"
	if cmp -s "$out/only-$s/awgbox" "$out/alone-$s/awgbox"; then
		printf '  %-20s %9s bytes, identical: disabled applets add 0 bytes\n' "$s" "$(bytes "only-$s")"
	else
		printf '  %-20s %9s vs %s bytes: DIFFERENT\n' "$s" "$(bytes "only-$s")" "$(bytes "alone-$s")"
		status=1
	fi
done
exit $status
