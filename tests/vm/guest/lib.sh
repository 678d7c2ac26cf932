# Guest side of the VM test bed, sourced by /init (busybox ash).
#
# Kernel command line protocol (set by tests/vm/run-test.sh):
#   vmtest=NAME        scenario name, only echoed
#   vmstage=1          commit decoders, then kexec into stage 2 (below)
#   vmcommit=N         stage 1: create and commit one x1 RAM region on each of
#                      the first N type-3 devices, in PCI address order
#   vmlock=ep|all      stage 1, after the commit: set Lock-On-Commit on the
#                      endpoints' committed decoders (ep) or on the host
#                      bridges' too (all), as firmware does; needs iomem=relaxed
#   k2.KEY=VAL         stage 2 gets KEY=VAL instead (and vmstage=2)
#   vmhide=I,J         keep type-3 devices I,J (PCI address order) from cxl_pci
#   vmwithhold=M,N     remove modules M,N from the guest, so neither a name, an
#                      alias, a softdep nor request_module() loads them
#   vmrecreate=1       after the checks, tear the SR region down and create
#                      it again at the same address
#   vmearly=HOW        dax_cxl, device_dax and kmem load before the HMEM driver
#                      (whatever answers its alias): HOW=modprobe through
#                      modprobe.d as udev would; HOW=insmod past it, as an
#                      initramfs that loads dax_cxl early (adversarial)
#   vmcycle=M,N        after loading, unload and reload M, then N, and settle;
#                      reports cycle=M:ok|refused,...
#   vmhandover=HOW     after loading: "modprobe -r cxl_acpi" with the memory
#                      online (must be refused), then, for HOW=full, offline
#                      the CXL memory, remove cxl_acpi, settle, load it
#                      again, settle; reports handover=...
#   vmunbind=1         after loading: a sysfs unbind of hmem_platform.0 with
#                      HMEM's memory online, then a bind; reports unbind=...
#   vmstress=K:N,...   after loading, N cycles of K (stress.sh); reports
#                      stress=K:N:ok|FAIL-at-I,...
#   vmbreak=policy     a broken install: the pair's modprobe.d policy removed
#                      and the stock dax_hmem loaded by name before the rest
#   vmtoolhandover=1   after the checks, dax-hmem-sr handover --to hmem (a dry
#                      run first); RESULT toolhandover=RC:OWNER of the first range
#   vmfaults=T,...     after the checks, fault injection (faults.sh)
#   vmbench=1          bench/run.sh: main_bench instead of main_test
#   vmbenchload=udev   with vmbench=1: every module at once, no settle between
#   memmap=SIZE%BASE[-OLD]+0xefffffff   the Soft Reserved ranges checked
# shellcheck shell=sh
# The kernel command line is read as words, on purpose:
# shellcheck disable=SC2013

MODPROBE=/usr/sbin/modprobe     # kmod's: busybox's ignores softdep/install

arg() {
	for _a in $(cat /proc/cmdline); do
		case $_a in "$1="*) echo "${_a#*=}"; return ;; esac
	done
	echo "$2"
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }
sec() { echo "=== SECTION $*"; }
run() { echo "\$ $*"; "$@" 2>&1; echo "[rc=$?]"; }

# Sizes as the kernel's memparse() reads them.
parse_size() {
	case $1 in
	*[kK]) echo $(( ${1%?} << 10 )) ;;
	*[mM]) echo $(( ${1%?} << 20 )) ;;
	*[gG]) echo $(( ${1%?} << 30 )) ;;
	*) echo $(( $1 )) ;;
	esac
}
fmt_size() {
	if [ $(( $1 % (1 << 30) )) = 0 ]; then echo "$(( $1 >> 30 ))G"
	else echo "$(( $1 >> 20 ))M"; fi
}
hex() { printf '0x%x' "$1"; }

# "BASE SIZE" per Soft Reserved memmap= on the command line (the kernel
# also takes comma lists, and BASE with a K/M/G suffix: bench/ needs both to
# fit many ranges into the 2048-byte command line).
sr_ranges() {
	for _a in $(cat /proc/cmdline); do
		case $_a in memmap=*) ;; *) continue ;; esac
		for _v in $(echo "${_a#memmap=}" | tr ',' ' '); do
			case $_v in
			*%*+0xefffffff)
				_s=$(parse_size "${_v%%%*}")
				_r=${_v#*%}
				_b=$(parse_size "${_r%%[-+]*}")
				echo "$_b $_s" ;;
			esac
		done
	done
}

# Withheld modules are moved out of /lib/modules and depmod runs again: an
# "install M /bin/true" line would not do, kmod ignores the install command
# of a module that has softdeps (cxl_acpi, or dax_cxl with the pair's policy).
WITHHELD=/lib/modules/withheld
withhold() {
	mkdir -p $WITHHELD
	for _m in $(echo "$1" | tr ',' ' '); do
		_f=$(find /lib/modules/"$(uname -r)" -name "$_m.ko")
		[ -n "$_f" ] || { echo "withhold: $_m not found"; continue; }
		mv "$_f" "$WITHHELD/" && echo "$_f" >>"$WITHHELD/list"
		echo "withheld $_m"
	done
	depmod
}
unwithhold() {
	[ -f "$WITHHELD/list" ] || return 0
	while read -r _f; do mv "$WITHHELD/${_f##*/}" "$_f"; done <"$WITHHELD/list"
	rm -rf "$WITHHELD"
	depmod
}

# Type-3 memory devices (class 0x0502, prog-if 0x10), in PCI address order;
# bus numbers follow root port order on the QEMU command line.
t3_bdfs() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/class")" = 0x050210 ] && echo "${_d##*/}"
	done | sort
}
t3_bdf() { t3_bdfs | sed -n "$(( $1 + 1 ))p"; }
memdev_of() {
	for _m in /sys/bus/cxl/devices/mem*; do
		[ -e "$_m" ] || continue
		case $(readlink -f "$_m") in */"$1"/*) echo "${_m##*/}"; return ;; esac
	done
}

