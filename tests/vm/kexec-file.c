// SPDX-License-Identifier: GPL-2.0
/*
 * kexec-file KERNEL INITRD CMDLINE: load KERNEL with kexec_file_load(2) and
 * reboot into it at once.  Stage 1 of the two-stage VM tests uses it to start
 * the test kernel without a reset, so the HDM decoders it committed survive
 * and look firmware-committed to the next kernel.  Built static on the host
 * so the guest needs no kexec-tools.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/reboot.h>
#include <sys/reboot.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	int kfd, ifd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s KERNEL INITRD CMDLINE\n", argv[0]);
		return 2;
	}
	kfd = open(argv[1], O_RDONLY | O_CLOEXEC);
	ifd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (kfd < 0 || ifd < 0) {
		perror("kexec-file: open");
		return 1;
	}
	/* The length must count the terminating NUL. */
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(argv[3]) + 1,
		    argv[3], 0UL)) {
		perror("kexec-file: kexec_file_load");
		return 1;
	}
	sync();
	reboot(LINUX_REBOOT_CMD_KEXEC);
	perror("kexec-file: reboot");
	return 1;
}
