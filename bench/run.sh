#!/bin/bash
# bench/run.sh [-r N] [-B N] [-R N] [-s SYSTEMS] [-t SCENARIOS] [-n COUNTS] [-S SYSTEMS]
#              [-i SHIFT | -w] [-u] [-o DIR]
# The benchmark of issue #8: how much Soft Reserved memory is usable, and
# how soon after boot, on stock 6.12, 6.12 with the pair and stock 7.2, in one
# run on the VM bed (tests/vm).  Not a test: it asserts nothing, it reports.
#
#   -r N         repeats of each scenario boot (default 5)
#   -B N         but stock 6.12 only N times outside S0 (default 5, as the
#                others; -B 1 saves time where only its capacity matters)
#   -R N         repeats of each scale boot (default 5)
#   -s SYSTEMS   systems for the scenarios (default 6.12,pair,7.2)
#   -t LIST      scenarios of tests/vm/scenarios.conf (default S0,S1,S2,
#                S3-kmem,S4,S5; S3-devdax has nothing that can come online);
#                "none" for no scenario
#   -n COUNTS    Soft Reserved range counts of the scale runs (default
#                1,16,64,max,256; max = the most the command line holds);
#                "none" for no scale run
#   -S SYSTEMS   systems for the scale runs (default pair,7.2: stock 6.12
#                decides nothing, it strands every range)
#   -i SHIFT     guest time by QEMU's instruction counting (the default,
#                SHIFT 0: one instruction is 1 ns of guest time; idle time
#                skipped; the RTC starts at a fixed date), so a boot's times
#                do not depend on how the host scheduled it
#   -w           guest time from the host's clock instead (plain TCG), for
#                comparison
#   -u           load modules as udev coldplug would (all at once, one settle
#                at the end) instead of the bed's order with a settle after
#                the CXL modules
#   -o DIR       results directory (default $SR_CACHE/bench/results/<date>)
#
# Writes DIR/raw.tsv (one line per boot), DIR/table.md, DIR/plot.png and the
# guest logs under DIR/logs, and prints the table.  Boots run one at a time.
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
. "$bench_dir/../tests/vm/lib.sh"

reps=5 breps=5 sreps=5 icount=0 systems=6.12,pair,7.2 sc_systems=pair,7.2 udev=
scens=S0,S1,S2,S3-kmem,S4,S5 counts=1,16,64,max,256
out="$SR_CACHE/bench/results/$(date -u +%Y%m%d-%H%M%S)"
while getopts r:R:B:s:t:n:S:i:wuo: o; do
	case $o in
	r) reps=$OPTARG ;;
	B) breps=$OPTARG ;;
	R) sreps=$OPTARG ;;
	s) systems=$OPTARG ;;
	t) scens=$OPTARG ;;
	n) counts=$OPTARG ;;
	S) sc_systems=$OPTARG ;;
	i) icount=$OPTARG ;;
	w) icount= ;;
	u) udev=1 ;;
	o) out=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
[ -z "$icount" ] || [[ $icount =~ ^([0-9]|10)$ ]] || die "-i takes a shift of 0 to 10, not '$icount'"
export VM_ICOUNT=$icount
[ "$scens" = none ] && scens=
[ "$counts" = none ] && counts=
for s in ${systems//,/ } ${sc_systems//,/ }; do
	case $s in 6.12|7.2|pair) ;; *) die "unknown system '$s' (6.12, 7.2, pair)" ;; esac
done
mkdir -p "$out/logs"

# Host tools: the bed's (QEMU, kernels) and gnuplot for the plot.
"$SR_TOP/scripts/setup-host.sh" >/dev/null
command -v gnuplot >/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		gnuplot-nox >/dev/null
"$SR_TOP/scripts/fetch-kernel.sh" 6.12-deb12 7.2 >/dev/null