hide_devs() {
	for _i in $(echo "$1" | tr ',' ' '); do
		_b=$(t3_bdf "$_i")
		[ -n "$_b" ] || { echo "VMTEST SETUP: no type-3 device $_i"; SETUP=nodev$_i; continue; }
		# An unknown driver name: no driver matches, the device stays as
		# stage 1 left it, with its decoders committed.
		echo vmtest-hidden >"/sys/bus/pci/devices/$_b/driver_override"
		echo "hid type-3 device $_i ($_b) from drivers"
	done
}

# Wait until the device and resource state stops changing: cxl_pci and
# dax_cxl probe asynchronously and 7.2's dax_hmem defers work.  Five equal
# looks 0.3 s apart: with two TCG guests on two cores a probe can stall a
# while, and a verdict taken mid-probe would be a flaky one.
fingerprint() {
	{
		ls /sys/bus/cxl/devices /sys/bus/dax/devices 2>/dev/null
		ls -l /sys/bus/dax/devices/*/driver 2>/dev/null
		cat /proc/iomem /proc/modules
		grep MemTotal /proc/meminfo
	} | md5sum
}
settle() { settle_by fingerprint 5 0.3; }

# settle_by FINGERPRINT LOOKS INTERVAL: until LOOKS equal fingerprints in a
# row, at most 100 looks
settle_by() {
	_prev= ; _same=0 ; _n=0
	while [ $_n -lt 100 ]; do
		_fp=$($1)
		if [ "$_fp" = "$_prev" ]; then
			_same=$(( _same + 1 ))
			[ $_same -ge "$2" ] && return 0
		else
			_same=0
		fi
		_prev=$_fp
		_n=$(( _n + 1 ))
		sleep "$3"
	done
	echo "VMTEST WARN: state did not settle"
}

load() {
	for _m in "$@"; do
		echo "\$ modprobe -b $_m"
		$MODPROBE -b "$_m" 2>&1 || echo "[modprobe $_m: rc=$?]"
	done
}

# insmod_hard MODULE: insmod it past modprobe.d (no softdep, no install
# line), after the modules it links against, which any loader must load
# first (dax.ko and cxl_core.ko where DAX and CXL are modular).
insmod_hard() {
	for _d in $(modinfo -F depends "$1" 2>/dev/null | tr ',' ' '); do
		grep -q "^${_d} " /proc/modules || insmod_hard "$_d"
	done
	echo "\$ insmod $1"
	insmod "$(modinfo -n "$1")" 2>&1 || echo "[insmod $1: rc=$?]"
}

# Udev would load these by alias as devices appear; here they load in a
# fixed order so runs are repeatable.  dax_hmem is loaded by the alias of
# hmem_platform.0, as udev does, so an installed replacement answering the
# same alias (and the package's modprobe.d policy) is what gets exercised.
load_all() {
	[ "$(arg vmbreak)" = policy ] && break_policy
	load cxl_acpi cxl_pci cxl_mem
	settle
	case $(arg vmearly none) in
	modprobe)
		load dax_cxl device_dax kmem
		settle ;;
	insmod)
		for _m in dax_cxl device_dax kmem; do
			insmod_hard "$_m"
		done
		settle ;;
	esac
	if [ -e /sys/bus/platform/devices/hmem_platform.0/modalias ]; then
		load "$(cat /sys/bus/platform/devices/hmem_platform.0/modalias)"
	else
		echo "no hmem_platform.0: no Soft Reserved range reached dax"
	fi
	load dax_cxl device_dax kmem
	settle
	CYCLE=
	for _m in $(arg vmcycle | tr ',' ' '); do
		echo "\$ modprobe -r $_m"
		if $MODPROBE -r "$_m" 2>&1; then
			CYCLE="$CYCLE,$_m:ok"
		else
			echo "[modprobe -r $_m: rc=$?]"
			CYCLE="$CYCLE,$_m:refused"
		fi
		settle
		load "$_m"
		settle
	done
}

# Offline every memory block of the dax devices CXL regions own.
offline_cxl_memory() {
	for _d in /sys/bus/dax/devices/*; do
		[ "$(dax_owner "$_d")" = cxl ] || continue
		[ "$(dax_driver "$_d")" = kmem ] || continue
		# daxctl fails on a device whose memory is offline already
		[ "$(online_in_range $(( $(cat "$_d/resource") )) "$(cat "$_d/size")")" -gt 0 ] || continue
		daxctl offline-memory "${_d##*/}" 2>&1 || return 1
	done
}

# Offline every memory block of the dax devices HMEM owns.
offline_hmem_memory() {
	for _d in /sys/bus/dax/devices/*; do
		[ "$(dax_owner "$_d")" = hmem ] || continue
		[ "$(dax_driver "$_d")" = kmem ] || continue
		[ "$(online_in_range $(( $(cat "$_d/resource") )) "$(cat "$_d/size")")" -gt 0 ] || continue
		daxctl offline-memory "${_d##*/}" >/dev/null 2>&1 || return 1
	done
}

