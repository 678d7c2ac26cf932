# The file list of the root file system that the packages' purge is checked
# against (sourced by prepare.sh, before the install, and pkglife.sh, after
# the purge).  Part of the prepared image's key: the list taken before the
# install is kept in the image.
# shellcheck shell=sh

# Where the test bed keeps what a later boot compares with: its own, so
# left out of the list.
state=/var/lib/vmtest

# files_list: "TYPE PATH" of everything on the root file system, sorted.
# Names only: a file that changed but stayed is no leftover.  Left out,
# because they change on any boot or any apt run, whatever is installed:
#   /proc /sys /dev /run      not the disk (the mount points stay listed)
#   /tmp /var/tmp             temporary files, systemd's PrivateTmp
#   /var/log                  journald, and dpkg's and apt's logs, which
#                             record the install by design
#   /var/cache/apt /var/lib/apt /var/lib/dpkg
#                             the package manager's own state and cache
#   /var/cache/debconf        debconf's database (*-old copies on each run)
#   /var/cache/ldconfig       ldconfig's aux-cache (libc-bin's trigger)
#   /var/lib/systemd          random seed, timer stamps, catalog of each boot
#   /lost+found $state        mke2fs's, and the test bed's own notes
files_list() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run \
		-o -path /tmp -o -path /var/tmp -o -path /var/log \
		-o -path /var/cache/apt -o -path /var/lib/apt -o -path /var/lib/dpkg \
		-o -path /var/cache/debconf -o -path /var/cache/ldconfig \
		-o -path /var/lib/systemd -o -path /lost+found -o -path "$state" \) \
		-prune -o -printf '%y %p\n' | LC_ALL=C sort
}
