#!/bin/bash
# The test command (README, .ci/run): set the host up, then run every suite.
#   tests/run.sh [SUITE...]     suites: style unit build dkms package vm distro debug
#                               secureboot (default: all but secureboot)
# Each suite ends with "N passed, N failed"; this adds them up and fails if
# any suite failed or printed no tally.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(style unit build dkms package vm distro debug)

"$top/scripts/setup-host.sh" || exit 1
"$top/scripts/fetch-kernel.sh" all >/dev/null || exit 1

run_suite() {
	case $1 in
	style) "$top/tests/build/style.sh" ;;
	unit) "$top/tests/unit/run.sh" ;;
	build) "$top/tests/build/matrix.sh" ;;
	dkms) "$top/tests/dkms/roundtrip.sh" ;;
	# the Debian packages (debian/): build, lintian, contents
	package) "$top/tests/dkms/package.sh" ;;
	# the stress scenarios at a twentieth of their counts (tests/vm/stress.sh:
	# all); the kernels built from source (mod, pair-*) are built by the
	# build suite, or here when it did not run
	vm) VM_STRESS_DIV=${VM_STRESS_DIV:-20} "$top/tests/vm/run-suite.sh" \
		-s 6.12,7.2,pair,mod,pair-mod,pair-nodaxcxl,pair-nokp ;;
	distro) "$top/tests/vm/run-distro.sh" ;;
	# the pair on the debug kernel: a named subset of the matrix and the
	# fault sweep (tests/vm/debug-suite.sh -a: the whole matrix)
	debug) "$top/tests/vm/debug-suite.sh" ;;
	# the distro image under OVMF with Secure Boot enforced (shim, grub,
	# Debian's signed kernel): unsigned pair refused, DKMS-signed pair with
	# its key enrolled loads, report and status under lockdown
	secureboot) "$top/tests/vm/secureboot/run.sh" all ;;
	*) echo "tests/run.sh: unknown suite $1" >&2; return 2 ;;
	esac
}

total_pass=0
total_fail=0
summary=()
for s in "${suites[@]}"; do
	case $s in style|unit|build|dkms|package|vm|distro|debug|secureboot) ;; *) echo "tests/run.sh: unknown suite $s" >&2; exit 2 ;; esac
	echo "=== suite $s"
	start=$SECONDS
	log=$(mktemp)
	run_suite "$s" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	rm -f "$log"
	if [ -z "$line" ]; then
		line="0 passed, 1 failed"
		echo "tests/run.sh: suite $s printed no tally (exit $rc)"
	elif [ "$rc" != 0 ] && [ "$(echo "$line" | awk '{ print $3 }')" = 0 ]; then
		line="$(echo "$line" | awk '{ print $1 }') passed, 1 failed"
	fi
	p=$(echo "$line" | awk '{ print $1 }')
	f=$(echo "$line" | awk '{ print $3 }')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$(printf '%-6s %4d passed %3d failed  %4ds' "$s" "$p" "$f" $((SECONDS - start)))")
done

echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