# The ownership handover of issue 6: refused while the memory is online,
# done by removing cxl_acpi once it is offline.  HANDOVER is
# refused-<first step>[,<second step>...]: refused (modprobe -r failed and
# the owners did not change) or moved (it went through: a defect).
handover() {
	# shellcheck disable=SC2046 # BASE SIZE
	set -- $(sr_ranges | head -n1)
	_before=$(owner_of_range "$1" "$2")
	sec "handover: remove cxl_acpi with the memory online"
	if $MODPROBE -r cxl_acpi 2>&1; then
		HANDOVER=moved
	else
		settle
		[ "$(owner_of_range "$1" "$2")" = "$_before" ] && HANDOVER=refused || HANDOVER=changed
	fi
	[ "$(arg vmhandover)" = full ] || return 0
	sec "handover: offline, remove cxl_acpi"
	# HMEM's memory over a region pins cxl_acpi too (S4-handover)
	if ! offline_cxl_memory || ! offline_hmem_memory; then
		HANDOVER="$HANDOVER,offline-failed"
		return
	fi
	settle
	# QEMU does not enforce Lock-On-Commit: the teardown resets even
	# "locked" decoders, so memory kmem takes over now is not backed.
	# Added, not onlined: the decision is what this checks.
	echo offline >/sys/devices/system/memory/auto_online_blocks
	if $MODPROBE -r cxl_acpi 2>&1; then
		settle
		HANDOVER="$HANDOVER,removed:$(owner_of_range "$1" "$2")"
	else
		HANDOVER="$HANDOVER,remove-failed"
		return
	fi
	sec "handover: load cxl_acpi again"
	load cxl_acpi
	settle
	HANDOVER="$HANDOVER,reloaded:$(owner_of_range "$1" "$2")"
	sec "dax_hmem_sr ranges after handover"
	cat /sys/kernel/debug/dax_hmem_sr/ranges 2>&1
}

# vmunbind=1 (issue 16 item 8): a sysfs unbind of hmem_platform.0 with
# HMEM's memory online, which cannot be refused and which kmem cannot undo
# (online memory stays added).  UNBIND=cxl:N (dax devices under a CXL
# region after it: the memory must not flip to dax_cxl),online:kept|changed,
# rmmod:refused|removed (dax_hmem_sr must stay while it is online),
# rebind:STATE (the report's state of the first range after a new bind).
unbind_online() {
	# shellcheck disable=SC2046 # BASE SIZE
	set -- $(sr_ranges | head -n1)
	_drv=/sys/bus/platform/drivers/dax_hmem_sr_platform
	_on0=$(online_in_range "$1" "$2")
	sec "unbind hmem_platform.0 with $(fmt_size "$_on0") online"
	echo hmem_platform.0 >"$_drv/unbind"
	settle
	_cxl=0
	for _d in /sys/bus/dax/devices/*; do
		[ -e "$_d" ] && [ "$(dax_owner "$_d")" = cxl ] && _cxl=$(( _cxl + 1 ))
	done
	_on1=$(online_in_range "$1" "$2")
	[ "$_on1" = "$_on0" ] && _on=kept || _on=changed
	if $MODPROBE -r dax_hmem_sr 2>&1; then _rm=removed; else _rm=refused; fi
	sec "bind hmem_platform.0 again"
	[ -e "$_drv" ] && echo hmem_platform.0 >"$_drv/bind"
	settle
	cat /sys/kernel/debug/dax_hmem_sr/ranges 2>&1
	_st=$(awk -v b="$(hex "$1")" '$1 == b { print $3 }' /sys/kernel/debug/dax_hmem_sr/ranges 2>/dev/null)
	UNBIND="cxl:$_cxl,online:$_on,rmmod:$_rm,rebind:${_st:-none}"
}

# With the pair: did dax_cxl bind only after the decision?  ok when every
# "bound by" line of cxl_sr_helper follows the last "Soft Reserved ... owner"
# line; late when one precedes it or dax_cxl bound before cxl_sr_helper
# loaded; none when dax_cxl bound nothing.
bind_order() {
	dmesg | awk '
		/dax_hmem_sr.*Soft Reserved \[mem .*owner/ { decided = NR }
		/dax_region[0-9]+: bound by cxl_dax_region/ {
			if (!first) first = NR }
		/bound by dax_cxl before the Soft Reserved decision/ { early = 1 }
		END {
			if (early) print "late"
			else if (!first) print "none"
			else if (decided && first > decided) print "ok"
			else print "late"
		}'
}

memtotal_kb() { awk '/^MemTotal/ { print $2 }' /proc/meminfo; }

# What a user would look at.
report() {
	sec "iomem ($1)"; cat /proc/iomem
	sec "modules ($1)"; cut -d' ' -f1,3,4 /proc/modules
	sec "dax devices ($1)"
	for _d in /sys/bus/dax/devices/*; do
		[ -e "$_d" ] || continue
		_drv=-
		[ -e "$_d/driver" ] && _drv=$(basename "$(readlink "$_d/driver")")
		echo "${_d##*/}: driver=$_drv size=$(cat "$_d/size") resource=$(cat "$_d/resource" 2>/dev/null) target_node=$(cat "$_d/target_node" 2>/dev/null) path=$(readlink -f "$_d")"
	done
	sec "daxctl list ($1)"; daxctl list -D -R -M 2>&1
	sec "cxl list ($1)"; cxl list -v -R -D -M -E -P 2>&1
	sec "meminfo ($1)"; grep -E 'MemTotal|MemFree' /proc/meminfo
}

# Owner of a dax device: CXL when it hangs under a CXL dax_region, HMEM for
# anything else (the stock hmem platform devices or a replacement's).
dax_owner() {
	case $(readlink -f "$1") in */dax_region*) echo cxl ;; *) echo hmem ;; esac
}
dax_driver() {
	if [ -e "$1/driver" ]; then basename "$(readlink "$1/driver")"; else echo -; fi
}

