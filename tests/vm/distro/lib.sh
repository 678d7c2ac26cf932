# Host side of the VM bed's distro mode, sourced by prepare.sh,
# ../run-test.sh (systems distro-*) and ../run-distro.sh.
# shellcheck shell=bash

DISTRO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# distro_testdisk OUT [FILE...]: the small ext4 disk (label VMTEST) the root
# file system's vmtest.service mounts and runs: the guest scripts, the fast
# bed's guest/lib.sh (the same checks) and FILEs.
distro_testdisk() {
	local out=$1 d
	shift
	d=$(mktemp -d)
	install -m 755 "$DISTRO_DIR/guest/main" "$d/main"
	install -m 644 "$DISTRO_DIR/guest/prepare.sh" "$DISTRO_DIR/guest/test.sh" \
		"$DISTRO_DIR/guest/files.sh" "$DISTRO_DIR/guest/pkglife.sh" \
		"$DISTRO_DIR/../guest/lib.sh" "$d/"
	[ $# -gt 0 ] && cp "$@" "$d/"
	# trixie's cxl and what it links, for guest/cxl
	local ul lib
	ul=$("$SR_TOP/scripts/mkguest-userland.sh" trixie)/usr/lib/x86_64-linux-gnu
	mkdir -p "$d/bin" "$d/trixie"
	install -m 755 "$DISTRO_DIR/guest/cxl" "$d/bin/cxl"
	cp "$ul/../../bin/cxl" "$ul/ld-linux-x86-64.so.2" "$d/trixie/"
	for lib in $("$ul/ld-linux-x86-64.so.2" --library-path "$ul" --list "$ul/../../bin/cxl" |
		     awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
		cp -L "$lib" "$d/trixie/"
	done
	rm -f "$out"
	# mke2fs -d names each file it copies on stdout, even with -q
	mke2fs -q -t ext4 -L VMTEST -d "$d" "$out" "$(( $(du -sm "$d" | cut -f1) + 16 ))M" >/dev/null
	rm -rf "$d"
}

# distro_debs: the project's Debian packages (tests/dkms/package.sh:
# dax-hmem-sr-dkms and dax-hmem-sr-tools), built when a tracked file changed,
# their directory printed.  Keyed by every tracked file as it is in the work
# tree, because package.sh builds from all of them (the man page is in
# docs/); a rebuild costs half a minute, and the prepared image is keyed by
# what the packages hold (distro_deb_hash), so a rebuild that gives the same
# packages costs no boot.
distro_debs() {
	local key out
	key=$(cd "$SR_TOP" && git ls-files -z | LC_ALL=C sort -z | xargs -0 sha256sum |
		sha256sum | cut -c1-12)
	out="$VM_CACHE/distro/debs-$key"
	mkdir -p "$VM_CACHE/distro"
	if ! ls "$out"/dax-hmem-sr-dkms_*.deb "$out"/dax-hmem-sr-tools_*.deb >/dev/null 2>&1; then
		(
			exec 8>"$VM_CACHE/distro/.debs.lock"
			flock 8
			ls "$out"/dax-hmem-sr-dkms_*.deb >/dev/null 2>&1 && exit 0
			rm -rf "$out.tmp"
			mkdir -p "$out.tmp"
			if ! SR_PACKAGE_OUT="$out.tmp" "$SR_TOP/tests/dkms/package.sh" \
				>"$out.tmp/package.log" 2>&1; then
				tail -n 5 "$out.tmp/package.log" >&2
				echo "error: tests/dkms/package.sh failed (log: $out.tmp/package.log)" >&2
				exit 1
			fi
			rm -rf "$out"
			mv "$out.tmp" "$out"
			echo "debs: built $(cd "$out" && echo *.deb)" >&2
			# the newest two sets are enough
			find "$VM_CACHE/distro" -mindepth 1 -maxdepth 1 -name 'debs-*' ! -name '*.tmp' \
				-printf '%T@ %p\n' | sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -rf
		) || return 1
	fi
	echo "$out"
}

# distro_deb_hash DEB...: what the packages hold, control and files, not the
# .deb's own bytes (an ar archive of the same contents may differ in its
# headers).
distro_deb_hash() {
	local d
	for d in "$@"; do
		{ dpkg-deb --ctrl-tarfile "$d"; dpkg-deb --fsys-tarfile "$d"; } | sha256sum | cut -d' ' -f1
	done | sha256sum | cut -c1-16
}

# distro_drives ROOT_IMG SNAPSHOT(on|off) TEST_IMG: VM_DRIVES for run-vm.sh,
# root first (/dev/vda), test disk second.  The devices are placed on pcie.0
# by name: QEMU would put an unplaced one on the last bus, the CXL host
# bridge, which takes only root ports.
distro_drives() {
	echo "-drive file=$1,if=none,id=vmroot,format=raw,snapshot=$2" \
	     "-device virtio-blk-pci,drive=vmroot,bus=pcie.0" \
	     "-drive file=$3,if=none,id=vmtest,format=raw,readonly=on" \
	     "-device virtio-blk-pci,drive=vmtest,bus=pcie.0"
}
