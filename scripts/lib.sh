# Shared by the scripts: where the cache lives and how a kernel tag resolves.
# shellcheck shell=bash

SR_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads, unpacked kernels, chroots and VM images: never inside the tree.
SR_CACHE=${SR_CACHE:-/var/cache/dax-hmem-sr}

die() { echo "${0##*/}: $*" >&2; exit 1; }

# kernel_field TAG COLUMN: 2 = abi, 3 = suite, 4 = compiler
kernel_field() {
	awk -v t="$1" -v c="$2" '!/^#/ && $1 == t { print $c; f = 1 } END { exit !f }' \
		"$SR_TOP/scripts/kernels.conf" || die "unknown kernel tag '$1'"
}

kernel_tags() { awk '!/^#/ && NF { print $1 }' "$SR_TOP/scripts/kernels.conf"; }

# Root of the unpacked packages of a kernel, and its headers directory.
kernel_root() { echo "$SR_CACHE/kernels/$(kernel_field "$1" 2)"; }
kernel_kdir() { echo "$(kernel_root "$1")/usr/src/linux-headers-$(kernel_field "$1" 2)-amd64"; }
kernel_release() { echo "$(kernel_field "$1" 2)-amd64"; }