# mkimage.sh keeps only the newest few images per kernel in the shared
# cache, and other runs build more: each image is linked into the results
# directory for the length of the run.
declare -A img=()
trap 'rm -rf "$out/img"' EXIT
need=
[ -n "$scens" ] && need=$systems
[ -n "$counts" ] && need="$need,$sc_systems"
for s in ${need//,/ }; do
	[ -n "${img[$s]:-}" ] && continue
	case $s in
	6.12) i=$("$VM_DIR/mkimage.sh" 6.12-deb12) ;;
	7.2) i=$("$VM_DIR/mkimage.sh" 7.2) ;;
	pair)
		ko=$("$SR_TOP/scripts/build-pair.sh" 6.12-deb12 2>"$out/build-pair.err" | tr '\n' ' ') ||
			die "build-pair.sh 6.12-deb12 failed: $out/build-pair.err"
		i=$(EXTRA_KO="$ko" "$VM_DIR/mkimage.sh" 6.12-deb12) ;;
	esac
	mkdir -p "$out/img/$s"
	for f in vmlinuz initrd.cpio kver; do
		ln -f "$i/$f" "$out/img/$s/$f" 2>/dev/null || cp "$i/$f" "$out/img/$s/$f"
	done
	echo "image $s: ${i##*/} ($(cat "$i/kver"))" >>"$out/meta.txt"
	img[$s]=$out/img/$s
done

# The case list: "KIND CASE DEVS COMMIT ARGS".  Scenarios come from
# scenarios.conf without vmrecreate (it runs after the measurement and only
# costs time); a scale case puts COUNT 2 MiB ranges, 8 MiB apart, into the
# CXL window, where the pair and 7.2 defer and decide them after CXL probing.
# No region backs them, so kmem is withheld: onlining unbacked window memory
# corrupts the guest (tests/vm README, S3-devdax).
cases=()
for t in ${scens//,/ }; do
	line=$(awk -v s="$t" '!/^#/ && $1 == s { $1 = ""; print; f = 1 } END { exit !f }' \
		"$VM_DIR/scenarios.conf") || die "unknown scenario '$t'"
	read -r devs commit args <<<"$line"
	a=
	for w in $args; do case $w in vmrecreate=*) ;; *) a="$a $w" ;; esac; done
	cases+=("scn $t $devs $commit${a}")
