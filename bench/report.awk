# report.awk: raw.tsv of bench/run.sh -> table.md (stdout) and the plot's
# data files (dir/online.dat, dir/scale-*.dat).  mawk-compatible.
# raw.tsv columns: 1 rep 2 system 3 kind 4 case 5 ranges 6 sr_bytes
# 7 online_bytes 8 owned_bytes 9 t_online_s 10 t_load_s 11 arb_ms 12 span_ms
# 13 decided 14 setup 15 bad 16 status 17 wall_s 18 clock_skew_ms
# 19 sample_period_s 20 log

function add(key, v) {
	if (v == "-" || v == "") return
	cnt[key]++
	val[key, cnt[key]] = v + 0
}
# min/median/max of the values under key, sorted in place
function stats(key,    n, i, j, t) {
	n = cnt[key] + 0
	if (!n) { smin = smed = smax = ""; return 0 }
	for (i = 2; i <= n; i++) {
		t = val[key, i]
		for (j = i - 1; j >= 1 && val[key, j] > t; j--) val[key, j + 1] = val[key, j]
		val[key, j + 1] = t
	}
	smin = val[key, 1]; smax = val[key, n]
	smed = (n % 2) ? val[key, (n + 1) / 2] : (val[key, n / 2] + val[key, n / 2 + 1]) / 2
	return n
}
function fmt3(key, f) {
	if (!stats(key)) return "-"
	return sprintf(f " / " f " / " f, smin, smed, smax)
}
function med(key) { return stats(key) ? smed : "" }
function ratio(a, b) { return (a != "" && b != "" && b > 0) ? sprintf("%.3f", a / b) : "-" }

