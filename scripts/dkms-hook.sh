#!/bin/sh
# dkms-hook.sh install|remove: DKMS POST_INSTALL / POST_REMOVE.
# Installs the modprobe.d policy and its guard, and where initramfs-tools is
# installed its hook; removes them once no kernel has dax_hmem_sr installed
# any more.
set -eu

conf=${SR_MODPROBE_CONF:-/usr/lib/modprobe.d/dax-hmem-sr.conf}
guard=/usr/lib/dax-hmem-sr/stock-dax-hmem-guard
hooks=${SR_INITRAMFS_HOOKS:-/usr/share/initramfs-tools/hooks}
here=$(cd "$(dirname "$0")" && pwd)

case ${1:-} in
install)
	install -D -m 0755 "$here/modprobe.d/stock-dax-hmem-guard" "$guard"
	install -D -m 0644 "$here/modprobe.d/dax-hmem-sr.conf" "$conf"
	echo "dax-hmem-sr: installed $conf"
	if [ -d "$hooks" ]; then
		install -m 0755 "$here/initramfs-tools/dax-hmem-sr" "$hooks/dax-hmem-sr"
		echo "dax-hmem-sr: installed $hooks/dax-hmem-sr"
	fi
	;;
remove)
	if ls /lib/modules/*/updates/dkms/dax_hmem_sr.ko* >/dev/null 2>&1; then
		echo "dax-hmem-sr: still installed for another kernel; keeping $conf"
		exit 0
	fi
	rm -f "$conf" "$guard" "$hooks/dax-hmem-sr"
	rmdir "$(dirname "$guard")" 2>/dev/null || true
	echo "dax-hmem-sr: removed $conf"
	;;
*)
	echo "usage: dkms-hook.sh install|remove" >&2
	exit 1
	;;
esac
