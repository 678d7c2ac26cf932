# Fault injection on the pair's own paths (issue 13), guest side, sourced by
# lib.sh.  main_test calls faults_all after its checks when vmfaults= is set.
#
#   vmfaults=T,...   triggers, in turn:
#       load      the pair loaded (modprobe dax_hmem_sr) with dax_cxl already
#                 there: module init of both modules, the probe, the
#                 decision work, the pieces, the claims, the report
#       bind      hmem_platform.0 bound again, with the CXL dax regions
#                 unbound from dax_cxl before (the probe, the gate's holds,
#                 the decision work, the pieces, the claims, the report)
#       handover  cxl_acpi removed (the handover work)
#   vmfidepth=D      innermost frames of an allocation the filter looks at
#                    (default 12)
#   vmfimax=N        the cap on N (default 400: bind with three ranges makes
#                    more than 150; reaching it fails the trigger and the
#                    sweep counts as unfinished, unless it was given: a
#                    trial)
#   vmfifrom=N       a trial, or a sweep resumed: the first sweep (and
#                    kind) starts at N, the others at 1 (the counter starts
#                    at 0 with the boot, so the Nth call is the Nth still)
#   vmfisweeps=S,... these of the triggers' sweeps only (MODULE:SECTION):
#                    one scenario each for the long ones, so the sweep
#                    runs in parallel guests
#   vmfireject=NAME:FUNCTION+0xOFFSET
#                    the kernel defect no caller survives, never injected
#                    (run-test.sh adds it: tests/vm/kernel-defects.sh)
#
# For each trigger, sweep (below), kind (failslab, then fail_page_alloc)
# and N = 1, 2, ... the Nth allocation with the sweep's code among the D
# innermost frames of its stack fails (deeper frames are other drivers' probes the pair started),
# until a run makes fewer than N.  Each run starts from the normal state
# (what main_test found: the baseline) and prints
#   FAULT trigger kind n site=FUNC clean=... bad=N owners=... reload=... log=...
# (trigger as TRIGGER/MODULE:SECTION, the sweep) and FAULTS gets ok, or
# how many runs were not clean:
#   site    the pair's innermost function on the failing stack ("quiet": an
#           __GFP_NOWARN allocation, which fault injection does not dump)
#   log     the first error or warning the kernel logged after the failure
#           that is not the dump of the injected failure itself; "(no
#           effect)" when there is none and everything a user sees (owners,
#           report, dax devices, device links, modules) is as in the
#           baseline: the caller retried or did without (an XArray's
#           __GFP_NOWARN first try, a lost uevent); none when there is
#           neither, a failure that went silent
#   bad     kernel reports (bad_lines) after the failure, the dump excluded
#   owners  ok: every range owned as in the baseline, or by one owner other
#           than the baseline's; conflict: some range without a dax device,
#           which the report shows as conflict (or, when the report's own
#           allocation failed, leaves out) and the doctor finds;
#           unloaded: the trigger's modprobe failed and said so, the doctor
#           finds pair-not-loaded.  Anything else is not clean.
#   reload  after modprobe -r of the pair and a fresh modprobe: the baseline
#
# The filter is one address span (fault injection takes one): a sweep is
# one module's core text, or its init code (sweeps_of, sweep_span), and a
# trigger has a sweep of each that allocates under it.  Module memory is
# allocated whole, so no other module's code lies inside ("filter-impure"
# if it did); a load puts a module back where it was when it starts from
# the same state, which fault_run checks ("filter-missed" when not).
#
# The count: fault injection fails the call at which its counter (calls that
# passed the filter while armed) reaches a multiple of "interval".  The
# counter is not readable, but it only moves while armed, so it is tracked
# here: after a run that failed call N it stands at the interval used.
# shellcheck shell=sh

FI=/sys/kernel/debug
# read by fi_arm and fi_disarm through eval
# shellcheck disable=SC2034
FI_COUNT_failslab=0
# shellcheck disable=SC2034
FI_COUNT_fail_page_alloc=0

