// SPDX-License-Identifier: GPL-2.0
/*
 * Handover: when cxl_acpi lets go of the CXL windows (module unload or a
 * sysfs unbind), the memory CXL owned goes to HMEM without a rebind of
 * hmem_platform.0, as far as it is still memory: Linux resets the decoders
 * of a region it tears down, and only those firmware locked keep decoding.
 * Memory with any decoder on its path unlocked is reported lost instead.
 *
 * The same records keep two removals from pulling memory out from under
 * online pages (both are exported paths, no kprobe):
 *   - cxl_acpi stays pinned while memory inside a committed region of a Soft
 *     Reserved range is online, whoever owns it: its removal would tear the
 *     region down and reset the decoders under that memory;
 *   - this module stays pinned while memory of its own dax devices is online:
 *     kmem could not give it back and would leave it online, ownerless.
 * Both pins follow the memory notifier, so offlining releases them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"
#include "sr_decide.h"

struct sr_track {
	struct list_head list;
	struct list_head work;		/* handover_work_fn()'s own list */
	enum sr_span_kind kind;
	struct range span;
	struct sr_handover ho;		/* not for SR_SPAN_HMEM */
};

/* Guards the records and the pins.  Taken inside device locks and mem_hotplug. */
static DEFINE_MUTEX(handover_lock);
static LIST_HEAD(tracks);
/*
 * HMEM pieces whose binding ended while their memory was online: kmem
 * cannot remove online memory and leaves it added, with its iomem resource,
 * until reboot.  They keep their claim, so dax_cxl is not given memory it
 * could never online, and pin this module while online.
 */
static LIST_HEAD(orphans);
static struct device *cxl_acpi_dev;	/* bound to cxl_acpi, referenced */
static struct module *cxl_acpi_owner;	/* its driver's module while bound */
static bool cxl_acpi_pinned;
static bool self_pinned;

static bool span_online(const struct range *span)
{
	u64 block = memory_block_size_bytes();
	u64 addr;

	for (addr = ALIGN_DOWN(span->start, block); addr <= span->end; addr += block) {
		if (pfn_to_online_page(PHYS_PFN(addr)))
			return true;
		if (addr + block < addr)
			break;
	}
	return false;
}

/* Memory still added under @span, online or not: pfn_valid() per block */
static bool span_present(const struct range *span)
{
	u64 block = memory_block_size_bytes();
	u64 addr;

	for (addr = ALIGN_DOWN(span->start, block); addr <= span->end; addr += block) {
		if (pfn_valid(PHYS_PFN(addr)))
			return true;
		if (addr + block < addr)
			break;
	}
	return false;
}

static void update_pins_locked(void)
{
	bool cxl_online = false, hmem_online = false, want;
	struct sr_track *t;

	lockdep_assert_held(&handover_lock);
	list_for_each_entry(t, &orphans, list)
		if (span_online(&t->span))
			hmem_online = true;
	list_for_each_entry(t, &tracks, list) {
		if (!span_online(&t->span))
			continue;
		if (t->kind == SR_SPAN_HMEM)
			hmem_online = true;
		else
			cxl_online = true;
	}

	if (hmem_online != self_pinned) {
		if (hmem_online) {
			__module_get(THIS_MODULE);
			pr_info("memory HMEM owns is online: module pinned until it is offlined\n");
		} else {
			module_put(THIS_MODULE);
			pr_info("memory HMEM owns is offline: module may be removed\n");
		}
		self_pinned = hmem_online;
	}

	want = cxl_online && cxl_acpi_owner;
	if (want == cxl_acpi_pinned)
		return;
	if (want) {
		if (!try_module_get(cxl_acpi_owner))
			return;		/* going already: its unbind follows */
		dev_info(cxl_acpi_dev, "CXL region memory in Soft Reserved ranges is online: cxl_acpi pinned until it is offlined (removal would reset the decoders under it)\n");
	} else {
		module_put(cxl_acpi_owner);
		dev_info(cxl_acpi_dev, "CXL region memory in Soft Reserved ranges is offline: cxl_acpi may be removed, its ranges then go to HMEM\n");
	}
	cxl_acpi_pinned = want;
}

/** hmem_sr_update_pins - recompute both pins, e.g. after a decision pass */
void hmem_sr_update_pins(void)
{
	guard(mutex)(&handover_lock);
	update_pins_locked();
}

static void untrack(void *data)
{
	struct sr_track *t = data;

	guard(mutex)(&handover_lock);
	list_del(&t->list);
	/* its device is gone already (devm order): is the memory still there? */
	if (t->kind == SR_SPAN_HMEM && span_present(&t->span)) {
		pr_warn("[mem %#llx-%#llx]: hmem_platform.0 unbound with this memory online: kmem cannot remove it, so it stays HMEM's (kept from dax_cxl, which could not online it) and is lost until reboot; dax_hmem_sr stays loaded while it is online\n",
			t->span.start, t->span.end);
		list_add_tail(&t->list, &orphans);
	} else {
		kfree(t);
	}
	update_pins_locked();
}

