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

# The suites this project needs that the machine's own sources lack: a suite
# listed twice makes apt warn on every call.  The machine's files are only
# read, never changed.
configured_suites() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && awk '$1 == "deb" { for (i = 2; i <= NF; i++)
			if ($i ~ /:\/\//) { print $(i + 1); break } }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$SRC" ] &&
			sed -n 's/^Suites:[[:space:]]*//p' "$f" | tr ' ' '\n'
	done
}
have=" $(configured_suites | sort -u | tr '\n' ' ') "
suites=
for s in bookworm-backports trixie trixie-backports sid; do
	case $have in *" $s "*) ;; *) suites="$suites $s" ;; esac
done
suites=${suites# }

want=$(mktemp)
if [ -n "$suites" ]; then
	uri=$(archive_uri)
	cat >"$want" <<SOURCES
# Added by dax-hmem-sr scripts/setup-host.sh: kernels and guest tools of
# other Debian releases, fetched with apt-get download, never installed.
# Only the suites the machine's own sources do not list.
Types: deb
URIs: $uri
Suites: $suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi
changed=0
if [ -s "$want" ]; then
	cmp -s "$want" "$SRC" || { cp "$want" "$SRC"; changed=1; }
elif [ -f "$SRC" ]; then
	rm -f "$SRC"; changed=1
fi
rm -f "$want"
if [ ! -f "$PIN" ]; then
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
	changed=1
fi
if [ "$changed" = 1 ] || [ -z "$(find /var/lib/apt/lists -name '*_dists_sid_*Packages*' -print -quit)" ]; then
	apt-get update -qq
fi

export DEBIAN_FRONTEND=noninteractive
need=(make gcc libc6-dev bc cpio xz-utils zstd kmod dkms debootstrap
      python3 libelf-dev rsync dwarves shellcheck libkmod-dev pkg-config
      flex bison libssl-dev debhelper dh-dkms lintian
      ovmf mtools dosfstools sbsigntool)
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
# virt-fw-vars, which enrols the DKMS key in OVMF's vars (Secure Boot
# suite): 24.2 in bookworm-backports, none in bookworm
if ! command -v virt-fw-vars >/dev/null; then
	apt-get install -y -qq --no-install-recommends -t bookworm-backports \
		python3-virt-firmware >/dev/null
fi
echo "setup-host: ok"
