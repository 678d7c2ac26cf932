#!/bin/bash
# kernel-defects.sh TAG: the guest arguments for the kernel defects of
# kernel-defects.conf on TAG's kernel:
#     vmfireject=NAME:FUNCTION+0xOFFSET   kept out of the sweep
#     vmfileak=NAME:CALLEE:FUNCTION,...   leaks listed apart
# OFFSET is where FUNCTION's call to CALLEE returns, read from the
# disassembly of TAG's module, or of its vmlinux when the module is built
# in (guest/faults.sh adds it to the function's address in
# /proc/kallsyms).  Fails when neither is there, or the code has no such
# function or not exactly one such call (renamed, inlined: a reject that
# filters nothing would let the sweep hang the guest again).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tag=${1:?usage: kernel-defects.sh TAG}

# return_offset FUNCTION CALLEE < objdump -dr: the call's return address,
# as an offset into FUNCTION; one line per call
return_offset() {
	awk -v fn="$1" -v callee="$2" '
		# the low 32 bits only: awk has doubles, and an offset is small
		function hex(s,  i, n) {
			n = 0
			for (i = length(s) > 8 ? length(s) - 7 : 1; i <= length(s); i++)
				n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return n
		}
		/^[0-9a-f]+ <.*>:$/ {
			name = $2; gsub(/[<>:]/, "", name)
			infn = (name == fn); start = hex($1); want = 0; next
		}
		!infn { next }
		want && /^ *[0-9a-f]+:\t/ {
			a = $1; sub(/:$/, "", a)
			printf "0x%x\n", (hex(a) - start + 4294967296) % 4294967296; want = 0
		}
		# a module: "call" to itself and the callee in a relocation;
		# vmlinux: the callee by name
		/R_X86_64_(PLT|PC)32\t/ && $NF == callee "-0x4" { want = 1 }
		/\tcall / && $NF == "<" callee ">" { want = 1 }'
}
[ "${1:-}" = --return-offset ] && { return_offset "$2" "$3"; exit; }

leaks=$(awk '!/^#/ && $1 == "leak" { printf "%s%s:%s:%s", s, $2, $5, $4; s = "," }' "$VM_DIR/kernel-defects.conf")
echo "${leaks:+vmfileak=$leaks}"
read -r _ name module fn callee _ < <(awk '!/^#/ && $1 == "reject"' "$VM_DIR/kernel-defects.conf")
# the function's code: the module's, or vmlinux's when it is built in
# (a kernel built here keeps its vmlinux in the headers tree)
ko=$(find "$(kernel_moddir "$tag")/kernel" -name "$module.ko*" | head -n1)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
case $ko in
'') obj=$(kernel_kdir "$tag")/vmlinux
    [ -f "$obj" ] || die "$name: no $module.ko and no vmlinux for $tag: cannot find $fn's code" ;;
*.xz) xz -dc "$ko" >"$tmp"; obj=$tmp ;;
*.zst) zstd -qdc "$ko" >"$tmp"; obj=$tmp ;;
*) obj=$ko ;;
esac
offs=$(objdump -dr --no-show-raw-insn --disassemble="$fn" "$obj" | return_offset "$fn" "$callee")
[ "$(echo "$offs" | grep -c .)" = 1 ] ||
	die "$name: $fn in $obj calls $callee at $(echo "$offs" | grep -c .) place(s), want 1 (tests/vm/kernel-defects.conf)"
echo "vmfireject=$name:$fn+$offs"
