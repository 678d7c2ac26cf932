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

# system_field SYSTEM COLUMN (systems.conf): 2 = kernel tag, 3 = modules, 4 = rows,
# 5 = checks, 6 = kernel args, 7 = timeout factor (empty for "-" or none)
system_field() {
	awk -v s="$1" -v c="$2" '!/^#/ && $1 == s { print ($c == "-" ? "" : $c); f = 1 }
		END { exit !f }' \
		"$VM_DIR/systems.conf" || die "unknown system '$1' (tests/vm/systems.conf)"
}
system_is_pair() { [ "$(system_field "$1" 3)" = pair ]; }

# expected_row SYSTEM SCENARIO: "status checks..." of expected.tbl, the
# system's own row or the one it inherits (systems.conf); fails if none.
expected_row() {
	local rows from
	rows=$(system_field "$1" 4)
	from=${rows#own}
	from=${from#+}
	awk -v y="$1" -v f="$from" -v s="$2" '!/^#/ && $2 == s {
		c = $3; for (i = 4; i <= NF; i++) c = c " " $i
		if ($1 == y) own = c; else if (f != "" && $1 == f) inh = c }
		END { if (own != "") print own; else if (inh != "") print inh; else exit 1 }' \
		"$VM_DIR/expected.tbl"
}
