#!/bin/bash
# The Debian packages (debian/): "dpkg-buildpackage -us -uc -b" on the
# tracked files alone, then lintian (no error, warning, info or pedantic tag
# but those debian/*.lintian-overrides explain), then what each package holds
# and needs: dax-hmem-sr-dkms every file the module build and its DKMS hooks
# read, at the version dkms.conf names; dax-hmem-sr-tools the command, which
# runs, and its man page.  The packages' life on a machine (install, a new
# kernel, remove, purge) is the distro VM suite's.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$SR_TOP/dkms.conf")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tree="$tmp/dax-hmem-sr-$ver"
mkdir -p "$tree"
(cd "$SR_TOP" && git ls-files -z | xargs -0 cp --parents -t "$tree")

if (cd "$tree" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b"
else
	tail -n 20 "$tmp/build.log" | sed 's/^/    /'
	fail "dpkg-buildpackage -us -uc -b (log above)"
	tally
	exit
fi
dkms_deb=$(ls "$tmp"/dax-hmem-sr-dkms_*_all.deb 2>/dev/null)
tools_deb=$(ls "$tmp"/dax-hmem-sr-tools_*_amd64.deb 2>/dev/null)
if [ -z "$dkms_deb" ] || [ -z "$tools_deb" ]; then
	fail "packages: got $(ls "$tmp")"
	tally
	exit
fi

# lintian refuses to run as root only with a warning on stderr
lintian -I -E --pedantic --fail-on error,warning,info,pedantic \
	"$tmp"/dax-hmem-sr_*.changes >"$tmp/lintian.out" 2>"$tmp/lintian.err"
rc=$?
sed 's/^/    /' "$tmp/lintian.out"
if [ "$rc" = 0 ] && [ ! -s "$tmp/lintian.out" ]; then
	pass "lintian: no tag"
else
	fail "lintian: exit $rc, $(wc -l <"$tmp/lintian.out") tags"
fi

# dax-hmem-sr-dkms: exactly the files the module build reads
src="usr/src/dax-hmem-sr-$ver"
dpkg-deb -c "$dkms_deb" >"$tmp/list"
awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' "$tmp/list" |
	grep "^$src/" | sed "s#^$src/##" | sort >"$tmp/got"
(cd "$SR_TOP" && git ls-files -- dkms.conf Kbuild Makefile include src/common src/helper \
	src/hmem scripts/conftest.sh scripts/btf-query.c scripts/dkms-hook.sh \
	scripts/modprobe.d scripts/initramfs-tools) | sort >"$tmp/want"
if diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
	pass "dax-hmem-sr-dkms: the $(wc -l <"$tmp/want") files of the module build under /$src"
else
	sed 's/^/    /' "$tmp/diff"
	fail "dax-hmem-sr-dkms: files under /$src differ from the module build's"
fi
for x in scripts/conftest.sh scripts/dkms-hook.sh scripts/modprobe.d/stock-dax-hmem-guard \
	scripts/initramfs-tools/dax-hmem-sr; do
	if grep -q "^-rwxr-xr-x .* \./$src/$x$" "$tmp/list"; then
		pass "dax-hmem-sr-dkms: $x executable"
	else
		fail "dax-hmem-sr-dkms: $x not executable"
	fi
done
dep=$(dpkg-deb -f "$dkms_deb" Depends)
case $dep in *dkms*) pass "dax-hmem-sr-dkms depends on dkms ($dep)" ;;
*) fail "dax-hmem-sr-dkms: Depends '$dep' lacks dkms" ;; esac
# dh_dkms's maintainer scripts: dkms add/build/install on configure,
# dkms remove --all before removal
dpkg-deb -e "$dkms_deb" "$tmp/ctl"
expect_match "postinst runs DKMS's common.postinst for dax-hmem-sr $ver" "$tmp/ctl/postinst" \
	"DKMS_VERSION=$ver"
expect_match "prerm removes every build" "$tmp/ctl/prerm" 'dkms remove -m \$DKMS_NAME -v \$DKMS_VERSION --all'

# dax-hmem-sr-tools: the command, linked against libkmod, and its man page
dpkg-deb -x "$tools_deb" "$tmp/tools"
if "$tmp/tools/usr/bin/dax-hmem-sr" --help >"$tmp/help" 2>&1 && grep -q '^usage: dax-hmem-sr' "$tmp/help"; then
	pass "dax-hmem-sr-tools: /usr/bin/dax-hmem-sr --help"
else
	fail "dax-hmem-sr-tools: /usr/bin/dax-hmem-sr --help: $(head -n2 "$tmp/help")"
fi
if [ -f "$tmp/tools/usr/share/man/man1/dax-hmem-sr.1.gz" ]; then
	pass "dax-hmem-sr-tools: man page"
else
	fail "dax-hmem-sr-tools: no usr/share/man/man1/dax-hmem-sr.1.gz"
fi
dep=$(dpkg-deb -f "$tools_deb" Depends)
case $dep in *libkmod2*) pass "dax-hmem-sr-tools depends on libkmod2 by shlibs ($dep)" ;;
*) fail "dax-hmem-sr-tools: Depends '$dep' lacks libkmod2" ;; esac

# SR_PACKAGE_OUT: keep the packages (the distro VM suite installs them)
if [ -n "${SR_PACKAGE_OUT:-}" ]; then
	mkdir -p "$SR_PACKAGE_OUT"
	cp "$dkms_deb" "$tools_deb" "$SR_PACKAGE_OUT/"
fi
tally
