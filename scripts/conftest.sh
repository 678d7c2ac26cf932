#!/bin/bash
# conftest.sh [--decline-only|--layout] KDIR KVER [OUTDIR]: find out what the
# target kernel has, from its headers, Module.symvers, .config and BTF
# (vmlinux's, and the modules' under SR_MODDIR, default /lib/modules/KVER),
# and write OUTDIR/sr_config.h.
#
#   --decline-only  only say whether the pair has anything to do there
#   --layout        only print every field of include/sr_layout.tbl as
#                   found in the target's BTF (offset, size, type, source):
#                   "would it build here?"; exit 1 if one is missing or
#                   of another type
#
# The rest of the code asks sr_config.h, never LINUX_VERSION_CODE: distro
# kernels backport, so a version number says little about what is there.
#
# Exit 77 with a one-line reason when the pair has nothing to do on this
# kernel (the same code DKMS uses for BUILD_EXCLUSIVE_*), 1 on a real error.
set -euo pipefail

mode=build
case ${1:-} in
--decline-only) mode=decline; shift ;;
--layout) mode=layout; shift ;;
esac
usage="usage: conftest.sh [--decline-only|--layout] KDIR KVER [OUTDIR]"
kdir=${1:?$usage}
kver=${2:?$usage}
out=${3:-}
[ "$mode" != build ] || [ -n "$out" ] || { echo "$usage" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)

say() { echo "dax-hmem-sr: $*" >&2; }
fail() { say "$*"; exit 1; }
decline() {
	if [ "$mode" = layout ]; then
		say "would not build for $kver: $*"
	else
		say "not building for $kver: $*"
		exit 77
	fi
}

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

# --- Can its private layouts be read? ---------------------------------------
# Never a blind build: without BTF the layouts cannot be checked.
[ "$(config_val CONFIG_DEBUG_INFO_BTF)" = y ] ||
	{ mode=build; decline "built without CONFIG_DEBUG_INFO_BTF: the private" \
		"struct layouts dax-hmem-sr needs cannot be checked"; }
# SR_LAYOUT: another table, for the tests that prove a mismatch is refused
table=${SR_LAYOUT:-$top/include/sr_layout.tbl}
rows() { grep -Ev '^[[:space:]]*(#|$)' "$table" | awk -v k="$1" '$1 == k'; }
while read -r _ mod opt; do
	[ "$(config_val "$opt")" != m ] || [ "$(config_val CONFIG_DEBUG_INFO_BTF_MODULES)" = y ] ||
		{ mode=build; decline "$opt=m, but built without CONFIG_DEBUG_INFO_BTF_MODULES:" \
			"the layouts in $mod.ko cannot be checked"; }
done <<<"$(rows home)"

[ "$mode" != decline ] || exit 0

[ -z "$out" ] || mkdir -p "$out"
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

[ "$mode" = layout ] ||
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -k -s -C "$kdir" M="$tmp" \
		KBUILD_MODPOST_WARN=1 modules >"$tmp/build.log" 2>&1 || true
[ "$mode" = layout ] || [ -f "$tmp/linux_cleanup_h.o" ] ||
	decline "no <linux/cleanup.h> (Linux 6.3 and 6.4): the pair is written" \
		"with the kernel's scope-based cleanup helpers, which came in 6.5"

have() {
	local name=$1 macro=HAVE_${1^^}
	if [ -f "$tmp/$name.o" ]; then
		echo "#define $macro 1"
	else
		echo "/* #undef $macro */"
	fi
}

# --- Private layouts, from the target's BTF ---------------------------------
# include/sr_layout.tbl names every field; each is looked up by name in
# vmlinux's BTF, or in the split BTF of its home module when that code is
# modular, and its C type must be the one the table gives.
moddir=${SR_MODDIR:-/lib/modules/$kver}

btf=${SR_BTF:-}
if [ -z "$btf" ]; then
	for f in "$kdir/vmlinux" /usr/lib/debug/boot/vmlinux-"$kver" \
		 /usr/lib/debug/lib/modules/"$kver"/vmlinux; do
		[ -f "$f" ] && { btf=$f; break; }
	done
	if [ -z "$btf" ] && [ "$kver" = "$(uname -r)" ] && [ -f /sys/kernel/btf/vmlinux ]; then
		btf=/sys/kernel/btf/vmlinux
	fi
