// SPDX-License-Identifier: GPL-2.0
/*
 * dax_hmem_sr: the HMEM driver for Soft Reserved memory, with ownership of
 * ranges that meet a CXL window decided per range after CXL has probed
 * (Linux 7.1's dax_hmem, for kernels 6.3 to 7.0).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"

struct workqueue_struct *dax_hmem_sr_wq;

/* The stock dax_hmem (or anything else) already serving hmem_platform.0 */
static int check_stock_driver(void)
{
	struct device_driver *drv;
	struct device *dev;
	int rc = 0;

	drv = driver_find("hmem_platform", &platform_bus_type);
	if (drv) {
		pr_err("the stock dax_hmem is loaded: remove it (modprobe -r dax_hmem) and keep it out with /usr/lib/modprobe.d/dax-hmem-sr.conf (dkms install dax-hmem-sr)\n");
		return -EBUSY;
	}
	dev = bus_find_device_by_name(&platform_bus_type, NULL, "hmem_platform.0");
	if (!dev)
		return 0;
	scoped_guard(device, dev) {
		if (dev->driver && dev->driver != &dax_hmem_sr_platform_driver.driver) {
			pr_err("hmem_platform.0 is bound to driver %s: unbind it first\n",
			       dev->driver->name);
			rc = -EBUSY;
		}
	}
	put_device(dev);
	return rc;
}

static int __init dax_hmem_sr_init(void)
{
	int rc;

	rc = check_stock_driver();
	if (rc)
		goto err_abandon;

	/*
	 * Start CXL enumeration before the first walk, so the deferred decision
	 * after wait_for_device_probe() sees its regions.  7.1 asks for cxl_acpi
	 * and cxl_pci; on 6.x cxl_pci does not pull in cxl_mem, in whose probe
	 * firmware-committed regions assemble, so ask for that too.
	 */
	if (IS_ENABLED(CONFIG_DEV_DAX_CXL)) {
		static const char * const cxl_modules[] = { "cxl_acpi", "cxl_pci", "cxl_mem" };

		for (int i = 0; i < ARRAY_SIZE(cxl_modules); i++) {
			rc = request_module(cxl_modules[i]);
			/* > 0: modprobe's exit status (not installed, blacklisted) */
			if (rc < 0)
				pr_warn("cannot ask for %s (%d): ranges in CXL windows are decided without its regions\n",
					cxl_modules[i], rc);
		}
	}

	dax_hmem_sr_wq = alloc_ordered_workqueue("dax_hmem_sr_wq", 0);
	if (!dax_hmem_sr_wq) {
		pr_err("cannot allocate its workqueue\n");
		rc = -ENOMEM;
		goto err_abandon;
	}
	hmem_sr_report_init();
	rc = hmem_sr_handover_init();
	if (rc) {
		pr_err("cannot register its memory and platform notifiers (%d): not loaded\n", rc);
		goto err_handover;
	}

	rc = platform_driver_register(&dax_hmem_sr_driver);
	if (rc) {
		pr_err("cannot register driver %s (%d): not loaded\n",
		       dax_hmem_sr_driver.driver.name, rc);
		goto err_driver;
	}

	/* Last: its probe may queue work, and nothing after it can fail. */
	rc = platform_driver_register(&dax_hmem_sr_platform_driver);
	if (rc) {
		pr_err("cannot register driver %s (%d): not loaded\n",
		       dax_hmem_sr_platform_driver.driver.name, rc);
		goto err_platform_driver;
	}

	rc = check_stock_driver();
	if (rc)
		goto err_stock;
	return 0;

err_stock:
	platform_driver_unregister(&dax_hmem_sr_platform_driver);
err_platform_driver:
	platform_driver_unregister(&dax_hmem_sr_driver);
err_driver:
	hmem_sr_handover_exit();
err_handover:
	hmem_sr_report_exit();
	destroy_workqueue(dax_hmem_sr_wq);
err_abandon:
	/* the helper may hold dax_cxl back for us: nothing will decide now */
	cxl_sr_gate_abandon();
	return rc;
}

static void __exit dax_hmem_sr_exit(void)
{
	platform_driver_unregister(&dax_hmem_sr_platform_driver);
	hmem_sr_handover_exit();
	/* the pending decision, if any, sees the driver gone and opens the gate */
	destroy_workqueue(dax_hmem_sr_wq);
	platform_driver_unregister(&dax_hmem_sr_driver);
	hmem_sr_report_exit();
}

module_init(dax_hmem_sr_init);
module_exit(dax_hmem_sr_exit);

MODULE_IMPORT_NS(SR_NS_CXL_SR);
MODULE_DESCRIPTION("HMEM DAX with per-range Soft Reserved arbitration against CXL");
MODULE_LICENSE("GPL");
