# The packages' life after the install (sourced by main), on a throwaway
# copy of the prepared image that keeps its writes from one boot to the next
# (distro/pkglife.sh):
#   vmtest=pkglife1  the first boot after the install: udev loaded the pair
#                    and not the stock dax_hmem, and the doctor finds
#                    nothing; then a second kernel from the test disk, for
#                    which DKMS's autoinstall builds the pair, with the
#                    pair in its initrd (initramfs-tools' modules), and
#                    with it cxl_acpi, cxl_pci and cxl_mem (the hook); then
#                    "apt remove" of both packages, after which no initrd
#                    holds it
#   vmtest=pkglife2  the boot after the removal: udev loaded the stock
#                    dax_hmem; then "apt purge", after which nothing of the
#                    packages is left (the file list of prepare.sh's boot,
#                    before the install)
# Every check is a RESULT key the host requires a value of.
# shellcheck shell=sh
# shellcheck source-path=SCRIPTDIR source=files.sh
. /run/vmtest/files.sh
early=/run/vmtest-early
# before this script can have loaded anything
at_start=$(cut -d' ' -f1 /proc/modules)
pkgs="dax-hmem-sr-dkms dax-hmem-sr-tools"
loaded() { echo "$at_start" | grep -qx "$1"; }
before_udev() { grep -q "^$1 " $early/modules; }

# udev_modules WANT... -- UNWANTED...: what coldplug loaded
udev_modules() {
	echo "modules before coldplug: $(cut -d' ' -f1 $early/modules | tr '\n' ' ')"
	echo "modules when the test started: $(echo "$at_start" | tr '\n' ' ')"
	UDEV=ok
	_want=1
	for _m in "$@"; do
		[ "$_m" = -- ] && { _want=0; continue; }
		before_udev "$_m" && UDEV=early-$_m
		if [ $_want = 1 ]; then
			loaded "$_m" || UDEV=missing-$_m
		else
			loaded "$_m" && UDEV=loaded-$_m
		fi
	done
}

# initrd_held: how many initrds hold a file of the pair (the pattern of
# the package's postrm), each initrd listed.  CXLIN: of cxl_acpi, cxl_pci
# and cxl_mem, the fewest any of those initrds holds (the package's
# initramfs-tools hook adds them beside dax_hmem_sr, issue 16 item 9).
initrd_held() {
	HELD=0 CXLIN=-
	for _i in /boot/initrd.img-*; do
		_n=$(lsinitramfs "$_i" | grep -cE '/(dax_hmem_sr|cxl_sr_helper)\.ko|dax-hmem-sr')
		echo "$_i: $_n files of the pair"
		lsinitramfs "$_i" | grep -E '/(dax_hmem_sr|cxl_sr_helper)\.ko|dax-hmem-sr'
		[ "$_n" = 0 ] && continue
		HELD=$((HELD + 1))
		_c=$(lsinitramfs "$_i" | grep -cE '/(cxl_acpi|cxl_pci|cxl_mem)\.ko')
		lsinitramfs "$_i" | grep -E '/cxl_[a-z]*\.ko'
		if [ "$CXLIN" = - ] || [ "$_c" -lt "$CXLIN" ]; then CXLIN=$_c; fi
	done
}