fi
[ -n "$btf" ] ||
	fail "no BTF for $kver ($kdir/vmlinux absent and $kver is not running):" \
		"the private struct layouts cannot be checked; build on the running" \
		"kernel or pass SR_BTF=/path/to/vmlinux"

${HOSTCC:-cc} -O2 -o "$tmp/btf-query" "$top/scripts/btf-query.c" ||
	fail "cannot build scripts/btf-query.c with ${HOSTCC:-cc}"

query_of() {
	case $1 in size) echo "sizeof:$2" ;; field) echo "field:$2" ;; enum) echo "enum:$2" ;; esac
}

# result[QUERY]: what btf-query printed after the query; from[QUERY]: where
declare -A result=() from=() searched=()
record() { # SOURCE < btf-query output
	local q rest
	while read -r q rest; do
		[ "$rest" = missing ] && continue
		result[$q]=$rest
		from[$q]=$1
	done
}
# (no process substitution: a build chroot may have no /dev/fd)
mapfile -t queries <<<"$(rows size; rows field; rows enum)"
qs=()
for r in "${queries[@]}"; do
	read -r kind name _ <<<"$r"
	qs+=("$(query_of "$kind" "$name")")
done
"$tmp/btf-query" "$btf" "${qs[@]}" >"$tmp/btf.txt" || fail "$btf holds no usable BTF"
record "${btf##*/}" <"$tmp/btf.txt"

# What vmlinux lacks is in the home module, where that code is modular.
while read -r _ mod opt; do
	missing=()
	for r in "${queries[@]}"; do
		read -r kind name _ home _ <<<"$r"
		q=$(query_of "$kind" "$name")
		[ "$home" = "$mod" ] && [ -z "${result[$q]:-}" ] && missing+=("$q")
	done
	[ ${#missing[@]} -gt 0 ] || continue
	[ "$(config_val "$opt")" = m ] || continue
	ko=$(find -L "$moddir" -name "$mod.ko*" 2>/dev/null | sort | head -n1)
	[ -n "$ko" ] ||
		fail "$mod is modular ($opt=m) and no $mod.ko is under $moddir: install" \
			"the kernel's modules, or pass SR_MODDIR=<unpacked image>/lib/modules/$kver"
	case $ko in
	*.xz) xz -dc "$ko" >"$tmp/$mod.ko" ;;
	*.zst) zstd -qdc "$ko" >"$tmp/$mod.ko" ;;
	*.gz) gzip -dc "$ko" >"$tmp/$mod.ko" ;;
	*) cp "$ko" "$tmp/$mod.ko" ;;
	esac
	"$tmp/btf-query" -b "$btf" "$tmp/$mod.ko" "${missing[@]}" >"$tmp/btf-$mod.txt" ||
		fail "$ko holds no BTF (stripped?): its layouts cannot be checked"
	record "$mod.ko" <"$tmp/btf-$mod.txt"
	searched[$mod]=1
done <<<"$(rows home)"

macro() { local m=${1//[.:]/_}; echo "${m^^}"; }
problems=()
layout_defines() {
	local r kind name need home type q got off size gtype
	for r in "${queries[@]}"; do
		read -r kind name need home type <<<"$r"
		q=$(query_of "$kind" "$name")
		got=${result[$q]:-}
		if [ -z "$got" ]; then
			[ "$need" = optional ] && { echo "/* #undef SR_HAS_$(macro "$name") */"; continue; }
			problems+=("$name is not in the BTF of $kver (looked in ${btf##*/}${searched[$home]:+ and $home.ko})")
			continue
		fi
		case $kind in
		size) echo "#define SR_SIZEOF_$(macro "$name") $got	/* ${from[$q]} */" ;;
		enum) echo "#define SR_ENUM_$(macro "$name") $got	/* ${from[$q]} */" ;;
		field)
			read -r off size gtype <<<"$got"
			if [ "$gtype" != "$type" ]; then
				problems+=("${name%%.*}.${name#*.} is '$gtype' in $kver's BTF, dax-hmem-sr expects '$type'")
				continue
			fi
			echo "#define SR_HAS_$(macro "$name") 1"
			echo "#define SR_OFF_$(macro "$name") $off	/* $type, ${from[$q]} */"
			echo "#define SR_SIZE_$(macro "$name") $size"
			;;
		esac
	done
}

