#!/bin/bash
# build-pair.sh TAG [MAKE ARGS...]: build the pair for a kernel of
# scripts/kernels.conf, in a copy of the tree under the cache, with the
# compiler that built that kernel (the host's gcc-12, or a chroot of the
# kernel's release).  Prints the two module paths; exits 77 when the kernel
# is declined (the reason is printed).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tag=${1:?usage: build-pair.sh TAG [MAKE ARGS...]}
shift
abi=$(kernel_field "$tag" 2)
compiler=$(kernel_field "$tag" 4)
kver=$(kernel_release "$tag")
kdir=$(kernel_kdir "$tag")
[ -f "$kdir/Makefile" ] || "$SR_TOP/scripts/fetch-kernel.sh" --headers-only "$tag" >/dev/null

# A declined kernel needs no compiler at all.
rc=0
"$SR_TOP/scripts/conftest.sh" --decline-only "$kdir" "$kver" /nonexistent || rc=$?
[ "$rc" = 0 ] || exit "$rc"

build="$SR_CACHE/build/$abi${SR_BUILD_SUFFIX:-}"
mkdir -p "$build"
exec 8>"$build/.lock"
flock 8

# The modules' layouts come from the kernel's own modules where CXL or DAX
# is modular: those of the unpacked image package or of a built kernel.
moddir=$(kernel_root "$tag")/lib/modules/$kver
[ -d "$moddir/kernel" ] || moddir=$(kernel_root "$tag")/usr/lib/modules/$kver
[ -d "$moddir/kernel" ] && export SR_MODDIR=${SR_MODDIR:-$moddir}

# Unchanged sources, kernel and arguments: the last build stands.
key=$( {
	echo "$kver $kdir $* ${SR_BTF:-} ${SR_MODDIR:-}"
	ls -l --time-style=+%s "$kdir/Module.symvers" "$kdir/.config"
	cd "$SR_TOP" && find Kbuild Makefile src include scripts -type f \
		-not -path '*/generated/*' -print0 | sort -z | xargs -0 sha256sum
} | sha256sum | cut -c1-16)
if [ -f "$build/src/dax_hmem_sr.ko" ] && [ "$(cat "$build/.built" 2>/dev/null)" = "$key" ]; then
	echo "$build/src/dax_hmem_sr.ko"
	echo "$build/src/cxl_sr_helper.ko"
	exit 0
fi
rm -f "$build/.built"
# Build output is what .gitignore lists: never copied (an in-tree build's
# *.mod would name the tree's objects), and kept in the copy for make.
# Changed files by checksum, written with the time of the copy, not the
# source's: a source from another tree may be older than the objects here.
rsync -rlpc --delete --exclude .git --filter=':- .gitignore' "$SR_TOP/" "$build/src/"

log="$build/make.log"
if [ "$compiler" = host ]; then
	make -C "$build/src" KVER="$kver" KDIR="$kdir" "$@" >"$log" 2>&1 || rc=$?
else
	root=$("$SR_TOP/scripts/mkchroot.sh" "$compiler")
	# The cache appears at the same path inside, so the headers' absolute
	# include lines and the build tree resolve unchanged.
	mkdir -p "$root$SR_CACHE" "$root/proc"
	mountpoint -q "$root$SR_CACHE" || mount --bind "$SR_CACHE" "$root$SR_CACHE"
	trap 'umount "$root$SR_CACHE" 2>/dev/null || true' EXIT
	chroot "$root" make -C "$build/src" KVER="$kver" KDIR="$kdir" "$@" \
		>"$log" 2>&1 || rc=$?
fi
if [ "$rc" != 0 ]; then
	grep -E 'error|dax-hmem-sr:' "$log" | head -20 >&2
	echo "build-pair: $tag failed, full log: $log" >&2
	exit "$rc"
fi
if grep -q 'warning:' "$log"; then
	grep 'warning:' "$log" >&2
	echo "build-pair: $tag built with warnings, full log: $log" >&2
	exit 1
fi
echo "$key" >"$build/.built"
echo "$build/src/dax_hmem_sr.ko"
echo "$build/src/cxl_sr_helper.ko"
