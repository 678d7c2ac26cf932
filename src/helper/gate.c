// SPDX-License-Identifier: GPL-2.0
/*
 * Hold dax_cxl back from CXL dax regions until dax_hmem_sr has decided the
 * Soft Reserved ranges, and keep it off ranges HMEM owns.
 *
 * 7.1 delays dax_cxl's driver registration until dax_hmem's work is flushed.
 * Stock dax_cxl registers at once and binds whatever exists.  The gate needs
 * no kprobe: it adds a managed device link from each CXL dax region
 * (consumer) to a device of ours that never binds (supplier).  The driver
 * core then answers every probe of that region with -EPROBE_DEFER ("supplier
 * cxl_sr_gate not ready"), whichever driver tries and whenever it was loaded.
 * Deleting the link and attaching releases it.  All of it is exported API:
 * bus notifiers, device_link_add()/device_link_remove(), device_attach().
 *
 * Links are added when a CXL dax region is created (BUS_NOTIFY_ADD_DEVICE
 * runs before the driver core probes it) while the gate is closed or its
 * range belongs to HMEM, and to existing unbound ones when the gate closes.
 * Each is added under the region's device lock, never to a region being
 * probed: a link added mid-probe would be inconsistent with the bound driver.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dax.h>
#include <linux/device.h>
#include <linux/kmod.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"

struct held {
	struct list_head list;
	struct device *dax_region;
	bool refused;			/* logged as refused for HMEM */
};

/* How long the gate waits for dax_hmem_sr when it closed on its own */
#define GATE_TIMEOUT	(60 * HZ)

/*
 * The gate is closed while dax_hmem_sr has closes not yet opened (one per
 * queued decision pass), or while the helper holds it on its own for a
 * dax_hmem_sr still to come (the fallback, ended by the timeout or taken
 * over by dax_hmem_sr's first close).  Both under cxl_sr_lock.
 */
static struct device *gate;
static unsigned int gate_closes;
static bool gate_fallback;
static LIST_HEAD(held_regions);

static bool gate_closed(void)
{
	lockdep_assert_held(&cxl_sr_lock);
	return gate_closes || gate_fallback;
}

static struct held *find_held(struct device *dev)
{
	struct held *h;

	list_for_each_entry(h, &held_regions, list)
		if (h->dax_region == dev)
			return h;
	return NULL;
}

/*
 * The link is both stateless and managed.  Managed, so the driver core defers
 * every probe of @dev while cxl_sr_gate has no driver.  Stateless as well, so
 * it holds a reference we may drop: the core lets only itself delete a
 * purely managed link while the consumer is registered.  Each
 * device_link_add() for the pair took one reference; unlink drops both.
 */
static bool link_to_gate(struct device *dev)
{
	struct device_link *link = device_link_add(dev, gate, DL_FLAG_STATELESS);

	if (!link)
		return false;
	if (!device_link_add(dev, gate, 0)) {
		device_link_del(link);
		return false;
	}
	return true;
}

static void unlink_from_gate(struct device *dev)
{
	device_link_remove(dev, gate);
	device_link_remove(dev, gate);
}

/* Caller holds the device lock of @dev and cxl_sr_lock. */
static void hold(struct device *dev)
{
	struct held *h;

	if (dev->driver || find_held(dev))
		return;
	h = kzalloc_obj(*h);
	if (!h || !link_to_gate(dev)) {
		kfree(h);
		dev_err(dev, "dax_cxl cannot be held back from it; its range may get two owners\n");
		return;
	}
	h->dax_region = get_device(dev);
	list_add_tail(&h->list, &held_regions);
	dev_dbg(dev, "held until Soft Reserved ranges are decided\n");
}

/* Caller holds cxl_sr_lock. */
static void refuse(struct held *h, const char *owner)
{
	struct range range = cxl_sr_dax_region_range(h->dax_region);

	if (h->refused)
		return;
	h->refused = true;
	dev_info(h->dax_region,
		 "dax_region resource conflict: [mem %#llx-%#llx] owned by %s (dax_hmem_sr), not binding dax_cxl\n",
		 range.start, range.end, owner);
}

/*
 * Let go of every held region whose range HMEM does not own.  Runs from a
 * work item: device_attach() probes dax_cxl and kmem, which may online
 * gigabytes, and must not run under a caller's device lock.
 */
