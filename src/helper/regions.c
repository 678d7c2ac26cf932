// SPDX-License-Identifier: GPL-2.0
/*
 * Which committed CXL regions lie in a range: 7.1's
 * cxl_region_contains_resource() generalised to a list, so dax_hmem_sr can
 * also accept adjacent regions and cut its pieces at region edges.
 *
 * 7.1 reads the region state under cxl_rwsem.region, which stock kernels do
 * not export.  Here each region is read under its device lock instead: a
 * decommit (commit_store) releases the region driver, which needs that lock,
 * before it resets the decoders, and a region is only unregistered after its
 * driver is released.  So while the lock is held, a region in COMMIT state
 * stays committed or goes to RESET_PENDING (not counted), and params.res
 * stays allocated.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"
#include "sr_mirror.h"

struct region_walk {
	const struct range *range;
	struct cxl_sr_region *out;
	unsigned int max;
	unsigned int nr;
};

/*
 * @dev's HPA resource if it is a committed region meeting @range; device
 * locked.  Only a region bound to the region driver: unregister_region()
 * frees params.res and the targets after device_del() without the device
 * lock, but device_del() first releases the driver, which needs the lock.
 * So while it is held and the driver bound, the teardown cannot have passed
 * that point; an unbound region may be past it, and is not read.
 */
static struct resource *committed_res(struct device *dev, const struct range *range)
{
	struct resource *res;

	device_lock_assert(dev);
	if (!dev->driver)
		return NULL;
	res = sr_region_res(dev);
	if (sr_region_state(dev) != SR_CXL_CONFIG_COMMIT || !res)
		return NULL;
	if (res->start > range->end || res->end < range->start)
		return NULL;
	return res;
}

static bool is_switch_decoder_dev(const struct device *dev)
{
	return dev->type && dev->type->name &&
	       !strcmp(dev->type->name, "cxl_decoder_switch");
}

struct path_walk {
	void *region;
	unsigned int decoders;
	bool stays;
};

/* Does @dev, if it is a switch decoder on the region's path, keep decoding? */
static int check_path_decoder(struct device *dev, void *data)
{
	struct path_walk *walk = data;

	if (!is_switch_decoder_dev(dev) || sr_switch_decoder_region(dev) != walk->region)
		return 0;
	walk->decoders++;
	if (sr_switch_decoder_resettable(dev) &&
	    !(sr_switch_decoder_flags(dev) & SR_CXL_DECODER_F_LOCK)) {
		dev_dbg(dev, "not locked by firmware: a region teardown resets it\n");
		walk->stays = false;
		return 1;
	}
	return 0;
}

/*
 * Would @region's memory still be decoded after Linux tears it down?  6.12's
 * cxl_region_decode_reset() resets, for each endpoint, every switch and
 * host-bridge decoder on its path and then the endpoint's own.  Only a
 * decoder firmware committed with Lock-On-Commit ignores that, so every
 * level must be locked: a locked endpoint under an unlocked host bridge
 * loses its addresses all the same.  The walk reads the decoders' region
 * pointers and flags without cxl_region_rwsem (not exported); each decoder
 * stays allocated while bus_for_each_dev() holds it, and only an endpoint
 * detaching at that moment changes them, which resets the decoders anyway.
 */
static bool decoders_locked(struct device *region)
{
	struct path_walk walk = { .region = sr_region_of(region), .stays = true };
	int i, ways = sr_region_ways(region);

	if (ways <= 0 || ways > SR_REGION_MAX_TARGETS)
		return false;
	for (i = 0; i < ways; i++) {
		void *cxled = sr_region_target(region, i);

		if (!cxled || !(sr_endpoint_decoder_flags(cxled) & SR_CXL_DECODER_F_LOCK))
			return false;
	}
	bus_for_each_dev(&cxl_bus_type, NULL, &walk, check_path_decoder);
	dev_dbg(region, "%u switch decoder(s) on its path, %s\n", walk.decoders,
		walk.stays ? "all locked or passthrough" : "one not locked");
	return walk.stays;
}

