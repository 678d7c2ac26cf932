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

# distro_src_tar OUT: the package source as it goes to /usr/src, the tracked
# files of the tree as they are in the work tree, with fixed names, owners
# and times, so that the same source always gives the same bytes.  tests/
# and docs/ stay out: they are not part of what dkms builds, and editing the
# test bed must not mean a new dkms install.
distro_src_tar() {
	(cd "$SR_TOP" && git ls-files -z -- . ':!:tests' ':!:docs' |
		LC_ALL=C sort -z |
		tar --no-recursion --transform 's#^#./#' --mtime=@0 --owner=0 \
			--group=0 --numeric-owner --mode=go-w -cf "$1" --null -T -)
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