static void release_unowned(struct work_struct *work)
{
	struct held *h, *n;
	LIST_HEAD(release);

	scoped_guard(mutex, &cxl_sr_lock) {
		if (gate_closed())
			return;
		list_for_each_entry_safe(h, n, &held_regions, list) {
			struct range range = cxl_sr_dax_region_range(h->dax_region);
			const char *owner = cxl_sr_hmem_owner(&range);

			if (owner)
				refuse(h, owner);
			else
				list_move_tail(&h->list, &release);
		}
	}

	list_for_each_entry_safe(h, n, &release, list) {
		unlink_from_gate(h->dax_region);
		dev_dbg(h->dax_region, "released to dax_cxl\n");
		if (device_attach(h->dax_region) < 0)
			dev_warn(h->dax_region, "attach after release failed\n");
		put_device(h->dax_region);
		kfree(h);
	}
}

static DECLARE_WORK(release_work, release_unowned);

static int hold_existing(struct device *dev, void *data)
{
	if (!cxl_sr_is_dax_region(dev))
		return 0;
	guard(device)(dev);
	guard(mutex)(&cxl_sr_lock);
	if (dev->driver) {
		if (!cxl_sr_cxl_claimed(dev) && !cxl_sr_claim_cxl(dev))
			dev_info(dev, "bound by dax_cxl before the Soft Reserved decision: CXL keeps it\n");
		return 0;
	}
	hold(dev);
	return 0;
}

static void gate_timeout_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(gate_timeout, gate_timeout_fn);

/* Caller has closed the gate: hold what is there now. */
static int hold_all(void)
{
	flush_work(&release_work);
	return bus_for_each_dev(&cxl_bus_type, NULL, NULL, hold_existing);
}

/**
 * cxl_sr_gate_close - hold every CXL dax region, present and future
 *
 * Called by dax_hmem_sr before it defers a range to its decision work.
 * Regions dax_cxl bound already are recorded as CXL's.
 *
 * Return: 0 or a negative errno.
 */
int cxl_sr_gate_close(void)
{
	/* _sync: a timeout running now must not open what this closes */
	cancel_delayed_work_sync(&gate_timeout);
	scoped_guard(mutex, &cxl_sr_lock) {
		/* dax_hmem_sr is here and will open it: the fallback ends */
		gate_fallback = false;
		gate_closes++;
	}
	return hold_all();
}
EXPORT_SYMBOL_NS_GPL(cxl_sr_gate_close, SR_NS_CXL_SR);

/**
 * cxl_sr_gate_open - a decision pass is done: undo its cxl_sr_gate_close()
 *
 * Once every close is undone, held regions whose range HMEM claimed stay
 * held (refused, with a log line); the others are attached to dax_cxl from
 * a work item.
 */
void cxl_sr_gate_open(void)
{
	scoped_guard(mutex, &cxl_sr_lock) {
		if (WARN_ON_ONCE(!gate_closes))
			return;
		if (--gate_closes || gate_fallback)
			return;
	}
	queue_work(system_long_wq, &release_work);
}
EXPORT_SYMBOL_NS_GPL(cxl_sr_gate_open, SR_NS_CXL_SR);

/**
 * cxl_sr_gate_abandon - dax_hmem_sr will not decide: end the fallback now
 *
 * For a dax_hmem_sr that fails to load: regions the helper held for it on
 * its own go to dax_cxl at once instead of after the timeout.
 */
void cxl_sr_gate_abandon(void)
{
	cancel_delayed_work_sync(&gate_timeout);
	scoped_guard(mutex, &cxl_sr_lock) {
		if (!gate_fallback)
			return;
		gate_fallback = false;
		if (gate_closed())
			return;
	}
	queue_work(system_long_wq, &release_work);
}
EXPORT_SYMBOL_NS_GPL(cxl_sr_gate_abandon, SR_NS_CXL_SR);

/* An HMEM claim went away: regions refused for it may bind now. */
void cxl_sr_gate_recheck(void)
{
	queue_work(system_long_wq, &release_work);
}

/* Caller holds the device lock of @dev. */
static void hold_new(struct device *dev)
{
	struct range range = cxl_sr_dax_region_range(dev);
	const char *owner;

	guard(mutex)(&cxl_sr_lock);
	owner = cxl_sr_hmem_owner(&range);
	if (!gate_closed() && !owner)
		return;
	hold(dev);
	if (owner && find_held(dev))
		refuse(find_held(dev), owner);
}

static int hold_new_locked(struct device *dev, void *unused)
{
	if (cxl_sr_is_dax_region(dev)) {
		guard(device)(dev);
		hold_new(dev);
	}
	return 0;
}

/* Regions whose lock the notifier could not take, held from process context */
static void hold_late_fn(struct work_struct *work)
{
	bus_for_each_dev(&cxl_bus_type, NULL, NULL, hold_new_locked);
}

