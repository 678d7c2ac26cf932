#!/bin/bash
# mkchroot.sh SUITE: a minimal Debian SUITE tree with that release's gcc and
# make, for building modules for kernels compiled with a newer gcc than the
# host's (trixie: gcc-14, sid: gcc-16).  Never mix compilers.  Cached.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suite=${1:?usage: mkchroot.sh SUITE}
dir="$SR_CACHE/chroot/$suite"
[ -e "$dir/.complete" ] && { echo "$dir"; exit 0; }
[ "$(id -u)" = 0 ] || die "run as root"

mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/dax-hmem-sr.sources | head -n1)
[ -n "$mirror" ] || die "run scripts/setup-host.sh first"
rm -rf "$dir"
mkdir -p "$dir"
debootstrap --variant=minbase --include=make,gcc,libc6-dev,libelf-dev,bc,kmod,dwarves,perl \
	"$suite" "$dir" "$mirror" >"$SR_CACHE/chroot/$suite.log" 2>&1 ||
	die "debootstrap $suite failed, see $SR_CACHE/chroot/$suite.log"
touch "$dir/.complete"
echo "$dir"
