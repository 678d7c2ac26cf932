#!/bin/bash
# conftest.sh [--decline-only] KDIR KVER OUTDIR: find out what the target kernel has, from its
# headers, Module.symvers, .config and BTF, and write OUTDIR/sr_config.h.
#
# The rest of the code asks sr_config.h, never LINUX_VERSION_CODE: distro
# kernels backport, so a version number says little about what is there.
#
# Exit 77 with a one-line reason when the pair has nothing to do on this
# kernel (the same code DKMS uses for BUILD_EXCLUSIVE_*), 1 on a real error.
set -euo pipefail

decline_only=0
[ "${1:-}" = --decline-only ] && { decline_only=1; shift; }
kdir=${1:?usage: conftest.sh KDIR KVER OUTDIR}
kver=${2:?usage: conftest.sh KDIR KVER OUTDIR}
out=${3:?usage: conftest.sh KDIR KVER OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd)

say() { echo "dax-hmem-sr: $*" >&2; }
fail() { say "$*"; exit 1; }
decline() { say "not building for $kver: $*"; exit 77; }

[ -f "$kdir/Makefile" ] ||
	fail "no kernel headers at $kdir (install linux-headers-$kver, or pass KDIR=)"
config="$kdir/.config"
symvers="$kdir/Module.symvers"
[ -f "$config" ] || fail "$config missing: headers for $kver are incomplete"
[ -f "$symvers" ] || fail "$symvers missing: headers for $kver are incomplete"

config_val() { sed -n "s/^$1=//p" "$config"; }
exported() { awk -v s="$1" '$2 == s { f = 1 } END { exit !f }' "$symvers"; }

# --- Is there anything to arbitrate? ---------------------------------------
[ -n "$(config_val CONFIG_DEV_DAX_HMEM)" ] ||
	decline "CONFIG_DEV_DAX_HMEM is not set: there is no HMEM driver to replace"
if exported dax_hmem_flush_work || exported cxl_region_contains_resource; then
	decline "the kernel already defers and resolves Soft Reserved ownership" \
		"(Linux 7.1 fix: dax_hmem_flush_work exported); use its own dax_hmem"
fi
exported walk_hmem_resources ||
	decline "no hmem_platform device (walk_hmem_resources not exported, before" \
		"Linux 6.3): HMEM owns Soft Reserved memory there without a CXL conflict"
[ "$(config_val CONFIG_CXL_REGION)" = y ] ||
	decline "CONFIG_CXL_REGION is not set: the stock dax_hmem never defers to CXL"
for sym in alloc_dax_region devm_create_dev_dax memregion_alloc; do
	exported "$sym" || fail "$sym is not exported by $kver: unsupported kernel"
done

[ "$decline_only" = 0 ] || exit 0

mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sr-conftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- Compile probes against the target headers ------------------------------
# Each probe is a tiny module object; those that compile define HAVE_<name>.
# All are built in one kbuild run, -k, so a failing probe stops nothing.
# Probes build without the caller's W=1: a warning in a header must not read
# as a missing feature.
probe() {
	local name=$1
	{
		echo '#include <linux/module.h>'
		cat
		echo 'MODULE_LICENSE("GPL");'
	} >"$tmp/$name.c"
	echo "obj-m += $name.o" >>"$tmp/Kbuild"
}
echo 'ccflags-y := -Werror' >"$tmp/Kbuild"

# 6.13 turned MODULE_IMPORT_NS() into a string-literal macro.
probe module_import_ns_ident <<'EOF'
MODULE_IMPORT_NS(CXL);
EOF

# platform_driver.remove returns void since 6.11 (remove_new before that).
probe platform_remove_void <<'EOF'
#include <linux/platform_device.h>
static void probe_remove(struct platform_device *pdev) { }
static struct platform_driver probe_drv __used = { .remove = probe_remove };
EOF

# guard(device) came with 6.7 and was backported to stable trees.
probe guard_device <<'EOF'
#include <linux/device.h>
int probe_guard(struct device *dev);
int probe_guard(struct device *dev) { guard(device)(dev); return 0; }
EOF

# Linux 7.0 keeps Soft Reserved in a private tree, out of iomem_resource.
probe walk_soft_reserve_res <<'EOF'
#include <linux/ioport.h>
void *probe_walk = walk_soft_reserve_res;
EOF

