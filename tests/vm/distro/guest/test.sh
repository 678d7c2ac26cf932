# A scenario in distro mode (sourced by main): udev's coldplug has loaded
# every module already; run the fast bed's checks (main_test of lib.sh)
# without loading anything, then say whether udev did the loading.
# shellcheck shell=sh
# SETUP, mem0, VM_HIDE and VM_LOAD belong to main_test (guest/lib.sh):
# shellcheck disable=SC2034
early=/run/vmtest-early
# guest/cxl (trixie's cxl-cli) before bookworm's
PATH=/run/vmtest/bin:$PATH
# Before anything of this script can have loaded a module.
at_start=$(cut -d' ' -f1 /proc/modules)
pair=0
[ -n "$(find "/lib/modules/$(uname -r)/updates" -name 'dax_hmem_sr.ko*' 2>/dev/null)" ] && pair=1

# 70-vmtest-hide.rules has set driver_override before cxl_pci loaded.
udev_hidden() {
	for _i in $(echo "$1" | tr ',' ' '); do
		_b=$(t3_bdf "$_i")
		_o=$(cat "/sys/bus/pci/devices/$_b/driver_override" 2>/dev/null)
		echo "type-3 device $_i ($_b): driver_override=$_o"
		[ "$_o" = vmtest-hidden ] && continue
		SETUP=nothidden-$_i
		sec "why not hidden"
		ls -l /etc/udev/rules.d /usr/local/lib/vmtest
		journalctl -b --no-pager -u systemd-udevd | tail -n 20
		udevadm test --action=add "/sys/bus/pci/devices/$_b" 2>&1 | grep -iE 'vmtest|vmhide|hide|class' | head -20
	done
}
# Nothing to load: MemTotal "before" is the one from before coldplug.
udev_loaded() {
	echo "modules before coldplug (vmtest-early.service): $(cut -d' ' -f1 $early/modules | tr '\n' ' ')"
	echo "modules when the test started: $(echo "$at_start" | tr '\n' ' ')"
	mem0=$(awk '/^MemTotal/ { print $2 }' $early/meminfo)
	settle
	# systemd-analyze has nothing before the boot (this unit) finishes
	sec "boot timeline"
	journalctl -b -o short-monotonic --no-pager |
		grep -E 'Reached target|Finished|Started|Mounted' | tail -n 40
}
VM_HIDE=udev_hidden VM_LOAD=udev_loaded
main_test | tee /run/vmtest.out

# Loaded by udev: none of them before coldplug, all of them when the test
# started (it loads nothing), and with the pair never the stock dax_hmem.
udev=ok
for m in cxl_acpi cxl_pci cxl_mem dax_hmem dax_hmem_sr cxl_sr_helper dax_cxl device_dax kmem; do
	grep -q "^$m " $early/modules && udev=early-$m
done
need="cxl_acpi cxl_pci cxl_mem dax_hmem"
[ $pair = 1 ] && need="cxl_acpi cxl_pci cxl_mem dax_hmem_sr"
for m in $need; do
	echo "$at_start" | grep -qx "$m" || udev=missing-$m
done
[ $pair = 1 ] && echo "$at_start" | grep -qx dax_hmem && udev=stock-loaded
sec "policy guard"
dmesg | grep 'dax_hmem: not loaded' || echo "(no guard line)"
guard=none
dmesg | grep -q 'dax_hmem: not loaded: dax_hmem_sr serves' && guard=refused
# the stock module's region_idle, which dax_hmem_sr does not read
idlewarn=no
dmesg | grep 'dax_hmem: region_idle=' && idlewarn=yes
echo "$(grep '^RESULT ' /run/vmtest.out | tail -n1) udev=$udev guard=$guard idlewarn=$idlewarn"
