#!/bin/bash
# mkguest-userland.sh [SUITE]: download and unpack the guest userland of the
# VM test bed (busybox, kmod, cxl/daxctl/ndctl and the libraries they link)
# from a Debian release, default trixie.  Prints the unpacked root.  The
# packages are never installed on the host: the guest's own glibc is used to
# resolve and run them.  Idempotent; reruns only when the package list changes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suite=${1:-trixie}
# ndctl 81 (trixie) is the version checked against both 6.12 and 7.2.
pkgs=(libc6 libgcc-s1 busybox-static kmod libkmod2 libssl3t64 liblzma5 libzstd1
      zlib1g ndctl daxctl cxl libndctl6 libdaxctl1 libcxl1 libjson-c5 libuuid1
      libudev1 libcap2 libiniparser4 libkeyutils1 libtraceevent1 libtracefs1)

base="$SR_CACHE/vm/userland/$suite"
root="$base/root"
stamp="$base/stamp"
want="$suite ${pkgs[*]}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	echo "$root"
	exit 0
fi

rm -rf "$base"
mkdir -p "$base/debs" "$root"
spec=()
for p in "${pkgs[@]}"; do spec+=("$p/$suite"); done
# apt's sandbox user cannot write into a root-owned cache directory.
(cd "$base/debs" && apt-get download -q -o APT::Sandbox::User=root "${spec[@]}" >/dev/null) ||
	die "apt-get download from $suite failed"
for d in "$base"/debs/*.deb; do
	dpkg-deb -x "$d" "$root"
done

# Check that every guest binary resolves with the guest's loader, so a
# missing library shows up here and not as a guest that cannot run /init.
ld="$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
[ -x "$ld" ] || ld="$root/lib64/ld-linux-x86-64.so.2"
for b in kmod cxl daxctl ndctl; do
	out=$("$ld" --library-path "$root/usr/lib/x86_64-linux-gnu" --list "$root/usr/bin/$b") ||
		die "$b does not resolve"
	if grep -q 'not found' <<<"$out"; then
		die "$b: missing libraries: $(grep 'not found' <<<"$out" | tr -s ' \n' ' ')"
	fi
done
echo "$want" >"$stamp"
echo "$root"