/**
 * hmem_sr_orphaned - is @span memory an unbind left behind?
 * @span: a piece
 *
 * Such memory keeps its claim when its binding ends, and a new binding
 * cannot register it again (kmem could not reserve it).
 */
bool hmem_sr_orphaned(const struct range *span)
{
	struct sr_track *t;

	guard(mutex)(&handover_lock);
	list_for_each_entry(t, &orphans, list)
		if (t->span.start <= span->end && span->start <= t->span.end)
			return true;
	return false;
}

/**
 * hmem_sr_track - record a span of a decided Soft Reserved range
 * @host: hmem_platform.0; the record lives as long as its binding
 * @kind: what the span is
 * @span: the span
 * @ho: for SR_SPAN_CXL, what HMEM needs to take it over, else NULL
 *
 * Return: 0 or a negative errno.
 */
int hmem_sr_track(struct device *host, enum sr_span_kind kind,
		  const struct range *span, const struct sr_handover *ho)
{
	struct sr_track *t = kzalloc_obj(*t);

	if (!t)
		return -ENOMEM;
	t->kind = kind;
	t->span = *span;
	if (ho)
		t->ho = *ho;
	scoped_guard(mutex, &handover_lock)
		list_add_tail(&t->list, &tracks);
	return devm_add_action_or_reset(host, untrack, t);
}

/*
 * Memory whose decoders Linux reset with the region is no longer routed: a
 * dax device over it would fault at the first touch (mmap, or kmem after a
 * "daxctl reconfigure-device").  It gets no device and is reported lost, so
 * nothing claims it either: a CXL region created over it again programs the
 * decoders anew, and dax_cxl may then serve it.
 */
static void report_lost(struct device *host, struct sr_track *t)
{
	dev_warn(host, "Soft Reserved [mem %#llx-%#llx]: lost: CXL let go of it (cxl_acpi unbound) and its teardown reset decoders firmware had not locked: no longer decoded, no dax device until a reboot or a new CXL region over it\n",
		 t->span.start, t->span.end);
	if (range_len(&t->span) == range_len(&t->ho.sr) && t->span.start == t->ho.sr.start)
		hmem_sr_report(&t->ho.sr, "lost",
			       "CXL let go of it (cxl_acpi unbound); decoders reset: no longer decoded",
			       NULL, NULL);
}

/* HMEM's piece over a region whose decoders went with it: the same. */
static void drop_lost_part(struct device *host, struct sr_track *t)
{
	char name[48] = "";
	int rc;

	rc = hmem_sr_drop_piece(host, &t->span, name, sizeof(name));
	dev_warn(host, "[mem %#llx-%#llx]: lost: the CXL region under this memory HMEM owns went with cxl_acpi, and its teardown reset decoders firmware had not locked: no longer decoded, %s%s\n",
		 t->span.start, t->span.end, rc ? "but no HMEM device is exactly it" : "taken down: ",
		 name);
	if (!rc)
		hmem_sr_report_dropped(&t->ho.sr, name,
				       "part lost with its CXL region when cxl_acpi went (decoders reset)");
}

static void take_over(struct device *host, struct sr_track *t)
{
	struct sr_span span = { t->span.start, t->span.end };
	char name[32] = "nothing";
	bool devdax_only;
	int rc;

	if (t->ho.sr_entry)
		hmem_sr_iomem_restore(host, t->ho.sr_entry);
	if (!t->ho.locked) {
		report_lost(host, t);
		return;
	}
	/* a region smaller than a memory block: kmem would reject it */
	devdax_only = !sr_onlinable(&span, memory_block_size_bytes());
	rc = hmem_sr_register_piece(host, t->ho.target_nid, &t->span, name,
				    sizeof(name), devdax_only);
	dev_info(host, "Soft Reserved [mem %#llx-%#llx]: owner hmem, CXL let go of it (cxl_acpi unbound), its decoders locked by firmware, as %s%s\n",
		 t->span.start, t->span.end, rc ? "nothing" : name,
		 devdax_only ? " (devdax only: smaller than a memory block)" : "");
	if (rc)
		dev_err(host, "taking over [mem %#llx-%#llx] failed: %d\n",
			t->span.start, t->span.end, rc);
	if (range_len(&t->span) == range_len(&t->ho.sr) && t->span.start == t->ho.sr.start)
		hmem_sr_report(&t->ho.sr, rc ? "conflict" : "hmem",
			       "handed over by CXL (cxl_acpi unbound); decoders locked by firmware",
			       NULL, rc ? NULL : name);
}

