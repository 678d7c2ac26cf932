#!/bin/bash
# Negative controls for the debug suite's filters (issue 13): what the
# guest keeps of kmemleak's report (guest/leaks.sh), where the sweep puts
# an injected failure and its filter (guest/faults.sh), and how the fault
# table judges a sweep (tests/vm/faults.sh).  Each filter is fed records
# it must keep and records it must drop, in the formats the kernels print.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

g=$SR_TOP/tests/vm/guest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# kmemleak's report as 6.12 prints it ("    %pS" a frame) and as 6.1 did
# ("    [<%pK>] %pS"): the pair's by name, the pair's after unload (bare
# module addresses), the stock dax_hmem's, the core kernel's.
cat >"$tmp/kmemleak" <<'EOF'
unreferenced object 0xffff888104a1c000 (size 64):
  comm "kworker/u8:2", pid 57, jiffies 4294893210
  hex dump (first 32 bytes):
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
  backtrace (crc 1a2b3c4d):
    __kmalloc_cache_noprof+0x1a0/0x2c0
    hmem_sr_track+0x44/0x120 [dax_hmem_sr]
    process_one_work+0x1c0/0x3a0
unreferenced object 0xffff888104a1d000 (size 128):
  comm "modprobe", pid 300, jiffies 4294893999
  backtrace (crc 5e6f7a8b):
    __kmalloc_cache_noprof+0x1a0/0x2c0
    0xffffffffc03d8123
    do_one_initcall+0x60/0x220
unreferenced object 0xffff888104a1e000 (size 32):
  comm "modprobe", pid 301, jiffies 4294894000
  backtrace (crc 0):
    [<ffffffff81345678>] __kmalloc+0x1a0/0x2c0
    [<ffffffffc03c9010>] 0xffffffffc03c9010
unreferenced object 0xffff888104a1f000 (size 32):
  comm "modprobe", pid 302, jiffies 4294894001
  backtrace (crc 0):
    __kmalloc_cache_noprof+0x1a0/0x2c0
    hmem_register_device+0x30/0x90 [dax_hmem]
unreferenced object 0xffff888104a20000 (size 32):
  comm "swapper/0", pid 1, jiffies 4294890000
  backtrace (crc 0):
    kmemleak_alloc+0x4a/0x80
    acpi_os_map_iomem+0x10/0x30
EOF
cat >>"$tmp/kmemleak" <<'EOF'
unreferenced object 0xffff88800201ee40 (size 8):
  comm "kworker/u8:0", pid 11, jiffies 4295158222
  backtrace (crc 311476fa):
    __kmalloc_node_track_caller_noprof+0x36e/0x410
    kvasprintf+0xb5/0x140
    kobject_set_name_vargs+0x43/0x120
    dev_set_name+0xb3/0xe0
    __devm_create_dev_dax+0x1cc/0xe00
    devm_create_dev_dax+0x1c/0x40
    dax_hmem_sr_probe+0x1e0/0x2c0 [dax_hmem_sr]
unreferenced object 0xffff88800254ee00 (size 64):
  comm "kworker/u8:2", pid 189, jiffies 4297769520
  backtrace (crc 3de3c2a1):
    __kmalloc_cache_noprof+0x2b4/0x360
    __request_region+0x53/0xd0
    alloc_dev_dax_range+0x120/0x860
    __devm_create_dev_dax+0x21a/0xe00
    devm_create_dev_dax+0x1c/0x40
    dax_hmem_sr_probe+0x1e0/0x2c0 [dax_hmem_sr]
unreferenced object 0xffff888079620b80 (size 32):
  comm "kworker/u8:2", pid 189, jiffies 4297769520
  backtrace (crc e877e01a):
    __kmalloc_node_track_caller_noprof+0x36e/0x410
    krealloc_noprof+0x5d/0x120
    alloc_dev_dax_range+0x1af/0x860
    __devm_create_dev_dax+0x21a/0xe00
    devm_create_dev_dax+0x1c/0x40
    dax_hmem_sr_probe+0x1e0/0x2c0 [dax_hmem_sr]
EOF
# shellcheck source=../vm/guest/leaks.sh
. "$g/leaks.sh"
arg() { [ "$1" = vmfileak ] && echo "dax-name-leak:dev_set_name:__devm_create_dev_dax,dax-range-leak:alloc_dev_dax_range:__devm_create_dev_dax"; }
out=$(pair_leaks "$tmp/kmemleak")
if grep -q '^KERNEL-LEAK dax-name-leak' /tmp/leaks.kernel && grep -q 'object 0xffff88800201ee40 ' /tmp/leaks.kernel &&
   ! grep -q 'object 0xffff88800201ee40 ' <<<"$out"; then
	pass "kmemleak filter: a known kernel leak under the pair listed apart, not counted"