NR == 1 { next }
{
	sys = $2; kind = $3; c = $4
	if (!((c) in seen)) {
		seen[c] = 1
		if (kind == "scn") scn[++nscn] = c
		else { sc[++nsc] = c; nr[c] = substr(c, 7) + 0 }
	}
	if (!((c, sys) in have)) { have[c, sys] = 1 }
	runs[c, sys]++
	if ($16 != "ok") {
		badruns[c, sys]++
		bad[++nbad] = sys " " c " r" $1 ": " $16 " (" $20 ")"
		next
	}
	add(c SUBSEP sys SUBSEP "sr", $6)
	add(c SUBSEP sys SUBSEP "online", $7)
	add(c SUBSEP sys SUBSEP "owned", $8)
	add(c SUBSEP sys SUBSEP "ton", $9)
	add(c SUBSEP sys SUBSEP "arb", $11)
	add(c SUBSEP sys SUBSEP "span", $12)
	add(c SUBSEP sys SUBSEP "dec", $13)
	add(c SUBSEP sys SUBSEP "nr", $5)
}
END {
	nsys = split("6.12 pair 7.2", S, " ")
	label["6.12"] = "stock 6.12"; label["pair"] = "6.12 + pair"; label["7.2"] = "stock 7.2"
	if (nscn) {
		print "### Scenarios: capacity and time to usable memory"
		print ""
		print "| scenario | system | SR GiB | online GiB (%) | in a dax device % | time to online, s (min / median / max) | arbitration, ms (min / median / max) | pair/7.2 | pair/6.12 | boots |"
		print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		for (i = 1; i <= nscn; i++) {
			c = scn[i]
			for (j = 1; j <= nsys; j++) {
				s = S[j]
				if (!((c, s) in have)) continue
				k = c SUBSEP s SUBSEP
				sr = med(k "sr"); on = med(k "online"); ow = med(k "owned")
				srg = (sr != "") ? sprintf("%.2f", sr / 1073741824) : "-"
				ong = (on != "" && sr > 0) ? sprintf("%.2f (%.0f %%)", on / 1073741824, 100 * on / sr) : "-"
				owp = (ow != "" && sr > 0) ? sprintf("%.0f", 100 * ow / sr) : "-"
				if (stats(k "online") && smin != smax) ong = ong " varies"
				r72 = r612 = ""
				if (s == "pair") {
					r72 = ratio(med(k "ton"), med(c SUBSEP "7.2" SUBSEP "ton"))
					r612 = ratio(med(k "ton"), med(c SUBSEP "6.12" SUBSEP "ton"))
				}
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d%s |\n", c, label[s], srg, ong, owp, \
					fmt3(k "ton", "%.2f"), fmt3(k "arb", "%.2f"), r72, r612, runs[c, s], \
					badruns[c, s] ? " (" badruns[c, s] " not ok)" : ""
				row[s] = stats(k "ton") ? smed " " smin " " smax : "NaN NaN NaN"
			}
			line = c
			for (j = 1; j <= nsys; j++) line = line " " (((c, S[j]) in have) ? row[S[j]] : "NaN NaN NaN")
			print line >(dir "/online.dat")
			delete row
		}
		print ""
		print "Time to online: guest uptime (seconds since the kernel started; the second kernel in the two-stage"
		print "scenarios) at which the memory blocks inside the Soft Reserved ranges reached their final online count,"
		print "seen by a sampler in the guest polling sysfs every ~50 ms.  Modules load as the VM bed loads them (see"
		print "the load order below).  \"-\": nothing came online.  Arbitration: pair = last \"Soft Reserved ... owner\""
		print "line minus its \"CXL probe settled\" line (logged right after wait_for_device_probe() returns); 7.2 = last"
		print "minus first \"CXL claims/did not claim resource\" line (7.2 logs nothing when the wait returns, so its"
		print "first range is not counted); \"-\": no deferred range (decided in the probe, or nothing to decide)."
		print "Ratios: medians of time to online."
		print ""
	}
	if (nsc) {
		print "### Scale: Soft Reserved ranges in the CXL window, no region (every range goes to HMEM)"
		print ""
		print "| ranges | system | decided | arbitration, ms (min / median / max) | µs per range | first to last decision, ms (min / median / max) | µs per range after the first | boots |"
		print "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
		# by range count
		for (i = 1; i <= nsc; i++)
			for (j = i + 1; j <= nsc; j++)
				if (nr[sc[j]] < nr[sc[i]]) { t = sc[i]; sc[i] = sc[j]; sc[j] = t }
		for (i = 1; i <= nsc; i++) {
			c = sc[i]; n = nr[c]
			for (j = 1; j <= nsys; j++) {
				s = S[j]
				if (!((c, s) in have)) continue
				k = c SUBSEP s SUBSEP
				a = med(k "arb"); sp = med(k "span"); d = med(k "dec")
				pa = (a != "" && s == "pair" && n > 0) ? sprintf("%.1f", 1000 * a / n) : "-"
				ps = (sp != "" && n > 1) ? sprintf("%.1f", 1000 * sp / (n - 1)) : "-"
				printf "| %d | %s | %s | %s | %s | %s | %s | %d%s |\n", n, label[s], (d == "") ? "-" : d, \
					(s == "pair") ? fmt3(k "arb", "%.2f") : "-", pa, fmt3(k "span", "%.2f"), ps, runs[c, s], \
					badruns[c, s] ? " (" badruns[c, s] " not ok)" : ""
				if (s == "pair" && a != "") {
					stats(k "arb")
					printf "%d %s %s %s\n", n, smed, smin, smax >(dir "/scale-pair-total.dat")
				}
				if (sp != "") {
					stats(k "span")
					printf "%d %s %s %s\n", n, smed, smin, smax >(dir "/scale-" s "-span.dat")
				}
			}
		}
		print ""
		print "Each range is 2 MiB, 8 MiB apart, from one memmap= comma list; kmem is withheld (no region backs the"
		print "window).  Stock 6.12 defers every such range to CXL for good and decides nothing, so it is not run."
		print "µs per range = arbitration / ranges (pair), first-to-last span / (ranges - 1) (both)."
		print ""
	}
	if (nbad) {
		print "Boots left out of the figures:"
		print ""
		for (i = 1; i <= nbad; i++) print "- " bad[i]
		print ""
	}
}
