# The image-preparation boot (sourced by main): install the pair as a user
# would, from /usr/src with dkms, and check what that left on the system.
# Its writes stay in the prepared image, which tests then boot as snapshots.
# shellcheck shell=sh
kver=$(uname -r)
ver=$(tar -xOf /run/vmtest/src.tar ./dkms.conf | sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p')
src=/usr/src/dax-hmem-sr-$ver
prep=ok

sec "source"
rm -rf "$src"
mkdir -p "$src"
tar -xf /run/vmtest/src.tar -C "$src"
echo "$src: $(find "$src" -type f | wc -l) files"

sec "dkms add"
dkms add "dax-hmem-sr/$ver" 2>&1 || prep=add-failed
sec "dkms install"
t0=$(uptime_s)
dkms install "dax-hmem-sr/$ver" -k "$kver" 2>&1 || prep=install-failed
echo "dkms install took $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { print b - a }') s"
mlog=/var/lib/dkms/dax-hmem-sr/$ver/$kver/$(uname -m)/log/make.log
[ -f "$mlog" ] && { sec "make.log"; cat "$mlog"; }

sec "dkms status"
st=$(dkms status dax-hmem-sr 2>&1)
echo "$st"
dkms=none
echo "$st" | grep -q "dax-hmem-sr/$ver, $kver, x86_64: installed" && dkms=installed

sec "installed modules"
ls -l "/lib/modules/$kver/updates/dkms/" 2>&1
mods=$(find "/lib/modules/$kver/updates/dkms" -name 'dax_hmem_sr.ko*' -o -name 'cxl_sr_helper.ko*' 2>/dev/null | wc -l)
for m in dax_hmem_sr cxl_sr_helper; do
	echo "$m: $(modinfo -F filename "$m" 2>&1) vermagic=$(modinfo -F vermagic "$m" 2>&1)"
done

sec "modprobe.d policy"
policy=ok
for f in /usr/lib/modprobe.d/dax-hmem-sr.conf /usr/lib/dax-hmem-sr/stock-dax-hmem-guard; do
	ls -l "$f" 2>&1 || policy=missing
done
# What udev will get for the alias, and what loading each would do.
resolve=ok
run modprobe -R platform:hmem_platform
al=$(modprobe -R platform:hmem_platform 2>/dev/null | sort -u | tr '\n' ' ')
[ "$al" = "dax_hmem dax_hmem_sr " ] || resolve=noalias
run modprobe -n -v dax_hmem_sr
modprobe -n -v dax_hmem_sr 2>&1 | grep -q "/updates/dkms/dax_hmem_sr.ko" || resolve=sr
run modprobe -n -v dax_hmem
modprobe -n -v dax_hmem 2>&1 | grep -q "install /usr/lib/dax-hmem-sr/stock-dax-hmem-guard" || resolve=guard
run modprobe -n -v dax_cxl
modprobe -n -v dax_cxl 2>&1 | grep -q "cxl_sr_helper" || resolve=softdep

# Debian's initramfs-tools (MODULES=most) takes whole driver directories;
# if it took dax or cxl modules, early boot would load them before the
# policy on the root file system exists, and the initrd must be rebuilt.
sec "initramfs"
initrd=/boot/initrd.img-$kver
# (lsinitramfs takes most of a minute under TCG: once)
lsinitramfs "$initrd" >/run/initrd.list
n=$(grep -cE '/kernel/drivers/(dax|cxl)/|/updates/dkms/' /run/initrd.list)
echo "dax, cxl or dkms modules in $initrd: $n"
grep -E '/kernel/drivers/(dax|cxl)/|modprobe.d|/updates/dkms/' /run/initrd.list
if [ "$n" -gt 0 ]; then
	update-initramfs -u -k "$kver" 2>&1
	if lsinitramfs "$initrd" | grep -q 'modprobe.d/dax-hmem-sr.conf'; then
		initrd=policy
	else
		initrd=nopolicy
	fi
else
	initrd=nodaxcxl
fi
echo "RESULT setup=ok prep=$prep dkms=$dkms modules=$mods policy=$policy resolve=$resolve initrd=$initrd bad=$(bad_lines | wc -l)"