# Owner segments of [base, base+size): OWNER/DRIVER:SIZE joined by '+',
# adjacent pieces with the same owner and driver merged (how many devices
# cover them is in dax=), "none" for bytes no dax device covers (stranded)
# and "double" for bytes two dax devices claim.
owner_of_range() {
	_base=$1; _end=$(( $1 + $2 ))
	_list=
	for _d in /sys/bus/dax/devices/*; do
		[ -e "$_d/resource" ] || continue
		_s=$(( $(cat "$_d/resource") )); _z=$(cat "$_d/size")
		[ "$_z" -gt 0 ] || continue
		_e=$(( _s + _z ))
		if [ "$_s" -ge "$_end" ] || [ "$_e" -le "$_base" ]; then continue; fi
		_list="$_list$_s $_e $(dax_owner "$_d")/$(dax_driver "$_d")
"
	done
	_pos=$_base; _out='' _lo='' _lz=0
	while read -r _s _e _o; do
		[ -n "$_s" ] || continue
		[ "$_s" -lt "$_base" ] && _s=$_base
		[ "$_e" -gt "$_end" ] && _e=$_end
		[ "$_s" -gt "$_pos" ] && _seg none $(( _s - _pos ))
		if [ "$_s" -lt "$_pos" ]; then
			_x=$_pos; [ "$_e" -lt "$_x" ] && _x=$_e
			_seg double $(( _x - _s ))
			_s=$_x
		fi
		[ "$_e" -gt "$_s" ] && _seg "$_o" $(( _e - _s ))
		[ "$_e" -gt "$_pos" ] && _pos=$_e
	done <<EOF
$(printf '%s' "$_list" | sort -n)
EOF
	[ "$_pos" -lt "$_end" ] && _seg none $(( _end - _pos ))
	_seg flush 0
	echo "${_out#+}"
}
_seg() {
	if [ "$1" = "$_lo" ]; then
		_lz=$(( _lz + $2 ))
		return
	fi
	[ -n "$_lo" ] && _out="$_out+$_lo:$(fmt_size "$_lz")"
	_lo=$1 _lz=$2
}

# Bytes of [base, base+size) that are online System RAM, by memory block.
online_in_range() {
	_bs=$(( 0x$(cat /sys/devices/system/memory/block_size_bytes) ))
	_sum=0
	for _m in /sys/devices/system/memory/memory*; do
		[ "$(cat "$_m/state")" = online ] || continue
		_s=$(( 0x$(cat "$_m/phys_index") * _bs ))
		[ "$_s" -ge "$1" ] && [ "$_s" -lt $(( $1 + $2 )) ] && _sum=$(( _sum + _bs ))
	done
	echo $_sum
}

dax_summary() {
	_out=
	for _d in /sys/bus/dax/devices/*; do
		[ -e "$_d/size" ] || continue
		[ "$(cat "$_d/size")" -gt 0 ] || continue
		_out="$_out,${_d##*/}@$(cat "$_d/resource"):$(fmt_size "$(cat "$_d/size")"):$(dax_owner "$_d")/$(dax_driver "$_d"):n$(cat "$_d/target_node")"
	done
	[ -n "$_out" ] && echo "${_out#,}" || echo none
}

# Kernel trouble a user would report, whatever the scenario expects.
# Reports, not mentions: a debug kernel says "RCU lockdep checking is
# enabled" at boot, its reports look like these.
BAD_RE='WARNING:|BUG:|Oops|kernel BUG|lockdep:|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|KASAN:|UBSAN:|ODEBUG:|list_(add|del) corruption|blocked for more than|soft lockup|Call Trace:|general protection|Kernel panic'
bad_lines() {
	dmesg | strip_fault_dumps | grep -E "$BAD_RE"
}

# The kernel log on stdin without the dumps of failures that fault injection
# forced (faults.sh): each from "FAULT_INJECTION: forcing a failure" to the
# end of its stack, and for a page the allocator's warning right after it,
# to the end of its stack.
strip_fault_dumps() {
	awk '
		/FAULT_INJECTION: forcing a failure/ { skip = 1; after = 1; next }
		after && !skip && /page allocation failure:/ { skip = 1; after = 0; next }
		skip { if (/<\/TASK>/) skip = 0; next }
		{ after = 0; print }'
}

# The errno of a failed kmem probe, as "could not reserve region" ends.
kmem_error() {
	_e=$(dmesg | sed -n 's/.*kmem dax[0-9.]*: probe with driver kmem failed with error \(-[0-9]*\).*/\1/p' | head -n1)
	[ -n "$_e" ] || _e=$(dmesg | grep -q 'kmem dax.*could not reserve region' && echo reserve)
	echo "${_e:-0}"
}

# Firmware-style Lock-On-Commit, set after the fact: QEMU keeps bit 8 of a
# committed HDM decoder's control register as written (it does not enforce
# the lock), and the next kernel reads it as CXL_DECODER_F_LOCK, the
# "locked" attribute.  /dev/mem reaches the claimed component registers only
# with iomem=relaxed on this stage's command line.
cfg32() { # FILE OFFSET: a little-endian dword of a binary file
	od -A n -t u4 -j "$2" -N 4 "$1" | tr -d ' '
}
cfg64() { echo $(( $(cfg32 "$1" "$2") + ($(cfg32 "$1" $(( $2 + 4 ))) << 32) )); }

# Component register block of a type-3 device: its Register Locator DVSEC
# (vendor 0x1e98, id 8), block identifier 1.
t3_component_regs() {
	_cfg=/sys/bus/pci/devices/$1/config
	_off=256
	while [ "$_off" -ne 0 ]; do
		_h=$(cfg32 "$_cfg" "$_off")
		if [ $(( _h & 0xffff )) = 35 ] &&
		   [ $(( $(cfg32 "$_cfg" $(( _off + 4 ))) & 0xffff )) = 7832 ] &&
		   [ $(( $(cfg32 "$_cfg" $(( _off + 8 ))) & 0xffff )) = 8 ]; then
			_len=$(( $(cfg32 "$_cfg" $(( _off + 4 ))) >> 20 ))
			_e=$(( _off + 12 ))
			while [ "$_e" -lt $(( _off + _len )) ]; do
				_lo=$(cfg32 "$_cfg" "$_e"); _hi=$(cfg32 "$_cfg" $(( _e + 4 )))
				if [ $(( (_lo >> 8) & 0xff )) = 1 ]; then
					_bar=$(sed -n "$(( (_lo & 7) + 1 ))p" "/sys/bus/pci/devices/$1/resource" | cut -d' ' -f1)
					echo $(( _bar + (_hi << 32) + (_lo & 0xffff0000) ))
					return
				fi
				_e=$(( _e + 8 ))
			done
		fi
		_off=$(( _h >> 20 ))
	done
}

