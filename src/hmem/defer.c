// SPDX-License-Identifier: GPL-2.0
/*
 * The decision pass: once CXL has had its chance to probe, decide every Soft
 * Reserved range that meets a CXL window.  One pass, like 7.1's
 * process_defer_work(); hmem_platform.0 is a singleton, so is this work.
 */
#include <linux/dax.h>
#include <linux/device.h>
#include <linux/workqueue.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"

static void process_defer_work(struct work_struct *work);

static struct {
	struct work_struct work;
	struct device *host;
} defer = {
	.work = __WORK_INITIALIZER(defer.work, process_defer_work),
};

static int decide_deferred(struct device *host, int target_nid,
			   const struct resource *res)
{
	/* ranges outside CXL windows were registered by the probe */
	if (!hmem_sr_in_cxl_window(res))
		return 0;
	return hmem_sr_decide_range(host, target_nid, res);
}

static void process_defer_work(struct work_struct *work)
{
	struct device *host = defer.host;

	/* Relies on cxl_acpi, cxl_pci and cxl_mem having had a chance to load */
	wait_for_device_probe();
	/* the start of the arbitration, for anyone timing it (bench/) */
	dev_dbg(host, "CXL probe settled, deciding deferred ranges\n");

	/* Not before the wait: a probe needing this lock would deadlock it */
	scoped_guard(device, host) {
		if (host->driver != &dax_hmem_sr_platform_driver.driver)
			break;
		cxl_sr_set_initial_pass_done();
		walk_hmem_resources(host, decide_deferred);
	}
	/* memory dax_cxl onlined before the decision pins cxl_acpi now */
	hmem_sr_update_pins();
	cxl_sr_gate_open();
	put_device(host);
}

/**
 * hmem_sr_defer - queue the decision for a range of @host
 * @host: hmem_platform.0
 *
 * The first call holds dax_cxl back (cxl_sr_gate_close()) until the work has
 * decided; later calls for other ranges find the work queued already.
 *
 * Return: 0 or a negative errno.
 */
int hmem_sr_defer(struct device *host)
{
	int rc;

	if (work_pending(&defer.work))
		return 0;
	rc = cxl_sr_gate_close();
	if (rc)
		return rc;
	defer.host = get_device(host);
	if (!queue_work(dax_hmem_sr_wq, &defer.work))
		put_device(host);
	return 0;
}

bool hmem_sr_defer_pending(void)
{
	return work_pending(&defer.work);
}
