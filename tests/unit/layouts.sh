#!/bin/bash
# The BTF reader on every Debian kernel apt reaches (scripts/kernels.conf:
# 6.1, 6.12 from bookworm-security, bookworm-backports and trixie, 7.2,
# 7.3): conftest.sh --layout reads each field of include/sr_layout.tbl from
# the headers package's vmlinux (6.1 ships none: its BTF is taken out of the
# image's vmlinuz) and the image's modules, and each must come out as
# tests/unit/layouts.expected says.  7.2 and 7.3 stand in for 7.0's
# cxl_region (cxlrd and hpa_range before params).  Then btf-query reads a
# type that only a module defines from Debian's .ko.xz, on top of vmlinux:
# the split-BTF path modular kernels take.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

expected="$SR_TOP/tests/unit/layouts.expected"
out="$SR_CACHE/unit/layouts"
mkdir -p "$out"

# vmlinux out of an x86 bzImage (xz or zstd, as Debian compresses them)
extract_vmlinux() {
	local img=$1 dst=$2 off
	off=$(LC_ALL=C grep -aob $'\xfd7zXZ\x00' "$img" | head -n1 | cut -d: -f1)
	if [ -n "$off" ]; then
		tail -c +$((off + 1)) "$img" | xz -dc --single-stream >"$dst" 2>/dev/null
	else
		off=$(LC_ALL=C grep -aob $'\x28\xb5\x2f\xfd' "$img" | head -n1 | cut -d: -f1)
		[ -n "$off" ] && tail -c +$((off + 1)) "$img" | zstd -qdc >"$dst" 2>/dev/null
	fi
	[ -s "$dst" ]
}

for tag in $(awk '!/^#/ && $1 != "" { print $1 }' "$expected" | sort -u); do
	kdir=$(kernel_kdir "$tag")
	kver=$(kernel_release "$tag")
	root=$(kernel_root "$tag")
	moddir=$(find "$root/lib/modules" "$root/usr/lib/modules" -maxdepth 1 -name "$kver" 2>/dev/null | head -n1)
	btf=
	if [ ! -f "$kdir/vmlinux" ]; then
		img=$(find "$root/boot" "$root/usr/lib/modules/$kver" -maxdepth 1 -name 'vmlinuz*' 2>/dev/null | head -n1)
		if [ -z "$img" ] || ! extract_vmlinux "$img" "$out/vmlinux-$tag"; then
			fail "$tag: no BTF: no vmlinux in the headers, none extracted from the image"
			continue
		fi
		btf="$out/vmlinux-$tag"
	fi
	if ! SR_BTF=$btf SR_MODDIR=${moddir:-/nonexistent} \
		"$SR_TOP/scripts/conftest.sh" --layout "$kdir" "$kver" >"$out/$tag.txt" 2>&1; then
		# a missing field is an answer too: the expected table says which
		grep -q 'is not in the BTF' "$out/$tag.txt" ||
			{ fail "$tag: conftest.sh --layout failed: $(tail -n1 "$out/$tag.txt")"; continue; }
	fi
	while read -r t field off size; do
		[ "$t" = "$tag" ] || continue
		got=$(awk -v f="$field" '$1 == f { print $2, $3; exit }' "$out/$tag.txt")
		if [ "$got" = "$off $size" ]; then
			pass "$tag $field: $off $size"
		else
			fail "$tag $field: got '${got:-no row}', want '$off $size' ($out/$tag.txt)"
		fi
	done < <(grep -v '^#' "$expected")
	# Every table field has an expectation, so a new row cannot go untested.
	while read -r field _; do
		grep -Eq "^${tag}[[:space:]]+${field}[[:space:]]" "$expected" ||
			fail "$tag $field: read ($out/$tag.txt) but not in layouts.expected"
	done < <(awk 'NR > 1 && $1 !~ /^dax-hmem-sr:/ { print $1 }' "$out/$tag.txt")
done

# A field of another type, or one the kernel lacks, is refused by name.
tag=6.12-deb12
kdir=$(kernel_kdir "$tag")
sed 's/^field  cxl_region.params.res .*/field  cxl_region.params.res required cxl_core struct range */' \
	"$SR_TOP/include/sr_layout.tbl" >"$out/retyped.tbl"
if SR_LAYOUT="$out/retyped.tbl" "$SR_TOP/scripts/conftest.sh" --layout "$kdir" \
	"$(kernel_release "$tag")" >"$out/retyped.txt" 2>&1; then
	fail "$tag: a retyped field passes (--layout exit 0)"
else
	expect_match "$tag: a retyped field is refused by name" "$out/retyped.txt" \
		"cxl_region.params.res is 'struct resource \\*' in .*expects 'struct range \\*'"
fi
echo 'field  cxl_region.no_such_member  required  cxl_core  int' |
	cat "$SR_TOP/include/sr_layout.tbl" - >"$out/missing.tbl"
mkdir -p "$out/gen"
if SR_LAYOUT="$out/missing.tbl" "$SR_TOP/scripts/conftest.sh" "$kdir" \
	"$(kernel_release "$tag")" "$out/gen" >"$out/missing.txt" 2>&1; then
	fail "$tag: a build with a required field missing goes on"
else
	expect_match "$tag: a missing required field stops the build, named" "$out/missing.txt" \
		"cxl_region.no_such_member is not in the BTF of"
fi

# Split BTF: struct cxl_chbs_context is defined in cxl_acpi only.
ko=$(find "$(kernel_root "$tag")/lib/modules" -name 'cxl_acpi.ko*' | head -n1)
cc -O2 -o "$out/btf-query" "$SR_TOP/scripts/btf-query.c" || fail "btf-query builds"
if [ -n "$ko" ] && xz -dc "$ko" >"$out/cxl_acpi.ko"; then
	base=$(kernel_kdir "$tag")/vmlinux
	got=$("$out/btf-query" -b "$base" "$out/cxl_acpi.ko" field:cxl_chbs_context.base \
		field:cxl_chbs_context.uid field:cxl_region.id)
	want=$'field:cxl_chbs_context.base 16 8 resource_size_t\nfield:cxl_chbs_context.uid 8 8 long long unsigned int\nfield:cxl_region.id 768 4 int'
	if [ "$got" = "$want" ]; then
		pass "$tag: split BTF of cxl_acpi.ko.xz on top of vmlinux"
	else
		fail "$tag: split BTF of cxl_acpi.ko: got '$got'"
	fi
	got=$("$out/btf-query" "$base" field:cxl_chbs_context.base)
	[ "$got" = "field:cxl_chbs_context.base missing" ] &&
		pass "$tag: cxl_chbs_context is not in vmlinux (the module is where it lives)" ||
		fail "$tag: vmlinux alone: $got"
else
	fail "$tag: no cxl_acpi.ko in the image package"
fi

tally
