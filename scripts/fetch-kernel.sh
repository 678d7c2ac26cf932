#!/bin/bash
# fetch-kernel.sh [--headers-only] TAG...: download a Debian kernel (image,
# modules, headers) into the cache and unpack it there.  Nothing is installed.
# TAGs are listed in scripts/kernels.conf; "all" means every packaged one
# (a "built:" tag named on its own is built by scripts/build-kernel.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

image=1
[ "${1:-}" = --headers-only ] && { image=0; shift; }
[ $# -gt 0 ] || die "usage: fetch-kernel.sh [--headers-only] TAG...|all"
all=0
if [ "$1" = all ]; then all=1; mapfile -t tags < <(kernel_tags); set -- "${tags[@]}"; fi

packages() {
	local abi=$1 base=${1%%-*}
	echo "linux-headers-$abi-amd64 linux-headers-$abi-common"
	case $abi in
	6.1.*)	echo "linux-kbuild-6.1" ;;
	*)	echo "linux-kbuild-$abi" ;;
	esac
	case $abi in
	6.*)	[ "$image" = 1 ] && echo "linux-image-$abi-amd64" ;;
	*)	# 7.x splits the image; linux-base carries .config and System.map.
		echo "linux-base-$abi-amd64"
		[ "$image" = 1 ] && echo "linux-binary-$abi-amd64 linux-modules-$abi-amd64"
		;;
	esac
	: "$base"
}

mkdir -p "$SR_CACHE/debs" "$SR_CACHE/kernels"
for tag in "$@"; do
	abi=$(kernel_field "$tag" 2)
	if [[ $(kernel_field "$tag" 3) == built:* ]]; then
		# Not a package: built from Debian's source when a suite needs it.
		[ "$all" = 1 ] && continue
		echo "$tag: $(kernel_kdir "$tag")"
		"$SR_TOP/scripts/build-kernel.sh" "$tag" >/dev/null
		continue
	fi
	root=$(kernel_root "$tag")
	for pkg in $(packages "$abi"); do
		stamp="$root/.unpacked-$pkg"
		[ -e "$stamp" ] && continue
		deb=$(ls "$SR_CACHE/debs/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
		if [ -z "$deb" ]; then
			(cd "$SR_CACHE/debs" && apt-get download -qq -o APT::Sandbox::User=root "$pkg" >/dev/null) ||
				die "apt-get download $pkg failed (run scripts/setup-host.sh?)"
			deb=$(ls "$SR_CACHE/debs/${pkg}_"*.deb | head -n1)
		fi
		mkdir -p "$root"
		dpkg-deb -x "$deb" "$root"
		touch "$stamp"
	done
	# Debian's arch headers include the common tree by absolute path.
	kdir=$(kernel_kdir "$tag")
	common="$root/usr/src/linux-headers-$abi-common"
	if grep -q '^include /usr/src/' "$kdir/Makefile" 2>/dev/null; then
		sed -i "s#^include /usr/src/linux-headers-$abi-common/#include $common/#" \
			"$kdir/Makefile"
	fi
	echo "$tag: $kdir"
done
