#!/bin/bash
# User-space unit tests, with ASan and UBSan: the decision (src/common), the
# BTF layout reader on the Debian kernels (layouts.sh), the debug suite's
# filters (guest-filters.sh), and
# the dax-hmem-sr tool (src/tool) on captured trees (mkfixtures.sh): its
# parsing in C, its commands and exit codes through the binary.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

out="$SR_CACHE/unit"
fx="$out/fixtures"
mkdir -p "$out"
san=("-fsanitize=address,undefined" -fno-sanitize-recover=all)

# run_c NAME CMD...: a C test binary, its PASS/FAIL lines and tally added
run_c() {
	local name=$1 log line
	shift
	log=$(mktemp)
	"$@" | tee "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)
	rm -f "$log"
	if [ -z "$line" ]; then
		fail "$name printed no tally"
		return
	fi
	passed=$((passed + ${line%% *}))
	line=${line#*, }
	failed=$((failed + ${line%% *}))
}

if gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror "${san[@]}" -I "$SR_TOP/include" \
	"$SR_TOP/src/common/decide.c" "$SR_TOP/tests/unit/test_decide.c" -o "$out/test_decide"; then
	run_c test_decide "$out/test_decide"
else
	fail "test_decide builds"
fi

# The BTF reader on every Debian kernel's layout (needs fetch-kernel.sh all)
run_c layouts "$SR_TOP/tests/unit/layouts.sh"

# The debug suite's filters: kmemleak's, the fault sweep's, the fault table
run_c guest-filters "$SR_TOP/tests/unit/guest-filters.sh"

if ! "$SR_TOP/tests/unit/mkfixtures.sh" "$fx"; then
	fail "fixtures"
	tally
	exit
fi
if gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror "${san[@]}" -I "$SR_TOP/src/tool" \
	"$SR_TOP/src/tool/sysfs.c" "$SR_TOP/tests/unit/test_sysfs.c" -o "$out/test_sysfs"; then
	run_c test_sysfs "$out/test_sysfs" "$fx"
else
	fail "test_sysfs builds"
fi

# The binary as make tool builds it, sanitizers added (always rebuilt: make
# would keep a binary built with other flags).
rm -f "$out/tool/dax-hmem-sr"
if make -s -C "$SR_TOP" tool TOOL_OUT="$out/tool" CFLAGS="-O1 ${san[*]}" \
	LDFLAGS="${san[*]}" >/dev/null; then
	pass "make tool builds with -Wall -Wextra -Werror"
else
	fail "make tool"
	tally
	exit
fi
tool=$out/tool/dax-hmem-sr
# lsinitramfs stand-in: the fixture keeps the listing beside the image
printf '#!/bin/sh\nexec cat "$1.list"\n' >"$out/lsinitramfs"
chmod +x "$out/lsinitramfs"
export DAX_HMEM_SR_LSINITRAMFS=$out/lsinitramfs

# t NAME WANT_RC SHAPE ARGS...: run the tool on a fixture; output in $o
t() {
	local name=$1 want=$2 shape=$3 rc=0
	shift 3
	o=$("$tool" --sysfs-root "$fx/$shape" "$@" 2>&1) || rc=$?
	if [ "$rc" = "$want" ]; then
		pass "$name: exit $rc"
	else
		fail "$name: exit $rc, want $want"
		echo "$o" | sed 's/^/    /'
	fi
}
# has NAME REGEX: the last output matches
has() { if grep -Eq -- "$2" <<<"$o"; then pass "$1"; else fail "$1 (no /$2/)"; echo "$o" | sed 's/^/    /'; fi; }
hasnt() { if grep -Eq -- "$2" <<<"$o"; then fail "$1 (/$2/ matched)"; else pass "$1"; fi; }
# json NAME PYEXPR: the last output is JSON (stderr lines dropped) and
# PYEXPR holds for it as r
json() {
	if python3 -c 'import json, sys
r = json.loads("\n".join(l for l in sys.stdin.read().splitlines() if not l.startswith("dax-hmem-sr:")))
sys.exit(0 if eval(sys.argv[1]) else 1)' "$2" <<<"$o"; then
		pass "$1"
	else
		fail "$1 ($2)"
		echo "$o" | sed 's/^/    /'
	fi
}

# usage and exit codes
t "no command" 2 S1
t "unknown command" 2 S1 frobnicate
t "status: unknown option" 2 S1 status --yaml
t "handover without --to" 2 S1 handover --dry-run
t "handover --to cxl" 2 S1 handover --to cxl
has "handover --to cxl says why" "only --to hmem"
t "--help" 0 S1 --help
has "--help documents the exit codes" "^exit status:"
has "--help names exit code 3" "^  3  not applicable"

# status on the VM bed's shapes
t "status S1" 0 S1 status
has "status S1: the cxl row" "^0x110000000-0x14fffffff +1G +cxl +cxl +1G +region0"
t "status --json S1" 0 S1 status --json
json "S1 JSON: one cxl range with its region and device" \
	'len(r) == 1 and r[0]["range"] == "0x110000000-0x14fffffff" and r[0]["owner"] == "cxl" and r[0]["state"] == "cxl" and r[0]["regions"] == ["region0"] and r[0]["devices"][0]["chardev"] == "dax0.0" and r[0]["devices"][0]["mode"] == "system-ram" and r[0]["devices"][0]["numa_node"] == 1 and r[0]["online_bytes"] == 1 << 30'
t "status --json S3" 0 S3 status --json
json "S3 JSON: hmem, unbound device of hmem_sr.1, nothing online" \
	'r[0]["owner"] == "hmem" and r[0]["hmem_devices"] == ["hmem_sr.1"] and r[0]["devices"][0]["mode"] == "unbound" and r[0]["devices"][0]["driver"] is None and r[0]["online_bytes"] == 0'
t "status --json S4" 0 S4 status --json
json "S4 JSON: hmem over 2G in two devices, region0 named, all online" \
	'r[0]["owner"] == "hmem" and r[0]["size"] == 2 << 30 and [d["chardev"] for d in r[0]["devices"]] == ["dax2.0", "dax3.0"] and r[0]["regions"] == ["region0"] and r[0]["online_bytes"] == 2 << 30'
t "status --json S4-early" 0 S4-early status --json
json "S4-early JSON: cxl+hmem, state hmem" 'r[0]["owner"] == "cxl+hmem" and r[0]["state"] == "hmem"'
t "status --json broken" 0 broken status --json
json "broken JSON: from /proc/iomem, owner none, state unknown" \
	'r == [dict(r[0], range="0x110000000-0x14fffffff", owner="none", state="unknown", devices=[], online_bytes=0)]'
has "broken: says the report is unavailable" "report is unavailable"
t "status nonroot" 1 nonroot status
has "nonroot: says to run as root" "run as root"
t "status nonroot, no Soft Reserved line" 1 nonroot-cxl status
has "nonroot-cxl: says to run as root, not that there is nothing" "run as root"
o=$(DAX_HMEM_SR_ROOT="$fx/S4" "$tool" status --json 2>&1)
json "DAX_HMEM_SR_ROOT is the root prefix too" 'r[0]["size"] == 2 << 30'

# doctor
t "doctor S1: a good install" 0 S1 doctor
has "doctor S1: no findings" "^doctor: 0 findings$"
has "doctor S1: explains the policy" "^info: policy \\(docs/adr/0004\\)"
has "doctor S1: kprobes not used" "^info: kprobes: not used by the pair"
t "doctor broken" 1 broken doctor
has "doctor broken: stock dax_hmem loaded" "^finding stock-dax-hmem-loaded: "
has "doctor broken: its fix" "^  fix: modprobe -r dax_hmem && modprobe dax_hmem_sr"
has "doctor broken: policy missing" "^finding policy-missing: "
has "doctor broken: its fix" "^  fix: dkms install dax-hmem-sr/0.1.0 installs /usr/lib/modprobe.d/dax-hmem-sr.conf"
has "doctor broken: helper softdep missing" "^finding helper-softdep-missing: "
has "doctor broken: four findings" "^doctor: 4 findings$"
if awk '/^finding / { f = 1; next } f && !/^  fix: / { exit 1 } { f = 0 }' <<<"$o"; then
	pass "doctor broken: every finding has a fix line"
else
	fail "doctor broken: a finding without a fix line"
fi
t "doctor: dax_cxl before the helper" 1 daxcxl-first doctor
has "doctor: load order finding" "^finding dax-cxl-before-helper: "
t "doctor: dax_cxl before the helper, nothing split" 0 daxcxl-reload doctor
has "doctor: load order only as info" "^info: dax_cxl was loaded before cxl_sr_helper"
t "doctor: no empty softdep" 1 nosoftdep doctor
has "doctor: install command ignored" "^finding policy-ignored: dax_hmem has softdeps \\(pre: cxl_acpi"
t "doctor: guard missing" 1 noguard doctor
has "doctor: guard finding" "^finding guard-missing: "
t "doctor: blacklisted" 1 blacklist doctor
has "doctor: blacklist finding" "^finding blacklisted: dax_hmem_sr is blacklisted"
t "doctor: the stock module's region_idle alone" 1 regionidle doctor
has "doctor: option finding" "^finding stock-option-ignored: dax_hmem.region_idle=1 is set, but dax_hmem_sr .* which is N"
has "doctor: its fix" "^  fix: set dax_hmem_sr.region_idle the same"
t "doctor: region_idle on both" 0 regionidle-both doctor
has "doctor: both set, ok" "^ok: dax_hmem.region_idle=1 is set, and dax_hmem_sr.region_idle=Y"
t "doctor: a range lost in a handover" 1 S1-lost doctor
has "doctor: lost finding" "^finding range-lost: range 0x110000000 \\(1G\\) is lost: CXL let go of it"
has "doctor: lost, its fix" "^  fix: nothing decodes it since its CXL region was torn down; a reboot"
hasnt "doctor: lost is not unowned" "^finding range-unowned"
t "doctor: a range partly lost" 1 S4-partlost doctor
has "doctor: partly lost finding" "^finding range-lost: range 0x110000000 \\(2G\\) is partly lost: part lost with its CXL region"
t "status --json: memory an unbind left online" 0 S4-unbound status --json
json "S4-unbound JSON: lost, no device, 2G still online" \
	'r[0]["state"] == "lost" and r[0]["owner"] == "none" and r[0]["devices"] == [] and r[0]["online_bytes"] == 2 << 30'
t "doctor: lost by an unbind" 1 S4-unbound doctor
has "doctor: unbind finding" "^finding range-lost: range 0x110000000 \\(2G\\) is lost: still added from before hmem_platform.0 was unbound"
t "status: a lost range" 0 S1-lost status
has "status: lost shown" "^0x110000000-0x14fffffff +1G +lost +none "
t "doctor: Secure Boot, unsigned" 1 secureboot doctor
has "doctor: unsigned finding" "^finding unsigned-under-secure-boot: dax_hmem_sr"
has "doctor: its fix" "mokutil --import /var/lib/dkms/mok.pub"
t "doctor: initramfs without the policy" 1 initramfs-stale doctor
has "doctor: initramfs finding" "^finding initramfs-stale: .*not the modprobe.d policy"
has "doctor: its fix" "^  fix: update-initramfs -u -k 6.12.117\\+deb12-amd64"
t "doctor: initramfs with both" 0 initramfs-good doctor
has "doctor: initramfs ok" "^ok: the initramfs .* carries dax_hmem_sr and the policy"
t "doctor: a pending range" 1 pending doctor
has "doctor: pending finding" "^finding range-pending: "
t "doctor: the build declined the kernel" 1 declined doctor
has "doctor: says why, from the DKMS build log" "^finding not-installed: .*the build declined it: CONFIG_CXL_BUS=m, but built without CONFIG_DEBUG_INFO_BTF_MODULES"
t "doctor on 7.2" 3 k7.2 doctor
has "doctor 7.2: why" "7.1 and later defer and resolve"
t "doctor on 6.1" 3 k6.1 doctor
has "doctor 6.1: why" "before 6.3 HMEM owns"
t "doctor on 6.4" 1 k6.4 doctor
has "doctor 6.4: unsupported, and why" "^finding kernel-unsupported: .*no <linux/cleanup.h>"

# handover: the plan and the refusals
t "handover dry run S1" 0 S1 handover --to hmem --dry-run
has "handover S1: the range" "range 0x110000000-0x14fffffff \\(1G\\): CXL's"
has "handover S1: 8 blocks to offline" "1\\. offline 8 memory blocks"
has "handover S1: unload cxl_acpi" "2\\. unload cxl_acpi"
has "handover S1: changed nothing" "^dry run: nothing changed$"
hasnt "handover S1: no zone warning when movable" "ZONE_MOVABLE"
if grep -qx online "$fx/S1/sys/devices/system/memory/memory34/state"; then
	pass "handover dry run left memory34 online"
else
	fail "handover dry run changed memory34"
fi
t "handover: no decoder locked" 1 S1-unlocked handover --to hmem --dry-run
has "handover: names an unlocked decoder" "refused: range 0x110000000-0x14fffffff: decoder[12]\\.0 is not locked by firmware: .* would be lost"
hasnt "handover unlocked: refused before any plan" "^plan:"
t "handover: endpoint locked, host bridge not" 1 S1-eplocked handover --to hmem --dry-run
has "handover: names the host bridge's decoder" "refused: range 0x110000000-0x14fffffff: decoder1\\.0 is not locked by firmware"
t "handover: decoders not visible" 1 S1-nodecoders handover --to hmem --dry-run
has "handover: says none is visible" "no decoder of its regions is visible in /sys/bus/cxl"
t "handover dry run S1, memory in ZONE_NORMAL" 0 S1-normal handover --to hmem --dry-run
has "handover: zone warning" "8 of them are outside ZONE_MOVABLE"
t "handover dry run S5: two ranges" 0 S5 handover --to hmem --dry-run
has "handover S5: 12 online blocks" "offline 12 memory blocks"
t "handover: cxl_acpi held" 1 S1-held handover --to hmem --dry-run
has "handover: names the holder" "refused: cxl_acpi is used by cxl_foo"
t "handover: cxl_acpi not loaded" 1 S1-noacpi handover --to hmem --dry-run
t "handover: cxl_acpi not pinned by online CXL memory" 3 S1-nopin handover --to hmem --dry-run
has "handover: says this dax_hmem_sr cannot take over" "does not take ranges over when cxl_acpi goes"
t "handover: no report" 3 broken handover --to hmem --dry-run
has "handover: says why" "without dax_hmem_sr nothing would decide"
t "handover: nothing CXL's" 0 S4 handover --to hmem --dry-run
has "handover S4: nothing to do" "nothing to hand over"
t "handover: live only without --dry-run" 1 S1 handover --to hmem
t "handover: HMEM's online memory over a region pins cxl_acpi" 1 S4-pinned handover --to hmem --dry-run
has "handover: names the pinning range and region" "range 0x110000000-0x18fffffff is hmem's, and memory over region0 is online"
hasnt "handover: refused before any plan" "^plan:"
t "handover: that memory offline, the CXL range goes" 0 S4-unpinned handover --to hmem --dry-run
has "handover S4-unpinned: only region1's range" "range 0x190000000-0x1cfffffff \\(1G\\): CXL's"

# The man page names every finding doctor can print, and the exit codes.
missing=
for id in $(sed -n 's/.*report_finding("\([a-z0-9-]*\)".*/\1/p' "$SR_TOP/src/tool/doctor.c"); do
	grep -q -- "$id" "$SR_TOP/docs/dax-hmem-sr.1" || missing="$missing $id"
done
if [ -z "$missing" ]; then pass "man page lists every doctor finding"; else fail "man page lacks:$missing"; fi
if [ "$(grep -c '^\.B [0-3]$' "$SR_TOP/docs/dax-hmem-sr.1")" = 4 ]; then
	pass "man page documents exit codes 0 to 3"
else
	fail "man page exit codes"
fi

# The VM bed's host-side checker must fail on a mismatch, not only pass.
log=$out/check-status.log
{
	echo "=== VMTEST JSON BEGIN"
	"$tool" --sysfs-root "$fx/S4-early" status --json 2>/dev/null
	echo "=== VMTEST JSON END rc=0"
} >"$log"
chk=$SR_TOP/tests/vm/check-status.py
if [ "$(python3 "$chk" "$log" "cxl/-:1G+hmem/kmem:1G" 1 "")" = ok ]; then
	pass "check-status.py: matching owners"
else
	fail "check-status.py: matching owners"
fi
if ! python3 "$chk" "$log" "hmem/kmem:2G" 1 "" >/dev/null; then
	pass "check-status.py: other owners fail"
else
	fail "check-status.py: other owners pass"
fi
if ! python3 "$chk" "$log" "cxl/-:1G+hmem/kmem:1G" 2 "" >/dev/null; then
	pass "check-status.py: other online bytes fail"
else
	fail "check-status.py: other online bytes pass"
fi

tally
