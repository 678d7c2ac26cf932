#!/bin/bash
# fetch-checkpatch.sh: checkpatch.pl and its data files from Debian's
# linux-source-7.2 (the style the code is held to), into the cache.
# Prints the path of checkpatch.pl.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir="$SR_CACHE/checkpatch"
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$SR_CACHE/debs" "$dir"
	deb=$(ls "$SR_CACHE"/debs/linux-source-7.2_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		(cd "$SR_CACHE/debs" &&
		 apt-get download -qq -o APT::Sandbox::User=root linux-source-7.2 >/dev/null)
		deb=$(ls "$SR_CACHE"/debs/linux-source-7.2_*.deb | head -n1)
	fi
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*/linux-source-7.2.tar.xz' |
		tar -xJ -C "$dir" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch'
fi
echo "$dir/scripts/checkpatch.pl"
