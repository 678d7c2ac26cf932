#!/bin/bash
# Prepare a Debian 12 host for building and testing the pair: the extra Debian
# suites the kernel matrix comes from (pinned low so nothing is upgraded from
# them), and the host tools.  Idempotent; run as root.
set -euo pipefail

SRC=/etc/apt/sources.list.d/dax-hmem-sr.sources
PIN=/etc/apt/preferences.d/dax-hmem-sr.pref

[ "$(id -u)" = 0 ] || { echo "setup-host: run as root" >&2; exit 1; }

# The archive URI is copied from the machine's own apt configuration: no host
# name is written into the project.
archive_uri() {
	local uri
	uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	      grep -v -- '-security' | grep -E '/debian/?$' | head -n1 || true)
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
		      /etc/apt/sources.list | grep -v -- '-security' | head -n1 || true)
	fi
	[ -n "$uri" ] || { echo "setup-host: no Debian archive URI in apt sources" >&2; exit 1; }
	echo "${uri%/}"
}

if [ ! -f "$SRC" ]; then
	uri=$(archive_uri)
	cat >"$SRC" <<SOURCES
# Added by dax-hmem-sr scripts/setup-host.sh: kernels and guest tools of
# other Debian releases, fetched with apt-get download, never installed.
Types: deb
URIs: $uri
Suites: bookworm-backports trixie trixie-backports sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
	cat >"$PIN" <<'PREF'
# Never upgrade the host from these suites; qemu is asked for by release.
Package: *
Pin: release n=trixie
Pin-Priority: 1

Package: *
Pin: release n=trixie-backports
Pin-Priority: 1

Package: *
Pin: release n=sid
Pin-Priority: 1

Package: *
Pin: release n=bookworm-backports
Pin-Priority: 100
PREF
	apt-get update -qq
elif [ -z "$(find /var/lib/apt/lists -name '*_dists_sid_*Packages*' -print -quit)" ]; then
	apt-get update -qq
fi

export DEBIAN_FRONTEND=noninteractive
need=(make gcc libc6-dev bc cpio xz-utils zstd kmod dkms debootstrap
      python3 libelf-dev rsync dwarves shellcheck libkmod-dev pkg-config
      flex bison libssl-dev)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# QEMU 10 (bookworm-backports) is the one verified with CXL type-3 volatile
# memory and hdm_for_passthrough.
if ! qemu-system-x86_64 --version 2>/dev/null | grep -q 'version 1[0-9]'; then
	apt-get install -y -qq --no-install-recommends -t bookworm-backports \
		qemu-system-x86 >/dev/null
fi
echo "setup-host: ok"
