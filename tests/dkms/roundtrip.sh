#!/bin/bash
# dkms add / build / install / uninstall / remove, as a user would run them,
# for the bookworm-backports 6.12 headers, with a private DKMS tree; then the
# declines dkms itself must give for 6.1 and 7.2 (exit 77); then dkms build
# for the modular kernel built from source (6.12-mod: CXL and DAX as
# modules, their types in module BTF), and the refusals of that kernel's
# headers with module BTF, or all BTF, turned off.
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
	[ "${mkdir_mod:-0}" = 1 ] && rm -rf "/lib/modules/$mkver"
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
# As on a machine without libkmod-dev: pkg-config fails, loudly.  The module
# build must not call it (only "make tool" needs libkmod).
mkdir -p "$tmp/nopc"
printf '#!/bin/sh\necho "Package libkmod was not found in the pkg-config search path" >&2\nexit 1\n' \
	>"$tmp/nopc/pkg-config"
chmod +x "$tmp/nopc/pkg-config"
step "dkms build for $kver" 0 env PATH="$tmp/nopc:$PATH" \
	dkms build "${args[@]}" -k "$kver" --kernelsourcedir "$kdir"
# A successful build's log moves next to its modules.
blog="$tmp/dkms/dax-hmem-sr/$ver/$kver/x86_64/log/make.log"
if [ ! -s "$blog" ]; then
	fail "DKMS build log: no $blog"
elif grep -q 'pkg-config\|Package libkmod' "$blog"; then
	fail "DKMS build log: pkg-config noise"
else
	pass "DKMS build log: no pkg-config noise (pkg-config failing, as without libkmod-dev)"
fi
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

# CXL and DAX modular: the layouts come from cxl_core.ko and dax.ko of the
# installed kernel, as on RHEL 10 or Fedora.  Its modules are "installed"
# as a package would put them: /lib/modules/KVER/kernel.
tag=6.12-mod
"$SR_TOP/scripts/fetch-kernel.sh" "$tag" >/dev/null || fail "build-kernel.sh $tag"
mkver=$(kernel_release "$tag")
mkre=${mkver//+/\\+}	# for grep -E: the release has a '+'
mkdir_mod=0
if [ ! -e "/lib/modules/$mkver" ]; then
	mkdir -p "/lib/modules/$mkver"
	for f in kernel modules.order modules.builtin modules.builtin.modinfo; do
		ln -s "$(kernel_root "$tag")/lib/modules/$mkver/$f" "/lib/modules/$mkver/$f"
	done
	mkdir_mod=1
fi
step "dkms build for $mkver (modular CXL and DAX)" 0 \
	dkms build "${args[@]}" -k "$mkver" --kernelsourcedir "$(kernel_kdir "$tag")"
expect_match "$mkver: layouts read from module BTF (cxl_core.ko, dax.ko)" \
	"$tmp/dkms/dax-hmem-sr/$ver/$mkver/x86_64/log/make.log" "configured for $mkre \\(BTF: .*vmlinux, cxl_core\\.ko, dax\\.ko\\)"
for ko in dax_hmem_sr cxl_sr_helper; do
	f=$(ls "$tmp/dkms/dax-hmem-sr/$ver/$mkver/x86_64/module/$ko.ko"* 2>/dev/null | head -n1)
	[ -n "$f" ] && [ "$(modinfo -F vermagic "$f" | awk '{ print $1 }')" = "$mkver" ] &&
		pass "$ko built for $mkver" || fail "$ko not built for $mkver"
done
grep -q warning: "$tmp/dkms/dax-hmem-sr/$ver/$mkver/x86_64/log/make.log" &&
	fail "$mkver: warnings in the build log" || pass "$mkver: no warnings"
step "dkms install for $mkver" 0 dkms install "${args[@]}" -k "$mkver"
[ "$(ls /lib/modules/"$mkver"/updates/dkms/{dax_hmem_sr,cxl_sr_helper}.ko* 2>/dev/null | wc -l)" = 2 ] &&
	pass "$mkver: both modules installed" || fail "$mkver: modules not installed"
modinfo -k "$mkver" -F depends cxl_sr_helper 2>/dev/null | grep -qw cxl_core &&
	pass "$mkver: cxl_sr_helper depends on the cxl_core module" ||
	fail "$mkver: cxl_sr_helper does not depend on cxl_core"
step "dkms uninstall for $mkver" 0 dkms uninstall "${args[@]}" -k "$mkver"

# The same kernel's headers with module BTF off: declined, naming the option
# (conftest.sh exit 77; dkms reports a failed build, make.log has the line),
# and with BTF off altogether: dkms declines by BUILD_EXCLUSIVE_CONFIG.
for off in CONFIG_DEBUG_INFO_BTF_MODULES CONFIG_DEBUG_INFO_BTF; do
	fake="$tmp/kdir-no-${off#CONFIG_}"
	mkdir -p "$fake"
	cp "$(kernel_kdir "$tag")/Makefile" "$fake/"
	ln -s "$(kernel_kdir "$tag")/Module.symvers" "$fake/Module.symvers"
	ln -s "$(kernel_kdir "$tag")/include" "$fake/include"	# dkms checks it is there
	sed "s/^$off=y/# $off is not set/" "$(kernel_kdir "$tag")/.config" >"$fake/.config"
	rc=0
	"$SR_TOP/scripts/conftest.sh" "$fake" "$mkver" "$tmp/gen" >"$tmp/out" 2>&1 || rc=$?
	[ "$rc" = 77 ] && pass "conftest.sh without $off: exit 77" || fail "conftest.sh without $off: exit $rc"
	want=$([ "$off" = CONFIG_DEBUG_INFO_BTF ] && echo "built without CONFIG_DEBUG_INFO_BTF:" ||
	       echo "CONFIG_(DAX|CXL_BUS)=m, but built without CONFIG_DEBUG_INFO_BTF_MODULES")
	expect_match "conftest.sh without $off: one line naming it" "$tmp/out" "^dax-hmem-sr: not building for $mkre: .*$want"
	[ "$(wc -l <"$tmp/out")" = 1 ] && pass "conftest.sh without $off: that one line only" ||
		fail "conftest.sh without $off: $(wc -l <"$tmp/out") lines"
done
step "dkms build without module BTF fails the build" 10 \
	dkms build "${args[@]}" -k "$mkver" --kernelsourcedir "$tmp/kdir-no-DEBUG_INFO_BTF_MODULES" --force
# a failed build's log stays in the build directory
expect_match "dkms without module BTF: make.log names the option" \
	"$tmp/dkms/dax-hmem-sr/$ver/build/make.log" \
	"not building for $mkre: CONFIG_(DAX|CXL_BUS)=m, but built without CONFIG_DEBUG_INFO_BTF_MODULES"
step "dkms build without BTF declines (BUILD_EXCLUSIVE_CONFIG)" 77 \
	dkms build "${args[@]}" -k "$mkver" --kernelsourcedir "$tmp/kdir-no-DEBUG_INFO_BTF" --force
[ "$mkdir_mod" = 1 ] && rm -rf "/lib/modules/$mkver"

tally
