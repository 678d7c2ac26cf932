# Kmemleak on the debug kernel (issue 13), guest side, sourced by lib.sh.
# After a scenario: what the pair allocated that nothing references any
# more, while it is loaded and again after it is unloaded (memory offlined
# first, as a user would have to).
#
#   leaks_start          before the scenario: forget what boot left
#   leaks_check NAME     scan twice, print the pair's objects under
#                        "=== SECTION kmemleak NAME", return their count
#   leaks_unload         offline HMEM's memory, remove the pair; sets
#                        UNLOAD=ok or refused:<step>
#   leaks_all            all three after the scenario; sets LEAKS
#
# An object is the pair's when a frame of its allocation backtrace names one
# of the two modules, or is a bare module address: kmemleak prints the
# backtrace when it is read, so the frames of an unloaded module (the pair
# after leaks_unload or a reload) have no name any more.  6.12 prints a
# frame as "    %pS" (a bare address when no module holds it), older
# kernels as "    [<%pK>] %pS"; tests/unit/guest-filters.sh holds both.
# shellcheck shell=sh

KMEMLEAK=/sys/kernel/debug/kmemleak

leaks_enabled() { [ -w "$KMEMLEAK" ]; }

leaks_start() { echo clear >"$KMEMLEAK"; }

# The pair's unreferenced objects in kmemleak's report (or file $1), one
# record each, blank-line separated.  An object of a kernel defect
# (vmfileak=NAME:CALLEE:FUNCTION,..., from tests/vm/kernel-defects.conf:
# allocated under CALLEE called from FUNCTION) goes to /tmp/leaks.kernel
# instead, its record headed "KERNEL-LEAK NAME".
# shellcheck disable=SC2120 # the unit controls pass a file
pair_leaks() {
	: >/tmp/leaks.kernel
	awk -v known="$(arg vmfileak)" '
		BEGIN { n = split(known, k, ",") }
		function fn(l) { sub(/^ +(\[<[0-9a-f]+>\] )?/, "", l); sub(/\+.*/, "", l); return l }
		/^unreferenced object/ { flush(); rec = $0; mine = 0; kern = ""; prev = ""; next }
		rec != "" {
			rec = rec "\n" $0
			if ($0 ~ /\[(dax_hmem_sr|cxl_sr_helper)\]$/ ||
			    $0 ~ /^ +(\[<[0-9a-f]+>\] )?0xffffffff[a-f][0-9a-f]*$/)
				mine = 1
			for (i = 1; i <= n; i++) {
				split(k[i], f, ":")
				if (prev == f[2] && fn($0) == f[3]) kern = f[1]
			}
			prev = fn($0)
		}
		function flush() {
			if (rec != "" && mine && kern != "") print "KERNEL-LEAK " kern "\n" rec "\n" >"/tmp/leaks.kernel"
			else if (rec != "" && mine) print rec "\n"
			rec = ""
		}
		END { flush() }' "${1:-$KMEMLEAK}"
}

leaks_check() {
	# objects younger than 5 s are not reported; two scans so that a
	# pointer moved during the first one is not taken for a leak
	sleep 5
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	pair_leaks >/tmp/leaks.$1
	sec "kmemleak $1 (t=$(uptime_s))"
	cat /tmp/leaks.$1
	if [ -s /tmp/leaks.kernel ]; then
		echo "(the kernel's own defects, not counted: tests/vm/kernel-defects.conf)"
		cat /tmp/leaks.kernel
	fi
	return "$(grep -c '^unreferenced object' /tmp/leaks.$1)"
}

leaks_unload() {
	UNLOAD=ok
	sec "unload the pair (t=$(uptime_s))"
	if ! offline_hmem_memory; then
		UNLOAD=refused:offline
		return
	fi
	settle
	for _m in dax_hmem_sr cxl_sr_helper; do
		grep -q "^$_m " /proc/modules || continue
		echo "\$ modprobe -r $_m"
		$MODPROBE -r "$_m" 2>&1 || { UNLOAD=refused:$_m; return; }
	done
	settle
}

# LEAKS gets the result fields: leaks=N unload=... leaksafter=N
leaks_all() {
	leaks_check loaded
	_l=$?
	leaks_unload
	leaks_check unloaded
	# main_test's RESULT line takes it (lib.sh)
	# shellcheck disable=SC2034
	LEAKS="leaks=$_l unload=$UNLOAD leaksafter=$?"
}