fi_setup() {
	_d=$FI/$1
	echo 0 >"$_d/probability"
	echo N >"$_d/task-filter"
	echo 2 >"$_d/verbose"
	echo 0 >"$_d/verbose_ratelimit_interval_ms"
	echo "$(arg vmfidepth 12)" >"$_d/stacktrace-depth"
	echo N >"$_d/ignore-gfp-wait"
	case $1 in
	failslab) echo N >"$_d/cache-filter" ;;
	fail_page_alloc) echo N >"$_d/ignore-gfp-highmem"; echo 0 >"$_d/min-order" ;;
	esac
}

# Code addresses of module $1's core text (every section of it but
# .init.text, and its text symbols), 16 hex digits a line, sorted (busybox
# awk has no 64-bit numbers, so these compare as strings; the shell's
# arithmetic wraps as the kernel's does).  Another module's .init.text is
# stale: freed when its init returned, maybe someone else's now.
module_text() {
	{
		for _s in /sys/module/"$1"/sections/.text* /sys/module/"$1"/sections/.exit.text; do
			[ -r "$_s" ] && sed 's/^0x//' "$_s"
		done
		awk -v m="[$1]" '$4 == m && $2 ~ /^[tT]$/ { print $1 }' /proc/kallsyms
	} | sort -u
}

# "LO HI" of a list of code addresses: HI the end of the last one's page
# (module memory is whole pages, never shared).
code_span() {
	_l=$(sort)
	[ -n "$_l" ] || return 0
	printf '%s %016x\n' "$(echo "$_l" | head -n1)" \
		$(( (0x$(echo "$_l" | tail -n1) & ~4095) + 4096 ))
}

# sweep_span MODULE SECTION: the span a sweep's filter requires, one
# allocation of module memory each, so no other module's code can lie
# inside: "text" the core text as loaded now, "init" the page of
# .init.text where the module was last loaded (its init code is a few
# hundred bytes; a load from the same state puts it there again).
sweep_span() {
	case $2 in
	text) module_text "$1" | code_span ;;
	init)
		[ -r "/sys/module/$1/sections/.init.text" ] || return 0
		_a=$(sed 's/^0x//' "/sys/module/$1/sections/.init.text")
		printf '%s %016x\n' "$_a" $(( 0x$_a + 4096 )) ;;
	esac
}

# Where a module's memory sits (its sections), to compare after a load.
placement() { cat /sys/module/"$1"/sections/.text /sys/module/"$1"/sections/.init.text 2>/dev/null | tr '\n' ' '; }

# span_pure LO HI: no other module's text symbol inside; else their names
span_pure() {
	awk -v lo="$1" -v hi="$2" '$2 ~ /^[tT]$/ && $4 ~ /^\[/ &&
		$4 != "[dax_hmem_sr]" && $4 != "[cxl_sr_helper]" && $1 >= lo && $1 < hi {
			print $4; f = 1; exit } END { exit f }' /proc/kallsyms
}

# The sweeps of a trigger: MODULE:SECTION, in turn.  An allocation with both
# modules' code on its stack counts in both.  While the pair loads, the
# init code of each and dax_hmem_sr's core (its probe, decision work,
# pieces, claims and report) allocate, the helper's core only under its
# init (the gate's set-up), which the helper's init sweep has.
sweeps_of() {
	case $1 in
	load) _all="cxl_sr_helper:init dax_hmem_sr:init dax_hmem_sr:text" ;;
	*) _all="dax_hmem_sr:text cxl_sr_helper:text" ;;
	esac
	[ -n "$(arg vmfisweeps)" ] || { echo "$_all"; return; }
	for _s in $_all; do
		case ,$(arg vmfisweeps), in *,"$_s",*) echo "$_s" ;; esac
	done
}

# fi_filter LO HI: require a frame in LO..HI
fi_filter() {
	for _k in failslab fail_page_alloc; do
		echo "0x$1" >"$FI/$_k/require-start"
		echo "0x$2" >"$FI/$_k/require-end"
	done
}

