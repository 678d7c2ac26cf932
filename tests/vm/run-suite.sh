#!/bin/bash
# run-suite.sh [-s SYSTEMS] [-t SCENARIOS] [-j JOBS] [-l LOGDIR]
# Run the VM scenarios (scenarios.conf) on the systems and print a summary
# table, ending in "N passed, N failed" (", N skipped" when some were).
#
#   -s  comma list of systems (systems.conf: 6.12, 7.2, pair, mod,
#       pair-mod, ...); default 6.12,7.2, plus pair when EXTRA_KO is set
#   -t  comma list of scenarios; default all
#   -j  guests at once, 1 or 2 (default 2: TCG uses one host core per guest
#       and the host has two)
#   -l  log directory; default $SR_CACHE/vm/logs/<date>
#
# A pair system boots its kernel with the pair (scripts/build-pair.sh);
# system "pair" takes EXTRA_KO="dax_hmem_sr.ko cxl_sr_helper.ko" instead
# when it is set.
# Exit status: non-zero when a test FAILed; XFAIL (a pair row that does not
# meet its target yet) and XPASS count as passed and are labelled so.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

systems="6.12,7.2${EXTRA_KO:+,pair}"
scens=$(awk '!/^#/ && NF { printf "%s%s", s, $1; s = "," }' "$VM_DIR/scenarios.conf")
jobs=2
logdir="$VM_CACHE/logs/$(date +%Y%m%d-%H%M%S)"
while getopts s:t:j:l: o; do
	case $o in
	s) systems=$OPTARG ;;
	t) scens=$OPTARG ;;
	j) jobs=$OPTARG ;;
	l) logdir=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
case $jobs in 1|2) ;; *) die "-j must be 1 or 2" ;; esac
mkdir -p "$logdir"
start=$SECONDS

# Kernels, pairs and images first, one at a time, so parallel tests do not
# build the same one.
declare -A broken=()
for s in ${systems//,/ }; do
	tag=$(system_field "$s" 2)
	"$SR_TOP/scripts/fetch-kernel.sh" "$tag" >/dev/null ||
		{ echo "run-suite: kernel $tag not available: $s tests skipped" >&2; broken[$s]=1; continue; }
	ko=
	if system_is_pair "$s"; then
		[ "$s" = pair ] && ko=${EXTRA_KO:-}
		if [ -z "$ko" ] && ! ko=$("$SR_TOP/scripts/build-pair.sh" "$tag" 2>"$logdir/build-pair-$tag.err" |
					 tr '\n' ' '); then
			echo "run-suite: build-pair.sh $tag failed ($logdir/build-pair-$tag.err): $s tests skipped" >&2
			broken[$s]=1
			continue
		fi
	fi
	EXTRA_KO=$ko "$VM_DIR/mkimage.sh" "$tag" >/dev/null
done

# Two-stage runs first so the long ones overlap.
list=()
for t in ${scens//,/ }; do
	c=$(awk -v s="$t" '!/^#/ && $1 == s { print $3 }' "$VM_DIR/scenarios.conf")
	[ -n "$c" ] || die "unknown scenario '$t'"
	for s in ${systems//,/ }; do
		# a scenario runs on the systems expected.tbl has a row for
		expected_row "$s" "$t" >/dev/null || continue
		list+=("$([ "$c" -gt 0 ] && echo 0 || echo 1) $s $t")
	done
done
mapfile -t list < <(printf '%s\n' "${list[@]}" | sort -s -k1,1n | cut -d' ' -f2-)

n=0
for item in "${list[@]}"; do
	read -r s t <<<"$item"
	n=$((n + 1))
	out="$logdir/.row.$(printf %03d $n)"
	if [ -n "${broken[$s]:-}" ]; then
		printf 'ROW\t%s\t-\t%s\t-\t-\t-\tSKIP\t0\t-\tkernel or pair not built\n' "$s" "$t" >"$out"
		continue
	fi
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
	echo "run-suite: $s $t" >&2
	("$VM_DIR/run-test.sh" -l "$logdir" "$s" "$t" >"$out" 2>"$out.err" || true) &
done
wait

pass=0 fail=0 skip=0
{
	printf '%-26s %-10s %-24s %-68s %-6s %4s %s\n' KERNEL SCENARIO OWNER "DAX DEVICES" ONLINE SECS RESULT
	for f in "$logdir"/.row.*; do
		case $f in *.err) continue ;; esac
		row=$(grep -a '^ROW' "$f" | tail -n1 || true)
		if [ -z "$row" ]; then
			row=$(printf 'ROW\t?\t-\t%s\t-\t-\t-\tFAIL\t0\t-\trun-test.sh died: %s' "$f" "$(tail -n1 "$f.err" 2>/dev/null)")
		fi
		IFS=$'\t' read -r _ sys kver scn owner dax online result secs log detail <<<"$row"
		label=$result
		case $result in
		PASS) pass=$((pass + 1)) ;;
		XFAIL) pass=$((pass + 1)); label="XFAIL (expected, counted as passed)" ;;
		XPASS) pass=$((pass + 1)); label="XPASS (target met: drop the xfail mark)" ;;
		SKIP) skip=$((skip + 1)) ;;
		*) fail=$((fail + 1)) ;;
		esac
		system_is_pair "$sys" 2>/dev/null && kver="$kver+pair"
		printf '%-26s %-10s %-24s %-68s %-6s %4s %s\n' "$kver" "$scn" "$owner" "${dax//,/ }" "$online" "$secs" "$label"
		[ "$result" = FAIL ] && printf '    %s\n    log: %s\n' "$detail" "$log"
	done
} >"$logdir/summary.txt"
cat "$logdir/summary.txt"
rm -f "$logdir"/.row.*
echo "runtime $((SECONDS - start)) s, logs in $logdir"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
