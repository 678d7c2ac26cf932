#!/bin/bash
# Style: checkpatch (7.2's, --no-tree) on every C file and header, shellcheck
# on every shell script.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$SR_TOP" || exit 1

checkpatch=$("$SR_TOP/scripts/fetch-checkpatch.sh") || die "no checkpatch.pl"
mapfile -t cfiles < <(git ls-files '*.c' '*.h')
out=$("$checkpatch" --no-tree --terse --show-types -f "${cfiles[@]}" 2>&1)
if [ -z "$out" ]; then
	pass "checkpatch --no-tree: ${#cfiles[@]} files clean"
else
	echo "$out"
	fail "checkpatch: $(echo "$out" | grep -c ':') findings"
fi

mapfile -t shfiles < <(git ls-files | while read -r f; do
	case $f in
	*.sh | .ci/run) echo "$f" ;;
	*) head -n1 "$f" 2>/dev/null | grep -q '^#!.*sh' && echo "$f" ;;
	esac
done)
out=$(shellcheck -x -S warning "${shfiles[@]}" 2>&1)
if [ -z "$out" ]; then
	pass "shellcheck: ${#shfiles[@]} scripts clean"
else
	echo "$out"
	fail "shellcheck: findings"
fi

tally