# fi_reject: fault injection kept off the kernel defect vmfireject names
# (NAME:FUNCTION+0xOFFSET, from tests/vm/kernel-defects.sh): an allocation
# under that call is never failed, as no caller survives it.  The span is
# the one return address, a frame no other allocation has.
fi_reject() {
	_r=$(arg vmfireject)
	[ -n "$_r" ] || return 0
	_fn=${_r#*:}
	_off=${_fn#*+}
	_fn=${_fn%+*}
	_a=$(awk -v f="$_fn" '$3 == f && $2 ~ /^[tT]$/ { print $1; exit }' /proc/kallsyms)
	if [ -z "$_a" ]; then
		echo "FAULT-EXCLUDED ${_r%%:*} reject-missing: no $_fn in /proc/kallsyms"
		FAULTS_BAD=$(( FAULTS_BAD + 1 ))
		return
	fi
	_at=$(printf '%016x' $(( 0x$_a + _off )))
	for _k in failslab fail_page_alloc; do
		echo "0x$_at" >"$FI/$_k/reject-start"
		printf '0x%016x\n' $(( 0x$_at + 1 )) >"$FI/$_k/reject-end"
	done
	echo "FAULT-EXCLUDED ${_r%%:*} $_fn+$_off at $_at: a kernel defect (tests/vm/kernel-defects.conf), not injected"
}

# fi_arm KIND N: the Nth filtered call from now on fails
fi_arm() {
	eval "_c=\$FI_COUNT_$1"
	FI_INTERVAL=$(( _c + $2 ))
	echo "$FI_INTERVAL" >"$FI/$1/interval"
	echo 1 >"$FI/$1/times"
	echo 100 >"$FI/$1/probability"
}

# fi_disarm KIND N: 0 when the failure was injected
fi_disarm() {
	echo 0 >"$FI/$1/probability"
	eval "_c=\$FI_COUNT_$1"
	if [ "$(cat "$FI/$1/times")" = 0 ]; then
		[ "$FI_INTERVAL" -gt 1 ] && _c=$FI_INTERVAL
		eval "FI_COUNT_$1=$_c"
		return 0
	fi
	# fewer than N calls: N - 1, as the run before failed call N - 1
	[ "$FI_INTERVAL" -gt 1 ] && _c=$(( _c + $2 - 1 ))
	eval "FI_COUNT_$1=$_c"
	return 1
}

# The pair's innermost function on the first injected failure's stack
# (reliable frames only: "? fn" is a guess of the unwinder).
fault_site() {
	dmesg | tail -n +"$(( $1 + 1 ))" | awk '
		/FAULT_INJECTION: forcing a failure/ { on = 1; next }
		on && /\[(dax_hmem_sr|cxl_sr_helper)\]/ {
			for (i = 1; i <= NF; i++) if ($i ~ /\+0x/) {
				if ($(i - 1) == "?") break
				sub(/\+.*/, "", $i); print $i; exit
			}
		}
		on && /<\/TASK>/ { exit }'
}

# The first error or warning since line $1 about the pair's devices or
# ranges, not counting the dump of the injected failure.
fault_log() {
	dmesg -r | tail -n +"$(( $1 + 1 ))" | strip_fault_dumps | awk '
		/^<[34]>/ && /dax_hmem_sr|cxl_sr_helper|hmem_platform|hmem_sr\.|dax_region[0-9]|Soft Reserved/ {
			sub(/^<[0-9]+>\[ *[0-9.]+\] /, ""); print; exit }'
}

owners_all() {
	sr_ranges | while read -r _b _s; do
		[ -n "$_b" ] && printf '%s ' "$(owner_of_range "$_b" "$_s")"
	done
}

# ok, conflict or unloaded (see the top), else what is wrong
fault_owners() {
	_now=$(owners_all)
	[ "$_now" = "$BASE_OWNERS" ] && { echo ok; return; }
	case $_now in *double*) echo "double:$_now"; return ;; esac
	case $_now in *none*) ;; *) echo ok; return ;; esac
	dax-hmem-sr doctor >/tmp/fault.doctor 2>&1
	if ! grep -q '^dax_hmem_sr ' /proc/modules; then
		if [ "$1" = load ] && [ "$FI_RC" != 0 ] &&
		   grep -q 'finding pair-not-loaded' /tmp/fault.doctor; then
			echo unloaded
		else
			echo "unowned-unloaded:$_now"
		fi
		return
	fi
	# every range some of which has no dax device: conflict in the report
	_bad=
	_i=0
	for _o in $_now; do
		_i=$(( _i + 1 ))
		case $_o in *none*) ;; *) continue ;; esac
		_b=$(sr_ranges | sed -n "${_i}p" | cut -d' ' -f1)
		_st=$(awk -v b="$(hex "$_b")" '$1 == b { print $3 }' /sys/kernel/debug/dax_hmem_sr/ranges)
		# conflict, or left out (the report's own allocation failed): then
		# the tool lists it from /proc/iomem and the doctor finds it
		case ${_st:-unreported} in
		conflict|unreported) ;;
		*) _bad="$_bad$(hex "$_b"):$_st:$_o," ;;
		esac
	done
	grep -qE 'finding range-(conflict|unowned)' /tmp/fault.doctor || _bad="${_bad}doctor-silent,"
	if [ -n "$_bad" ]; then echo "unowned:${_bad%,}"; else echo conflict; fi
}

