# Test helpers: each check prints one PASS/FAIL line; tally prints the
# closing "N passed, N failed" line and sets the exit status.
# shellcheck shell=bash
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect_match NAME FILE REGEX: FILE has a line matching REGEX
expect_match() {
	if grep -Eq -- "$3" "$2"; then pass "$1"; else fail "$1 (no /$3/ in $2)"; fi
}

tally() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}