# Constants of private headers: checked where the target's source is here.
# SR_<NAME>, the value the table gives.
src_tree=
for d in "$kdir/source" "$kdir"; do
	[ -f "$d/drivers/dax/bus.h" ] && { src_tree=$(cd "$d" && pwd); break; }
done
const_defines() {
	local kind name value header
	while read -r kind name value header; do
		echo "#define SR_$name $value	/* $header$([ -n "$src_tree" ] && echo ", checked") */"
	done <<<"$(rows const)"
}
if [ -n "$src_tree" ] && [ "$mode" = build ]; then
	mkdir -p "$tmp/const"
	{
		echo '#include <linux/module.h>'
		rows const | awk '{ print $4 }' | sort -u | sed "s#.*#\#include \"$src_tree/&\"#"
		rows const | awk '{ printf "static_assert(%s == %s, \"%s is not %s in %s\");\n", $2, $3, $2, $3, $4 }'
		echo 'MODULE_LICENSE("GPL");'
	} >"$tmp/const/consts.c"
	echo 'obj-m += consts.o' >"$tmp/const/Kbuild"
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$kdir" M="$tmp/const" \
		KBUILD_MODPOST_WARN=1 modules >"$tmp/const/build.log" 2>&1 ||
		problems+=("$(grep -o 'static assertion failed: .*' "$tmp/const/build.log" |
			      sed 's/static assertion failed: //; s/"//g' | head -n1) (source: $src_tree)")
fi

if [ "$mode" = layout ]; then
	printf '%-40s %6s %5s  %-36s %s\n' FIELD OFFSET SIZE TYPE SOURCE
	for r in "${queries[@]}"; do
		read -r kind name need home type <<<"$r"
		q=$(query_of "$kind" "$name")
		got=${result[$q]:-}
		if [ -z "$got" ]; then
			printf '%-40s %6s %5s  %-36s %s\n' "$name" - - "${type:--}" "missing ($need)"
		elif [ "$kind" = field ]; then
			read -r off size gtype <<<"$got"
			printf '%-40s %6s %5s  %-36s %s\n' "$name" "$off" "$size" "$gtype" "${from[$q]}"
		else
			printf '%-40s %6s %5s  %-36s %s\n' "$name" "$got" - "($kind)" "${from[$q]}"
		fi
	done
	while read -r _ name value header; do
		printf '%-40s %6s %5s  %-36s %s\n' "$name" "$value" - "(#define)" \
			"$header${src_tree:+ (checked against the source)}"
	done <<<"$(rows const)"
	layout_defines >/dev/null
	if [ ${#problems[@]} -gt 0 ]; then
		printf 'dax-hmem-sr: %s\n' "${problems[@]}"
		exit 1
	fi
	echo "dax-hmem-sr: every field dax-hmem-sr needs is in the BTF of $kver"
	exit 0
fi

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
	echo "/* Layout, from the BTF of $btf and modules (include/sr_layout.tbl) */"
	layout_defines
	echo
	echo "/* Constants of private headers (include/sr_layout.tbl) */"
	const_defines
	echo
	echo "#endif /* SR_CONFIG_H */"
} >"$tmp/sr_config.h"

if [ ${#problems[@]} -gt 0 ]; then
	for p in "${problems[@]}"; do say "$p"; done
	fail "refusing to build for $kver: its private layout is not the one" \
		"include/sr_layout.tbl describes"
fi
if ! cmp -s "$tmp/sr_config.h" "$out/sr_config.h"; then
	mv "$tmp/sr_config.h" "$out/sr_config.h"
fi
mods=
[ ${#searched[@]} -eq 0 ] || mods=", $(printf '%s.ko\n' "${!searched[@]}" | sort | paste -sd, | sed 's/,/, /g')"
say "configured for $kver (BTF: $btf$mods)"
