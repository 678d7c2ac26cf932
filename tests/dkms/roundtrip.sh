#!/bin/bash
# dkms add / build / install / uninstall / remove, as a user would run them,
# for the bookworm-backports 6.12 headers, with a private DKMS tree; then the
# declines dkms itself must give for 6.1 and 7.2 (exit 77).
#
# The install step writes real files: /lib/modules/KVER/updates/dkms (KVER is
# not the running kernel, so nothing is loaded) and the modprobe.d policy in
# /usr/lib/modprobe.d.  The test removes all of it again.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || die "run as root"
tag=6.12-bpo
kver=$(kernel_release "$tag")
kdir=$(kernel_kdir "$tag")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$SR_TOP/dkms.conf")
conf=/usr/lib/modprobe.d/dax-hmem-sr.conf
guard=/usr/lib/dax-hmem-sr/stock-dax-hmem-guard

tmp=$(mktemp -d)
made_moddir=0
cleanup() {
	dkms remove "${args[@]}" --all >/dev/null 2>&1
	[ "$made_moddir" = 1 ] && rm -rf "/lib/modules/$kver"
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/dkms" "$tmp/src"
rsync -a --exclude .git --exclude generated --exclude '*.o' --exclude '*.ko' \
	"$SR_TOP/" "$tmp/src/dax-hmem-sr-$ver/"
args=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/src" -m dax-hmem-sr -v "$ver")
# dkms installs only into an existing module directory.
[ -d "/lib/modules/$kver" ] || { mkdir -p "/lib/modules/$kver"; made_moddir=1; }

step() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" >"$tmp/out" 2>&1 || rc=$?
	sed 's/^/    /' "$tmp/out" | grep -v '^    $' | tail -4
	if [ "$rc" = "$want" ]; then pass "$name (exit $rc)"; else fail "$name: exit $rc, want $want"; fi
}

step "dkms add" 0 dkms add "${args[@]}"
step "dkms build for $kver" 0 dkms build "${args[@]}" -k "$kver" --kernelsourcedir "$kdir"
step "dkms install for $kver" 0 dkms install "${args[@]}" -k "$kver"

mods=$(ls /lib/modules/"$kver"/updates/dkms/{dax_hmem_sr,cxl_sr_helper}.ko* 2>/dev/null | wc -l)
[ "$mods" = 2 ] && pass "both modules in /lib/modules/$kver/updates/dkms" ||
	fail "installed modules: $mods of 2"
for m in /lib/modules/"$kver"/updates/dkms/*.ko*; do
	[ -e "$m" ] || continue
	vm=$(modinfo -F vermagic "$m" | awk '{ print $1 }')
	[ "$vm" = "$kver" ] && pass "${m##*/} vermagic $vm" || fail "${m##*/} vermagic $vm"
done
dkms status "${args[@]}" | grep -q "$kver.*installed" &&
	pass "dkms status: installed" || fail "dkms status: $(dkms status "${args[@]}")"
expect_match "modprobe.d: install line for dax_hmem" "$conf" \
	'^install dax_hmem /usr/lib/dax-hmem-sr/stock-dax-hmem-guard'
expect_match "modprobe.d: dax_cxl after cxl_sr_helper" "$conf" '^softdep dax_cxl pre: cxl_sr_helper'
# Every directive carries its reason just above it.
if awk '/^(install|softdep|blacklist)/ && prev !~ /^#/ { bad = 1 } { prev = $0 } END { exit bad }' "$conf"; then
	pass "modprobe.d: every line commented"
else
	fail "modprobe.d: a directive without a comment"
fi
[ -x "$guard" ] && pass "guard installed" || fail "guard missing: $guard"
modprobe --showconfig 2>/dev/null | grep -q '^install dax_hmem /usr/lib/dax-hmem-sr/' &&
	pass "kmod reads the policy" || fail "kmod does not show the install line"

step "dkms uninstall" 0 dkms uninstall "${args[@]}" -k "$kver"
ls /lib/modules/"$kver"/updates/dkms/dax_hmem_sr.ko* >/dev/null 2>&1 &&
	fail "modules left after uninstall" || pass "modules gone after uninstall"
[ -e "$conf" ] && fail "$conf left after uninstall" || pass "modprobe.d policy removed"
step "dkms remove" 0 dkms remove "${args[@]}" --all

# dkms itself declines kernels outside 6.3..7.0 (BUILD_EXCLUSIVE_KERNEL).
step "dkms add again" 0 dkms add "${args[@]}"
for t in 6.1 7.2; do
	step "dkms build declines $(kernel_release "$t")" 77 \
		dkms build "${args[@]}" -k "$(kernel_release "$t")" --kernelsourcedir "$(kernel_kdir "$t")"
done

tally
