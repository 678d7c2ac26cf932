#!/bin/bash
# The build matrix: every kernel of scripts/kernels.conf, the ones built
# from source included (scripts/build-kernel.sh builds them when absent).
# The 6.12 builds must succeed with W=1 and no warning at all (build-pair.sh
# fails on any); the others must be declined with their reason, never
# half-built.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

declare -A want_decline=(
	[6.1]="no hmem_platform device"
	[7.2]="already defers and resolves Soft Reserved ownership"
	[7.3]="already defers and resolves Soft Reserved ownership"
)

for tag in $(kernel_tags); do
	out=$(mktemp)
	rc=0
	"$SR_TOP/scripts/build-pair.sh" "$tag" W=1 SR_WERROR=1 >"$out" 2>&1 || rc=$?
	reason=${want_decline[$tag]:-}
	if [ -n "$reason" ]; then
		if [ "$rc" = 77 ] && grep -q "not building for .*$reason" "$out"; then
			pass "$tag declined: $(grep -o 'not building.*' "$out")"
		else
			fail "$tag: expected a decline ($reason), got rc=$rc: $(tail -3 "$out")"
		fi
	elif [ "$rc" = 0 ]; then
		ok=1
		for ko in $(grep '\.ko$' "$out"); do
			vm=$(modinfo -F vermagic "$ko" | awk '{ print $1 }')
			[ "$vm" = "$(kernel_release "$tag")" ] || ok=0
		done
		if [ "$ok" = 1 ] && [ "$(grep -c '\.ko$' "$out")" = 2 ]; then
			pass "$tag: built with W=1, no warnings ($(kernel_release "$tag"))"
		else
			fail "$tag: modules missing or with the wrong vermagic"
		fi
	else
		fail "$tag: build failed (rc=$rc): $(tail -5 "$out")"
	fi
	rm -f "$out"
done

# A private layout that differs must stop the build, naming what differs:
# build for 6.12 against 7.2's BTF, whose struct device is larger.
tag=6.12-deb12
out=$(mktemp)
if SR_BUILD_SUFFIX=-mismatch SR_BTF="$(kernel_kdir 7.2)/vmlinux" \
	"$SR_TOP/scripts/build-pair.sh" "$tag" >"$out" 2>&1; then
	fail "layout mismatch was not refused"
elif grep -q 'CXL_REGION_DEV: size differs from the target kernel' \
	"$SR_CACHE/build/$(kernel_field "$tag" 2)-mismatch/make.log"; then
	pass "layout mismatch refused: struct device in cxl_region (CXL_REGION_DEV) named"
else
	fail "layout mismatch: build failed without naming the field"
fi
rm -f "$out"

# A constant of a private header that differs from the target's source is
# refused (6.12-mod carries its source tree: KDIR/source).
tag=6.12-mod
sed -E 's/^(const +IORESOURCE_DAX_KMEM +)2 /\14 /' "$SR_TOP/include/sr_layout.tbl" >"$SR_CACHE/build/bad-const.tbl"
out=$(mktemp)
if SR_LAYOUT="$SR_CACHE/build/bad-const.tbl" SR_MODDIR="$(kernel_root "$tag")/lib/modules/$(kernel_release "$tag")" \
	"$SR_TOP/scripts/conftest.sh" "$(kernel_kdir "$tag")" "$(kernel_release "$tag")" "$SR_CACHE/build/bad-const" \
	>"$out" 2>&1; then
	fail "$tag: a wrong IORESOURCE_DAX_KMEM was not refused"
else
	expect_match "$tag: a wrong constant is refused, named" "$out" \
		'IORESOURCE_DAX_KMEM is not 4 in drivers/dax/bus.h'
fi
rm -f "$out"

tally
