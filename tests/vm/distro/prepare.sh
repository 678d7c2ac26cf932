#!/bin/bash
# prepare.sh [-l LOG] SYSTEM: the root disk a distro-mode test boots, built
# when missing, path printed.
#   6.12  the debootstrapped system of mkroot.sh as it is: the stock kernel
#   pair  the same with the pair installed inside the guest from the
#         project's Debian packages (distro_debs: tests/dkms/package.sh) by
#         "apt install ./dax-hmem-sr-dkms_*.deb ./dax-hmem-sr-tools_*.deb",
#         whose DKMS hook builds and installs the modules (an
#         image-preparation boot, vmtest=prepare): a sparse copy of the root
#         file system (no qemu-img on the host for a qcow2 overlay; the copy
#         takes seconds), cached by the hash of what the packages hold
#         (distro_deb_hash), the root file system and the preparation
#         scripts.  Changed packages give a new prepared image.  (The
#         source-tree path, "dkms add" of a checkout, is tests/dkms/roundtrip.sh's.)
# The preparation boot's serial console goes to LOG (default in the cache
# next to the image); its RESULT line must show both packages installed,
# dkms=installed, both modules, the policy, the command and the modprobe
# resolution, or the image is not kept.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

log=
while getopts l: o; do
	case $o in
	l) log=$OPTARG ;;
	*) die "usage: prepare.sh [-l LOG] 6.12|pair" ;;
	esac
done
shift $((OPTIND - 1))
sys=${1:?usage: prepare.sh [-l LOG] 6.12|pair}

root=$("$DISTRO_DIR/mkroot.sh")
case $sys in
6.12) echo "$root/root.img"; exit 0 ;;
pair) ;;
*) die "unknown system '$sys' (6.12, pair)" ;;
esac

debs=$(distro_debs) || die "no Debian packages"
key=$( {
	basename "$root"
	distro_deb_hash "$debs"/dax-hmem-sr-dkms_*.deb "$debs"/dax-hmem-sr-tools_*.deb
	# Not guest/main: it only dispatches to prepare.sh, and keying on it
	# would redo a dkms build for every change to the test path.  files.sh
	# is: the file list taken before the install is part of the image.
	sha256sum "$DISTRO_DIR/guest/prepare.sh" "$DISTRO_DIR/guest/files.sh" | cut -d' ' -f1
} | sha256sum | cut -c1-12)
out="$root/pair-$key"
if [ -f "$out/disk.img" ]; then
	echo "$out/disk.img"
	exit 0
fi

exec 9>"$root/.lock"
flock 9
[ -f "$out/disk.img" ] && { echo "$out/disk.img"; exit 0; }
work="$root/.pair-$key.tmp"
rm -rf "$work"
mkdir -p "$work"
log=${log:-$work/prepare.log}
cp --sparse=always --reflink=auto "$root/root.img" "$work/disk.img"
distro_testdisk "$work/vmtest.img" "$debs"/dax-hmem-sr-dkms_*.deb "$debs"/dax-hmem-sr-tools_*.deb
echo "prepare: apt install of the packages inside the guest (log: $log)" >&2
start=$SECONDS
rc=0
VM_DRIVES=$(distro_drives "$work/disk.img" off "$work/vmtest.img") \
	"$VM_DIR/run-vm.sh" -d 0 -t "${VM_PREPARE_TIMEOUT:-1500}" "$root" "$log" \
	root=/dev/vda vmtest=prepare || rc=$?
# through journald to the console: "[ uptime] unit[pid]: " first
res=$(tr -d '\r' <"$log" | sed -E 's/^\[ *[0-9.]+\] [^ ]+\[[0-9]+\]: //' |
	grep -a '^RESULT ' | tail -n1 || true)
echo "prepare: ${res:-no RESULT} (qemu rc=$rc, $((SECONDS - start)) s)" >&2
for want in prep=ok pkgs=installed dkms=installed modules=2 policy=ok tool=ok resolve=ok bad=0; do
	case " $res " in
	*" $want "*) ;;
	*) die "preparation boot failed: want $want; log: $log" ;;
	esac
done
rm -f "$work/vmtest.img"
[ "$log" = "$work/prepare.log" ] || cp "$log" "$work/prepare.log"
rm -rf "$out"
mv "$work" "$out"
# Older prepared images of this root file system go.
find "$root" -mindepth 1 -maxdepth 1 -name 'pair-*' ! -name "pair-$key" -printf '%T@ %p\n' |
	sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -rf
echo "$out/disk.img"
