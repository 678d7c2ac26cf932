#!/bin/bash
# build-kernel.sh TAG: build a kernel of scripts/kernels.conf whose suite
# column is "built:VARIANT" from Debian's linux-source package, with the
# host's gcc-12 (the compiler Debian's bookworm 6.12 was built with), and
# lay it out under $SR_CACHE/kernels/ABI as the unpacked Debian packages are
# (boot/vmlinuz-KVER, lib/modules/KVER, usr/src/linux-headers-KVER), so the
# build, DKMS and VM scripts use it like any other tag.  Prints that root.
#
# The configuration: x86_64 defconfig, then scripts/kconfig/bed.config (what
# the VM bed needs), then Debian's own values of every option matched by
# debian-equal.list, then VARIANT.config.  After olddefconfig each of those
# options must hold the value asked for (Debian's, or the variant's), else
# the build stops and names the option: a dependency Kconfig resolved
# otherwise would make the kernel something other than what it claims.
#
# A VARIANT.config may start with "# base: OTHER": its build then starts from
# a copy of OTHER's finished build tree, and make rebuilds only what the
# changed options touch.
#
# Cached by a key of the source version and every config input; a finished
# build is never rebuilt.  Takes SR_KERNEL_JOBS (default: nproc).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tag=${1:?usage: build-kernel.sh TAG}
suite=$(kernel_field "$tag" 3)
[[ $suite == built:* ]] || die "$tag is not a built kernel (suite $suite)"
variant=${suite#built:}
abi=$(kernel_field "$tag" 2)
kver=$(kernel_release "$tag")
kc="$SR_TOP/scripts/kconfig"
[ -f "$kc/$variant.config" ] || die "no $kc/$variant.config"

# The Debian build of the same source, whose .config is the reference.
ref_tag=6.12-deb12
ref_config="$(kernel_kdir "$ref_tag")/.config"
[ -f "$ref_config" ] || "$SR_TOP/scripts/fetch-kernel.sh" --headers-only "$ref_tag" >/dev/null
srcpkg="linux-source-6.12"
ref_deb=$(ls "$SR_CACHE/debs/linux-headers-$(kernel_release "$ref_tag")_"*.deb | head -n1)
srcver=$(dpkg-deb -f "$ref_deb" Version)
[ -n "$srcver" ] || die "no Debian version in $ref_deb"

base=$(sed -n '1s/^# base: *//p' "$kc/$variant.config")

# The values Debian sets for the options the build must not change.
debian_values() {
	sed -nE "s/^# (CONFIG_[A-Z0-9_]+) is not set$/\1=n/p; /^CONFIG_/p" "$ref_config" |
		awk -F= 'NR == FNR { if (!/^#/ && NF) re[++n] = $0; next }
			 { for (i = 1; i <= n; i++) if ($1 ~ re[i]) { print; next } }' \
			"$kc/debian-equal.list" -
}

# The key: what decides the kernel's content (source, release, config
# inputs), not this script; bump the layout number when its output changes.
key=$( {
	echo "layout 1 $srcpkg $srcver $kver"
	cat "$kc/bed.config" "$kc/debian-equal.list"
	debian_values
	v=$variant
	while [ -n "$v" ]; do
		cat "$kc/$v.config"
		v=$(sed -n '1s/^# base: *//p' "$kc/$v.config")
	done
} | sha256sum | cut -c1-12)
work="$SR_CACHE/kbuild/$tag-$key"
root="$SR_CACHE/kernels/$abi"
mkdir -p "$SR_CACHE/kbuild"
exec 9>"$SR_CACHE/kbuild/.lock-$tag"
flock 9
if [ -e "$work/.complete" ]; then
	ln -sfn "$work/root" "$root"
	echo "$root"
	exit 0
fi

say() { echo "build-kernel: $tag: $*" >&2; }

# The source, unpacked once per version.
src="$SR_CACHE/src/$srcpkg-$srcver"
if [ ! -e "$src/.complete" ]; then
	deb=$(ls "$SR_CACHE/debs/${srcpkg}_${srcver}_all.deb" 2>/dev/null || true)
	if [ -z "$deb" ]; then
		mkdir -p "$SR_CACHE/debs"
		(cd "$SR_CACHE/debs" && apt-get download -qq -o APT::Sandbox::User=root \
			"$srcpkg=$srcver" >/dev/null) || die "apt-get download $srcpkg=$srcver failed"
		deb="$SR_CACHE/debs/${srcpkg}_${srcver}_all.deb"
	fi
	say "unpacking $srcpkg $srcver"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/$srcpkg.tar.xz |
		tar -xJ -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
	touch "$src/.complete"
fi

obj="$work/obj"
# Builds of this tag that never finished (or an older config) are of no use.
for d in "$SR_CACHE/kbuild/$tag"-*; do
	[ -e "$d" ] && [ ! -e "$d/.complete" ] && rm -rf "$d"
done
rm -rf "$work"
mkdir -p "$work"
if [ -n "$base" ]; then
	base_tag=$(awk -v v="built:$base" '!/^#/ && $3 == v { print $1; exit }' \
		"$SR_TOP/scripts/kernels.conf")
	[ -n "$base_tag" ] || die "no tag in kernels.conf builds variant $base"
	"$0" "$base_tag" >/dev/null
	base_root=$(readlink -f "$(kernel_root "$base_tag")")
	say "starting from $base_tag's build tree"
	cp -a "$(dirname "$base_root")/obj" "$obj"
else
	mkdir -p "$obj"
	make -s -C "$src" O="$obj" defconfig >/dev/null
fi

# Later fragments win: bed, Debian's values, the variant chain (base first).
frags=("$kc/bed.config")
debian_values >"$work/debian.config"
frags+=("$work/debian.config")
chain=() v=$variant
while [ -n "$v" ]; do
	chain=("$kc/$v.config" "${chain[@]}")
	v=$(sed -n '1s/^# base: *//p' "$kc/$v.config")
done
frags+=("${chain[@]}")
{
	cat "${frags[@]}" | grep -E '^CONFIG_'
	echo "CONFIG_LOCALVERSION=\"${kver#"${kver%%[+-]*}"}\""
} | awk -F= '{ v[$1] = $0; if (!($1 in seen)) { seen[$1] = 1; o[++n] = $1 } }
	END { for (i = 1; i <= n; i++) print v[o[i]] }' >"$work/wanted.config"
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$work/wanted.config" \
	>"$work/merge.log" 2>&1 || die "merge_config.sh failed: $work/merge.log"
make -s -C "$src" O="$obj" olddefconfig >>"$work/merge.log" 2>&1

# Every option asked for must have come out as asked.
norm() { sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1=n/' "$1" | grep '^CONFIG_' || true; }
bad=$(awk -F= 'NR == FNR { got[$1] = substr($0, length($1) + 2); next }
	{ w = substr($0, length($1) + 2); g = ($1 in got) ? got[$1] : "n"
	  if (w != g) print "  " $1 "=" w " (Kconfig made it " g ")" }' \
	<(norm "$obj/.config") "$work/wanted.config")
[ -z "$bad" ] || die "Kconfig did not keep what $tag asks for:"$'\n'"$bad"

make -s -C "$src" O="$obj" syncconfig >>"$work/merge.log" 2>&1
got_kver=$(make -s -C "$src" O="$obj" kernelrelease)
[ "$got_kver" = "$kver" ] || die "kernel release is $got_kver, kernels.conf says $kver"

jobs=${SR_KERNEL_JOBS:-$(nproc)}
say "building $kver ($variant) with $jobs jobs, log $work/build.log"
start=$SECONDS
make -C "$src" O="$obj" -j"$jobs" bzImage modules >"$work/build.log" 2>&1 ||
	{ tail -n 30 "$work/build.log" >&2; die "kernel build failed: $work/build.log"; }
mkdir -p "$work/root/boot" "$work/root/usr/src"
make -s -C "$src" O="$obj" INSTALL_MOD_PATH="$work/root" INSTALL_MOD_STRIP=1 \
	DEPMOD=/bin/true modules_install >>"$work/build.log" 2>&1 ||
	die "modules_install failed: $work/build.log"
cp "$obj/arch/x86/boot/bzImage" "$work/root/boot/vmlinuz-$kver"
cp "$obj/.config" "$work/root/boot/config-$kver"
# The build tree is the headers tree: Makefile, .config, Module.symvers and
# the vmlinux whose BTF the pair's conftest reads.
ln -sfn ../../../obj "$work/root/usr/src/linux-headers-$kver"
rm -f "$work/root/lib/modules/$kver/build" "$work/root/lib/modules/$kver/source"
say "built in $((SECONDS - start)) s"
touch "$work/.complete"
ln -sfn "$work/root" "$root"
echo "$root"
