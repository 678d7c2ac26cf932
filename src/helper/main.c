// SPDX-License-Identifier: GPL-2.0
/*
 * cxl_sr_helper: what stock kernels do not export to dax_hmem_sr - which
 * committed CXL regions cover a range, dax_cxl held back until the ranges are
 * decided, and one owner per range.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "sr_compat.h"
#include "sr_mirror.h"

static int __init cxl_sr_helper_init(void)
{
	pr_info("loaded for %s\n", SR_KERNEL_RELEASE);
	return 0;
}

static void __exit cxl_sr_helper_exit(void)
{
	pr_info("unloaded\n");
}

module_init(cxl_sr_helper_init);
module_exit(cxl_sr_helper_exit);

SR_IMPORT_NS_CXL();
MODULE_DESCRIPTION("CXL region facts and dax_cxl ordering for dax_hmem_sr");
MODULE_LICENSE("GPL");