else
	fail "kmemleak filter: the kernel leak"; cat /tmp/leaks.kernel
fi
# the range's two objects, allocated a frame or two below the callee
if [ "$(grep -c '^KERNEL-LEAK dax-range-leak' /tmp/leaks.kernel)" = 2 ] &&
   ! grep -q 'object 0xffff88800254ee00 \|object 0xffff888079620b80 ' <<<"$out"; then
	pass "kmemleak filter: a second known leak, deeper below the pair, listed apart"
else
	fail "kmemleak filter: the range leak"; cat /tmp/leaks.kernel
fi
arg() { echo "${2:-}"; }
n=$(grep -c '^unreferenced object' <<<"$out")
if [ "$n" = 3 ]; then pass "kmemleak filter: the pair's three objects kept"; else fail "kmemleak filter kept $n, want 3"; fi
for a in 0xffff888104a1c000 0xffff888104a1d000 0xffff888104a1e000; do
	if grep -q "object $a " <<<"$out"; then pass "kmemleak filter keeps $a"; else fail "kmemleak filter dropped $a"; fi
done
if grep -qE 'object 0xffff888104a(1f|20)000' <<<"$out"; then
	fail "kmemleak filter kept the stock module's or the kernel's object"
else
	pass "kmemleak filter drops the stock dax_hmem's and the kernel's objects"
fi
if [ -z "$(pair_leaks /dev/null)" ]; then pass "kmemleak filter: empty report, nothing"; else fail "kmemleak filter: output from an empty report"; fi

# fault_site: the innermost reliable frame of the pair after the dump
# shellcheck source=../vm/guest/faults.sh
. "$g/faults.sh"
cat >"$tmp/dmesg" <<'EOF'
[  10.0] unrelated line
[  11.0] FAULT_INJECTION: forcing a failure.
[  11.0] name failslab, interval 3, probability 100, space 0, times 0
[  11.0] CPU: 1 UID: 0 PID: 57 Comm: kworker/u8:2
[  11.0] Call Trace:
[  11.0]  <TASK>
[  11.0]  dump_stack_lvl+0x5d/0x80
[  11.0]  should_fail_ex+0x4b0/0x5e0
[  11.0]  ? kmalloc_trace+0x20/0x40
[  11.0]  ? hold_new+0x11/0x80 [cxl_sr_helper]
[  11.0]  __kmalloc_cache_noprof+0x70/0x2c0
[  11.0]  device_link_add+0x3c0/0xa40
[  11.0]  hold+0x44/0x120 [cxl_sr_helper]
[  11.0]  hmem_sr_defer+0x10/0x40 [dax_hmem_sr]
[  11.0]  </TASK>
EOF
dmesg() { cat "$tmp/dmesg"; }
s=$(fault_site 0)
if [ "$s" = hold ]; then pass "fault_site: innermost reliable frame (hold), not the unwinder's guess"; else fail "fault_site: '$s', want hold"; fi
s=$(fault_site 14)
if [ -z "$s" ]; then pass "fault_site: nothing after the dump"; else fail "fault_site after the dump: '$s'"; fi

# sweeps_of: vmfisweeps picks among a trigger's sweeps, in their order
arg() { case $1 in vmfisweeps) echo "$SWEEPS" ;; *) echo "${2:-}" ;; esac; }
SWEEPS='' s=$(sweeps_of load | tr '\n' ' ')
if [ "$s" = "cxl_sr_helper:init dax_hmem_sr:init dax_hmem_sr:text " ]; then pass "sweeps_of: every sweep of the load"; else fail "sweeps_of load: '$s'"; fi
SWEEPS=dax_hmem_sr:text,cxl_sr_helper:init s=$(sweeps_of load | tr '\n' ' ')
if [ "$s" = "cxl_sr_helper:init dax_hmem_sr:text " ]; then pass "sweeps_of: vmfisweeps keeps the named ones"; else fail "sweeps_of vmfisweeps: '$s'"; fi
SWEEPS=dax_hmem_sr:init s=$(sweeps_of bind)
if [ -z "$s" ]; then pass "sweeps_of: a sweep the trigger has not is no sweep"; else fail "sweeps_of bind: '$s'"; fi
unset -f arg