static int add_committed_region(struct device *dev, void *data)
{
	struct region_walk *walk = data;
	struct resource *res;

	if (!is_cxl_region(dev))
		return 0;

	guard(device)(dev);
	res = committed_res(dev, walk->range);
	if (!res)
		return 0;
	if (walk->nr == walk->max)
		return -E2BIG;
	walk->out[walk->nr++] = (struct cxl_sr_region) {
		.range = { .start = res->start, .end = res->end },
		.id = sr_region_id(dev),
		.locked = decoders_locked(dev),
	};
	return 0;
}

/**
 * cxl_sr_regions - committed CXL regions that intersect @range
 * @range: host physical range, usually a Soft Reserved range
 * @out: filled with the regions, in bus order
 * @max: room in @out
 *
 * Return: number of regions, or -E2BIG when more than @max.
 */
int cxl_sr_regions(const struct range *range, struct cxl_sr_region *out,
		   unsigned int max)
{
	struct region_walk walk = { .range = range, .out = out, .max = max };
	int rc;

	rc = bus_for_each_dev(&cxl_bus_type, NULL, &walk, add_committed_region);
	return rc ? rc : walk.nr;
}
EXPORT_SYMBOL_NS_GPL(cxl_sr_regions, SR_NS_CXL_SR);

/* The CXL dax region device (cxl_dax_region_type), by its type's name. */
bool cxl_sr_is_dax_region(struct device *dev)
{
	return dev->type && dev->type->name &&
	       !strcmp(dev->type->name, "cxl_dax_region");
}

struct range cxl_sr_dax_region_range(struct device *dev)
{
	return sr_dax_region_range(dev);
}

struct sr_find {
	const struct range *range;
	struct resource *found;
};

static bool is_soft_reserved_for(const struct resource *res, const struct range *range)
{
	return res && res->desc == IORES_DESC_SOFT_RESERVED &&
	       res->start == range->start && res->end == range->end;
}

/*
 * No resource_lock (not exported) is held here, so the walk follows no
 * sibling list, only two pointers from the region's resource, which stays
 * put while the region is locked and bound: its parent and its first child.
 * Either is the firmware's entry (e820's, never freed) or, for the parent,
 * the CXL window, which cxl_acpi frees only after tearing its regions down.
 * insert_resource() puts an entry of the region's size below the region
 * and a larger one above it; below, the entry spans the region, so it is the
 * only child.
 */
static int find_soft_reserved(struct device *dev, void *data)
{
	struct sr_find *find = data;
	struct resource *res, *near;

	if (!is_cxl_region(dev))
		return 0;

	guard(device)(dev);
	res = committed_res(dev, find->range);
	if (!res)
		return 0;
	near = READ_ONCE(res->parent);
	if (!is_soft_reserved_for(near, find->range))
		near = READ_ONCE(res->child);
	if (!is_soft_reserved_for(near, find->range))
		return 0;
	find->found = near;
	return 1;
}

/**
 * cxl_sr_soft_reserved - the iomem "Soft Reserved" resource of @range
 * @range: a Soft Reserved range that committed CXL regions cover
 *
 * On kernels that keep Soft Reserved in iomem_resource (6.x), insert_resource()
 * of a region nests it under or above the firmware's Soft Reserved entry.
 * The walk starts from the region's own resource, read under the region's
 * device lock (see above): nothing under a gated region changes meanwhile,
 * and e820's Soft Reserved resources are never freed.
 *
 * Return: the resource, or NULL when @range has none next to its regions.
 */
struct resource *cxl_sr_soft_reserved(const struct range *range)
{
	struct sr_find find = { .range = range };

	bus_for_each_dev(&cxl_bus_type, NULL, &find, find_soft_reserved);
	return find.found;
}
EXPORT_SYMBOL_NS_GPL(cxl_sr_soft_reserved, SR_NS_CXL_SR);
