#!/bin/sh
# Build the static dependencies of awgbox from Debian *source* packages.
#
#   scripts/deps.sh [musl|glibc]   (default: musl)
#
# libsodium (X25519, random, base64, memzero) is fetched with `apt-get source`
# through a private deb-src list made from this machine's own apt sources,
# built as a static library with -Os and installed into
# build/deps/<libc>/{include,lib}.  The build is keyed by the Debian source
# version and the compiler, so running the script again is a no-op until one
# of those changes.  (minIni is not used: see docs/design.md, "Config files".)
#
# musl: built with musl-gcc.
# glibc: nothing to build; Debian's libsodium-dev is used.
set -eu

LIBC=${1:-musl}
top=$(cd "$(dirname "$0")/.." && pwd)
deps=${DEPS_DIR:-$top/build/deps}
out=$deps/$LIBC
src=$deps/src
aptdir=$deps/apt
jobs=$(nproc 2>/dev/null || echo 2)

die() { echo "deps.sh: $*" >&2; exit 1; }
log() { echo "deps.sh: $*" >&2; }

case $LIBC in
musl)  CC=${CC:-musl-gcc} ;;
glibc) CC=${CC:-gcc} ;;
*)     die "unknown libc '$LIBC' (use musl or glibc)" ;;
esac
command -v "$CC" >/dev/null 2>&1 || die "$CC not found (apt-get install musl-tools)"
command -v apt-get >/dev/null 2>&1 || die "apt-get not found: Debian sources are needed"
command -v dpkg-source >/dev/null 2>&1 || die "dpkg-source not found (apt-get install dpkg-dev)"

# --- a private deb-src list derived from the machine's own sources ---------
apt_opts() {
	echo "-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$aptdir/sources.list.d" \
	     "-o Dir::State::Lists=$aptdir/lists -o Dir::Cache=$aptdir/cache" \
	     "-o APT::Sandbox::User=root"
}

setup_apt() {
	[ -n "${apt_ready:-}" ] && return 0
	mkdir -p "$aptdir/sources.list.d" "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	n=0
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# deb822: turn every "Types: deb" stanza into deb-src.
		sed -e 's/^Types:.*$/Types: deb-src/' "$f" > "$aptdir/sources.list.d/$(basename "$f")"
		n=$((n + 1))
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n -e 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >> "$aptdir/sources.list.d/from-list.list"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "no apt sources found in /etc/apt to derive a deb-src list from"
	# shellcheck disable=SC2046
	apt-get $(apt_opts) -qq update >"$aptdir/update.log" 2>&1 ||
		{ cat "$aptdir/update.log" >&2; die "apt-get update of the private deb-src list failed"; }
	apt_ready=1
}

# src_version PKG -> the Debian source version apt would fetch
src_version() {
	setup_apt
	# shellcheck disable=SC2046
	apt-cache $(apt_opts) showsrc "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -V | tail -n 1
}

