#!/bin/bash
# run.sh [-t SECONDS] [0|1|2|k|all]: the distro-mode pair image booted under OVMF
# with Secure Boot enforced, through Debian's signed chain (shim-signed,
# grub-efi-amd64-signed, the signed linux-image-6.12.117+deb12-amd64), and
# the module pair checked under lockdown=integrity (issue 14 item 3).
#
#   1    OVMF's Microsoft-keys vars as shipped: the pair as the prepared
#        image has it (DKMS built it without a key: unsigned) is refused;
#        then, in the guest, openssl and a forced DKMS rebuild sign it with
#        a key DKMS makes itself, and the signed but unenrolled pair is
#        refused too.  Works on a sparse copy of the prepared image, which
#        keeps what that boot wrote.
#   2    the certificate DKMS made (read out of the copy with debugfs) is
#        written into MokList of a fresh copy of the vars (virt-fw-vars
#        --add-mok: nobody at MokManager), and the same disk booted again:
#        udev loads the signed pair, doctor, the debugfs report and status.
#   all  1 then 2 (default).
#   0    a smoke test of the boot chain alone: the state (lockdown,
#        sb-state, keys) printed, nothing changed (the root disk a snapshot).
#   k    the negative control of the firmware side: the same kernel with its
#        signature stripped (sbattach --remove) must be refused by grub
#        through shim, so the kernel's "Secure boot enabled" is not the
#        only witness of enforcement.
# Each stage's RESULT is checked key by key (want); "N passed, N failed"
# at the end, as the test command's suites end (tests/run.sh secureboot).
# SB_IMAGE=DISK boots DISK instead of what "distro/prepare.sh pair" prints.
# Needs the host packages ovmf, mtools, dosfstools, python3-virt-firmware
# (bookworm-backports), sbsigntool; the guest's boot files are Debian
# packages fetched with apt-get download and unpacked in the cache, never
# installed on the host.  Everything goes under $SR_CACHE/secureboot.
# The guest scripts: guest/main.  Findings: docs/notes-secureboot.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
. "$here/../distro/lib.sh"

tmo=
while getopts t: o; do
	case $o in
	t) tmo=$OPTARG ;;
	*) die "usage: run.sh [-t SECONDS] [0|1|2|k|all]" ;;
	esac
done
shift $((OPTIND - 1))
what=${1:-all}
case $what in 0 | 1 | 2 | k | all) ;; *) die "usage: run.sh [-t SECONDS] [0|1|2|k|all]" ;; esac

c="$SR_CACHE/secureboot"
work="$c/work"
logs="$c/logs/$(date +%Y%m%d)"
code=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
ms_vars=/usr/share/OVMF/OVMF_VARS_4M.ms.fd
# shim's own GUID: the owner it gives the entries it enrols itself
shim_guid=605dab50-e046-4300-abb6-3dd810dd8b23
guest_debs=(shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed mokutil libefivar1 openssl)

for t in qemu-system-x86_64 virt-fw-vars mkfs.vfat mcopy mmd debugfs mke2fs openssl sbverify; do
	command -v "$t" >/dev/null || die "no $t (host packages: ovmf mtools dosfstools python3-virt-firmware sbsigntool)"
done
{ [ -f "$code" ] && [ -f "$ms_vars" ]; } || die "no $code or $ms_vars (host package ovmf)"
mkdir -p "$c/debs" "$work" "$logs"

