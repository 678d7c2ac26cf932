#!/bin/bash
# faults.sh [-l LOGDIR] [-r LOG]...: fault injection on the pair's own
# paths, on the debug kernel (issue 13).  Boots scenarios FAULTS-load,
# FAULTS-load-text, FAULTS-bind and FAULTS-handover on system dbg, two
# guests at once (their
# expected.tbl rows want every run clean), or with -r reads the logs of such boots
# (tests/vm/debug-suite.sh), then prints one line per injected failure
# (guest/faults.sh says how each is judged), grouped by the path the
# failing allocation belongs to, and checks that every path of the pair
# was reached:
#
#   init      module init of either module
#   probe     the hmem_platform.0 probe (nothing of its own: reached by
#             a finished bind sweep of dax_hmem_sr's text)
#   decision  the decision work and the facts it gathers
#   piece     registering an HMEM piece
#   claims    the one-owner claim table
#   report    the report (debugfs ranges)
#   records   the handover records and pins of a decided range
#   handover  the handover work
#   gate      the gate's holds and releases
#
# Allocations whose failure the kernel itself does not survive are kept
# out and listed (kernel-defects.conf).
#
# Exit status: 0 when the test passed and every path was reached.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FAULT_SCENARIOS=FAULTS-load,FAULTS-load-text,FAULTS-bind,FAULTS-handover
logdir="$VM_CACHE/logs/faults-$(date +%Y%m%d-%H%M%S)"
logs=()
while getopts l:r: o; do
	case $o in
	l) logdir=$OPTARG ;;
	r) logs+=("$OPTARG") ;;
	*) die "usage: faults.sh [-l LOGDIR] [-r LOG]..." ;;
	esac
done

rc=0
if [ ${#logs[@]} = 0 ]; then
	mkdir -p "$logdir"
	"$VM_DIR/run-suite.sh" -s dbg -t $FAULT_SCENARIOS -l "$logdir" >"$logdir/run-suite.out" || rc=$?
	grep -E '^(PASS|FAIL|XFAIL|XPASS|[0-9]+ passed)' "$logdir/run-suite.out" || true
	for s in ${FAULT_SCENARIOS//,/ }; do logs+=("$logdir/dbg-$s.log"); done
else
	logdir=$(dirname "${logs[0]}")
fi
for log in "${logs[@]}"; do [ -f "$log" ] || die "no log $log"; done

# The path of the pair's innermost function on the failing stack.
point_of() {
	case $1 in
	*_init|check_stock_driver|close_if_pending|find_cxl_acpi|platform_driver) echo init ;;
	dax_hmem_sr_platform_probe|hmem_register_device|platform_event) echo probe ;;
	process_defer_work|decide_deferred|hmem_sr_decide_range|gather|register_pieces|hmem_sr_iomem_*|cxl_sr_regions|hmem_sr_defer|cxl_sr_soft_reserved|find_soft_reserved|committed_res|decoders_locked|add_committed_region)
		echo decision ;;
	hmem_sr_register_piece|dax_hmem_sr_probe|add_dax_name|release_hmem|release_memregion) echo piece ;;
	add_claim|cxl_sr_claim|cxl_sr_claim_cxl|cxl_sr_unclaim*|drop_claim|release_claim) echo claims ;;
	hmem_sr_report|ranges_show) echo report ;;
	hmem_sr_track|track_cxl|untrack|hmem_sr_update_pins|update_pins_locked|pinning_region) echo records ;;
	handover_work_fn|take_over|memory_event|cxl_acpi_*) echo handover ;;
	hold|hold_*|link_to_gate|unlink_from_gate|close_gate|release_unowned|cxl_sr_gate_*|dax_region_added|dax_region_deleted|cxl_bus_event|gate_timeout_fn)
		echo gate ;;
	*) echo other ;;
	esac
}