# code_span: lowest address, end of the highest one's page
s=$(printf '%s\n' ffffffffc03d9010 ffffffffc03c8000 ffffffffc03d8fff | code_span)
if [ "$s" = "ffffffffc03c8000 ffffffffc03da000" ]; then pass "code_span: whole pages"; else fail "code_span: '$s'"; fi
unset -f dmesg

# The fault table: every path reached and every run clean, or it fails.
line() { echo "FAULT $1 failslab $2 site=$3 clean=${4:-yes} bad=0 owners=ok reload=ok secs=1(0+0+0+0) log=x: y"; }
{
	line load 1 dax_hmem_sr_init
	line load 2 dax_hmem_sr_platform_probe
	line load 3 hmem_sr_decide_range
	line load 4 hmem_sr_register_piece
	line load 5 add_claim
	line load 6 hmem_sr_report
	line load 7 hmem_sr_track
	line bind 1 hold
	line handover 1 handover_work_fn
	echo "FAULTS-DONE load failslab 7"
} >"$tmp/all.log"
if o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/all.log" 2>&1); then
	pass "fault table: all paths, all clean: exit 0"
else
	fail "fault table: all clean, exit non-zero"; sed 's/^/    /' <<<"$o"
fi
grep -v handover_work_fn "$tmp/all.log" >"$tmp/nohandover.log"
o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/nohandover.log" 2>&1)
if [ $? != 0 ] && grep -q 'never reached: handover' <<<"$o"; then
	pass "fault table: a path never reached fails, named"
else
	fail "fault table: a missing path passed"
fi
{ cat "$tmp/nohandover.log"; echo "FAULTS-DONE handover/dax_hmem_sr:text failslab 78 (from 53)"; } >"$tmp/hosweep.log"
o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/hosweep.log" 2>&1)
if [ $? = 0 ] && grep -q '^handover: no allocation of its own; the handover trigger' <<<"$o"; then
	pass "fault table: the handover work's path swept by a finished handover sweep, said so"
else
	fail "fault table: a finished handover sweep did not cover the handover work"; sed 's/^/    /' <<<"$o"
fi
{ cat "$tmp/all.log"; line bind 2 hold no; } >"$tmp/unclean.log"
o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/unclean.log" 2>&1)
if [ $? != 0 ] && grep -q '1 not clean' <<<"$o"; then pass "fault table: an unclean run fails"; else fail "fault table: an unclean run passed"; fi
{ cat "$tmp/all.log"; echo "FAULT bind failslab 3 filter-impure: dax_cxl kmem in x y"; } >"$tmp/impure.log"
o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/impure.log" 2>&1)
if [ $? != 0 ] && grep -q '1 not clean' <<<"$o"; then pass "fault table: an impure filter fails"; else fail "fault table: an impure filter passed"; fi
for bad in "handover/dax_hmem_sr:text failslab 3 restore-failed: owners hmem/-:512M none:1G after the restore" \
	   "load/dax_hmem_sr:text none-injected: no allocation under its code" \
	   "load/cxl_sr_helper:init failslab 2 filter-impure: dax_hmem_sr loaded before its window"; do
	{ cat "$tmp/all.log"; echo "FAULT $bad"; } >"$tmp/harness.log"
	o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/harness.log" 2>&1)
	if [ $? != 0 ] && grep -q '1 not clean' <<<"$o"; then
		pass "fault table: a run judged $(grep -oE '(restore-failed|none-injected|filter-impure)' <<<"$bad") fails"
	else
		fail "fault table: '$bad' passed"
	fi
done
# a kernel defect kept out is listed and passes; a reject not found fails
{ cat "$tmp/all.log"; echo "FAULT-EXCLUDED dax-region-rwsem __devm_create_dev_dax+0x6e9 at ffffffff8177f6e9: a kernel defect"; } >"$tmp/excl.log"
o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/excl.log" 2>&1)
if [ $? = 0 ] && grep -q '^  dax-region-rwsem __devm_create_dev_dax+0x6e9' <<<"$o" && grep -q '^faults: 9 injected' <<<"$o"; then
	pass "fault table: a kernel defect kept out is named, not counted"
else
	fail "fault table: kernel defect line"; sed 's/^/    /' <<<"$o"
