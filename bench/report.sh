#!/bin/bash
# bench/report.sh DIR: the table (DIR/table.md) and the plot (DIR/plot.png)
# of a bench/run.sh results directory, from DIR/raw.tsv; prints the table.
# Rerunnable on old results.  Figures are min/median/max over the boots
# whose status is ok; the others are counted and listed, never averaged in.
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: report.sh RESULTS_DIR}
[ -f "$dir/raw.tsv" ] || { echo "report.sh: no $dir/raw.tsv" >&2; exit 1; }

{
	# how guest time was kept, from run.sh's notes
	t=$(sed -n 's/^time: //p' "$dir/meta.txt" 2>/dev/null)
	echo "Guest time: ${t:-wall (no note: a run from before bench/run.sh -i)}"
	echo
	awk -F'\t' -v dir="$dir" -v ncpu="$(nproc)" -f "$bench_dir/report.awk" "$dir/raw.tsv"
} >"$dir/table.md"
{
	echo
	sed 's/^/    /' "$dir/meta.txt" 2>/dev/null || true
} >>"$dir/table.md"

if command -v gnuplot >/dev/null; then
	gnuplot -e "dir='$dir'" "$bench_dir/plot.gp" 2>"$dir/plot.err" ||
		echo "report.sh: gnuplot failed, see $dir/plot.err" >&2
else
	echo "report.sh: no gnuplot, no plot" >&2
fi
cat "$dir/table.md"
echo
echo "results: $dir (table.md raw.tsv plot.png logs/)"