# Component register blocks of the host bridges: CEDT's CHBS entries.
hb_component_regs() {
	_t=/sys/firmware/acpi/tables/CEDT
	_n=$(cfg32 "$_t" 4)
	_o=36
	while [ "$_o" -lt "$_n" ]; do
		_h=$(cfg32 "$_t" "$_o")
		[ $(( _h & 0xff )) = 0 ] && cfg64 "$_t" $(( _o + 16 ))
		_l=$(( _h >> 16 ))
		[ "$_l" -gt 0 ] || break
		_o=$(( _o + _l ))
	done
}

# Set Lock-On-Commit on every committed HDM decoder of the component
# register block at physical address $1; prints how many.
lock_hdm() {
	_cm=$(( $1 + 4096 ))
	_n=$(( ($(devmem "$_cm" 32) >> 24) & 0xff ))
	_k=1 _hdm=
	while [ "$_k" -le "$_n" ]; do
		_c=$(devmem $(( _cm + 4 * _k )) 32)
		[ $(( _c & 0xffff )) = 5 ] && _hdm=$(( _cm + (_c >> 20) ))
		_k=$(( _k + 1 ))
	done
	[ -n "$_hdm" ] || { echo 0; return; }
	_cnt=$(( $(devmem "$_hdm" 32) & 15 ))
	_cnt=$(( _cnt ? _cnt * 2 : 1 ))
	_i=0 _locked=0
	while [ "$_i" -lt "$_cnt" ]; do
		_a=$(( _hdm + 32 * _i + 32 ))
		_v=$(devmem "$_a" 32)
		if [ $(( _v & 0x400 )) != 0 ]; then
			devmem "$_a" 32 $(( _v | 0x100 ))
			[ $(( $(devmem "$_a" 32) & 0x500 )) = $(( 0x500 )) ] && _locked=$(( _locked + 1 ))
		fi
		_i=$(( _i + 1 ))
	done
	echo "$_locked"
}

# vmlock=ep|all: lock the endpoints' committed decoders, and for all the
# host bridges' too.  Sets SETUP on a decoder that did not take the bit.
lock_decoders() {
	sec "stage 1 lock decoders ($1)"
	_want=0 _got=0
	for _b in $(t3_bdfs); do
		_r=$(t3_component_regs "$_b")
		[ -n "$_r" ] || continue
		_l=$(lock_hdm "$_r")
		printf 'endpoint %s: component registers %#x, %s decoder(s) locked\n' "$_b" "$_r" "$_l"
		_got=$(( _got + _l ))
	done
	_want=$(arg vmcommit 1)
	if [ "$1" = all ]; then
		for _r in $(hb_component_regs); do
			_l=$(lock_hdm "$_r")
			printf 'host bridge: component registers %#x, %s decoder(s) locked\n' "$_r" "$_l"
			_got=$(( _got + _l ))
		done
		_want=$(( _want * 2 ))
	fi
	[ "$_got" = "$_want" ] || { echo "RESULT setup=lock-$_got-of-$_want"; return 1; }
}

# Stage 1: commit the decoders firmware would have committed, then become the
# test kernel by kexec, without a reset.
stage1() {
	n=$(arg vmcommit 1)
	# Only the decoders must survive: nothing may online the memory here.
	withhold dax_cxl,device_dax,kmem,dax_hmem
	load cxl_acpi cxl_pci cxl_mem
	settle
	sec "stage 1 commit"
	i=0
	while [ $i -lt "$n" ]; do
		bdf=$(t3_bdf $i)
		mem=$(memdev_of "$bdf")
		echo "device $i: $bdf $mem"
		run cxl create-region -m -t ram -d decoder0.0 -w 1 -g 256 "$mem"
		i=$(( i + 1 ))
	done
	for r in /sys/bus/cxl/devices/region*; do
		[ -e "$r/resource" ] || continue
		echo "${r##*/}: resource=$(cat "$r/resource") size=$(cat "$r/size") commit=$(cat "$r/commit")"
	done
	ncommit=$(cat /sys/bus/cxl/devices/region*/commit 2>/dev/null | grep -c 1)
	if [ "$ncommit" != "$n" ]; then
		echo "RESULT setup=stage1-committed-$ncommit-of-$n"
		dmesg | tail -n 40
		return
	fi
	if [ -n "$(arg vmlock)" ]; then
		lock_decoders "$(arg vmlock)" || return
	fi

	# The next kernel: k2.KEY=VAL replaces KEY, vmstage becomes 2.
	cl=
	for a in $(cat /proc/cmdline); do
		# iomem=relaxed served vmlock's /dev/mem writes, here only
		case $a in k2.*) continue ;; vmstage=*|vmlock=*|iomem=*|BOOT_IMAGE=*|initrd=*) continue ;; esac
		k=${a%%=*}
		grep -q " k2\.$k=" /proc/cmdline && continue
		grep -q " k2\.$k\$" /proc/cmdline && continue
		cl="$cl $a"
	done
	for a in $(cat /proc/cmdline); do
		case $a in k2.*) cl="$cl ${a#k2.}" ;; esac
	done
	cl="${cl# } vmstage=2"
	echo "stage 2 command line: $cl"
	# The running rootfs is the initramfs: repack it for the next kernel,
	# with all its modules again.
	unwithhold
	[ -n "$(arg k2.root)" ] && { kexec_root "$(arg k2.root)" "$cl"; return; }
	(cd / && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp \
		-o -path ./run \) -prune -o -print | cpio -o -H newc >/tmp/initrd.cpio 2>/dev/null)
	echo "=== VMTEST KEXEC t=$(uptime_s)"
	/usr/bin/kexec-file /boot/vmlinuz /tmp/initrd.cpio "$cl"
	echo "RESULT setup=kexec-failed"
}