# fault_state FILE: what a user sees, to tell a failure without effect and
# a restore that did not reach the baseline: owners, the report, dax
# devices and their drivers, device links, the pair's modules.
fault_state() {
	{
		owners_all
		echo
		cat /sys/kernel/debug/dax_hmem_sr/ranges
		ls /sys/bus/dax/devices /sys/bus/dax/drivers/* /sys/class/devlink
		grep -E '^(dax_hmem_sr|cxl_sr_helper|dax_cxl) ' /proc/modules | cut -d' ' -f1
	} >"$1" 2>/dev/null
}
# nothing when as in the baseline, else the first line that differs
state_drift() {
	fault_state /tmp/fault.state
	cmp -s /tmp/fault.base /tmp/fault.state && return 0
	diff /tmp/fault.base /tmp/fault.state | grep -m1 '^[<>]' | tr ' ' '_'
}

# settle, cheaper: a few hundred runs with a dozen settles each make the
# sweep, and every process costs under KASAN in TCG.  Three equal looks,
# and no range of the report still pending (which makes every look differ).
fingerprint_fast() {
	{
		cat /proc/iomem /proc/modules /sys/kernel/debug/dax_hmem_sr/ranges
		ls /sys/bus/dax/devices /sys/bus/dax/drivers/* /sys/bus/cxl/drivers/cxl_dax_region
		grep -qs ' pending ' /sys/kernel/debug/dax_hmem_sr/ranges && cat /proc/uptime
	} 2>/dev/null | md5sum
}
settle_fast() { settle_by fingerprint_fast 3 0.2; }

# The normal state, from scratch: the pair loaded again.  dax_cxl stays:
# its reload would cost a release delay of DEBUG_KOBJECT_RELEASE a run,
# and the gate's holds are the bind trigger's.  The helper first, on its
# own, as modprobe dax_hmem_sr would load it, so that the helper's init
# sweep is armed for the helper's load alone.  By name: the alias would
# also run the stock module's guard, twice a run.
pair_unload() {
	$MODPROBE -r -q dax_hmem_sr cxl_sr_helper 2>/dev/null
	settle_fast
}
# The helper's gate asks for dax_hmem_sr itself (request_module_nowait)
# when it closes.  Served at once, that load would fall inside the
# helper's init sweep (dax_hmem_sr's code taking the helper's freed init
# page, the filter's span, its allocations counting there) or before
# dax_hmem_sr's sweeps are armed (nothing left for them to count).  While
# a sweep's load runs, the kernel's modprobe is this shim, which waits
# until the right window is open; the request is then served as a user's
# machine would serve it.
FI_SHIM=/tmp/fault-modprobe
fi_shim() {
	FI_MODPROBE_PATH=$(cat /proc/sys/kernel/modprobe)
	cat >$FI_SHIM <<SHIM
#!/bin/sh
: >/tmp/fault.queued.\$\$
while [ -e /tmp/fault.hold ]; do sleep 0.1; done
$FI_MODPROBE_PATH "\$@"
rc=\$?
rm -f /tmp/fault.queued.\$\$
exit \$rc
SHIM
	chmod 755 $FI_SHIM
}
hold_requests() {
	: >/tmp/fault.hold
	echo $FI_SHIM >/proc/sys/kernel/modprobe
}
release_requests() {
	echo "$FI_MODPROBE_PATH" >/proc/sys/kernel/modprobe
	rm -f /tmp/fault.hold
	while ls /tmp/fault.queued.* >/dev/null 2>&1; do sleep 0.1; done
}

# pair_load [SWEEP KIND N]: armed for the helper's load alone (its init
# sweep: disarmed when its init has returned, before anything else loads)
# or for dax_hmem_sr's (the gate's request or ours) and what follows;
# FR_HIT from fi_disarm, FR_IMPURE when dax_hmem_sr loaded outside its
# window all the same
pair_load() {
	case ${1:-} in
	'') _at= ;;
	cxl_sr_helper:init) _at=helper ;;
	*) _at=hmem ;;
	esac
	[ -n "$_at" ] && hold_requests
	[ "$_at" = helper ] && fi_arm "$2" "$3"
	$MODPROBE cxl_sr_helper 2>&1
	FI_RC=$?
	if [ "$_at" = helper ]; then
		fi_disarm "$2" "$3"
		FR_HIT=$?
	fi
	if [ -n "$_at" ]; then
		settle_fast
		grep -q '^dax_hmem_sr ' /proc/modules && FR_IMPURE="dax_hmem_sr loaded before its window"
		[ "$_at" = hmem ] && fi_arm "$2" "$3"
		release_requests
	fi
	settle_fast
	# modprobe dax_hmem_sr fails with its dependency
	[ "$_at" = helper ] && [ $FI_RC != 0 ] && return 0
	$MODPROBE dax_hmem_sr 2>&1 || FI_RC=$?
	settle_fast
	if [ "$_at" = hmem ]; then
		fi_disarm "$2" "$3"
		FR_HIT=$?
	fi
	return 0
}

# trigger_pre/do/restore TRIGGER.  Before "bind", dax_cxl lets go of the
# CXL dax regions too, so that the gate finds them unbound and holds them.
trigger_pre() {
	case $1 in
	load) pair_unload ;;
	bind)
		echo hmem_platform.0 >/sys/bus/platform/drivers/dax_hmem_sr_platform/unbind
		for _r in /sys/bus/cxl/drivers/cxl_dax_region/dax_region*; do
			[ -e "$_r" ] && echo "${_r##*/}" >/sys/bus/cxl/drivers/cxl_dax_region/unbind
		done
		settle_fast ;;
	handover) ;;
	esac
}
# trigger_do TRIGGER SWEEP KIND N: armed for what the trigger runs; FR_HIT
# 0 when the failure was injected
trigger_do() {
	FI_RC=0
	[ "$1" = load ] || fi_arm "$3" "$4"
	case $1 in
	load) pair_load "$2" "$3" "$4" ;;
	bind)
		if echo hmem_platform.0 >/sys/bus/platform/drivers/dax_hmem_sr_platform/bind; then
			FI_RC=0
		else
			FI_RC=1
		fi
		settle_fast ;;
	handover)
		$MODPROBE -r cxl_acpi 2>&1
		FI_RC=$?
		settle_fast ;;
	esac
	if [ "$1" != load ]; then
		fi_disarm "$3" "$4"
		FR_HIT=$?
	fi
}
# After a handover the region is gone with its decoders: cxl_acpi back,
# the region made again where it was (recreate's way), then the pair.
# That needs a topology where the host bridge's decoders commit again in
# order: none committed above the region's (scenario FAULTS-handover; with
# FAULTS-bind's hidden device one stays, and port1 then fails "Committed
# out of order", so mem0 never comes back).
trigger_restore() {
	pair_unload
	if [ "$1" = handover ]; then
		$MODPROBE cxl_acpi 2>&1
		settle
		if [ "$(ls -d /sys/bus/cxl/devices/region* 2>/dev/null | wc -l)" = 0 ]; then
			echo "restore: $(memdev_of "$(t3_bdf 0)") for $(t3_bdf 0)"
			grep -iE 'cxl|soft|hmem|region' /proc/iomem | sed 's/^/restore: /'
			cxl create-region -m -t ram -d decoder0.0 -w 1 -g 256 "$(memdev_of "$(t3_bdf 0)")" 2>&1 | tail -n 5
			settle
		fi
	fi
	pair_load >/dev/null
}