# fetch PKG VERSION -> prints the unpacked source directory
fetch() {
	pkg=$1 ver=$2 dir=$src/$1-$2
	if [ ! -f "$dir/.unpacked" ]; then
		rm -rf "$dir" "$src/dl-$pkg"
		mkdir -p "$src/dl-$pkg"
		log "fetching Debian source $pkg $ver"
		# shellcheck disable=SC2046
		(cd "$src/dl-$pkg" && apt-get $(apt_opts) -qq source --download-only "$pkg=$ver") \
			>"$src/dl-$pkg.log" 2>&1 ||
			{ cat "$src/dl-$pkg.log" >&2; die "cannot fetch Debian source package $pkg=$ver"; }
		dpkg-source --no-check -x "$src/dl-$pkg/"*.dsc "$dir" >"$src/dl-$pkg.log" 2>&1 ||
			{ cat "$src/dl-$pkg.log" >&2; die "cannot unpack Debian source package $pkg=$ver"; }
		rm -rf "$src/dl-$pkg"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

stamp_ok() { [ -f "$out/.stamp-$1" ] && [ "$(cat "$out/.stamp-$1")" = "$2" ]; }
stamp_set() { echo "$2" > "$out/.stamp-$1"; }

mkdir -p "$out/include" "$out/lib" "$src"
CFLAGS_DEP="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables"

# --- libsodium ---------------------------------------------------------------
# Our one change to Debian's source: X25519 of the base point by the
# Montgomery ladder instead of a table of Edwards-curve multiples.  Same
# result (the unit tests check RFC 7748's vectors); the 30 KiB table is no
# longer linked into the static binary.  awgbox itself calls the ladder
# directly, so this only removes dead weight the implementation table pins.
patch_sodium() {
	f=$1/src/libsodium/crypto_scalarmult/curve25519/ref10/x25519_ref10.c
	grep -q awgbox_base_by_ladder "$f" && return 0
	grep -q 'SODIUM_C99(.mult_base =) crypto_scalarmult_curve25519_ref10_base' "$f" ||
		die "unexpected libsodium source: $f"
	awk '
	/^struct crypto_scalarmult_curve25519_implementation/ && !done {
		print "/* awgbox (scripts/deps.sh): the base point by the ladder */"
		print "static int"
		print "awgbox_base_by_ladder(unsigned char *q, const unsigned char *n)"
		print "{"
		print "    static const unsigned char nine[32] = { 9 };"
		print ""
		print "    return crypto_scalarmult_curve25519_ref10(q, n, nine);"
		print "}"
		print ""
		done = 1
	}
	{ sub(/SODIUM_C99\(\.mult_base =\) crypto_scalarmult_curve25519_ref10_base/,
	      "SODIUM_C99(.mult_base =) awgbox_base_by_ladder"); print }
	' "$f" > "$f.new" && mv "$f.new" "$f"
}

build_sodium() {
	ver=$(src_version libsodium)
	[ -n "$ver" ] || die "Debian source package libsodium not found in the deb-src list"
	# the key names what changes the library: the source, the compiler, our
	# patch, the flags (the prefix map: no build path in the binary)
	key="libsodium $ver $CC patch-1 $CFLAGS_DEP prefix-map"
	if stamp_ok sodium "$key" && [ -f "$out/lib/libsodium.a" ]; then
		log "libsodium $ver ($LIBC) up to date"; return 0
	fi
	dir=$(fetch libsodium "$ver")
	patch_sodium "$dir"
	b=$deps/build-sodium-$LIBC
	rm -rf "$b"; mkdir -p "$b"
	log "building libsodium $ver for $LIBC (takes a minute)"
	# Debian's source is the upstream git tree: configure is generated, as
	# Debian's own build does (dh --with autoreconf).
	if [ ! -x "$dir/configure" ]; then
		command -v autoreconf >/dev/null 2>&1 ||
			die "autoreconf not found (apt-get install autoconf automake libtool)"
		(cd "$dir" && autoreconf -fi) >"$b/autoreconf.log" 2>&1 ||
			{ tail -n 30 "$b/autoreconf.log" >&2; die "autoreconf of libsodium failed"; }
	fi
	# assert() texts name source files: relative to the source, not to this
	# machine's path, so that builds in two places are the same bytes
	(cd "$b" && CC=$CC CFLAGS="$CFLAGS_DEP -ffile-prefix-map=$dir/=libsodium-$ver/" "$dir/configure" --prefix="$out" \
		--disable-shared --enable-static --enable-minimal --disable-pie \
		--disable-ssp --without-pthreads >configure.log 2>&1 &&
	 make -j"$jobs" >make.log 2>&1 && make install >install.log 2>&1) ||
		{ tail -n 30 "$b"/*.log >&2; die "libsodium build failed (logs in $b)"; }
	rm -rf "$b" "$out/lib/pkgconfig" "$out/lib/libsodium.la"
	stamp_set sodium "$key"
}

if [ "$LIBC" = musl ]; then
	build_sodium
else
	[ -f /usr/include/sodium.h ] || die "libsodium-dev is not installed (apt-get install libsodium-dev)"
fi
log "dependencies ready in $out"