# device_find_child()'s match callback takes const data since 6.15.
probe device_find_child_const <<'EOF'
#include <linux/device.h>
static int probe_match(struct device *dev, const void *data) { return 0; }
struct device *probe_find(struct device *parent);
struct device *probe_find(struct device *parent)
{ return device_find_child(parent, NULL, probe_match); }
EOF

# The cleanup helpers themselves (6.5).
probe linux_cleanup_h <<'EOF'
#include <linux/cleanup.h>
EOF

env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -k -s -C "$kdir" M="$tmp" \
	KBUILD_MODPOST_WARN=1 modules \
	>"$tmp/build.log" 2>&1 || true

have() {
	local name=$1 macro=HAVE_${1^^}
	if [ -f "$tmp/$name.o" ]; then
		echo "#define $macro 1"
	else
		echo "/* #undef $macro */"
	fi
}

# --- Private layouts, from the target's BTF ---------------------------------
btf=${SR_BTF:-}
if [ -z "$btf" ]; then
	if [ -f "$kdir/vmlinux" ]; then
		btf=$kdir/vmlinux
	elif [ "$kver" = "$(uname -r)" ] && [ -f /sys/kernel/btf/vmlinux ]; then
		btf=/sys/kernel/btf/vmlinux
	fi
fi
[ -n "$btf" ] ||
	fail "no BTF for $kver ($kdir/vmlinux absent and $kver is not running):" \
		"the private struct mirrors cannot be checked; build on the running" \
		"kernel or pass SR_BTF=/path/to/vmlinux"

${HOSTCC:-cc} -O2 -o "$tmp/btf-query" "$top/scripts/btf-query.c" ||
	fail "cannot build scripts/btf-query.c with ${HOSTCC:-cc}"

# One line per layout fact the mirrors in include/sr_mirror.h assert on.
queries=(
	sizeof:dev_dax_data
	offsetof:dev_dax_data.dax_region
	offsetof:dev_dax_data.pgmap
	offsetof:dev_dax_data.size
	offsetof:dev_dax_data.id
	offsetof:dev_dax_data.memmap_on_memory
	offsetof:cxl_region.id
	offsetof:cxl_region.params
	offsetof:cxl_region_params.state
	offsetof:cxl_region_params.res
	offsetof:cxl_region_params.interleave_ways
	offsetof:cxl_region_params.targets
	offsetof:cxl_region_params.nr_targets
	offsetof:cxl_endpoint_decoder.cxld
	offsetof:cxl_decoder.flags
	offsetof:cxl_dax_region.cxlr
	offsetof:cxl_dax_region.hpa_range
	enum:CXL_CONFIG_COMMIT
)
"$tmp/btf-query" "$btf" "${queries[@]}" >"$tmp/btf.txt" ||
	fail "$btf holds no usable BTF"

btf_defines() {
	local q v name
	while read -r q v; do
		[ "$v" != missing ] ||
			fail "${q#*:} is not in the BTF of $kver: this kernel's private" \
				"layout is unknown to dax-hmem-sr; refusing to build"
		name=${q//[:.]/_}
		echo "#define SR_BTF_${name^^} $v"
	done <"$tmp/btf.txt"
}

{
	echo "/* Generated by scripts/conftest.sh for $kver; do not edit. */"
	echo "#ifndef SR_CONFIG_H"
	echo "#define SR_CONFIG_H"
	echo
	echo "#define SR_KERNEL_RELEASE \"$kver\""
	echo
	echo "/* Compile probes */"
	for p in module_import_ns_ident platform_remove_void guard_device \
		 walk_soft_reserve_res linux_cleanup_h device_find_child_const; do
		have "$p"
	done
	echo
	echo "/* Kernel configuration the pair depends on (from .config) */"
	for opt in CONFIG_DEV_DAX_CXL CONFIG_KPROBES CONFIG_X86_KERNEL_IBT; do
		if [ -n "$(config_val "$opt")" ]; then
			echo "#define SR_${opt#CONFIG_} 1"
		else
			echo "/* #undef SR_${opt#CONFIG_} */"
		fi
	done
	echo
	echo "/* Layout facts from $btf */"
	btf_defines
	echo
	echo "#endif /* SR_CONFIG_H */"
} >"$tmp/sr_config.h"

if ! cmp -s "$tmp/sr_config.h" "$out/sr_config.h"; then
	mv "$tmp/sr_config.h" "$out/sr_config.h"
fi
say "configured for $kver (BTF: $btf)"
