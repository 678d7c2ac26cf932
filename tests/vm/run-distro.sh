#!/bin/bash
# run-distro.sh [-t SCENARIOS] [-s SYSTEMS] [-l LOGDIR]: the VM bed's distro
# mode (README "Distro mode"): the Debian root file system of
# distro/mkroot.sh, the pair installed in it from the project's packages by
# apt inside the guest (distro/prepare.sh, the first row), then every
# scenario expected.tbl has a distro-* row for, one guest at a time, loaded
# by udev's coldplug, then the packages' life on distro-pair (pkglife:
# distro/pkglife.sh).  One row per test, then "N passed, N failed";
# non-zero exit status on a failure.
#   -s  comma list of distro-pair, distro-6.12 (default both)
#   -t  comma list of scenarios (default: all with a row for the system, and
#       pkglife)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

systems=distro-pair,distro-6.12
scens=
logdir="$VM_CACHE/logs/$(date +%Y%m%d-%H%M%S)-distro"
while getopts s:t:l: o; do
	case $o in
	s) systems=$OPTARG ;;
	t) scens=$OPTARG ;;
	l) logdir=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
mkdir -p "$logdir"
start=$SECONDS
pass=0 fail=0
fmt='%-12s %-10s %-24s %-6s %5s %s\n'
rows=()
add() { # system scenario owner online secs result [detail]
	rows+=("$(printf "$fmt" "$1" "$2" "$3" "$4" "$5" "$6")")
	if [ "$6" = PASS ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	[ -n "${7:-}" ] && rows+=("    $7")
	return 0
}

# The images first: a failure here is a failed test, not a skip.
for s in ${systems//,/ }; do
	case $s in distro-6.12|distro-pair) ;; *) die "unknown system '$s'" ;; esac
	t0=$SECONDS
	if "$VM_DIR/distro/prepare.sh" -l "$logdir/$s-prepare.log" "${s#distro-}" \
		>"$logdir/$s-prepare.out" 2>"$logdir/$s-prepare.err"; then
		what=root
		[ "$s" = distro-pair ] && what="apt install"
		# mkroot.sh and prepare.sh say so on stderr when they build
		cached=" (cached)"
		grep -q '^mkroot: \|^prepare: ' "$logdir/$s-prepare.err" && cached=" (built)"
		add "$s" prepare "$what$cached" - $((SECONDS - t0)) PASS
		echo "run-distro: $s image: $(cat "$logdir/$s-prepare.out")$cached" >&2
	else
		add "$s" prepare - - $((SECONDS - t0)) FAIL "$(tail -n1 "$logdir/$s-prepare.err")"
		systems=${systems//$s/}
	fi
done

for s in ${systems//,/ }; do
	list=${scens:-$(awk -v y="$s" '!/^#/ && $1 == y { printf "%s%s", c, $2; c = "," }' \
		"$VM_DIR/expected.tbl")}
	for t in ${list//,/ }; do
		awk -v y="$s" -v t="$t" '!/^#/ && $1 == y && $2 == t { f = 1 } END { exit !f }' \
			"$VM_DIR/expected.tbl" || continue
		echo "run-distro: $s $t" >&2
		out="$logdir/.row-$s-$t"
		"$VM_DIR/run-test.sh" -l "$logdir" "$s" "$t" >"$out" 2>"$out.err" || true
		row=$(grep -a '^ROW' "$out" | tail -n1 || true)
		if [ -z "$row" ]; then
			add "$s" "$t" - - - FAIL "run-test.sh died: $(tail -n1 "$out.err" 2>/dev/null)"
			continue
		fi
		IFS=$'\t' read -r _ _ _ _ owner _ online result secs log detail <<<"$row"
		case $result in
		PASS|XFAIL|XPASS) add "$s" "$t" "$owner" "$online" "$secs" PASS ;;
		*) add "$s" "$t" "$owner" "$online" "$secs" "$result" "$detail; log: $log" ;;
		esac
		rm -f "$out" "$out.err"
	done
done

# The packages' life after the install (distro/pkglife.sh): reboot, a second
# kernel, apt remove, apt purge.  Two boots of its own copy of the prepared
# image; scenario name "pkglife".
case ,$systems, in *,distro-pair,*)
	case ,${scens:-pkglife}, in *,pkglife,*)
		echo "run-distro: distro-pair pkglife" >&2
		t0=$SECONDS
		if "$VM_DIR/distro/pkglife.sh" -l "$logdir" >"$logdir/pkglife.out" 2>&1; then
			add distro-pair pkglife "install..purge" - $((SECONDS - t0)) PASS
		else
			add distro-pair pkglife - - $((SECONDS - t0)) FAIL \
				"$(grep -a '^pkglife: ' "$logdir/pkglife.out" | grep -v ' (log: ' | tail -n1)"
		fi
		;;
	esac
	;;
esac

{
	# shellcheck disable=SC2059 # the format is the table's
	printf "$fmt" SYSTEM SCENARIO OWNER ONLINE SECS RESULT
	printf '%s\n' "${rows[@]}"
} | tee "$logdir/summary.txt"
echo "runtime $((SECONDS - start)) s, logs in $logdir"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