# The guest's boot chain and tools, as Debian ships them: downloaded once,
# unpacked under the cache.
fetch_debs() {
	local p missing=()
	for p in "${guest_debs[@]}"; do
		ls "$c/debs/${p}_"*.deb >/dev/null 2>&1 || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		# apt warns that _apt cannot write here and downloads as root: harmless
		(cd "$c/debs" && apt-get download -q "${missing[@]}" 2>&1 | grep -v unsandboxed) || true
	fi
	for p in "${guest_debs[@]}"; do
		ls "$c/debs/${p}_"*.deb >/dev/null 2>&1 || die "apt-get download $p failed"
	done
	rm -rf "$c/pkg"
	mkdir -p "$c/pkg"
	for p in "$c"/debs/*.deb; do
		dpkg-deb -x "$p" "$c/pkg"
	done
}

# debugfs_dump IMG PATH OUT: a file out of the ext4 image, no mount
debugfs_dump() {
	rm -f "$3"
	debugfs -R "dump $2 $3" "$1" >/dev/null 2>&1
	[ -s "$3" ] || die "cannot read $2 out of $1"
}

# make_esp OUT CMDLINE [unsigned]: a FAT ESP built without a loop mount: shim as the
# removable-media loader (EFI/BOOT/BOOTX64.EFI), the signed monolithic grub
# and MokManager next to it (shim loads them from its own directory), and
# grub.cfg where that grub looks: its prefix /EFI/debian, else its own
# directory.  The kernel and initrd are the image's own /boot files, so the
# signature grub checks (through shim) is the one Debian's package carries
# (with "unsigned": that kernel with its signature removed).
make_esp() {
	local out=$1 cmdline=$2 unsigned=${3:-} t
	t=$(mktemp -d)
	debugfs_dump "$disk" "/boot/vmlinuz-$kver" "$t/vmlinuz"
	debugfs_dump "$disk" "/boot/initrd.img-$kver" "$t/initrd.img"
	[ -z "$unsigned" ] || sbattach --remove "$t/vmlinuz" >/dev/null
	cat >"$t/grub.cfg" <<EOF
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_output console serial
menuentry "dax-hmem-sr secureboot" {
	echo "grub: linux /vmlinuz (checked through shim_lock)"
	linux /vmlinuz $cmdline
	initrd /initrd.img
}
EOF
	rm -f "$out"
	# 128 MiB: kernel, initrd (about 34 MiB) and the loaders, with room
	mkfs.vfat -C -n ESP "$out" $((128 * 1024)) >/dev/null
	mmd -i "$out" ::/EFI ::/EFI/BOOT ::/EFI/debian
	mcopy -i "$out" "$c/pkg/usr/lib/shim/shimx64.efi.signed" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$out" "$c/pkg/usr/lib/shim/mmx64.efi.signed" ::/EFI/BOOT/mmx64.efi
	mcopy -i "$out" "$c/pkg/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" ::/EFI/BOOT/grubx64.efi
	mcopy -i "$out" "$t/grub.cfg" ::/EFI/debian/grub.cfg
	mcopy -i "$out" "$t/grub.cfg" ::/EFI/BOOT/grub.cfg
	mcopy -i "$out" "$t/vmlinuz" ::/vmlinuz
	mcopy -i "$out" "$t/initrd.img" ::/initrd.img
	{
		echo "# ESP $out"
		mdir -/ -i "$out" ::/ | grep -vE '^$|^ Volume|^ Directory'
		for f in "$c/pkg/usr/lib/shim/shimx64.efi.signed" \
			 "$c/pkg/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" "$t/vmlinuz"; do
			echo "# sbverify --list ${f##*/}"
			sbverify --list "$f" 2>&1 | grep -E 'issuer|subject' || echo "  (no signature)"
		done
	} >"$work/esp.txt"
	rm -rf "$t"
}

# make_testdisk OUT: the VMTEST disk vmtest.service runs: guest/main,
# bookworm's mokutil with libefivar, openssl's package for DKMS.
make_testdisk() {
	local t
	t=$(mktemp -d)
	install -m 755 "$here/guest/main" "$t/main"
	mkdir -p "$t/bin" "$t/lib" "$t/debs"
	install -m 755 "$c/pkg/usr/bin/mokutil" "$t/bin/mokutil"
	cp -a "$c/pkg/usr/lib/x86_64-linux-gnu/"libefivar.so.1* "$t/lib/"
	cp "$c"/debs/openssl_*.deb "$t/debs/"
	rm -f "$1"
	mke2fs -q -t ext4 -L VMTEST -d "$t" "$1" 32M >/dev/null
	rm -rf "$t"
}

