# Host side of the VM test bed, sourced by the scripts in tests/vm.
# shellcheck shell=bash

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$VM_DIR/../../scripts/lib.sh"
export VM_CACHE="$SR_CACHE/vm"

# The kernel image of a tag: bookworm packages keep it in /boot, sid's
# split packages next to the modules.
kernel_vmlinuz() {
	local root kver f
	root=$(kernel_root "$1")
	kver=$(kernel_release "$1")
	for f in "$root/boot/vmlinuz-$kver" "$root/usr/lib/modules/$kver/vmlinuz" \
		 "$root/lib/modules/$kver/vmlinuz"; do
		[ -f "$f" ] && { echo "$f"; return; }
	done
	die "no vmlinuz for $1 under $root (run scripts/fetch-kernel.sh $1)"
}
kernel_moddir() {
	local root kver d
	root=$(kernel_root "$1")
	kver=$(kernel_release "$1")
	for d in "$root/lib/modules/$kver" "$root/usr/lib/modules/$kver"; do
		[ -d "$d/kernel" ] && { echo "$d"; return; }
	done
	die "no modules for $1 under $root"
}