done
# What run-vm.sh puts first, then vmtest, vmbench, the dyndbg and memmap=.
fixed="console=ttyS0 panic=-1 oops=panic quiet vmtest=scale-NNN vmbench=1 vmbenchload=udev dax_hmem_sr.dyndbg=+p vmwithhold=kmem memmap="
cmdline_max=2047 # x86 COMMAND_LINE_SIZE 2048, NUL included
scale_map() {
	local n=$1 i m=
	for ((i = 0; i < n; i++)); do m="$m,2M%$((4352 + 8 * i))M+0xefffffff"; done
	echo "${m#,}"
}
fits() { [ $(( ${#fixed} + ${#1} )) -le $cmdline_max ]; }
maxfit=0
while fits "$(scale_map $((maxfit + 1)))"; do maxfit=$((maxfit + 1)); done
nofit=()
for c in ${counts//,/ }; do
	[ "$c" = max ] && c=$maxfit
	m=$(scale_map "$c")
	if fits "$m"; then
		cases+=("scale scale-$c 1 0 vmwithhold=kmem memmap=$m")
	else
		nofit+=("$c")
	fi
done
# sorted, one case per count
mapfile -t cases < <(printf '%s\n' "${cases[@]}" | awk '!seen[$2]++')

dbg_of() { case $1 in pair) echo dax_hmem_sr.dyndbg=+p ;; *) echo dax_hmem.dyndbg=+p ;; esac; }

# One boot: log file, then a raw.tsv line from bench/parse.awk.
boot() { # REP SYSTEM KIND CASE DEVS COMMIT ARGS...
	local rep=$1 sys=$2 kind=$3 name=$4 devs=$5 commit=$6 tmo cl a log rc t0
	shift 6
	log="$out/logs/$sys-$name-r$rep.log"
	local args=("$@" vmbench=1 "$(dbg_of "$sys")")
	[ -n "$udev" ] && args+=(vmbenchload=udev)
	if [ "$commit" -gt 0 ]; then
		cl=("vmtest=$name" vmstage=1 "vmcommit=$commit")
		for a in "${args[@]}"; do cl+=("k2.$a"); done
		tmo=300
	else
		cl=("vmtest=$name" "${args[@]}")
		tmo=180
	fi
	# the limit maxfit was computed against, checked on the real line
	a="console=ttyS0 panic=-1 oops=panic quiet ${cl[*]}"
	if [ ${#a} -gt $cmdline_max ]; then
		printf '%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tcmdline-%s-bytes\t0\t-\t-\t-\t-\t-\n' \
			"$rep" "$sys" "$kind" "$name" "${#a}" >>"$out/raw.tsv"
		return
	fi
	# a loaded host slows an icount guest without changing what it
	# measures: waiting longer costs nothing but time
	[ -n "$icount" ] && tmo=$((tmo * 3))
	t0=$SECONDS
	hload=$(cut -d' ' -f1 /proc/loadavg)
	rc=0
	"$VM_DIR/run-vm.sh" -d "$devs" -t "$tmo" "${img[$sys]}" "$log" "${cl[@]}" || rc=$?
	if [ "$rc" = 124 ]; then
		# as run-test.sh: one retry tells a rare early TCG hang from a real one
		mv "$log" "$log.timeout"
		rc=0
		"$VM_DIR/run-vm.sh" -d "$devs" -t "$tmo" "${img[$sys]}" "$log" "${cl[@]}" || rc=$?
	fi
	tr -d '\r' <"$log" | awk -v rep="$rep" -v sys="$sys" -v kind="$kind" -v name="$name" \
		-v wall=$((SECONDS - t0)) -v logf="$log" -v qrc="$rc" -v hload="$hload" -f "$bench_dir/parse.awk" >>"$out/raw.tsv"
	tail -n1 "$out/raw.tsv" | awk -F'\t' '{ printf "  %-5s %-12s r%s: online %s/%s B, t_online %s s, arbitration %s ms, %s ranges decided, %s\n",
		$2, $4, $1, $7, $6, $9, $11, $13, $16 }' >&2
}

printf 'rep\tsystem\tkind\tcase\tranges\tsr_bytes\tonline_bytes\towned_bytes\tt_online_s\tt_load_s\tarb_ms\tspan_ms\tdecided\tsetup\tbad\tstatus\twall_s\tclock_skew_ms\tsample_period_s\tdefer_ms\thost_load\tlog\n' >"$out/raw.tsv"
{
	echo "started $(date -u +%FT%TZ), host load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "command: bench/run.sh $*"
	if [ -n "$icount" ]; then
		echo "time: icount shift=$icount (1 instruction = $((1 << icount)) ns of guest time), sleep=off, RTC fixed (tests/vm/run-vm.sh VM_ICOUNT)"
	else
		echo "time: wall (plain TCG: guest time follows the host's clock and its load)"
	fi
	if [ -n "$udev" ]; then
		echo "load order: udev (all modules at once, one settle at the end)"
	else
		echo "load order: the bed's (cxl_acpi cxl_pci cxl_mem, settle, HMEM by alias, dax_cxl device_dax kmem, settle)"
	fi
	echo "scale: at most $maxfit ranges fit the command line${nofit[*]:+; not measurable: ${nofit[*]}}"
} >>"$out/meta.txt"
cat "$out/meta.txt" >&2
# Repeats outermost, so a noisy minute of the shared host spreads over all
# cases instead of spoiling one.
maxrep=$reps
[ "$sreps" -gt "$maxrep" ] && maxrep=$sreps
for ((r = 1; r <= maxrep; r++)); do
	for c in "${cases[@]}"; do
		read -r kind name devs commit args <<<"$c"
		if [ "$kind" = scn ]; then
			[ "$r" -le "$reps" ] || continue
			sl=$systems
		else
			[ "$r" -le "$sreps" ] || continue
			sl=$sc_systems
		fi
		for s in ${sl//,/ }; do
			if [ "$kind" = scn ] && [ "$s" = 6.12 ] && [ "$name" != S0 ] && [ "$r" -gt "$breps" ]; then
				continue
			fi
			echo "bench: r$r $s $name" >&2
			# shellcheck disable=SC2086 # one word per kernel argument
			boot "$r" "$s" "$kind" "$name" "$devs" "$commit" $args
		done
	done
done
echo "finished $(date -u +%FT%TZ), host load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/meta.txt"

"$bench_dir/report.sh" "$out"