# boot STAGE VARS TIMEOUT [SNAPSHOT [unsigned]]: one guest on $disk,
# serial console to the log
boot() {
	local stage=$1 vars=$2 t=$3 snap=${4:-off} unsigned=${5:-} log rc=0 start res
	log="$logs/sb$stage-$(date +%H%M%S).log"
	make_testdisk "$work/vmtest.img"
	# nokaslr: the EFI stub would otherwise place the kernel anywhere in
	# RAM, also in the range memmap= retypes (the fast bed's S0 range: Soft
	# Reserved outside any CXL window, so the pair has a range to report).
	make_esp "$work/esp.img" "root=/dev/vda ro console=ttyS0,115200 panic=-1 oops=panic nokaslr memmap=512M%0x40000000-1+0xefffffff vmtest=secureboot sbstage=$stage" "$unsigned"
	# smm=on and a secure pflash: Debian's secboot OVMF is built with
	# SMM_REQUIRE, so that the varstore (and db/MokList in it) can only be
	# written through SMM.  S3 off, as that build asks.  The ESP boots first
	# (bootindex); the root disk stays /dev/vda for the image's fstab.
	# shellcheck disable=SC2054 # the commas belong to QEMU's option syntax
	local q=(qemu-system-x86_64 -machine q35,smm=on -accel tcg -cpu qemu64,-hypervisor
		 -smp 2 -m 2G -nographic -no-reboot -nodefaults -serial stdio
		 -global driver=cfi.pflash01,property=secure,value=on
		 -global ICH9-LPC.disable_s3=1
		 -drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
		 -drive "if=pflash,format=raw,unit=1,file=$vars")
	local drives
	read -r -a drives <<<"$(distro_drives "$disk" "$snap" "$work/vmtest.img")"
	# shellcheck disable=SC2054
	q+=("${drives[@]}" -drive "file=$work/esp.img,if=none,id=esp,format=raw"
	    -device "virtio-blk-pci,drive=esp,bus=pcie.0,bootindex=0")
	{ echo "# $(date -u +%FT%TZ) ${q[*]}"; cat "$work/esp.txt"; } >"$log"
	echo "sb$stage: booting (log: $log)" >&2
	start=$SECONDS
	timeout -k 10 "$t" "${q[@]}" </dev/null >>"$log" 2>&1 || rc=$?
	# journald's "[ uptime] unit[pid]: " first, as in the distro bed
	res=$(tr -d '\r' <"$log" | sed -E 's/^\[ *[0-9.]+\] [^ ]+\[[0-9]+\]: //' |
		grep -a '^RESULT ' | tail -n1 || true)
	echo "sb$stage: ${res:-no RESULT} (qemu rc=$rc, $((SECONDS - start)) s)"
	if [ -n "$unsigned" ]; then
		# what the loaders said about the unsigned kernel
		tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' |
			grep -a -m 6 -iE 'signature|violation|denied|load the kernel|EFI stub' || true
		# refused by the loader, and no kernel ever started
		grep -aq 'bad shim signature' "$log" && ! grep -aq 'EFI stub' "$log"
		return
	fi
	RES=$res
	[ -n "$res" ]
}

# want STAGE KEY=VALUE...: the stage's RESULT has each value; one tally
# line per stage, as the test command counts them
pass=0 fail=0
want() {
	local stage=$1 w got miss=
	shift
	for w in "$@"; do
		got=$(tr ' ' '\n' <<<"$RES" | sed -n "s/^${w%%=*}=//p" | tail -n1)
		[ -n "$got" ] && [ "$got" = "${w#*=}" ] || miss="$miss $w (got ${got:-nothing})"
	done
	if [ -z "$miss" ]; then
		echo "PASS: sb$stage"
		pass=$((pass + 1))
	else
		echo "FAIL: sb$stage: want$miss"
		fail=$((fail + 1))
	fi
}
tally() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; }

