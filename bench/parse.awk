# parse.awk: one raw.tsv line from the serial log of a vmbench=1 boot.
# Variables: rep sys kind name wall logf qrc hload (run.sh passes them).
# The guest dumps its dmesg at the end (guest/lib.sh main_bench); only that
# dump is read, so in a two-stage run only the second kernel's timestamps
# count.  Times are printk's, seconds since that kernel started.
function ts(line) {
	sub(/^\[ */, "", line)
	sub(/\].*/, "", line)
	return line + 0
}
/^=== SECTION dmesg/ { dm = 1; next }
/^=== SECTION / { dm = 0 }
/^BENCH / {
	for (i = 2; i <= NF; i++) {
		k = $i; sub(/=.*/, "", k)
		v = $i; sub(/^[^=]*=/, "", v)
		b[k] = v
	}
	got = 1
	dm = 0
}
dm && /^\[ *[0-9]+\.[0-9]+\]/ {
	t = ts($0)
	# The decision, before it is applied: both drivers log one of these per
	# range in a CXL window (7.2's dax_hmem as "hmem_platform", the pair
	# as "dax_hmem_sr_platform"), so the two compare like for like.
	decision = /hmem_platform\.0: CXL (claims resource, dropping|did not claim resource, registering)/
	if (sys == "pair") {
		# the pair's mark right after wait_for_device_probe() returns
		if (/CXL probe settled, deciding deferred ranges/ && settled == "")
			settled = t
		# and its line once the decision is applied (dax devices made)
		if (/dax_hmem_sr_platform .*Soft Reserved \[mem [^]]*\]: owner / && settled != "")
			applied = t
	}
	if (/vmbench: uptime / && skew == "") {
		u = $0; sub(/.*vmbench: uptime /, "", u)
		skew = sprintf("%.3f", (t - u) * 1000)
	}
	# both log this when the probe defers a range in a CXL window
	if (/hmem_platform\.0: await CXL initial probe/ && await == "")
		await = t
	if (decision) {
		n++
		if (first == "") first = t
		last = t
	}
}
END {
	status = "ok"
	if (!got) status = "noresult-qemu-rc" qrc
	else if (b["setup"] != "ok") status = "setup-" b["setup"]
	else if (b["bad"] != "0") status = "bad-" b["bad"]
	# arbitration as the issue defines it: decision applied minus the
	# return of wait_for_device_probe(), which only the pair logs
	arb = "-"
	if (applied != "")
		arb = sprintf("%.3f", (applied - settled) * 1000)
	span = "-"
	if (n >= 2) span = sprintf("%.3f", (last - first) * 1000)
	defer = "-"
	if (await != "" && n > 0 && last >= await)
		defer = sprintf("%.3f", (last - await) * 1000)
	split("ranges sr online owned t_online t_load", col, " ")
	printf "%s\t%s\t%s\t%s", rep, sys, kind, name
	for (i = 1; i <= 6; i++) printf "\t%s", (col[i] in b) ? b[col[i]] : "-"
	printf "\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", arb, span, n, \
		("setup" in b) ? b["setup"] : "-", ("bad" in b) ? b["bad"] : "-", status, wall, \
		(skew == "") ? "-" : skew, ("period" in b) ? b["period"] : "-", defer, \
		(hload == "") ? "-" : hload, logf
}