# fault_run TRIGGER MODULE:SECTION KIND N; 1 when the run made fewer than
# N allocations or the filter could not be set.
fault_run() {
	FR_T0=$(uptime_s)
	FR_M=${2%:*}
	FR_PLACE=$(placement "$FR_M")
	# A core text's span, found pure, holds while the module stays where
	# it was: module memory is never shared.  Each kallsyms walk costs
	# seconds under KASAN in TCG, two a run.  An init span is a freed page
	# another module may take: looked at every run.
	if [ "${2#*:}" = text ] && [ "$FR_PLACE" = "$(sed -n 1p "/tmp/fault.span.$FR_M" 2>/dev/null)" ]; then
		FR_SPAN=$(sed -n 2p "/tmp/fault.span.$FR_M")
		FR_PURE=yes
	else
		FR_SPAN=$(sweep_span "$FR_M" "${2#*:}")
		FR_PURE=
	fi
	FR_NAME="$1/${FR_M}:${2#*:} $3 $4"
	FR_IMPURE=
	[ -n "$FR_SPAN" ] || {
		echo "FAULT $FR_NAME filter-missed: no code of $FR_M loaded"
		FAULTS_BAD=$(( FAULTS_BAD + 1 ))
		return 1
	}
	# shellcheck disable=SC2086 # LO HI
	if [ -z "$FR_PURE" ] && ! FR_IMP=$(span_pure $FR_SPAN); then
		echo "FAULT $FR_NAME filter-impure: $FR_IMP in $FR_SPAN"
		FAULTS_BAD=$(( FAULTS_BAD + 1 ))
		return 1
	fi
	[ "${2#*:}" = text ] && printf '%s\n%s\n' "$FR_PLACE" "$FR_SPAN" >"/tmp/fault.span.$FR_M"
	trigger_pre "$1"
	FR_T1=$(uptime_s)
	# shellcheck disable=SC2086
	fi_filter $FR_SPAN
	FR_MARK=$(dmesg | wc -l)
	echo "=== fault $FR_NAME (t=$FR_T0, span $FR_SPAN)"
	trigger_do "$1" "$2" "$3" "$4"
	FR_T2=$(uptime_s)
	if [ $FR_HIT = 0 ]; then
		FR_SITE=$(fault_site "$FR_MARK")
		FR_LOG=$(fault_log "$FR_MARK")
		FR_BAD=$(dmesg | tail -n +"$(( FR_MARK + 1 ))" | strip_fault_dumps | grep -cE "$BAD_RE")
		FR_OWN=$(fault_owners "$1")
		[ -n "$FR_LOG" ] || [ -n "$(state_drift)" ] || FR_LOG="(no effect)"
	fi
	FR_NOW=$(placement "$FR_M")
	FR_T3=$(uptime_s)
	trigger_restore "$1"
	# a load puts the module where it was, or the filter was elsewhere
	# (when the load failed, the restore's load shows where it goes)
	[ -n "$FR_NOW" ] || FR_NOW=$(placement "$FR_M")
	if [ "$1" = load ] && [ "$FR_NOW" != "$FR_PLACE" ]; then
		echo "FAULT $FR_NAME filter-missed: $FR_M at $FR_NOW, not $FR_PLACE"
		FAULTS_BAD=$(( FAULTS_BAD + 1 ))
		return 1
	fi
	if [ -n "$FR_IMPURE" ]; then
		echo "FAULT $FR_NAME filter-impure: $FR_IMPURE"
		FAULTS_BAD=$(( FAULTS_BAD + 1 ))
		return 1
	fi
	# Every run starts from the baseline, or what follows tests nothing:
	# a restore that misses it ends the trigger.  A state that drifted
	# with the owners kept is this run's finding, and the next baseline.
	FR_REL=ok
	if [ "$(owners_all)" != "$BASE_OWNERS" ]; then
		FR_REL="FAIL:$(owners_all | tr ' ' '_')"
		echo "FAULT $FR_NAME restore-failed: owners $(owners_all)after the restore, not $BASE_OWNERS; the trigger's other runs not made"
		FAULTS_BAD=$(( FAULTS_BAD + 1 ))
		FAULTS_LOST=$1
	else
		FR_DRIFT=$(state_drift)
		if [ -n "$FR_DRIFT" ]; then
			FR_REL="drift:$FR_DRIFT"
			cp /tmp/fault.state /tmp/fault.base
		fi
	fi
	[ $FR_HIT = 0 ] || return 1
	FR_CLEAN=yes
	[ -n "$FR_LOG" ] || FR_CLEAN=no
	[ "$FR_BAD" = 0 ] || FR_CLEAN=no
	case $FR_OWN in ok|conflict|unloaded) ;; *) FR_CLEAN=no ;; esac
	[ "$FR_REL" = ok ] || FR_CLEAN=no
	[ $FR_CLEAN = yes ] || FAULTS_BAD=$(( FAULTS_BAD + 1 ))
	FAULTS_RUNS=$(( FAULTS_RUNS + 1 ))
	echo "FAULT $FR_NAME site=${FR_SITE:-quiet} clean=$FR_CLEAN bad=$FR_BAD owners=$FR_OWN reload=$FR_REL secs=$(awk -v a="$FR_T0" -v b="$FR_T1" -v c="$FR_T2" -v d="$FR_T3" -v e="$(uptime_s)" 'BEGIN { printf "%d(%d+%d+%d+%d)", e - a, b - a, c - b, d - c, e - d }') log=${FR_LOG:-none}"
	return 0
}

