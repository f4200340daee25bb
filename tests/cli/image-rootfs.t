#!/usr/bin/env bash
# scripts/image/rootfs: the trees scripts/image/Dockerfile copies into its
# images (booted by tests/netns/image-*.t and tests/vm/image-*.t), and its
# errors.
. "$(dirname "$0")/../lib.sh"

ROOTFS=$TOP/scripts/image/rootfs

# tree DIR: "MODE PATH [-> TARGET]" lines
tree() {
	(cd "$1" && find . -mindepth 1 \( -type l -printf '%M %P -> %l\n' \) -o -printf '%M %P\n' | sort -k2)
}

links() {	# the applet links, "lrwxrwxrwx usr/bin/NAME -> awgbox"
	local a
	for a in $("$AWGBOX" --list); do echo "lrwxrwxrwx usr/bin/$a -> awgbox"; done
}

scratch_layout() {
	: >"$T_TMP/amneziawg-go"
	"$ROOTFS" --awgbox "$AWGBOX" --userspace "$T_TMP/amneziawg-go" "$T_TMP/scratch"
	eq "$( { cat <<-'EOF2'
	drwxr-xr-x etc
	drwxr-xr-x etc/amnezia
	lrwxrwxrwx etc/amnezia/amneziawg -> /etc/wireguard
	drwx------ etc/wireguard
	drwxr-xr-x usr
	drwxr-xr-x usr/bin
	-rwxr-xr-x usr/bin/amneziawg-go
	-rwxr-xr-x usr/bin/awgbox
	drwxr-xr-x var
	drwxr-xr-x var/run
	drwx------ var/run/amneziawg
	drwx------ var/run/wireguard
	EOF2
	links; } | sort -k2)" "$(tree "$T_TMP/scratch")" "scratch tree"
	cmp "$AWGBOX" "$T_TMP/scratch/usr/bin/awgbox"
	# the links work where the tree is
	run "$T_TMP/scratch/usr/bin/wg" genkey
	rc_is 0
	[ ${#OUT} = 44 ] || fail "wg genkey through the link: $OUT"
}

awg_easy_layout() {
	printf 'module' >"$T_TMP/amneziawg.ko.xz"
	"$ROOTFS" --awgbox "$AWGBOX" --awg-easy --module "$T_TMP/amneziawg.ko.xz" \
		--kernel-version 6.12.50-0-lts "$T_TMP/awg-easy"
	eq "$( { cat <<-'EOF2'
	drwxr-xr-x etc
	-rw-r--r-- etc/amneziawg-kernel-version.txt
	drwxr-xr-x lib
	drwxr-xr-x lib/modules
	-rw-r--r-- lib/modules/amneziawg.ko.xz
	drwxr-xr-x usr
	drwxr-xr-x usr/bin
	-rwxr-xr-x usr/bin/awgbox
	EOF2
	links; } | sort -k2)" "$(tree "$T_TMP/awg-easy")" "awg-easy tree"
	eq 6.12.50-0-lts "$(cat "$T_TMP/awg-easy/etc/amneziawg-kernel-version.txt")"
	eq module "$(cat "$T_TMP/awg-easy/lib/modules/amneziawg.ko.xz")"
}

errors() {
	: >"$T_TMP/wireguard.ko"
	: >"$T_TMP/amneziawg.ko"
	run "$ROOTFS" --awgbox "$AWGBOX" --module "$T_TMP/amneziawg.ko" --kernel-version x "$T_TMP/r1"
	rc_is 1
	eq "rootfs: --module and --kernel-version belong to the awg-easy layout (--awg-easy)" "$ERR"
	run "$ROOTFS" --awgbox "$AWGBOX" --awg-easy --module "$T_TMP/wireguard.ko" --kernel-version x "$T_TMP/r2"
	rc_is 1
	contains "$ERR" "the prebuilt module is amneziawg.ko"
	run "$ROOTFS" --awgbox "$AWGBOX" --awg-easy --module "$T_TMP/amneziawg.ko" "$T_TMP/r3"
	rc_is 1
	eq "rootfs: --module and --kernel-version go together" "$ERR"
	run "$ROOTFS" --awgbox "$T_TMP/nonexistent" "$T_TMP/r4"
	rc_is 1
	contains "$ERR" "no such file"
	run "$ROOTFS" --frob "$T_TMP/r5"
	rc_is 2
	contains "$ERR" "unknown option --frob"
	run "$ROOTFS"
	rc_is 2
	run "$ROOTFS" --help
	rc_is 0
	contains "$OUT" "scripts/image/rootfs [OPTIONS] DIR"
	eq "" "$(ls "$T_TMP" | grep '^r[0-9]')" "trees made on error"
}

# every option of rootfs the Dockerfile passes is one rootfs has
dockerfile_options() {
	local o
	for o in $(grep -o 'scripts/image/rootfs.*' "$TOP/scripts/image/Dockerfile" | grep -o -- '--[a-z-]*' | sort -u); do
		grep -q -- "^	$o)" "$ROOTFS" || fail "the Dockerfile passes $o, which rootfs does not take"
	done
	# and the Alpine build asks for libsodium from the system, as the Makefile has it
	grep -q 'SODIUM=system' "$TOP/scripts/image/Dockerfile"
	grep -q '^  ifeq ($(SODIUM),system)' "$TOP/Makefile"
}

t "scratch layout: awgbox, relative applet links, amneziawg-go, config and run directories" scratch_layout
t "awg-easy layout: awgbox and links, the module and its version file, nothing else" awg_easy_layout
t "errors: one line, exit 1 (2 for usage), no tree made" errors
t "the Dockerfile's uses of rootfs and the Makefile exist" dockerfile_options
