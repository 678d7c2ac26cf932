// SPDX-License-Identifier: GPL-2.0
/*
 * cxl_sr_helper: what stock kernels do not export to dax_hmem_sr - which
 * committed CXL regions cover a range, dax_cxl held back until the ranges are
 * decided, and one owner per range.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"

DEFINE_MUTEX(cxl_sr_lock);

/*
 * 7.1 keeps "the initial pass is done" in built-in code so it survives a
 * reload of dax_hmem; dax_hmem_sr cannot unload while this module is loaded.
 */
static bool initial_pass_done;

bool cxl_sr_initial_pass_done(void)
{
	guard(mutex)(&cxl_sr_lock);
	return initial_pass_done;
}
EXPORT_SYMBOL_NS_GPL(cxl_sr_initial_pass_done, SR_NS_CXL_SR);

void cxl_sr_set_initial_pass_done(void)
{
	guard(mutex)(&cxl_sr_lock);
	initial_pass_done = true;
}
EXPORT_SYMBOL_NS_GPL(cxl_sr_set_initial_pass_done, SR_NS_CXL_SR);

static int __init cxl_sr_helper_init(void)
{
	int rc = cxl_sr_gate_init();

	if (rc)
		pr_err("cannot set up the gate for dax_cxl (%d): not loaded\n", rc);
	return rc;
}

static void __exit cxl_sr_helper_exit(void)
{
	cxl_sr_gate_exit();
}

module_init(cxl_sr_helper_init);
module_exit(cxl_sr_helper_exit);

MODULE_IMPORT_NS(SR_NS_CXL);
MODULE_DESCRIPTION("CXL region facts and dax_cxl ordering for dax_hmem_sr");
MODULE_LICENSE("GPL");