faults_all() {
	FAULTS_BAD=0 FAULTS_RUNS=0
	FAULTS_MAX=$(arg vmfimax 400)
	# one unload and load first: from then on a load finds the same holes
	# and puts the code where it was (fault_run checks that)
	fi_shim
	pair_unload
	pair_load >/dev/null
	BASE_OWNERS=$(owners_all)
	fault_state /tmp/fault.base
	FAULTS_LOST=
	FA_FROM=$(arg vmfifrom 1)
	sec "faults (baseline: $BASE_OWNERS; dax_hmem_sr at $(placement dax_hmem_sr), cxl_sr_helper at $(placement cxl_sr_helper))"
	for FA_K in failslab fail_page_alloc; do fi_setup $FA_K; done
	fi_reject
	for FA_T in $(arg vmfaults | tr ',' ' '); do
		for FA_S in $(sweeps_of "$FA_T"); do
			FA_SUM=0
			for FA_K in failslab fail_page_alloc; do
				[ "$FAULTS_LOST" = "$FA_T" ] && continue
				FA_START=${FA_FROM:-1}
				FA_FROM=1
				FA_N=$FA_START
				while [ $FA_N -le "$FAULTS_MAX" ] && fault_run "$FA_T" "$FA_S" "$FA_K" $FA_N &&
				      [ "$FAULTS_LOST" != "$FA_T" ]; do
					FA_N=$(( FA_N + 1 ))
				done
				_from=
				[ "$FA_START" = 1 ] || _from=" (from $FA_START)"
				# a capped sweep did not end: no FAULTS-DONE, which the
				# fault table would read as swept to the end
				if [ $FA_N -gt "$FAULTS_MAX" ] && [ -z "$(arg vmfimax)" ]; then
					echo "FAULT $FA_T/$FA_S $FA_K over-$FAULTS_MAX"
					FAULTS_BAD=$(( FAULTS_BAD + 1 ))
				elif [ $FA_N -gt "$FAULTS_MAX" ]; then
					echo "FAULTS-STOPPED $FA_T/$FA_S $FA_K at vmfimax=$FAULTS_MAX$_from"
				else
					echo "FAULTS-DONE $FA_T/$FA_S $FA_K $(( FA_N - 1 ))$_from"
				fi
				FA_SUM=$(( FA_SUM + FA_N - FA_START ))
			done
			# sweeps_of names only code that allocates on this path
			if [ "$FA_SUM" = 0 ] && [ "$FAULTS_LOST" != "$FA_T" ]; then
				echo "FAULT $FA_T/$FA_S none-injected: no allocation under its code"
				FAULTS_BAD=$(( FAULTS_BAD + 1 ))
			fi
		done
	done
	# FAULTS goes into main_test's RESULT line (lib.sh)
	# shellcheck disable=SC2034
	FAULTS=ok
	[ "$FAULTS_BAD" = 0 ] || FAULTS="$FAULTS_BAD-of-$FAULTS_RUNS"
	# shellcheck disable=SC2034
	[ "$FAULTS_RUNS" -gt 0 ] || FAULTS=none-injected
}
