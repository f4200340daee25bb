# VM rig for tests/vm/*.t: a test file runs inside a fresh qemu VM booting
# Debian's 6.12 kernel (scripts/vm/), as root, with the worktree at $TOP=/src
# (read-only, 9p: no image rebuild after changing awgbox or a test).
#
#   #!/usr/bin/env bash
#   # timeout: 240
#   . "$(dirname "$0")/lib.sh"
#   t "..." some_function ...
#
# On the host, sourcing this boots the VM, runs this same file in it, passes
# its ok/not ok/skip lines on and exits with its status; the rest of the file
# runs only in the guest.  The VM is killed 15 s before the file's timeout
# and that is reported as a failure.  The host skips the file without root,
# qemu-system-x86_64 or a 6.12 kernel in /boot.
#
# In the guest: tests/lib.sh and tests/netns/lib.sh (ns_new, ns_veth, ns_ping,
# ns_exec ...; no wireguard-go there: the kernel's WireGuard is the device),
# Debian's wg, wg-quick, ip, nft, iptables, kmod, busybox, bash, and:
#   KVER, MODDIR            the running kernel's release, /lib/modules/$KVER
#                           (Debian's modules.* files; .ko.xz for the modules
#                           in scripts/vm/modules and their dependencies)
#   vm_modload NAME...      load modules and their dependencies from modules.dep
#                           with busybox insmod; prints "insmod PATH" per module
#   vm_autoload on|off      the kernel's module autoloading (off at boot: only
#                           what a test loads is there; the 9p modules are loaded)
# Each file gets a fresh VM: modules a file loads do not leak into the next.
if [ "${AWGVM_GUEST:-0}" != 1 ]; then
	. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
	need_root
	need_cmd qemu-system-x86_64
	compgen -G '/boot/vmlinuz-6.12.*-amd64' >/dev/null || skip_all "needs linux-image-6.12-amd64"
	vm_timeout=$(sed -n 's/^# timeout: \([0-9][0-9]*\)$/\1/p' "$0" | head -n 1)
	vm_timeout=$(( ${vm_timeout:-${TEST_TIMEOUT:-600}} - 15 ))
	vm_name=awgvm-$TEST_FILE-$$
	t_made "$vm_name"
	"$TOP/scripts/vm/run" --timeout "$vm_timeout" --name "$vm_name" --build "$AWGBOX_BUILD" \
		"$(realpath --relative-to="$TOP" "$0")"
	exit
fi

. "$(dirname "${BASH_SOURCE[0]}")/../netns/lib.sh"
KVER=$(uname -r)
MODDIR=/lib/modules/$KVER

vm_modload() { vm-modload "$@"; }

vm_autoload() {	# vm_autoload on|off
	case $1 in
	on)  echo /sbin/modprobe >/proc/sys/kernel/modprobe ;;
	off) echo >/proc/sys/kernel/modprobe ;;
	*)   echo "vm_autoload: on or off" >&2; return 2 ;;
	esac
}