fetch_debs
img=${SB_IMAGE:-$("$VM_DIR/distro/prepare.sh" pair)}
# the release of the kernel in the image
kver=$(debugfs -R 'ls /lib/modules' "$img" 2>/dev/null | tr -s ' ' '\n' | grep -E '^[0-9]+\.' | head -n1)
[ -n "$kver" ] || die "no /lib/modules/KVER in $img"
disk="$work/disk.img"

if [ "$what" = 0 ]; then
	disk=$img
	cp "$ms_vars" "$work/vars-0.fd"
	boot 0 "$work/vars-0.fd" "${tmo:-1200}" on || true
	want 0 lockdown=integrity sb=SecureBoot_enabled
	tally
	exit
fi
if [ "$what" = k ]; then
	disk=$img
	cp "$ms_vars" "$work/vars-k.fd"
	# grub retries the entry for ever: the timeout ends it
	if boot k "$work/vars-k.fd" "${tmo:-180}" on unsigned; then
		echo "PASS: sbk: the unsigned kernel refused by grub through shim"
		pass=$((pass + 1))
	else
		echo "FAIL: sbk: the unsigned kernel was not refused as it must be"
		fail=$((fail + 1))
	fi
	tally
	exit
fi

if [ "$what" != 2 ]; then
	# A fresh copy: the cached prepared image is never written.
	rm -f "$work/disk.img" "$work/stage1.ok"
	cp --sparse=always "$img" "$work/disk.img"
	echo "$img" >"$work/disk.from"
	cp "$ms_vars" "$work/vars-1.fd"
	boot 1 "$work/vars-1.fd" "${tmo:-2400}" || true
	# refused unsigned (the prepared image's build), then signed by DKMS
	# but its key not enrolled.  The doctor has no finding yet for the
	# latter (it sees a signature, not that the kernel lacks the key).
	want 1 lockdown=integrity sb=SecureBoot_enabled unsigned_signed=no \
		modprobe_unsigned=Key_was_rejected_by_service \
		modprobe_unsigned_helper=Key_was_rejected_by_service \
		doctor_unsigned=pair-not-loaded,unsigned-under-secure-boot resigned=yes \
		modprobe_notenrolled=Key_was_rejected_by_service doctor_notenrolled=pair-not-loaded
	[ "$fail" = 0 ] && : >"$work/stage1.ok"
fi
if [ "$what" != 1 ]; then
	if [ ! -f "$work/stage1.ok" ]; then
		echo "FAIL: sb2: stage 1 has not passed on $work/disk.img (run.sh 1)"
		fail=$((fail + 1))
		tally
		exit
	fi
	# The certificate DKMS made in stage 1, out of the disk without a
	# mount; virt-fw-vars wants it in PEM.
	debugfs_dump "$work/disk.img" /var/lib/dkms/mok.pub "$work/mok.der"
	openssl x509 -inform DER -in "$work/mok.der" -out "$work/mok.pem"
	openssl x509 -in "$work/mok.pem" -noout -subject -fingerprint -sha256
	virt-fw-vars --input "$ms_vars" --output "$work/vars-2.fd" \
		--add-mok "$shim_guid" "$work/mok.pem" 2>&1 | grep -v '^INFO' || true
	virt-fw-vars --input "$work/vars-2.fd" --print 2>/dev/null | grep -E 'Mok|SecureBoot'
	boot 2 "$work/vars-2.fd" "${tmo:-1500}" || true
	want 2 lockdown=integrity sb=SecureBoot_enabled signed=yes enrolled=yes boot=yes \
		modprobe_signed=loaded modprobe_signed_helper=loaded doctor_signed=none \
		report=ok debugfs_rw_file=refused devmem=refused status=ok json=ok
fi
tally
