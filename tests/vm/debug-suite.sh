#!/bin/bash
# debug-suite.sh [-a] [-f] [-l LOGDIR]: the pair on the debug kernel (system dbg:
# lockdep, KASAN, kmemleak, debug objects; issue 13).  Every scenario must
# meet its pair row with no report of any checker in the log and nothing of
# the pair's left to kmemleak, loaded or unloaded (systems.conf); FAULTS
# injects allocation failures on the pair's paths (faults.sh renders them).
#
#   default  the named subset the test command runs (DEBUG_SUBSET below):
#            an adversarial order, a reload, handovers (one losing the
#            range, one taking HMEM's piece down), the stress, the
#            tool's handover and the double decision of issue 16
#   -f       and the fault sweep (scenarios FAULTS-load, FAULTS-load-text,
#            FAULTS-bind and FAULTS-handover, two guests at once)
#   -a       every scenario that has a dbg row: the whole matrix and the
#            fault sweep
#
# Ends in "N passed, N failed": the scenarios, plus one for the fault
# table (every path reached, every injected failure clean).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DEBUG_SUBSET=S4,S6,S4-early,S1-handover,S1-lockep,S4-handoverfull,S1-reload,S3-stress,S1-toolhandover
scens=$DEBUG_SUBSET
logdir="$VM_CACHE/logs/debug-$(date +%Y%m%d-%H%M%S)"
while getopts afl: o; do
	case $o in
	a) scens=$(awk '!/^#/ && NF { printf "%s%s", s, $1; s = "," }' "$VM_DIR/scenarios.conf") ;;
	f) scens="$scens,FAULTS-load,FAULTS-load-text,FAULTS-bind,FAULTS-handover" ;;
	l) logdir=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
mkdir -p "$logdir"

rc=0
out=$(VM_STRESS_DIV=${VM_STRESS_DIV:-20} "$VM_DIR/run-suite.sh" -s dbg -t "$scens" -l "$logdir" |
	tee /dev/stderr) || rc=$?
tally=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
pass=$(echo "$tally" | awk '{ print $1 }') fail=$(echo "$tally" | awk '{ print $3 }')

if [[ ,$scens, == *,FAULTS-load,* ]]; then
	echo "=== fault table"
	if "$VM_DIR/faults.sh" -r "$logdir/dbg-FAULTS-load.log" -r "$logdir/dbg-FAULTS-load-text.log" \
		-r "$logdir/dbg-FAULTS-bind.log" -r "$logdir/dbg-FAULTS-handover.log"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
fi
echo "${pass:-0} passed, ${fail:-1} failed"
[ "$rc" = 0 ] && [ "${fail:-1}" = 0 ]
