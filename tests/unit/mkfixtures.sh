#!/bin/bash
# mkfixtures.sh DIR: write the captured-tree fixtures of the tool's unit
# tests under DIR, one root per shape (what --sysfs-root reads): the VM bed's
# S1, S3-devdax, S4 and S4-early with the pair, a broken install (stock
# dax_hmem, no policy), a non-root view, and doctor variants.  The layouts
# are those the VM guests show (paths of dax devices, report lines, memory
# blocks of 128 MiB); module files are ELF objects with only a .modinfo,
# indexed by the host's depmod, so libkmod resolves them as it would real
# ones.
set -euo pipefail

out=${1:?usage: mkfixtures.sh DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
KVER=6.12.117+deb12-amd64
BLOCK=$((128 << 20))
rm -rf "$out"
mkdir -p "$out"

# wr FILE CONTENT...: one file, its directories made
wr() { mkdir -p "$(dirname "$1")"; f=$1; shift; printf '%s\n' "$@" >"$f"; }

# base ROOT: RAM blocks 0..15 online, the release, a memory block size
base() {
	local r=$1 i
	wr "$r/proc/sys/kernel/osrelease" "$KVER"
	wr "$r/sys/devices/system/memory/block_size_bytes" "$(printf '%x' $BLOCK)"
	for i in $(seq 0 15); do memblock "$r" "$i" online Normal; done
	mkdir -p "$r/sys/bus/dax/devices" "$r/sys/bus/platform/devices"
	wr "$r/proc/modules" ""
}
memblock() { # ROOT INDEX STATE ZONE
	wr "$1/sys/devices/system/memory/memory$2/phys_index" "$(printf '%08x' "$2")"
	wr "$1/sys/devices/system/memory/memory$2/state" "$3"
	wr "$1/sys/devices/system/memory/memory$2/valid_zones" "$4"
}
# blocks ROOT START SIZE STATE ZONE: the blocks of [START, START+SIZE)
blocks() {
	local i
	for i in $(seq $(($2 / BLOCK)) $((($2 + $3) / BLOCK - 1))); do
		memblock "$1" "$i" "$4" "$5"
	done
}
# dax ROOT PARENT NAME START SIZE NODE DRIVER: a dax device under
# sys/devices/PARENT, linked from /sys/bus/dax/devices as sysfs does
dax() {
	local r=$1 d="$1/sys/devices/$2/$3"
	mkdir -p "$d"
	wr "$d/resource" "$(printf '0x%x' "$4")"
	wr "$d/size" "$5"
	wr "$d/target_node" "$6"
	if [ "$7" != - ]; then
		mkdir -p "$r/sys/bus/dax/drivers/$7"
		ln -s "../../../bus/dax/drivers/$7" "$d/driver"
	fi
	ln -s "../../../devices/$2/$3" "$r/sys/bus/dax/devices/$3"
}
region() { # ROOT NAME START SIZE: a CXL region, linked from /sys/bus/cxl
	local d="$1/sys/devices/$CXLDEV/$2"
	mkdir -p "$d" "$1/sys/bus/cxl/devices"
	wr "$d/resource" "$(printf '0x%x' "$3")"
	wr "$d/size" "$4"
	ln -s "../../../devices/$CXLDEV/$2" "$1/sys/bus/cxl/devices/$2"
}
decoder() { # ROOT NAME TYPE START SIZE LOCKED: a switch or endpoint decoder
	local d="$1/sys/devices/$CXLDEV/$2"
	mkdir -p "$d" "$1/sys/bus/cxl/devices"
	wr "$d/uevent" "DEVTYPE=cxl_decoder_$3"
	wr "$d/start" "$(printf '0x%x' "$4")"
	wr "$d/size" "$(printf '0x%x' "$5")"
	wr "$d/locked" "$6"
	ln -s "../../../devices/$CXLDEV/$2" "$1/sys/bus/cxl/devices/$2"
}
report() { wr "$1/sys/kernel/debug/dax_hmem_sr/ranges" "# start size state regions devices reason" "${@:2}"; }
platform() { # ROOT DRIVER: hmem_platform.0 and who has it
	mkdir -p "$1/sys/devices/platform/hmem_platform.0" "$1/sys/bus/platform/drivers/$2"
	ln -s "../../../devices/platform/hmem_platform.0" "$1/sys/bus/platform/devices/hmem_platform.0"
	ln -s "../../../../bus/platform/drivers/$2" "$1/sys/devices/platform/hmem_platform.0/driver"
}
iomem() { wr "$1/proc/iomem" "00000000-00000fff : Reserved" "00100000-7ffdffff : System RAM" "${@:2}"; }

# Module files and the modprobe.d policy, as installed by DKMS.
modfile() { # ROOT DIR NAME MODINFO
	local d="$1/lib/modules/$KVER/$2"
	mkdir -p "$d"
	printf '__attribute__((section(".modinfo"), used, aligned(1))) static const char m[] = "%s";\n' \
		"$4" >"$out/.m.c"
	gcc -c -o "$d/$3.ko" "$out/.m.c"
}
modules() {
	local r=$1
	modfile "$r" kernel/drivers/dax/hmem dax_hmem \
		'name=dax_hmem\0alias=platform:hmem_platform*\0softdep=pre: cxl_acpi\0license=GPL'
	modfile "$r" kernel/drivers/dax dax_cxl 'name=dax_cxl\0license=GPL'
	modfile "$r" kernel/drivers/cxl cxl_acpi 'name=cxl_acpi\0license=GPL'
	modfile "$r" updates/dkms dax_hmem_sr \
		'name=dax_hmem_sr\0alias=platform:hmem_platform*\0license=GPL'
	modfile "$r" updates/dkms cxl_sr_helper 'name=cxl_sr_helper\0license=GPL'
	depmod -b "$r" "$KVER" 2>/dev/null
}
policy() {
	mkdir -p "$1/usr/lib/modprobe.d" "$1/usr/lib/dax-hmem-sr"
	cp "$top/scripts/modprobe.d/dax-hmem-sr.conf" "$1/usr/lib/modprobe.d/"
	install -m 755 "$top/scripts/modprobe.d/stock-dax-hmem-guard" "$1/usr/lib/dax-hmem-sr/"
}
# /proc/modules, newest first, as the kernel prints it
lsmod_pair() {
	wr "$1/proc/modules" \
		"kmem 12288 0 - Live 0x0" "device_dax 12288 0 - Live 0x0" \
		"dax_cxl 12288 0 - Live 0x0" "dax_hmem_sr 24576 0 - Live 0x0" \
		"cxl_sr_helper 20480 1 dax_hmem_sr, Live 0x0" "cxl_mem 12288 0 - Live 0x0" \
		"cxl_pci 28672 0 - Live 0x0" "cxl_acpi 24576 1 - Live 0x0"
}
good() { base "$1"; modules "$1"; policy "$1"; lsmod_pair "$1"; platform "$1" dax_hmem_sr_platform; }

W=$((0x110000000)) G=$((1 << 30))
CXLDEV=platform/ACPI0017:00/root0/decoder0.0

# S1: an auto-assembled region equal to the range, CXL owns it, online.
r=$out/S1; good "$r"
report "$r" "0x110000000 0x40000000 cxl region0 - a committed CXL region contains it"
iomem "$r" "110000000-20fffffff : CXL Window 0" "  110000000-14fffffff : region0" \
	"    110000000-14fffffff : dax0.0" "      110000000-14fffffff : System RAM (kmem)"
region "$r" region0 $W $G
# its path: the host bridge's decoder and the endpoint's, locked by firmware
# (QEMU's are not: S1-unlocked), and the root decoder of the window
decoder "$r" decoder0.0 root $W $((4 * G)) 0
decoder "$r" decoder1.0 switch $W $G 1
decoder "$r" decoder2.0 endpoint $W $G 1
dax "$r" "$CXLDEV/region0/dax_region0" dax0.0 $W $G 1 kmem
blocks "$r" $W $G online Movable

# S3-devdax: no region, HMEM owns it, kmem withheld: devdax... unbound.
r=$out/S3; good "$r"
report "$r" "0x110000000 0x40000000 hmem - hmem_sr.1/dax1.0 no committed CXL region in it"
iomem "$r" "110000000-20fffffff : CXL Window 0" "  110000000-14fffffff : Soft Reserved" \
	"    110000000-14fffffff : dax1.0"
dax "$r" platform/hmem_platform.0/hmem_sr.1 dax1.0 $W $G 1 -

# S4: a region over half of a 2G range: HMEM owns all of it, in two pieces.
r=$out/S4; good "$r"
report "$r" "0x110000000 0x80000000 hmem region0 hmem_sr.2/dax2.0,hmem_sr.3/dax3.0 committed CXL regions cover only part of it"
iomem "$r" "110000000-20fffffff : CXL Window 0" "  110000000-18fffffff : Soft Reserved" \
	"    110000000-14fffffff : region0" "      110000000-14fffffff : dax2.0" \
	"    150000000-18fffffff : dax3.0"
region "$r" region0 $W $G
dax "$r" platform/hmem_platform.0/hmem_sr.2 dax2.0 $W $G 1 kmem
dax "$r" platform/hmem_platform.0/hmem_sr.3 dax3.0 $((W + G)) $G 1 kmem
blocks "$r" $W $((2 * G)) online Movable

# S4-early: dax_cxl bound the region before the decision: CXL keeps it,
# HMEM gets the rest; the first device is devdax, the second half online.
r=$out/S4-early; good "$r"
report "$r" "0x110000000 0x80000000 hmem region0 hmem_sr.2 committed CXL regions cover only part of it"
iomem "$r" "110000000-20fffffff : CXL Window 0" "  110000000-18fffffff : Soft Reserved"
dax "$r" "$CXLDEV/region0/dax_region0" dax0.0 $W $G 1 device_dax
dax "$r" platform/hmem_platform.0/hmem_sr.2 dax2.0 $((W + G)) $G 1 kmem
blocks "$r" $((W + G)) $G online Normal

# S5 with the second region half onlined: two CXL ranges of one window.
r=$out/S5; good "$r"
report "$r" "0x110000000 0x40000000 cxl region0 - a committed CXL region contains it" \
	"0x150000000 0x40000000 cxl region1 - a committed CXL region contains it" \
	"0x40000000 0x20000000 hmem - hmem_sr.0 outside every CXL window"
iomem "$r" "40000000-5fffffff : Soft Reserved" "110000000-20fffffff : CXL Window 0"
decoder "$r" decoder1.0 switch $W $G 1
decoder "$r" decoder1.1 switch $((W + G)) $G 1
decoder "$r" decoder2.0 endpoint $W $G 1
decoder "$r" decoder3.0 endpoint $((W + G)) $G 1
dax "$r" "$CXLDEV/region0/dax_region0" dax0.0 $W $G 1 kmem
dax "$r" "$CXLDEV/region1/dax_region1" dax1.0 $((W + G)) $G 1 kmem
dax "$r" platform/hmem_platform.0/hmem_sr.0 dax3.0 $((1 << 30)) $((512 << 20)) 0 kmem
blocks "$r" $W $G online Movable
blocks "$r" $((W + G)) $G offline Movable
blocks "$r" $((W + G)) $((G / 2)) online Normal

# broken: the stock dax_hmem took hmem_platform.0, no policy, no report;
# the range is stranded as on stock 6.12.
r=$out/broken; base "$r"; modules "$r"; platform "$r" hmem_platform
iomem "$r" "110000000-20fffffff : CXL Window 0" "  110000000-14fffffff : Soft Reserved"
wr "$r/proc/modules" "kmem 12288 0 - Live 0x0" "dax_cxl 12288 0 - Live 0x0" \
	"cxl_sr_helper 20480 0 - Live 0x0" "dax_hmem 16384 0 - Live 0x0" \
	"cxl_acpi 24576 0 - Live 0x0"

# nonroot: no report, and /proc/iomem with its addresses zeroed.
r=$out/nonroot; base "$r"
wr "$r/proc/iomem" "00000000-00000000 : System RAM" "00000000-00000000 : CXL Window 0" \
	"  00000000-00000000 : Soft Reserved"

# nonroot-cxl: the same view where CXL owns everything (no Soft Reserved
# line left), and the report unreadable
r=$out/nonroot-cxl; base "$r"
wr "$r/proc/iomem" "00000000-00000000 : Reserved" "00000000-00000000 : System RAM" \
	"00000000-00000000 : CXL Window 0" "  00000000-00000000 : region0"

# doctor variants of a good install
# dax_cxl before the helper: with a piece of an HMEM range it bound
# (S4-early), and after a reload of the pair with nothing split (S1)
cp -a "$out/S4-early" "$out/daxcxl-first"
cp -a "$out/S1" "$out/daxcxl-reload"
for r in "$out/daxcxl-first" "$out/daxcxl-reload"; do
	wr "$r/proc/modules" "dax_hmem_sr 24576 0 - Live 0x0" \
		"cxl_sr_helper 20480 1 dax_hmem_sr, Live 0x0" "dax_cxl 12288 0 - Live 0x0" \
		"cxl_acpi 24576 0 - Live 0x0"
done
r=$out/nosoftdep; good "$r"
sed -i '/^softdep dax_hmem pre:/d' "$r/usr/lib/modprobe.d/dax-hmem-sr.conf"
r=$out/noguard; good "$r"; rm "$r/usr/lib/dax-hmem-sr/stock-dax-hmem-guard"
r=$out/blacklist; good "$r"; wr "$r/etc/modprobe.d/local.conf" "blacklist dax_hmem_sr"
# the stock module's region_idle set by the admin: alone, and with the
# pair's own set the same
r=$out/regionidle; good "$r"; wr "$r/etc/modprobe.d/local.conf" "options dax_hmem region_idle=1"
r=$out/regionidle-both; good "$r"
wr "$r/etc/modprobe.d/local.conf" "options dax_hmem region_idle=1" "options dax_hmem_sr region_idle=Y"
r=$out/secureboot; good "$r"
printf '\x06\x00\x00\x00\x01' >"$out/.sb"
mkdir -p "$r/sys/firmware/efi/efivars"
cp "$out/.sb" "$r/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
r=$out/initramfs-stale; good "$r"; wr "$r/boot/initrd.img-$KVER" "(an image)"
wr "$r/boot/initrd.img-$KVER.list" "usr/lib/modules/$KVER/kernel/drivers/dax/hmem/dax_hmem.ko" \
	"usr/lib/modules/$KVER/kernel/drivers/cxl/cxl_acpi.ko"
r=$out/initramfs-good; good "$r"; wr "$r/boot/initrd.img-$KVER" "(an image)"
wr "$r/boot/initrd.img-$KVER.list" "usr/lib/modules/$KVER/kernel/drivers/dax/hmem/dax_hmem.ko" \
	"usr/lib/modules/$KVER/updates/dkms/dax_hmem_sr.ko" "usr/lib/modprobe.d/dax-hmem-sr.conf"
touch -d '2000-01-01' "$r/usr/lib/modprobe.d/dax-hmem-sr.conf"
r=$out/pending; good "$r"
report "$r" "0x110000000 0x40000000 pending - - waiting for CXL to probe"
iomem "$r" "110000000-20fffffff : CXL Window 0" "  110000000-14fffffff : Soft Reserved"
# the build declined the kernel: no modules, the reason in DKMS's build log
r=$out/declined; base "$r"
wr "$r/var/lib/dkms/dax-hmem-sr/0.1.0/build/make.log" "make KVER=$KVER" \
	"dax-hmem-sr: not building for $KVER: CONFIG_CXL_BUS=m, but built without CONFIG_DEBUG_INFO_BTF_MODULES: the layouts in cxl_core.ko cannot be checked"
r=$out/k7.2; base "$r"; wr "$r/proc/sys/kernel/osrelease" "7.2.13+deb14-amd64"
# S1 after cxl_acpi went with decoders firmware had not locked: the range is
# lost (issue 16 item 2), back in iomem as Soft Reserved, with no dax device.
r=$out/S1-lost; good "$r"
report "$r" "0x110000000 0x40000000 lost - - CXL let go of it (cxl_acpi unbound); decoders reset: no longer decoded"
iomem "$r" "110000000-14fffffff : Soft Reserved"
sed -i '/^cxl_acpi /d' "$r/proc/modules"

# S4 after the same: HMEM's piece over region0 taken down, the other kept
r=$out/S4-partlost; cp -a "$out/S4" "$r"
report "$r" "0x110000000 0x80000000 hmem region0 hmem_sr.3/dax3.0 part lost with its CXL region when cxl_acpi went (decoders reset)"
rm -rf "$r/sys/devices/platform/hmem_platform.0/hmem_sr.2" "$r/sys/bus/dax/devices/dax2.0"

# S4 after a sysfs unbind of hmem_platform.0 with its memory online and a
# new bind (issue 16 item 8): still online, no dax device, reported lost
r=$out/S4-unbound; good "$r"
report "$r" "0x110000000 0x80000000 lost region0 - still added from before hmem_platform.0 was unbound with it online (kmem cannot remove online memory): lost until reboot"
iomem "$r" "110000000-20fffffff : CXL Window 0" "  110000000-18fffffff : Soft Reserved" \
	"    110000000-14fffffff : region0" "      110000000-14fffffff : System RAM (kmem)" \
	"    150000000-18fffffff : System RAM (kmem)"
region "$r" region0 $W $G
blocks "$r" $W $((2 * G)) online Normal

r=$out/k6.1; base "$r"; wr "$r/proc/sys/kernel/osrelease" "6.1.0-56-amd64"
r=$out/k6.4; base "$r"; wr "$r/proc/sys/kernel/osrelease" "6.4.0-1-amd64"

# handover variants of S1
cp -a "$out/S1" "$out/S1-held"
wr "$out/S1-held/proc/modules" "cxl_foo 12288 0 - Live 0x0" "cxl_acpi 24576 1 cxl_foo, Live 0x0"
cp -a "$out/S1" "$out/S1-noacpi"
sed -i '/^cxl_acpi /d' "$out/S1-noacpi/proc/modules"
# a dax_hmem_sr from before docs/adr/0008: no pin on cxl_acpi
cp -a "$out/S1" "$out/S1-nopin"
sed -i 's/^cxl_acpi 24576 1 /cxl_acpi 24576 0 /' "$out/S1-nopin/proc/modules"
# decoders Linux's teardown resets: none locked (QEMU's), or only the
# endpoint's under an unlocked host bridge (issue 16 item 2)
cp -a "$out/S1" "$out/S1-unlocked"
wr "$out/S1-unlocked/sys/devices/$CXLDEV/decoder1.0/locked" 0
wr "$out/S1-unlocked/sys/devices/$CXLDEV/decoder2.0/locked" 0
cp -a "$out/S1" "$out/S1-eplocked"
wr "$out/S1-eplocked/sys/devices/$CXLDEV/decoder1.0/locked" 0
cp -a "$out/S1" "$out/S1-nodecoders"
rm -f "$out/S1-nodecoders/sys/bus/cxl/devices/decoder"*
cp -a "$out/S1" "$out/S1-normal"
blocks "$out/S1-normal" $W $G online Normal
# S4 beside a CXL range: handover must refuse, cxl_acpi stays pinned by
# HMEM's online memory over region0; offline, it may go ahead.
r=$out/S4-pinned; cp -a "$out/S4" "$r"
report "$r" "0x110000000 0x80000000 hmem region0 hmem_sr.2/dax2.0,hmem_sr.3/dax3.0 committed CXL regions cover only part of it" \
	"0x190000000 0x40000000 cxl region1 - a committed CXL region contains it"
region "$r" region1 $((W + 2 * G)) $G
decoder "$r" decoder1.1 switch $((W + 2 * G)) $G 1
decoder "$r" decoder3.0 endpoint $((W + 2 * G)) $G 1
dax "$r" "$CXLDEV/region1/dax_region1" dax1.0 $((W + 2 * G)) $G 1 kmem
blocks "$r" $((W + 2 * G)) $G online Movable
cp -a "$r" "$out/S4-unpinned"
blocks "$out/S4-unpinned" $W $G offline Movable
rm -f "$out/.m.c" "$out/.sb"
