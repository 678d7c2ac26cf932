# plot.gp: bench/report.sh's plot, gnuplot -e "dir='RESULTS'" plot.gp
# Left: time to usable memory per scenario (median, bars min..max).
# Right: arbitration time against the number of Soft Reserved ranges.
set terminal pngcairo size 1400,560 font "sans,10"
set output dir."/plot.png"
set multiplot layout 1,2
set datafile missing "NaN"

set title "Time from kernel start to the last Soft Reserved memory online (no bar: none came online)"
set ylabel "seconds (guest uptime)"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set boxwidth 0.9
set yrange [0:*]
set key top left
set grid ytics
set xtics rotate by -30
f = dir."/online.dat"
if (system("test -s ".f." && echo 1") eq "1") {
	plot f using 2:3:4:xtic(1) title "stock 6.12", \
	     '' using 5:6:7 title "6.12 + pair", \
	     '' using 8:9:10 title "stock 7.2"
} else {
	set label 1 "no scenario runs" at graph 0.4, graph 0.5
	set yrange [0:1]
	plot 2 with lines notitle
	unset label 1
}

set title "Arbitration time against Soft Reserved ranges (CXL window)"
set style data linespoints
set xlabel "Soft Reserved ranges"
set ylabel "milliseconds (median, bars min..max)"
set xtics norotate
# linear axes: linear growth shows as a straight line
set xrange [0:*]
set yrange [0:*]
set key top left
p1 = dir."/scale-pair-defer.dat"
p2 = dir."/scale-pair-arb.dat"
p3 = dir."/scale-7.2-defer.dat"
have(x) = system("test -s ".x." && echo 1") eq "1"
cmd = ""
sep = ""
if (have(p1)) { cmd = cmd.sep."'".p1."' using 1:2:3:4 with yerrorlines lw 2 title 'pair: deferral to last decision'"; sep = ", " }
if (have(p2)) { cmd = cmd.sep."'".p2."' using 1:2:3:4 with yerrorlines dt 2 title 'pair: wait return to last decision applied'"; sep = ", " }
if (have(p3)) { cmd = cmd.sep."'".p3."' using 1:2:3:4 with yerrorlines lw 2 title '7.2: deferral to last decision'"; sep = ", " }
if (cmd ne "") {
	eval "plot ".cmd
} else {
	set label 1 "no scale runs" at graph 0.4, graph 0.5
	unset logscale x
	set xrange [0:1]
	set yrange [0:1]
	plot 2 with lines notitle
}
unset multiplot
