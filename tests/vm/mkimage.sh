#!/bin/bash
# mkimage.sh TAG: build (or find in the cache) the initramfs of the VM test
# bed for a kernel of scripts/kernels.conf and print its directory, which
# holds vmlinuz and initrd.cpio.
#
# EXTRA_KO="a.ko b.ko"  out-of-tree modules, put in /lib/modules/KVER/extra;
#                       the package's modprobe.d policy (scripts/modprobe.d)
#                       comes with them, as the .deb would install it.
# MODS="name ..."       more in-tree modules (their dependencies come along).
#
# The image is keyed by a hash of everything that goes into it, so a changed
# module, guest script or policy file gives a new image and an unchanged one
# is reused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tag=${1:?usage: mkimage.sh TAG}
kver=$(kernel_release "$tag")
vmlinuz=$(kernel_vmlinuz "$tag")
moddir=$(kernel_moddir "$tag")
read -r -a extra <<<"${EXTRA_KO:-}"
for k in "${extra[@]}"; do [ -f "$k" ] || die "EXTRA_KO: no such file $k"; done

# cxl_port is built in on Debian; listed so a kernel where it is modular
# still gets it.
mods=(cxl_acpi cxl_pci cxl_mem cxl_pmem cxl_port dax_hmem dax_cxl device_dax kmem
      dax_pmem libnvdimm nd_pmem)
read -r -a more <<<"${MODS:-}"
mods+=("${more[@]}")
policy="$SR_TOP/scripts/modprobe.d"

userland=$("$SR_TOP/scripts/mkguest-userland.sh" trixie)

