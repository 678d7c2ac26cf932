#!/bin/bash
# run-test.sh [-l LOGDIR] [-e SYSTEM] SYSTEM SCENARIO: boot one scenario of
# scenarios.conf on one system of systems.conf and check the guest's
# findings against expected.tbl.  -e checks against another system's row
# instead: a negative control (run-test.sh -e 7.2 6.12 S3-kmem must FAIL).
#
# The last line of output is machine-readable for run-suite.sh:
#   ROW <TAB> system kernel scenario owner dax online result secs log detail
# Exit status: 0 for PASS, XFAIL and XPASS, 1 for FAIL, 77 when skipped.
#
# System "pair" is 6.12-deb12 with EXTRA_KO="dax_hmem_sr.ko cxl_sr_helper.ko"
# installed in /lib/modules/KVER/extra with the package's modprobe.d policy;
# without EXTRA_KO, scripts/build-pair.sh builds them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

logdir="$VM_CACHE/logs/$(date +%Y%m%d-%H%M%S)"
esys=
while getopts l:e: o; do
	case $o in
	l) logdir=$OPTARG ;;
	e) esys=$OPTARG ;;
	*) die "usage: run-test.sh [-l LOGDIR] [-e SYSTEM] SYSTEM SCENARIO" ;;
	esac
done
shift $((OPTIND - 1))
sys=${1:?system: one of tests/vm/systems.conf, distro-6.12 or distro-pair}
scn=${2:?scenario of scenarios.conf}
log="$logdir/$sys-$scn.log"
mkdir -p "$logdir"

row() { # result owner dax online detail
	printf 'ROW\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sys" "${kver:--}" "$scn" \
		"$2" "$3" "$4" "$1" "$SECONDS" "$log" "$5"
}

case $sys in
distro-6.12|distro-pair)
	# Distro mode (distro/, README "Distro mode"): this bed's initramfs is
	# stage 1 and kexecs into the Debian root file system on /dev/vda, which
	# loads everything by udev; -pair has the pair dkms-installed in it.
	tag=6.12-deb12 extra=
	export MODS="${MODS:+$MODS }virtio_blk ext4 crc32c_generic"
	if ! disk=$("$VM_DIR/distro/prepare.sh" "${sys#distro-}" 2>"$logdir/prepare-$sys.err"); then
		row FAIL - - - "distro/prepare.sh ${sys#distro-} failed: $logdir/prepare-$sys.err"
		exit 1
	fi ;;
*)
	tag=$(system_field "$sys" 2)
	extra=
	if system_is_pair "$sys"; then
		# EXTRA_KO names modules built elsewhere, for system pair only
		[ "$sys" = pair ] && extra=${EXTRA_KO:-}
		if [ -z "$extra" ] &&
		   ! extra=$("$SR_TOP/scripts/build-pair.sh" "$tag" 2>"$logdir/build-pair-$tag.err" | tr '\n' ' '); then
			row SKIP - - - "build-pair.sh $tag failed: $logdir/build-pair-$tag.err"
			exit 77
		fi
	fi ;;
esac

read -r devs commit args < <(awk -v s="$scn" '!/^#/ && $1 == s {
	a = ""; for (i = 4; i <= NF; i++) a = a " " $i; print $2, $3, a; f = 1 }
	END { exit !f }' "$VM_DIR/scenarios.conf") || die "unknown scenario '$scn'"
read -r status checks < <(expected_row "${esys:-$sys}" "$scn") ||
	die "no row for ${esys:-$sys} $scn in expected.tbl"
# the system's own checks (systems.conf), e.g. no leak on the debug kernel
sys_checks=$(system_field "$sys" 5)
checks="$checks ${sys_checks//,/ }"