# Distro mode: k2.root=DEV makes stage 2 the system on DEV, booted with its
# own kernel and initrd (the same kernel release as this one), as a boot
# loader would start it.  Mounted read-only: the disk is the test's snapshot.
kexec_root() {
	load virtio_blk ext4
	_i=0
	while [ ! -b "$1" ] && [ $_i -lt 50 ]; do sleep 0.2; _i=$(( _i + 1 )); done
	mkdir -p /mnt/root
	if ! mount -t ext4 -o ro,noload "$1" /mnt/root; then
		echo "RESULT setup=no-root-$1"
		return
	fi
	_k=/mnt/root/boot/vmlinuz-$(uname -r) _r=/mnt/root/boot/initrd.img-$(uname -r)
	echo "=== VMTEST KEXEC t=$(uptime_s) into $1: $_k $_r"
	/usr/bin/kexec-file "$_k" "$_r" "$2"
	echo "RESULT setup=kexec-failed"
}

# S1's second half: can the region be torn down and made again at the same
# address?  Stock 6.12 leaves the Soft Reserved resource behind.
recreate() {
	sec "recreate"
	# shellcheck disable=SC2046 # BASE SIZE
	set -- $(sr_ranges | head -n1)
	# The highest region inside the range: HDM decoders commit in address
	# order, so only the last one can be created again in its place while
	# the others stay.
	reg='' base=''
	for r in /sys/bus/cxl/devices/region*; do
		[ -e "$r/resource" ] || continue
		_s=$(( $(cat "$r/resource") ))
		[ "$_s" -ge "$1" ] && [ "$_s" -lt $(( $1 + $2 )) ] || continue
		[ -z "$base" ] || [ "$_s" -gt "$base" ] || continue
		reg=${r##*/} base=$_s
	done
	[ -n "$reg" ] || { RECREATE=noregion; return; }
	# its memdev: target0 is an endpoint decoder, whose port's uport is it
	_ep=$(readlink -f "/sys/bus/cxl/devices/$(cat "/sys/bus/cxl/devices/$reg/target0")")
	mem=$(basename "$(readlink -f "$(dirname "$_ep")/uport")")
	for d in /sys/bus/dax/devices/*; do
		[ -e "$d/resource" ] || continue
		[ $(( $(cat "$d/resource") )) = "$base" ] || continue
		[ "$(dax_driver "$d")" = kmem ] || continue
		# A forced disable with memory still online leaks the range and
		# can take the guest down: stop here instead.
		if ! daxctl offline-memory "${d##*/}"; then
			RECREATE=offline-failed
			return
		fi
	done
	others=
	for r in /sys/bus/cxl/devices/region*; do
		[ "${r##*/}" = "$reg" ] || others="$others$r
"
	done
	run cxl disable-region -f "$reg"
	run cxl destroy-region -f "$reg"
	sec "iomem after destroy"; cat /proc/iomem
	run cxl create-region -m -t ram -d decoder0.0 -w 1 -g 256 "$mem"
	settle
	RECREATE=fail RECREATE_ONLINE=0M
	for r in /sys/bus/cxl/devices/region*; do
		[ -e "$r/resource" ] || continue
		# only the region just created counts, not the untouched others
		echo "$others" | grep -qx "$r" && continue
		[ "$(cat "$r/commit")" = 1 ] || continue
		RECREATE_ONLINE=$(( $(online_in_range $(( $(cat "$r/resource") )) "$(cat "$r/size")") >> 20 ))M
		if [ $(( $(cat "$r/resource") )) = "$base" ]; then
			RECREATE=same
		else
			RECREATE=moved
		fi
	done
	report "after recreate"
}

# vmbreak=policy: what a user gets with the modules but not the policy file
# (copied by hand, or the DKMS hook never ran): the stock dax_hmem loads and
# takes hmem_platform.0 first.
break_policy() {
	rm -f /etc/modprobe.d/dax-hmem-sr.conf
	echo "removed /etc/modprobe.d/dax-hmem-sr.conf"
	load cxl_acpi cxl_pci cxl_mem
	settle
	load dax_hmem
}

# The package's tool, run in the guest; the host checks its JSON against
# the owners above (run-test.sh) and gets the doctor's finding ids.
tool_checks() {
	DOCTOR=absent
	command -v dax-hmem-sr >/dev/null || return 0
	sec "dax-hmem-sr status"; dax-hmem-sr status 2>&1; echo "[rc=$?]"
	echo "=== VMTEST JSON BEGIN"
	dax-hmem-sr status --json 2>/tmp/status.err; _rc=$?
	echo "=== VMTEST JSON END rc=$_rc"
	cat /tmp/status.err
	sec "dax-hmem-sr doctor"
	dax-hmem-sr doctor >/tmp/doctor.out 2>&1; _rc=$?
	cat /tmp/doctor.out; echo "[rc=$_rc]"
	DOCTOR=$(sed -n 's/^finding \([a-z0-9-]*\):.*/\1/p' /tmp/doctor.out | sort -u | tr '\n' ',')
	DOCTOR=${DOCTOR%,}
	[ -n "$DOCTOR" ] || DOCTOR=ok
}