fi
{ cat "$tmp/all.log"; echo "KERNEL-LEAK dax-name-leak"; echo "KERNEL-LEAK dax-name-leak"; } >"$tmp/kleak.log"
o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/kleak.log" 2>&1)
if [ $? = 0 ] && grep -q '^  dax-name-leak: 2 kmemleak report' <<<"$o"; then
	pass "fault table: the kernel's own leaks listed, not counted"
else
	fail "fault table: kernel leak lines"; sed 's/^/    /' <<<"$o"
fi
{ cat "$tmp/all.log"; echo "FAULT-EXCLUDED dax-region-rwsem reject-missing: no __devm_create_dev_dax in /proc/kallsyms"; } >"$tmp/excl.log"
o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/excl.log" 2>&1)
if [ $? != 0 ]; then pass "fault table: a kernel defect's reject not found fails"; else fail "fault table: reject-missing passed"; fi
# the defect's call found in objdump's output, of a module and of vmlinux
kd=$SR_TOP/tests/vm/kernel-defects.sh
o=$(printf '%s\n' '0000000000001230 <__devm_create_dev_dax>:' '    1234:	call   1239 <__devm_create_dev_dax+0x9>' \
	'			1235: R_X86_64_PLT32	__devm_add_action-0x4' '    1239:	test   %eax,%eax' \
	'    1240:	call   1245 <__devm_create_dev_dax+0x15>' '			1241: R_X86_64_PLT32	unregister_dev_dax-0x4' '    1245:	ret' |
	"$kd" --return-offset __devm_create_dev_dax __devm_add_action)
if [ "$o" = 0x9 ]; then pass "kernel-defects: a module's call by its relocation"; else fail "kernel-defects: module offset '$o'"; fi
o=$(printf '%s\n' 'ffffffff81770000 <other>:' 'ffffffff81770004:	call   ffffffff81791230 <__devm_add_action>' 'ffffffff81770009:	ret' \
	'ffffffff8177f000 <__devm_create_dev_dax>:' 'ffffffff8177f6e4:	call   ffffffff81791230 <__devm_add_action>' 'ffffffff8177f6e9:	test   %eax,%eax' |
	"$kd" --return-offset __devm_create_dev_dax __devm_add_action)
if [ "$o" = 0x6e9 ]; then pass "kernel-defects: vmlinux's call by name, in its function only"; else fail "kernel-defects: vmlinux offset '$o'"; fi

# the probe allocates nothing itself: a finished bind sweep of the core
# text covers it, a sweep cut short does not
grep -v dax_hmem_sr_platform_probe "$tmp/all.log" >"$tmp/noprobe.log"
o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/noprobe.log" 2>&1)
if [ $? != 0 ] && grep -q 'never reached: probe' <<<"$o"; then
	pass "fault table: no probe site and no finished bind sweep: probe never reached"
else
	fail "fault table: probe counted as reached without a bind sweep"; sed 's/^/    /' <<<"$o"
fi
{ cat "$tmp/noprobe.log"; echo "FAULTS-DONE bind/dax_hmem_sr:text failslab 93 (from 91)"; } >"$tmp/bindsweep.log"
o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/bindsweep.log" 2>&1)
if [ $? = 0 ] && grep -q '^probe: no allocation of its own' <<<"$o"; then
	pass "fault table: the probe's path swept by a finished bind sweep, said so"
else
	fail "fault table: finished bind sweep did not cover the probe"; sed 's/^/    /' <<<"$o"
fi
# the same with the line early in a long log, as a real part's (a reader
# that stops at the match must not fail the pipeline)
{ echo "FAULTS-DONE bind/dax_hmem_sr:text failslab 93 (from 91)"; cat "$tmp/noprobe.log"
  seq -f '[ %g.000000] console line' 1 200000; } >"$tmp/bindlong.log"
o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/bindlong.log" 2>&1)
if [ $? = 0 ] && grep -q '^probe: no allocation of its own' <<<"$o"; then
	pass "fault table: a finished bind sweep found early in a long log"
else
	fail "fault table: a long log hid the finished bind sweep"; sed 's/^/    /' <<<"$o"
fi

o=$("$SR_TOP/tests/vm/faults.sh" -r "$tmp/all.log" -r "$tmp/nohandover.log" 2>&1)
if [ $? = 0 ] && grep -q '^faults: 17 injected' <<<"$o"; then pass "fault table: two logs read as one"; else fail "fault table: two logs"; sed 's/^/    /' <<<"$o"; fi

tally
