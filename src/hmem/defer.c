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

/*
 * Where the decision of the current binding stands.  Guarded by the device
 * lock of the host: probe and unbind hold it, the work takes it.  PENDING
 * of the work item is no substitute: the worker clears it before the run
 * waits in wait_for_device_probe(), and a range deferred meanwhile would
 * queue a second pass that decides every range again.
 */
enum defer_state {
	DEFER_IDLE,		/* nothing deferred in this binding yet */
	DEFER_QUEUED,		/* the pass is queued or waiting to run */
	DEFER_DECIDED,		/* the pass ran for this binding */
};

static struct {
	struct work_struct work;
	struct device *host;
	enum defer_state state;
} defer = {
	.work = __WORK_INITIALIZER(defer.work, process_defer_work),
};

static int decide_deferred(struct device *host, int target_nid,
			   const struct resource *res)
{
	/* ranges outside CXL windows were registered by the probe */
	if (!hmem_sr_in_cxl_window(res))
		return 0;
	/* a failure is logged and reported: the walk goes on to the next */
	hmem_sr_decide_range(host, target_nid, res);
	return 0;
}

/*
 * Each queued run closed the gate once (hmem_sr_defer()) and opens it once,
 * whether it decided or found the binding gone or decided already.
 */
static void process_defer_work(struct work_struct *work)
{
	struct device *host = defer.host;

	/* Relies on cxl_acpi, cxl_pci and cxl_mem having had a chance to load */
	wait_for_device_probe();
	/* the start of the arbitration, for anyone timing it (bench/) */
	dev_dbg(host, "CXL probe settled, deciding deferred ranges\n");

	/* Not before the wait: a probe needing this lock would deadlock it */
	scoped_guard(device, host) {
		if (host->driver != &dax_hmem_sr_platform_driver.driver ||
		    defer.state != DEFER_QUEUED)
			break;
		defer.state = DEFER_DECIDED;
		cxl_sr_set_initial_pass_done();
		walk_hmem_resources(host, decide_deferred);
	}
	/* memory dax_cxl onlined before the decision pins cxl_acpi now */
	hmem_sr_update_pins();
	cxl_sr_gate_open();
	put_device(host);
}

/* The binding ends (unbind, or the probe failed): the next one decides anew. */
static void defer_reset(void *unused)
{
	defer.state = DEFER_IDLE;
}

/**
 * hmem_sr_defer - defer a range of @host to the decision pass
 * @host: hmem_platform.0, locked by its probe
 *
 * The first range of a binding holds dax_cxl back (cxl_sr_gate_close())
 * and queues the pass; later ranges of the same binding find it queued.
 *
 * Return: 0 or a negative errno.
 */
int hmem_sr_defer(struct device *host)
{
	int rc;

	device_lock_assert(host);
	if (defer.state != DEFER_IDLE)
		return 0;
	rc = devm_add_action(host, defer_reset, NULL);
	if (rc)
		return rc;
	rc = cxl_sr_gate_close();
	if (rc) {
		devm_remove_action(host, defer_reset, NULL);
		return rc;
	}
	defer.state = DEFER_QUEUED;
	defer.host = get_device(host);	/* the same singleton every time */
	if (!queue_work(dax_hmem_sr_wq, &defer.work)) {
		/* the run of an ended binding is still queued: it decides for this one */
		put_device(host);
		cxl_sr_gate_open();
	}
	return 0;
}
