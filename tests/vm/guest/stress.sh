# Stress loops of the VM bed (guest side), sourced by lib.sh for vmstress=.
#
#   load:N   offline HMEM's memory, modprobe -r dax_hmem_sr, load it again by
#            the hmem_platform.0 alias
#   bind:N   offline HMEM's memory, unbind and bind hmem_platform.0
#   acpi:N   offline CXL's memory, modprobe -r cxl_acpi, modprobe cxl_acpi
#
# After every cycle the owners of every Soft Reserved range must be what
# they were after the first cycle (for acpi the first one is the handover),
# MemTotal must be back where it was then, and no WARNING/BUG/Oops may have
# appeared; at the end the hmem_sr and dax
# device names (memregion and dax ids) must be the ones of the first cycle,
# so no id leaks.  STRESS gets KIND:N:ok or KIND:N:FAIL-at-I(why).
# shellcheck shell=sh

owners_now() {
	sr_ranges | while read -r _b _s; do owner_of_range "$_b" "$_s"; done | tr '\n' ' '
}

ids_now() {
	for _n in /sys/bus/platform/devices/hmem_sr.* /sys/bus/dax/devices/*; do
		[ -e "$_n" ] && echo "${_n##*/}"
	done | sort | tr '\n' ' '
}

# wait_for TENTHS CMD WANT: poll CMD every 0.1 s until it prints WANT.
# Owners settle as devices probe; MemTotal as kmem onlines block by block.
wait_for() {
	_w=0
	while [ $_w -lt "$1" ]; do
		[ "$($2)" = "$3" ] && return 0
		sleep 0.1
		_w=$(( _w + 1 ))
	done
	return 1
}

load_hmem() { $MODPROBE -b "$(cat /sys/bus/platform/devices/hmem_platform.0/modalias)"; }

stress_cycle() {
	case $1 in
	load)
		offline_hmem_memory || { echo "FAIL:offline"; return; }
		$MODPROBE -r dax_hmem_sr || { echo "FAIL:remove"; return; }
		load_hmem || { echo "FAIL:load"; return; } ;;
	bind)
		offline_hmem_memory || { echo "FAIL:offline"; return; }
		echo hmem_platform.0 >/sys/bus/platform/drivers/dax_hmem_sr_platform/unbind ||
			{ echo "FAIL:unbind"; return; }
		echo hmem_platform.0 >/sys/bus/platform/drivers/dax_hmem_sr_platform/bind ||
			{ echo "FAIL:bind"; return; } ;;
	acpi)
		offline_cxl_memory || { echo "FAIL:offline"; return; }
		$MODPROBE -r cxl_acpi || { echo "FAIL:remove"; return; }
		$MODPROBE -b cxl_acpi || { echo "FAIL:load"; return; } ;;
	*)
		echo "FAIL:unknown-kind"; return ;;
	esac
}

# stress KIND N
stress() {
	sec "stress $1 x $2"
	_t0=$(uptime_s)
	_want='' _ids='' _i=1 _fail=''
	_bad0=$(bad_lines | wc -l)
	while [ $_i -le "$2" ]; do
		_err=$(stress_cycle "$1" 2>/dev/null | grep '^FAIL:' | head -n1)
		if [ $_i = 1 ]; then
			settle
			_want=$(owners_now)
			_ids=$(ids_now)
			_mem=$(memtotal_kb)
			echo "stress $1: after cycle 1: owners $_want ids $_ids MemTotal $_mem kB"
		fi
		if [ -n "$_err" ]; then
			_fail="FAIL-at-$_i(${_err#FAIL:})"
		elif ! wait_for 600 owners_now "$_want"; then
			_fail="FAIL-at-$_i(owners:$(owners_now | tr ' ' '_'))"
		elif ! wait_for 300 memtotal_kb "$_mem"; then
			_fail="FAIL-at-$_i(memtotal:$(memtotal_kb))"
		elif [ "$(bad_lines | wc -l)" != "$_bad0" ]; then
			_fail="FAIL-at-$_i(kernel-warning)"
		fi
		[ -n "$_fail" ] && break
		_i=$(( _i + 1 ))
	done
	if [ -z "$_fail" ]; then
		settle
		[ "$(ids_now)" = "$_ids" ] || _fail="FAIL(ids:$(ids_now | tr ' ' '_'))"
	fi
	echo "stress $1: $2 cycles in $(awk -v a="$_t0" -v b="$(uptime_s)" 'BEGIN { print b - a }') s: ${_fail:-ok}; owners $(owners_now)"
	STRESS="$STRESS,$1:$2:${_fail:-ok}"
}

stress_all() {
	STRESS=
	for _k in $(echo "$1" | tr ',' ' '); do
		stress "${_k%%:*}" "${_k#*:}"
	done
}