# The second kernel's packages on the test disk: image, headers, their
# -common and linux-kbuild.
imgdeb=$(ls /run/vmtest/linux-image-*.deb)
nk=$(dpkg-deb -f "$imgdeb" Package)
nk=${nk#linux-image-}
# the DKMS version: the package's (native, dkms.conf's PACKAGE_VERSION)
ver=$(dpkg-query -W -f '${Version}' dax-hmem-sr-dkms 2>/dev/null)

case $(arg vmtest) in
pkglife1)
	sec "udev after the install's reboot"
	udev_modules dax_hmem_sr cxl_sr_helper -- dax_hmem
	dmesg | grep 'dax_hmem: not loaded' || echo "(no guard line)"
	guard=none
	dmesg | grep -q 'dax_hmem: not loaded: dax_hmem_sr serves' && guard=refused
	tool_checks

	# As an admin who wants the pair at early boot: the second kernel's
	# install builds its initrd after DKMS's autoinstall (run-parts order),
	# so that initrd holds the pair, and the removal has one to rebuild.
	# MODULES=dep: with Debian's "most", one initrd takes over ten minutes
	# under TCG; what goes in besides the pair does not matter here.
	sec "the pair in the second kernel's initramfs"
	echo dax_hmem_sr >>/etc/initramfs-tools/modules
	sed -i 's/^MODULES=.*/MODULES=dep/' /etc/initramfs-tools/initramfs.conf
	grep '^MODULES=' /etc/initramfs-tools/initramfs.conf

	sec "second kernel: apt install of $nk"
	t0=$(uptime_s)
	# Offline as for the pair (prepare.sh): local files, every dependency
	# (pahole, gcc-12, linux-base, initramfs-tools) installed already.
	# Without recommends, as the root file system was built (mkroot.sh):
	# the image recommends apparmor, which is not there to install.
	newk=ok
	(cd /run/vmtest && apt install -y --no-install-recommends ./linux-image-*.deb ./linux-headers-*.deb \
		./linux-kbuild-*.deb </dev/null 2>&1) || newk=install-failed
	echo "apt install took $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { print b - a }') s"
	for f in "/var/lib/dkms/dax-hmem-sr/$ver/$nk/$(uname -m)/log/make.log" \
		 "/var/lib/dkms/dax-hmem-sr/$ver/build/make.log"; do
		[ -f "$f" ] && { sec "$f"; cat "$f"; }
	done
	sec "dkms status"
	st=$(dkms status dax-hmem-sr 2>&1)
	echo "$st"
	newdkms=none
	echo "$st" | grep -q "dax-hmem-sr/$ver, $nk, x86_64: installed" && newdkms=installed
	ls -l "/lib/modules/$nk/updates/dkms/" 2>&1
	newmods=$(find "/lib/modules/$nk/updates/dkms" -name 'dax_hmem_sr.ko*' -o -name 'cxl_sr_helper.ko*' 2>/dev/null | wc -l)

	sec "initramfs before the removal"
	initrd_held
	heldbefore=$HELD
	initrdcxl=$CXLIN
	ls -l /usr/share/initramfs-tools/hooks/dax-hmem-sr 2>&1
	# the admin's line goes first: what rebuilds the initrds must be the
	# package, not this edit
	sed -i '/^dax_hmem_sr$/d' /etc/initramfs-tools/modules

	sec "apt remove"
	rm_=ok
	# shellcheck disable=SC2086 # two package names
	apt remove -y $pkgs </dev/null 2>&1 || rm_=failed
	for p in $pkgs; do
		st=$(dpkg-query -W -f '${Status}' "$p" 2>&1)
		echo "$p: $st"
		case $st in *" installed") rm_=still-$p ;; esac
	done
	sec "what the removal left"
	rmpolicy=gone
	for f in /usr/lib/modprobe.d/dax-hmem-sr.conf /usr/lib/dax-hmem-sr; do
		[ -e "$f" ] && { ls -ld "$f"; rmpolicy=left-${f##*/}; }
	done
	find /lib/modules/ -name 'dax_hmem_sr.ko*' -o -name 'cxl_sr_helper.ko*'
	rmmods=$(find /lib/modules/ -name 'dax_hmem_sr.ko*' -o -name 'cxl_sr_helper.ko*' | wc -l)
	# stdout only: dkms 3.0.10 prints "echo: write error: Broken pipe" of
	# its own on stderr
	st=$(dkms status dax-hmem-sr 2>/dev/null)
	echo "dkms status: ${st:-(nothing)}"
	ls -d /var/lib/dkms/dax-hmem-sr 2>&1
	rmdkms=none
	echo "$st" | grep -q '^dax-hmem-sr/' && rmdkms=left
	[ -e /var/lib/dkms/dax-hmem-sr ] && rmdkms=left_tree
	# hash -r: dash remembers where it found the command before the removal
	hash -r
	command -v dax-hmem-sr && rmtool=left || rmtool=gone
	run modprobe -R platform:hmem_platform
	rmresolve=stock
	[ "$(modprobe -R platform:hmem_platform 2>/dev/null | sort -u | tr '\n' ' ')" = "dax_hmem " ] ||
		rmresolve=other
	sec "initramfs after the removal"
	initrd_held
	echo "RESULT setup=ok udev=$UDEV guard=$guard doctor=$DOCTOR newk=$newk newdkms=$newdkms newmods=$newmods heldbefore=$heldbefore initrdcxl=$initrdcxl remove=$rm_ rmpolicy=$rmpolicy rmmods=$rmmods rmdkms=$rmdkms rmtool=$rmtool rmresolve=$rmresolve heldafter=$HELD bad=$(bad_lines | wc -l)"
	;;
pkglife2)
	sec "udev after the removal's reboot"
	udev_modules dax_hmem -- dax_hmem_sr cxl_sr_helper
	ls /sys/bus/dax/devices/ 2>&1

	sec "apt purge"
	purge=ok
	# shellcheck disable=SC2086 # two package names
	apt purge -y $pkgs </dev/null 2>&1 || purge=failed
	for p in $pkgs; do
		st=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)
		echo "$p: ${st:-unknown to dpkg}"
		case $st in ""|"unknown ok not-installed") ;; *) purge=still-$p ;; esac
	done

	sec "files after the purge"
	files_list >/run/files-after.list
	# The second kernel stays installed: what its packages hold (dpkg -L,
	# /lib and /bin spelt as /usr's, bookworm being merged) and what their
	# hooks make for it (initrd, depmod's indexes, initramfs-tools' state,
	# linux-base's .old symlinks) is the kernel's, not the packages'.
	dpkg -L "linux-image-$nk" "linux-headers-$nk" "linux-headers-${nk%-amd64}-common" \
		"linux-kbuild-${nk%-amd64}" 2>/dev/null |
		sed -E 's#^/(lib|lib64|bin|sbin)(/|$)#/usr/\1\2#' | LC_ALL=C sort -u >/run/kernel.paths
	echo "$(wc -l </run/kernel.paths) paths of the second kernel's packages"
	awk -v k="$nk" 'NR == FNR { own[$0] = 1; next }
		{ p = substr($0, 3) }
		own[p] { next }
		p == "/boot/initrd.img-" k || p == "/var/lib/initramfs-tools/" k { next }
		index(p, "/usr/lib/modules/" k "/modules.") == 1 { next }
		p ~ /^\/(vmlinuz|initrd\.img)\.old$/ { next }
		{ print }' /run/kernel.paths /run/files-after.list >/run/files-after.ours
	LC_ALL=C comm -13 $state/files-before.list /run/files-after.ours >/run/files.new
	LC_ALL=C comm -23 $state/files-before.list /run/files-after.list >/run/files.gone
	echo "before the install: $(wc -l <$state/files-before.list), after the purge: $(wc -l </run/files-after.list) ($(wc -l </run/files-after.ours) without the second kernel's)"
	echo "new since before the install:"; head -n 50 /run/files.new
	echo "gone since before the install:"; head -n 50 /run/files.gone
	sec "dpkg -L of the packages, after the purge"
	left=0
	while read -r p; do
		# "/." is dpkg's name for the root directory, in every package
		case $p in /.) continue ;; /*) ;; *) continue ;; esac
		[ -e "$p" ] || [ -L "$p" ] || continue
		# a directory that was there before the install is someone else's
		[ -d "$p" ] && [ ! -L "$p" ] &&
			grep -qxF "d $(echo "$p" | sed -E 's#^/(lib|lib64|bin|sbin)(/|$)#/usr/\1\2#')" $state/files-before.list &&
			continue
		echo "left: $p"
		left=$((left + 1))
	done <$state/pkg-files.list
	echo "$(grep -c '^/' $state/pkg-files.list) paths listed at the install, $left left"
	echo "RESULT setup=ok udev=$UDEV purge=$purge new=$(wc -l </run/files.new) gone=$(wc -l </run/files.gone) left=$left bad=$(bad_lines | wc -l)"
	;;
*)
	echo "RESULT setup=unknown-step-$(arg vmtest)"
	;;
esac
