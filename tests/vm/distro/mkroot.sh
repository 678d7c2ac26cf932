#!/bin/bash
# mkroot.sh: build (or find in the cache) the root file system of the VM
# bed's distro mode and print its directory: a debootstrapped Debian bookworm
# with systemd, udev, kmod, dkms, gcc and the 6.12.117+deb12 kernel and
# headers from bookworm-security, as an ext4 image (root.img, made with
# mke2fs -d: no loop mount), plus that system's own vmlinuz and initrd.img
# for the image-preparation boot.
#
# Keyed by the package list, this script and the files of root/ baked into
# the image; rebuilt only when one of them changes.  Tests never write to
# root.img: they boot it through a QEMU snapshot or a qcow2 overlay.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

suite=bookworm
kver=$(kernel_release 6.12-deb12)
# Debootstrapped first (minbase), then installed by the guest's apt from
# bookworm and bookworm-security, without recommends, as on a small server.
base_pkgs=(systemd-sysv udev kmod e2fsprogs)
apt_pkgs=(dkms make gcc gcc-12 libc6-dev initramfs-tools zstd
	  "linux-image-$kver" "linux-headers-$kver" ndctl daxctl)
here=$(cd "$(dirname "$0")" && pwd)

# In a private mount namespace: the chroot's /proc, /sys and /dev go away
# with it, whatever happens.
if [ "${1:-}" = --apt-in-ns ]; then
	r=$2
	mount -t proc proc "$r/proc"
	mount -t sysfs sysfs "$r/sys"
	mount --bind /dev "$r/dev"
	mount -t devpts devpts "$r/dev/pts" 2>/dev/null || true
	export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
	chroot "$r" apt-get update -q
	chroot "$r" apt-get install -y -q --no-install-recommends "${apt_pkgs[@]}"
	chroot "$r" apt-get clean
	exit 0
fi

# Every URI comes from the host's apt sources: no archive host in the tree.
host_uri() { # main|security
	local uris
	uris=$( {
		sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }' \
			/etc/apt/sources.list 2>/dev/null
	} | tr ' ' '\n' | sed 's#/*$##')
	if [ "$1" = security ]; then
		grep -- '-security$' <<<"$uris" | head -n1
	else
		grep -v -- '-security$' <<<"$uris" | grep '/debian$' | head -n1
	fi
}

key=$( {
	echo "$suite $kver ${base_pkgs[*]} ${apt_pkgs[*]}"
	# contents only: the same inputs give the same key from any checkout
	sha256sum "$0" "$here"/root/* | cut -d' ' -f1
} | sha256sum | cut -c1-12)
out="$VM_CACHE/distro/root-$key"
if [ -f "$out/root.img" ]; then
	echo "$out"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot)"

mkdir -p "$VM_CACHE/distro"
exec 9>"$VM_CACHE/distro/.lock"
flock 9
[ -f "$out/root.img" ] && { echo "$out"; exit 0; }

main=$(host_uri main)
sec=$(host_uri security)
[ -n "$main" ] && [ -n "$sec" ] || die "no Debian and Debian security URIs in the host's apt sources"

tmp=$(mktemp -d "$VM_CACHE/distro/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
r="$tmp/root"
log="$tmp/build.log"
start=$SECONDS
echo "mkroot: debootstrap $suite (log: $log)" >&2
debootstrap --variant=minbase --include="$(IFS=,; echo "${base_pkgs[*]}")" \
	"$suite" "$r" "$main" >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "debootstrap failed"; }

cat >"$r/etc/apt/sources.list" <<EOF
deb $main $suite main
deb $main $suite-updates main
deb $sec $suite-security main
EOF
# No service may start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
chmod 755 "$r/usr/sbin/policy-rc.d"
# The kernel packages already downloaded for the fast bed: apt checks their
# hashes and skips the download.
for d in "$SR_CACHE"/debs/linux-{image,headers,kbuild}-"${kver%-amd64}"*.deb \
	 "$SR_CACHE"/debs/linux-headers-"${kver%-amd64}"-common*.deb; do
	[ -f "$d" ] && cp "$d" "$r/var/cache/apt/archives/"
done
echo "mkroot: apt-get install ${apt_pkgs[*]}" >&2
unshare --mount --propagation private "$0" --apt-in-ns "$r" >>"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "apt-get install in the chroot failed"; }
rm -f "$r/usr/sbin/policy-rc.d"
[ -f "$r/boot/vmlinuz-$kver" ] && [ -f "$r/boot/initrd.img-$kver" ] ||
	die "no kernel or initrd in the chroot"

echo vmtest >"$r/etc/hostname"
echo '/dev/vda / ext4 errors=remount-ro 0 1' >"$r/etc/fstab"
# The serial console belongs to the test's output.
for u in serial-getty@ttyS0.service getty@tty1.service e2scrub_all.timer \
	 e2scrub_reap.service fstrim.timer apt-daily.timer apt-daily-upgrade.timer; do
	ln -sf /dev/null "$r/etc/systemd/system/$u"
done
install -D -m 755 "$here/root/early" "$r/usr/local/lib/vmtest/early"
install -D -m 755 "$here/root/boot" "$r/usr/local/lib/vmtest/boot"
install -D -m 755 "$here/root/hide" "$r/usr/local/lib/vmtest/hide"
install -D -m 644 "$here/root/vmtest-hide.conf" "$r/etc/modprobe.d/vmtest-hide.conf"
for u in vmtest-early.service vmtest.service; do
	install -D -m 644 "$here/root/$u" "$r/etc/systemd/system/$u"
done
mkdir -p "$r/etc/systemd/system/sysinit.target.wants" "$r/etc/systemd/system/multi-user.target.wants"
ln -sf ../vmtest-early.service "$r/etc/systemd/system/sysinit.target.wants/vmtest-early.service"
ln -sf ../vmtest.service "$r/etc/systemd/system/multi-user.target.wants/vmtest.service"
: >"$r/etc/machine-id"

mkdir -p "$tmp/out"
chroot "$r" dpkg-query -W -f '${Package} ${Version}\n' >"$tmp/out/packages.txt"
cp "$r/boot/vmlinuz-$kver" "$tmp/out/vmlinuz"
# run-vm.sh boots IMAGE_DIR/initrd.cpio; Debian's initrd is a compressed cpio.
cp "$r/boot/initrd.img-$kver" "$tmp/out/initrd.cpio"
echo "$kver" >"$tmp/out/kver"
# Room for what the preparation boot adds (the DKMS build tree, an initrd).
mb=$(( $(du -sxm "$r" | cut -f1) + 1024 ))
mke2fs -q -t ext4 -L vmroot -d "$r" "$tmp/out/root.img" "${mb}M" >>"$log" 2>&1 ||
	{ tail -n 5 "$log" >&2; die "mke2fs -d failed"; }
mv "$log" "$tmp/out/build.log"
rm -rf "$out"
mv "$tmp/out" "$out"
echo "mkroot: $out in $((SECONDS - start)) s (${mb} MiB file system)" >&2
# Keep the newest two root file systems.
find "$VM_CACHE/distro" -mindepth 1 -maxdepth 1 -name 'root-*' -printf '%T@ %p\n' |
	sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -rf
echo "$out"