key=$( {
	echo "$tag $kver ${mods[*]}"
	cat "$userland/../stamp"
	sha256sum "$vmlinuz" "$VM_DIR/mkimage.sh" "$VM_DIR/kexec-file.c" "$VM_DIR"/guest/*
	if [ ${#extra[@]} -gt 0 ]; then
		sha256sum "${extra[@]}"
		find "$policy" -type f -exec sha256sum {} + 2>/dev/null | sort
		sha256sum "$SR_TOP/Makefile" "$SR_TOP"/src/tool/*
	fi
} | sha256sum | cut -c1-12)
out="$VM_CACHE/img/$tag-$key"
if [ -f "$out/initrd.cpio" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$VM_CACHE/img"
exec 9>"$VM_CACHE/img/.lock"
flock 9
[ -f "$out/initrd.cpio" ] && { echo "$out"; exit 0; }

tmp=$(mktemp -d "$VM_CACHE/img/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
r="$tmp/root"
mkdir -p "$r"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64} "$r"/{proc,sys,dev,tmp,run,etc,boot,vm}
# Merged /usr, like the Debian releases the binaries come from.
for d in bin sbin lib lib64; do ln -s "usr/$d" "$r/$d"; done

# gconv (8 MB) serves iconv, which no guest tool uses.
cp -a "$userland"/usr/lib/x86_64-linux-gnu/. "$r/usr/lib/x86_64-linux-gnu/"
rm -rf "$r/usr/lib/x86_64-linux-gnu/gconv"
ln -sf ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$r/usr/lib64/ld-linux-x86-64.so.2"
cp "$userland"/usr/bin/{busybox,kmod,cxl,daxctl,ndctl} "$r/usr/bin/"
for a in $("$userland/usr/bin/busybox" --list); do
	[ -e "$r/usr/bin/$a" ] || ln -s busybox "$r/usr/bin/$a"
done
# kmod's tools win over the busybox applets of the same name.
for a in modprobe insmod rmmod lsmod depmod modinfo; do
	rm -f "$r/usr/bin/$a" "$r/usr/sbin/$a"
	ln -s ../bin/kmod "$r/usr/sbin/$a"
done
install -m 755 "$VM_DIR/guest/init" "$r/init"
install -m 644 "$VM_DIR/guest/lib.sh" "$VM_DIR/guest/stress.sh" "$VM_DIR/guest/leaks.sh" \
	"$VM_DIR/guest/faults.sh" "$r/vm/"
gcc -static -O2 -Wall -Wextra -Werror -o "$r/usr/bin/kexec-file" "$VM_DIR/kexec-file.c"
cp "$vmlinuz" "$r/boot/vmlinuz"

# The modules and their dependency closure, decompressed: the guest then
# needs no xz support in kmod and the kernel needs none for modules.
gm="$r/usr/lib/modules/$kver"
mkdir -p "$gm/kernel" "$gm/extra"
cp "$moddir"/modules.{builtin,builtin.modinfo,order} "$gm/" 2>/dev/null || true
declare -A path=() seen=()
while IFS= read -r f; do
	n=${f##*/}; n=${n%%.ko*}; n=${n//-/_}
	path[$n]=$f
done < <(find "$moddir/kernel" -name '*.ko*')
queue=("${mods[@]}")
for k in "${extra[@]}"; do
	# the extra modules depend on each other too: those come from EXTRA_KO
	n=${k##*/}; seen[${n%.ko}]=1
	# shellcheck disable=SC2207
	queue+=($(modinfo -F depends "$k" | tr ',' ' '))
done
while [ ${#queue[@]} -gt 0 ]; do
	n=${queue[0]//-/_}
	queue=("${queue[@]:1}")
	if [ -z "$n" ] || [ -n "${seen[$n]:-}" ]; then continue; fi
	seen[$n]=1
	f=${path[$n]:-}
	if [ -z "$f" ]; then
		grep -q "/$n\.ko" "$moddir/modules.builtin" ||
			echo "mkimage: $n: not in $kver (skipped)" >&2
		continue
	fi
	rel=${f#"$moddir/"}
	mkdir -p "$gm/$(dirname "$rel")"
	case $f in
	*.xz) xz -dc "$f" >"$gm/${rel%.xz}" ;;
	*.zst) zstd -qdc "$f" >"$gm/${rel%.zst}" ;;
	*) cp "$f" "$gm/$rel" ;;
	esac
	# shellcheck disable=SC2207
	queue+=($(modinfo -F depends "$f" | tr ',' ' '))
done
if [ ${#extra[@]} -gt 0 ]; then
	cp "${extra[@]}" "$gm/extra/"
	if [ -d "$policy" ]; then
		mkdir -p "$r/etc/modprobe.d" "$r/usr/lib/dax-hmem-sr"
		cp "$policy"/*.conf "$r/etc/modprobe.d/" 2>/dev/null || true
		for g in "$policy"/*; do
			case $g in *.conf) ;; *) install -m 755 "$g" "$r/usr/lib/dax-hmem-sr/" ;; esac
		done
	fi
	# The package's command, built on the host like the modules; it needs
	# only libkmod.so.2 and libc, which the trixie userland has.
	make -s -C "$SR_TOP" tool TOOL_OUT="$tmp/tool" >&2
	install -m 755 "$tmp/tool/dax-hmem-sr" "$r/usr/bin/dax-hmem-sr"
fi
# The guest's depmod, run by the guest's loader: the index format is the
# guest kmod's.
ld="$userland/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
"$ld" --library-path "$userland/usr/lib/x86_64-linux-gnu" --argv0 depmod \
	"$userland/usr/bin/kmod" -b "$r/usr" "$kver"
[ -s "$gm/modules.dep" ] || die "depmod wrote no modules.dep"

mkdir -p "$tmp/out"
(cd "$r" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) >"$tmp/out/initrd.cpio"
ln "$r/boot/vmlinuz" "$tmp/out/vmlinuz"
echo "$kver" >"$tmp/out/kver"
find "$gm" -name '*.ko' -printf '%P\n' | sort >"$tmp/out/modules.txt"
rm -rf "$out"
mv "$tmp/out" "$out"
# Keep the newest few images of this kernel (stock and pair builds).
find "$VM_CACHE/img" -mindepth 1 -maxdepth 1 -name "$tag-*" -printf '%T@ %p\n' |
	sort -rn | tail -n +7 | cut -d' ' -f2- | xargs -r rm -rf
echo "$out"