static DECLARE_WORK(hold_late, hold_late_fn);

/*
 * Only a trylock here: the notifier runs under the bus's notifier rwsem,
 * which the driver core takes inside device locks (a probe's
 * BUS_NOTIFY_BIND_DRIVER), so waiting for a device lock could deadlock
 * against a probe and a notifier registration.  The region is already on
 * the bus, so a driver being registered may be probing it: then its lock is
 * taken, and the work holds it, or finds it bound and records it as CXL's.
 */
static void dax_region_added(struct device *dev)
{
	if (!device_trylock(dev)) {
		queue_work(system_long_wq, &hold_late);
		return;
	}
	hold_new(dev);
	device_unlock(dev);
}

static void dax_region_deleted(struct device *dev)
{
	struct held *h;

	guard(mutex)(&cxl_sr_lock);
	h = find_held(dev);
	if (!h)
		return;
	unlink_from_gate(dev);
	list_del(&h->list);
	put_device(h->dax_region);
	kfree(h);
}

static int cxl_bus_event(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct device *dev = data;

	if (!cxl_sr_is_dax_region(dev))
		return NOTIFY_DONE;

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		dax_region_added(dev);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		dax_region_deleted(dev);
		break;
	case BUS_NOTIFY_BOUND_DRIVER:
		/* the driver core holds the device lock here */
		scoped_guard(mutex, &cxl_sr_lock) {
			if (cxl_sr_claim_cxl(dev))
				dev_err(dev, "bound by %s over a range another owner holds\n",
					dev->driver->name);
			else
				dev_dbg(dev, "bound by %s\n", dev->driver->name);
		}
		break;
	case BUS_NOTIFY_UNBOUND_DRIVER:
		scoped_guard(mutex, &cxl_sr_lock)
			cxl_sr_unclaim_cxl(dev);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block cxl_bus_nb = {
	.notifier_call = cxl_bus_event,
};

static void gate_timeout_fn(struct work_struct *work)
{
	scoped_guard(mutex, &cxl_sr_lock) {
		if (!gate_fallback)
			return;
		gate_fallback = false;
		pr_warn("dax_hmem_sr did not decide the Soft Reserved ranges within %d s: releasing CXL dax regions to dax_cxl\n",
			GATE_TIMEOUT / HZ);
		if (gate_closed())
			return;
	}
	queue_work(system_long_wq, &release_work);
}

static int in_cxl_window(struct device *dev, int target_nid,
			 const struct resource *res)
{
	return region_intersects(res->start, resource_size(res), IORESOURCE_MEM,
				 IORES_DESC_CXL) != REGION_DISJOINT;
}

/*
 * Loaded before dax_cxl (modprobe.d softdep) while a Soft Reserved range in a
 * CXL window still waits for its decision: close the gate now, so dax_cxl
 * binds nothing before dax_hmem_sr has decided, whatever order udev loads
 * them in.  dax_hmem_sr is asked for, and if it never decides (blacklisted,
 * refused to load) the gate opens by itself after GATE_TIMEOUT.
 */
static void close_if_pending(void)
{
	if (cxl_sr_initial_pass_done() ||
	    !walk_hmem_resources(gate, in_cxl_window))
		return;
	scoped_guard(mutex, &cxl_sr_lock)
		gate_fallback = true;
	hold_all();
	pr_info("holding CXL dax regions until dax_hmem_sr decides the Soft Reserved ranges\n");
	schedule_delayed_work(&gate_timeout, GATE_TIMEOUT);
	request_module_nowait("dax_hmem_sr");
}

int cxl_sr_gate_init(void)
{
	int rc;

	gate = root_device_register("cxl_sr_gate");
	if (IS_ERR(gate))
		return PTR_ERR(gate);
	rc = bus_register_notifier(&cxl_bus_type, &cxl_bus_nb);
	if (rc) {
		root_device_unregister(gate);
		return rc;
	}
	close_if_pending();
	return 0;
}

/* dax_hmem_sr is gone (it links us): nothing is HMEM's any more. */
void cxl_sr_gate_exit(void)
{
	cancel_delayed_work_sync(&gate_timeout);
	bus_unregister_notifier(&cxl_bus_type, &cxl_bus_nb);
	scoped_guard(mutex, &cxl_sr_lock) {
		gate_fallback = false;
		gate_closes = 0;
	}
	cxl_sr_claims_exit();
	cancel_work_sync(&hold_late);
	release_unowned(NULL);
	cancel_work_sync(&release_work);
	root_device_unregister(gate);
}