# Stress counts divided by VM_STRESS_DIV (the CI suite runs a tenth or so;
# tests/vm/stress.sh runs the full counts), never below one cycle.
div=${VM_STRESS_DIV:-1}
stress_tmo=0
if [[ $args == *vmstress=* ]]; then
	new=
	for a in $args; do
		if [[ $a == vmstress=* ]]; then
			v='' n=0
			IFS=, read -r -a kinds <<<"${a#vmstress=}"
			for k in "${kinds[@]}"; do
				c=$(( ${k#*:} / div )); [ "$c" -ge 1 ] || c=1
				v="$v,${k%%:*}:$c"; n=$(( n + c ))
			done
			a="vmstress=${v#,}"
			stress_tmo=$(( n * 10 ))
		fi
		new="$new $a"
	done
	args=$new
fi

sys_args=$(system_field "$sys" 6)
args="${sys_args//,/ } $args"	# the scenario's own win
# A fault sweep stays off the kernel's own defect (kernel-defects.conf),
# found in this kernel's code.
if [[ $args == *vmfaults=* ]]; then
	rej=$("$VM_DIR/kernel-defects.sh" "$tag" 2>"$logdir/kernel-defects-$tag.err") || {
		row FAIL - - - "kernel-defects.sh $tag failed: $(cat "$logdir/kernel-defects-$tag.err")"
		exit 1
	}
	args="$rej $args"
fi
# VM_APPEND: guest arguments for a trial, ahead of the scenario's (the
# guest's arg takes the first): vmfimax=3 a short sweep, vmfaults=T one
# trigger
args="${VM_APPEND:+$VM_APPEND }$args"

img=$(EXTRA_KO="$extra" "$VM_DIR/mkimage.sh" "$tag")
kver=$(cat "$img/kver")
if [ -n "${disk:-}" ]; then
	. "$VM_DIR/distro/lib.sh"
	distro_testdisk "$log.vmtest.img"
	trap 'rm -f "$log.vmtest.img"' EXIT
	# snapshot=on: the guest's writes go to a temporary overlay, the cached
	# image stays as prepared
	VM_DRIVES=$(distro_drives "$disk" on "$log.vmtest.img")
	export VM_DRIVES
fi

# dax_hmem's decisions ("deferring range to CXL", "CXL claims resource")
# are dev_dbg; the pair's module gets the same.
dbg="dax_hmem.dyndbg=+p dax_hmem_sr.dyndbg=+p cxl_sr_helper.dyndbg=+p"
if [ "$commit" -gt 0 ] || [ -n "${disk:-}" ]; then
	# Distro mode always has a stage 1: it boots the root disk's kernel.
	# fsck.mode=skip: the disk is a fresh snapshot of a clean file system,
	# and checking it costs seconds under TCG.
	# k1.ARG is stage 1's alone (e.g. vmlock), the rest the test kernel's.
	cl=("vmtest=$scn" vmstage=1 "vmcommit=$commit")
	for a in $args $dbg ${disk:+root=/dev/vda fsck.mode=skip}; do
		case $a in k1.*) cl+=("${a#k1.}") ;; *) cl+=("k2.$a") ;; esac
	done
	tmo=$(( 300 + stress_tmo ))
	[ -n "${disk:-}" ] && tmo=480
else
	# shellcheck disable=SC2206 # one word per kernel argument
	cl=("vmtest=$scn" $args $dbg)
	tmo=$(( 180 + stress_tmo ))
fi

slow=$(system_field "$sys" 7)
tmo=$(( tmo * ${slow:-1} ))
# fault injection (guest/faults.sh): some hundred load cycles
[[ $args == *vmfaults=* ]] && tmo=$(( tmo + ${VM_FAULTS_TIMEOUT:-6000} ))

rc=0
"$VM_DIR/run-vm.sh" -d "$devs" -t "$tmo" "$img" "$log" "${cl[@]}" || rc=$?
# A TCG guest very rarely hangs in early boot, and QEMU's TCG very rarely
# aborts on an assertion of its own (seen: iotlb_to_section); one retry
# tells either apart from a real hang.  A guest panic is never retried.
if [ "$rc" = 134 ] && grep -aq '^qemu-system-x86_64: .*Assertion' "$log"; then
	mv "$log" "$log.qemu-abort"
	rc=0
	"$VM_DIR/run-vm.sh" -d "$devs" -t "$tmo" "$img" "$log" "${cl[@]}" || rc=$?
fi
if [ "$rc" = 124 ]; then
	mv "$log" "$log.timeout"
	rc=0
	"$VM_DIR/run-vm.sh" -d "$devs" -t "$tmo" "$img" "$log" "${cl[@]}" || rc=$?
fi

# Distro mode's test prints through journald to the console, which prefixes
# "[ uptime] unit[pid]: ".
res=$(tr -d '\r' <"$log" | sed -E 's/^\[ *[0-9.]+\] [^ ]+\[[0-9]+\]: //' |
	grep -a '^RESULT ' | tail -n1 || true)
declare -A got=()
for kv in ${res#RESULT }; do got[${kv%%=*}]=${kv#*=}; done
owner=${got[owner]:--} dax=${got[dax]:--} online=${got[online]:--}

# Every check of the row, plus the two every test needs.
miss=
for c in setup=ok bad=0 $checks; do
	k=${c%%=*} want=${c#*=} ok=
	IFS='|' read -r -a alts <<<"$want"
	for w in "${alts[@]}"; do [ "${got[$k]:-<none>}" = "$w" ] && ok=1; done
	[ -n "$ok" ] || miss="$miss $k=${got[$k]:-<none>}(want $want)"
done
# With the pair the guest ran dax-hmem-sr: its JSON must name the owners
# the guest found.
if system_is_pair "$sys" && [ -n "$res" ]; then
	if ! tj=$(python3 "$VM_DIR/check-status.py" "$log" "$owner" "$online" "${got[recreate]:-}"); then
		miss="$miss status-json=($tj)"
	fi
fi
# MemTotal must have grown by what the memory blocks say is online.
if [ -n "$res" ] && [ "${got[memdelta]:-}" != "$(awk -v g="$online" 'BEGIN { print g * 1024 "M" }')" ]; then
	miss="$miss memdelta=${got[memdelta]:-<none>}(want online ${online}G)"
fi
if [ -z "$res" ]; then
	miss=" no RESULT (qemu rc=$rc)"
	grep -aE 'Kernel panic|BUG:|Oops' "$log" | head -n3 | sed 's/^/  /' >&2 || true
fi
miss=${miss# }

case $status:${miss:+x} in
pass:) result=PASS ;;
pass:x) result=FAIL ;;
xfail:x) result=XFAIL ;;
xfail:) result=XPASS ;;
*) die "bad status '$status' in expected.tbl" ;;
esac
echo "$sys $scn: $result${miss:+: $miss}"
echo "  log: $log"
row "$result" "$owner" "$dax" "$online" "${miss:--}"
[ "$result" != FAIL ]