# vmtoolhandover=1: the tool's handover, and who owns the first range after.
tool_handover() {
	sec "dax-hmem-sr handover --dry-run"
	dax-hmem-sr handover --to hmem --dry-run 2>&1; echo "[rc=$?]"
	sec "dax-hmem-sr handover"
	# as in handover(): QEMU resets "locked" decoders too
	echo offline >/sys/devices/system/memory/auto_online_blocks
	dax-hmem-sr handover --to hmem --timeout 60 2>&1; _rc=$?
	echo "[rc=$_rc]"
	settle
	report "after handover"
	dax-hmem-sr status 2>&1
	# shellcheck disable=SC2046 # BASE SIZE
	set -- $(sr_ranges | head -n1)
	TOOLHANDOVER="$_rc:$(owner_of_range "$1" "$2")"
}

# Preconditions of the scenario: a test that did not set up what it claims
# must not pass.  Withheld modules stay out, hidden devices stay unbound.
check_setup() {
	for m in $(arg vmwithhold | tr ',' ' '); do
		grep -q "^$m " /proc/modules && SETUP=loaded-$m
	done
	for i in $(arg vmhide | tr ',' ' '); do
		[ -e "/sys/bus/pci/devices/$(t3_bdf "$i")/driver" ] && SETUP=bound-$i
	done
}

main_test() {
	[ "$(arg vmbench 0)" = 1 ] && { main_bench; return; }
	SETUP=ok
	[ -n "$(arg vmwithhold)" ] && withhold "$(arg vmwithhold)"
	# Distro mode (tests/vm/distro/guest/test.sh) sets VM_HIDE and VM_LOAD:
	# udev has hidden the devices and loaded the modules there.
	[ -n "$(arg vmhide)" ] && ${VM_HIDE:-hide_devs} "$(arg vmhide)"
	sec "cmdline"; cat /proc/cmdline
	sec "sr ranges"; sr_ranges
	report before
	mem0=$(memtotal_kb)
	leaks_enabled && leaks_start
	sec "load"
	${VM_LOAD:-load_all}
	[ -n "$(arg vmhandover)" ] && handover
	[ "$(arg vmunbind 0)" = 1 ] && unbind_online
	if [ -n "$(arg vmstress)" ]; then
		# shellcheck source=stress.sh
		. /vm/stress.sh
		stress_all "$(arg vmstress)"
	fi
	mem1=$(memtotal_kb)
	report after

	check_setup
	[ -n "$(sr_ranges)" ] || SETUP=no-sr
	if [ "$(arg vmbreak)" = policy ]; then
		grep -q '^dax_hmem ' /proc/modules || SETUP=stock-not-loaded
	fi

	owner='' online=0
	while read -r b s; do
		[ -n "$b" ] || continue
		owner="$owner,$(owner_of_range "$b" "$s")"
		online=$(( online + $(online_in_range "$b" "$s") ))
		echo "SR $(hex "$b")-$(hex $(( b + s - 1 ))): $(owner_of_range "$b" "$s"), online $(fmt_size "$(online_in_range "$b" "$s")")"
	done <<EOF
$(sr_ranges)
EOF
	regions=0
	for r in /sys/bus/cxl/devices/region*; do [ -e "$r" ] && regions=$(( regions + 1 )); done
	dax=$(dax_summary)
	extra=
	if [ "$(arg vmrecreate 0)" = 1 ]; then
		RECREATE=skipped RECREATE_ONLINE=0M
		while read -r b s; do recreate "$b" "$s"; break; done <<EOF
$(sr_ranges)
EOF
		extra=" recreate=$RECREATE recreate_online=$RECREATE_ONLINE"
	fi

	if [ -e /sys/kernel/debug/dax_hmem_sr/ranges ]; then
		sec "dax_hmem_sr ranges"; cat /sys/kernel/debug/dax_hmem_sr/ranges
		extra="$extra order=$(bind_order)"
		[ -n "$CYCLE" ] && extra="$extra cycle=${CYCLE#,}"
		[ -n "${HANDOVER:-}" ] && extra="$extra handover=$HANDOVER"
		[ -n "${UNBIND:-}" ] && extra="$extra unbind=$UNBIND"
		if [ -n "${STRESS:-}" ]; then
			echo "stress: ${STRESS#,}"
			case $STRESS in *FAIL*) extra="$extra stress=${STRESS#,}" ;; *) extra="$extra stress=ok" ;; esac
		fi
		# the one-owner table refusing a claim: never expected here
		extra="$extra conflicts=$(dmesg | grep -c 'cxl_sr_helper: dax_region resource conflict')"
		# what the pair said kmem cannot online, in MiB summed (issue 16 item 4)
		_no=$(dmesg | sed -n 's/.*dax_hmem_sr.*: \([0-9]*\) MiB of it cannot be onlined.*/\1/p' |
			awk '{ s += $1 } END { print s + 0 }')
		extra="$extra notonline=${_no}M"
		tool_checks
		extra="$extra doctor=$DOCTOR"
		if [ -n "$(arg vmfaults)" ]; then
			faults_all
			extra="$extra faults=$FAULTS"
		fi
		if [ "$(arg vmtoolhandover 0)" = 1 ]; then
			tool_handover
			extra="$extra toolhandover=$TOOLHANDOVER"
		fi
	elif [ -n "$(arg vmbreak)" ]; then
		# a broken install may keep dax_hmem_sr out: the tool still answers
		tool_checks
		extra="$extra doctor=$DOCTOR"
	fi
	if leaks_enabled; then
		leaks_all
		extra="$extra $LEAKS"
	fi
	sec "dmesg"; dmesg
	sec "bad lines"; bad_lines
	bad=$(bad_lines | wc -l)
	onl=$(awk "BEGIN { printf \"%g\", $online / 1073741824 }")
	echo "RESULT setup=$SETUP owner=${owner#,} online=$onl regions=$regions dax=$dax kmemerr=$(kmem_error) memdelta=$(( (mem1 - mem0) >> 10 ))M bad=$bad$extra"
}

