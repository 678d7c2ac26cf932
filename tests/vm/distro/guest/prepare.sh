# The image-preparation boot (sourced by main): install the pair as a user
# would, from the project's Debian packages with apt (their DKMS hook builds
# and installs the modules for the running kernel), and check what that left
# on the system.  Its writes stay in the prepared image, which tests then
# boot as snapshots.
# shellcheck shell=sh
# shellcheck source-path=SCRIPTDIR source=files.sh
. /run/vmtest/files.sh
kver=$(uname -r)
dkms_deb=$(ls /run/vmtest/dax-hmem-sr-dkms_*_all.deb)
tools_deb=$(ls /run/vmtest/dax-hmem-sr-tools_*.deb)
# a native package: its version is dkms.conf's PACKAGE_VERSION (debian/rules
# checks that at build time)
ver=$(dpkg-deb -f "$dkms_deb" Version)
prep=ok

# What purge must come back to (pkglife.sh): the system before the install.
sec "files before the install"
mkdir -p $state
files_list >$state/files-before.list
echo "$(wc -l <$state/files-before.list) paths"

sec "apt install"
t0=$(uptime_s)
# Offline, and apt needs no network for this: the packages are local files
# and every dependency (dkms, gcc, the headers, libkmod2) is installed, so
# there is nothing to download.  stdin from /dev/null: a question would fail
# the install instead of waiting.  (apt's notice that it reads the files
# unsandboxed, the test disk being root's, is harmless.)
(cd /run/vmtest && apt install -y "./${dkms_deb##*/}" "./${tools_deb##*/}" </dev/null 2>&1) ||
	prep=install-failed
echo "apt install took $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { print b - a }') s"
mlog=/var/lib/dkms/dax-hmem-sr/$ver/$kver/$(uname -m)/log/make.log
[ -f "$mlog" ] && { sec "make.log"; cat "$mlog"; }

sec "packages"
pkgs=installed
for p in dax-hmem-sr-dkms dax-hmem-sr-tools; do
	st=$(dpkg-query -W -f '${Status} ${Version}' "$p" 2>&1)
	echo "$p: $st"
	[ "$st" = "install ok installed $ver" ] || pkgs=not-$p
done
# What the packages put on the system, for pkglife.sh's purge check (after
# the purge, dpkg -L knows nothing any more).
dpkg -L dax-hmem-sr-dkms dax-hmem-sr-tools >$state/pkg-files.list 2>&1
echo "$(wc -l <$state/pkg-files.list) paths from dpkg -L"

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
sec "the command"
tool=ok
run dax-hmem-sr --help
[ "$(command -v dax-hmem-sr)" = /usr/bin/dax-hmem-sr ] || tool=missing
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
echo "RESULT setup=ok prep=$prep pkgs=$pkgs dkms=$dkms modules=$mods policy=$policy tool=$tool resolve=$resolve initrd=$initrd bad=$(bad_lines | wc -l)"
