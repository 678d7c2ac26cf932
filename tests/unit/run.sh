#!/bin/bash
# User-space unit tests of the decision (src/common), with ASan and UBSan.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

out="$SR_CACHE/unit"
mkdir -p "$out"
gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -I "$SR_TOP/include" \
	"$SR_TOP/src/common/decide.c" "$SR_TOP/tests/unit/test_decide.c" \
	-o "$out/test_decide" || { echo "0 passed, 1 failed"; exit 1; }
exec "$out/test_decide"
