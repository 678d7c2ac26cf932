// SPDX-License-Identifier: GPL-2.0
/*
 * dax_hmem_sr: the HMEM driver for Soft Reserved memory, with ownership of
 * ranges that meet a CXL window decided per range after CXL has probed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "sr_compat.h"
#include "sr_mirror.h"

static int __init dax_hmem_sr_init(void)
{
	pr_info("loaded for %s\n", SR_KERNEL_RELEASE);
	return 0;
}

static void __exit dax_hmem_sr_exit(void)
{
	pr_info("unloaded\n");
}

module_init(dax_hmem_sr_init);
module_exit(dax_hmem_sr_exit);

MODULE_DESCRIPTION("HMEM DAX with per-range Soft Reserved arbitration against CXL");
MODULE_LICENSE("GPL");