declare -A seen=()
{
	printf '%-9s %-9s %-16s %3s %-28s %-6s %-10s %-7s %s\n' PATH TRIGGER KIND N SITE CLEAN OWNERS RELOAD "LOG LINE"
	cat "${logs[@]}" | tr -d '\r' | grep -a '^FAULT ' | while read -r _ trig kind n rest; do
		declare -A f=()
		for kv in $rest; do
			case $kv in *=*) f[${kv%%=*}]=${kv#*=} ;; esac
			[ "${kv%%=*}" = log ] && break
		done
		msg=${rest#*log=}
		case $rest in site=*) ;; *) printf '%-9s %-9s %-16s %3s %s\n' - "$trig" "$kind" "$n" "$rest"; continue ;; esac
		p=$(point_of "${f[site]}")
		printf '%-9s %-9s %-16s %3s %-28s %-6s %-10s %-7s %s\n' "$p" "$trig" "$kind" "$n" \
			"${f[site]}" "${f[clean]}" "${f[owners]}" "${f[reload]}" "$msg"
	done | sort -s -k1,1
} >"$logdir/faults.txt"
cat "$logdir/faults.txt"
# a log cut short (a part still running, or stopped) has no FAULTS-DONE
cat "${logs[@]}" | tr -d '\r' | { grep -a '^FAULTS-DONE ' || true; } | awk '{ printf "  %s %s: %d allocation(s) failed in turn\n", $2, $3, $4 }'

# kernel defects kept out of the sweep (kernel-defects.conf): named, and a
# reject that found nothing to keep out fails
excl=$(cat "${logs[@]}" | tr -d '\r' | { grep -a '^FAULT-EXCLUDED ' || true; } | sort -u)
if [ -n "$excl" ]; then
	echo "not injected, the kernel's own defects (tests/vm/kernel-defects.conf):"
	sed 's/^FAULT-EXCLUDED /  /' <<<"$excl"
	grep -q ' reject-missing' <<<"$excl" && rc=1
fi
kleak=$(cat "${logs[@]}" | tr -d '\r' | { grep -a '^KERNEL-LEAK ' || true; } | sort | uniq -c |
	awk '{ printf "  %s: %d kmemleak report(s), not counted\n", $3, $1 }')
[ -z "$kleak" ] || { echo "leaked by the kernel's own error paths (tests/vm/kernel-defects.conf):"; echo "$kleak"; }

for p in $(awk 'NR > 1 { print $1 }' "$logdir/faults.txt"); do seen[$p]=1; done
# The probe walks the kernel's Soft Reserved list and allocates nothing
# itself: its allocations are the report's, the decision's and the
# pieces', listed under those.  Its path is swept when the bind trigger
# (hmem_platform.0 bound, so probed) ran its sweep of the pair's core text
# to the end.
# The handover work (handover_work_fn, take_over) is the same: what it
# allocates is the pieces' and claims' it makes (hmem_sr_register_piece),
# so its path is swept when the handover trigger's sweep ran to its end.
# (grep -c, not -q: -q stops reading, cat then dies of SIGPIPE, and
# pipefail turns a match into a failure on a long log)
swept_by() { # POINT TRIGGER
	[ -z "${seen[$1]:-}" ] || return 0
	[ "$(cat "${logs[@]}" | tr -d '\r' | grep -ac "^FAULTS-DONE $2/dax_hmem_sr:text failslab [1-9]")" -gt 0 ] ||
		return 0
	echo "$1: no allocation of its own; the $2 trigger's sweep of dax_hmem_sr's text ran to its end"
	seen[$1]=1
}
swept_by probe bind
swept_by handover handover
miss=
for p in init probe decision piece claims report records handover gate; do
	[ -n "${seen[$p]:-}" ] || miss="$miss $p"
done
if [ -n "$miss" ]; then
	echo "faults: never reached:$miss"
	rc=1
fi
unclean=$(awk 'NR > 1 && $6 != "yes"' "$logdir/faults.txt" | wc -l)
echo "faults: $(($(wc -l <"$logdir/faults.txt") - 1)) injected failures, $unclean not clean, logs ${logs[*]}"
[ "$unclean" = 0 ] || rc=1
exit "$rc"