static void handover_work_fn(struct work_struct *work)
{
	struct sr_track *t, *next;
	struct device *host;
	LIST_HEAD(mine);

	host = bus_find_device_by_name(&platform_bus_type, NULL, "hmem_platform.0");
	if (!host)
		return;
	scoped_guard(device, host) {
		if (host->driver != &dax_hmem_sr_platform_driver.driver)
			break;
		/*
		 * Only this host's devm frees records, and its lock is held:
		 * the records stay valid while pieces are registered unlocked.
		 */
		scoped_guard(mutex, &handover_lock)
			list_for_each_entry(t, &tracks, list)
				if (t->kind != SR_SPAN_HMEM)
					list_add_tail(&t->work, &mine);
		list_for_each_entry_safe(t, next, &mine, work) {
			list_del(&t->work);
			if (hmem_sr_range_in_cxl_window(&t->span))
				continue;	/* another window still decodes it */
			if (t->kind == SR_SPAN_CXL)
				take_over(host, t);
			else if (!t->ho.locked)
				drop_lost_part(host, t);
			devm_release_action(host, untrack, t);
		}
	}
	put_device(host);
}

static DECLARE_WORK(handover_work, handover_work_fn);

static bool is_cxl_acpi(struct device *dev)
{
	return dev->driver && !strcmp(dev->driver->name, "cxl_acpi");
}

static bool hmem_owns_any(void)
{
	struct sr_track *t;

	list_for_each_entry(t, &tracks, list)
		if (t->kind == SR_SPAN_HMEM)
			return true;
	return false;
}

/* The driver core calls these with @dev locked. */
static void cxl_acpi_bound(struct device *dev)
{
	guard(mutex)(&handover_lock);
	if (cxl_acpi_dev)
		return;
	cxl_acpi_dev = get_device(dev);
	cxl_acpi_owner = dev->driver->owner;
	if (cxl_sr_initial_pass_done() && hmem_owns_any())
		dev_info(dev, "CXL windows back: Soft Reserved memory HMEM owns stays with HMEM (first come, first served)\n");
	update_pins_locked();
}

static void cxl_acpi_unbinding(struct device *dev)
{
	guard(mutex)(&handover_lock);
	if (dev != cxl_acpi_dev)
		return;
	if (cxl_acpi_pinned) {
		/* a sysfs unbind: a pinned module cannot be removed */
		dev_err(dev, "unbound while CXL region memory in Soft Reserved ranges is online: its decoders may be reset under it\n");
		module_put(cxl_acpi_owner);
		cxl_acpi_pinned = false;
	}
	cxl_acpi_owner = NULL;
}

static void cxl_acpi_unbound(struct device *dev)
{
	scoped_guard(mutex, &handover_lock) {
		if (dev != cxl_acpi_dev)
			return;
		cxl_acpi_dev = NULL;
	}
	put_device(dev);
	/* the windows are gone now: decide what CXL owned */
	queue_work(dax_hmem_sr_wq, &handover_work);
}

static int platform_event(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct device *dev = data;

	switch (action) {
	case BUS_NOTIFY_BOUND_DRIVER:
		if (is_cxl_acpi(dev))
			cxl_acpi_bound(dev);
		break;
	case BUS_NOTIFY_UNBIND_DRIVER:
		cxl_acpi_unbinding(dev);
		break;
	case BUS_NOTIFY_UNBOUND_DRIVER:
		cxl_acpi_unbound(dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block platform_nb = {
	.notifier_call = platform_event,
};

static int memory_event(struct notifier_block *nb, unsigned long action,
			void *arg)
{
	switch (action) {
	case MEM_ONLINE:
	case MEM_OFFLINE:
	case MEM_CANCEL_ONLINE:
	case MEM_CANCEL_OFFLINE:
		hmem_sr_update_pins();
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block memory_nb = {
	.notifier_call = memory_event,
};

static int find_cxl_acpi(struct device *dev, void *unused)
{
	guard(device)(dev);
	if (is_cxl_acpi(dev))
		cxl_acpi_bound(dev);
	return 0;
}

int hmem_sr_handover_init(void)
{
	int rc;

	rc = register_memory_notifier(&memory_nb);
	if (rc)
		return rc;
	rc = bus_register_notifier(&platform_bus_type, &platform_nb);
	if (rc) {
		unregister_memory_notifier(&memory_nb);
		return rc;
	}
	bus_for_each_dev(&platform_bus_type, NULL, NULL, find_cxl_acpi);
	return 0;
}

/*
 * After the host is unbound: no records, and no orphan online (it would pin
 * this module).  Orphans offline give up their claims now: what dax_cxl then
 * gets it cannot online either (kmem -EBUSY), as on the stock kernel.
 */
void hmem_sr_handover_exit(void)
{
	struct sr_track *t, *n;

	bus_unregister_notifier(&platform_bus_type, &platform_nb);
	unregister_memory_notifier(&memory_nb);
	cancel_work_sync(&handover_work);
	guard(mutex)(&handover_lock);
	list_for_each_entry_safe(t, n, &orphans, list) {
		cxl_sr_unclaim(&t->span);
		list_del(&t->list);
		kfree(t);
	}
	if (cxl_acpi_pinned)
		module_put(cxl_acpi_owner);
	cxl_acpi_pinned = false;
	cxl_acpi_owner = NULL;
	put_device(cxl_acpi_dev);
	cxl_acpi_dev = NULL;
}