# The guest side of bench/run.sh (vmbench=1).  The scenario's setup and
# module loading are main_test's; a sampler notes the uptime at which the
# memory blocks inside the Soft Reserved ranges reach their final online
# count, which is when the memory is usable for a user.  No recreate and no
# owner walk: with a hundred ranges those take minutes under TCG, and the
# host reads the arbitration times from the kernel's own timestamps in the
# dmesg dumped at the end.
BENCH_DIR=/tmp/bench

# Numbers of the memory blocks that lie wholly inside a Soft Reserved range:
# a block that also holds boot RAM is online without any driver.
bench_blocks() {
	_bs=$(( 0x$(cat /sys/devices/system/memory/block_size_bytes) ))
	sr_ranges | while read -r _b _s; do
		_i=$(( (_b + _bs - 1) / _bs )); _e=$(( (_b + _s) / _bs ))
		while [ "$_i" -lt "$_e" ]; do echo "$_i"; _i=$(( _i + 1 )); done
	done | sort -n | uniq
}

# Until $BENCH_DIR/stop exists: one line "UPTIME ONLINE_BLOCKS" each time the
# count changes.  Builtins only in the loop (read, not cat), so the sampler
# takes little CPU from the probes it watches.
bench_sampler() {
	_last=-1 _loops=0
	read -r _t0 _ </proc/uptime
	while :; do
		_n=0
		for _i in $BENCH_BLOCKS; do
			_st=
			_f=/sys/devices/system/memory/memory$_i/state
			[ -r "$_f" ] && read -r _st <"$_f"
			[ "$_st" = online ] && _n=$(( _n + 1 ))
		done
		read -r _t _ </proc/uptime
		if [ "$_n" != "$_last" ]; then
			echo "$_t $_n" >>"$BENCH_DIR/samples"
			_last=$_n
		fi
		_loops=$(( _loops + 1 ))
		[ -e "$BENCH_DIR/stop" ] && break
		sleep 0.05
	done
	echo "$_t0 $_t $_loops" >"$BENCH_DIR/loops"
}

# Bytes of the Soft Reserved ranges that some dax device covers.
bench_owned() {
	_sum=0
	for _d in /sys/bus/dax/devices/*; do
		[ -e "$_d/resource" ] || continue
		read -r _ds <"$_d/resource"; read -r _dz <"$_d/size"
		_ds=$(( _ds )); _de=$(( _ds + _dz ))
		while read -r _b _s; do
			[ -n "$_b" ] || continue
			_lo=$_b; [ "$_ds" -gt "$_lo" ] && _lo=$_ds
			_hi=$(( _b + _s )); [ "$_de" -lt "$_hi" ] && _hi=$_de
			[ "$_hi" -gt "$_lo" ] && _sum=$(( _sum + _hi - _lo ))
		done <"$BENCH_DIR/ranges"
	done
	echo "$_sum"
}

main_bench() {
	SETUP=ok
	mkdir -p "$BENCH_DIR"
	[ -n "$(arg vmwithhold)" ] && withhold "$(arg vmwithhold)"
	[ -n "$(arg vmhide)" ] && hide_devs "$(arg vmhide)"
	sr_ranges >"$BENCH_DIR/ranges"
	[ -s "$BENCH_DIR/ranges" ] || SETUP=no-sr
	BENCH_BLOCKS=$(bench_blocks)
	mem0=$(memtotal_kb)
	bench_sampler &
	_spid=$!
	sec "load"
	read -r _tl _ </proc/uptime
	if [ "$(arg vmbenchload bed)" = udev ]; then
		_alias=
		[ -e /sys/bus/platform/devices/hmem_platform.0/modalias ] &&
			_alias=$(cat /sys/bus/platform/devices/hmem_platform.0/modalias)
		# shellcheck disable=SC2086 # no alias: no word
		load cxl_acpi cxl_pci cxl_mem $_alias dax_cxl device_dax kmem
		settle
	else
		load_all
	fi
	read -r _td _ </proc/uptime
	: >"$BENCH_DIR/stop"
	wait "$_spid"
	# uptime and printk time are different clocks: one line in both lets
	# the host check they agree
	read -r _tk _ </proc/uptime
	echo "vmbench: uptime $_tk" >/dev/kmsg
	mem1=$(memtotal_kb)

	check_setup
	_bs=$(( 0x$(cat /sys/devices/system/memory/block_size_bytes) ))
	_sr=0 _nr=0
	while read -r _b _s; do _sr=$(( _sr + _s )); _nr=$(( _nr + 1 )); done <"$BENCH_DIR/ranges"
	# the sample that first saw the final count; "-" when nothing came online
	_final=$(tail -n1 "$BENCH_DIR/samples")
	_tonl=${_final% *} _nonl=${_final#* }
	[ "$_nonl" -gt 0 ] || _tonl=-
	read -r _t0 _t1 _loops <"$BENCH_DIR/loops"
	_per=$(awk -v a="$_t0" -v b="$_t1" -v n="$_loops" 'BEGIN { printf "%.3f", (n > 1) ? (b - a) / (n - 1) : 0 }')
	sec "bench samples"; cat "$BENCH_DIR/samples"
	sec "iomem"; cat /proc/iomem
	sec "dmesg"; dmesg
	bad=$(bad_lines | wc -l)
	echo "BENCH setup=$SETUP ranges=$_nr sr=$_sr online=$(( _nonl * _bs )) owned=$(bench_owned) t_online=$_tonl t_load=$_tl t_settled=$_td period=$_per memdelta=$(( (mem1 - mem0) >> 10 ))M kmemerr=$(kmem_error) bad=$bad"
	echo "RESULT setup=$SETUP bench=1"
}
