// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/iomem as the v8 cover letter shows it: a range CXL owns has no
 * "Soft Reserved" entry in the way of its region (so the region can be torn
 * down and created again at the same address), a range HMEM owns is shown as
 * Soft Reserved.
 */
#include <linux/device.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"

/**
 * hmem_sr_iomem_cxl_owns - take the firmware's Soft Reserved entry out of
 *	the way of the CXL regions that own @res
 * @host: hmem_platform.0, for the log
 * @res: the Soft Reserved range
 *
 * On 6.x kernels the entry is in iomem_resource from boot, nested around
 * the region (remove_resource() moves its children up a level).  Kernels
 * that keep Soft Reserved in a private tree (7.0) have nothing to remove.
 *
 * Return: the entry taken out (firmware's, never freed), or NULL.
 */
struct resource *hmem_sr_iomem_cxl_owns(struct device *host,
					const struct resource *res)
{
	struct range range = { .start = res->start, .end = res->end };
	struct resource *sr = cxl_sr_soft_reserved(&range);
	int rc;

	if (!sr)
		return NULL;
	rc = remove_resource(sr);
	if (rc) {
		dev_warn(host, "%pr: cannot remove the Soft Reserved entry: %d\n", res, rc);
		return NULL;
	}
	return sr;
}

/**
 * hmem_sr_iomem_restore - show a range CXL handed over as Soft Reserved again
 * @host: hmem_platform.0, for the log
 * @sr_entry: as returned by hmem_sr_iomem_cxl_owns()
 */
void hmem_sr_iomem_restore(struct device *host, struct resource *sr_entry)
{
	/* remove_resource() leaves the old links behind */
	sr_entry->parent = NULL;
	sr_entry->sibling = NULL;
	sr_entry->child = NULL;
	if (insert_resource(&iomem_resource, sr_entry))
		dev_warn(host, "%pr: cannot show the Soft Reserved entry again\n", sr_entry);
}

#ifdef HAVE_WALK_SOFT_RESERVE_RES
static void remove_shown(void *res)
{
	remove_resource(res);
	kfree(res);
}

/*
 * 7.0 keeps Soft Reserved out of iomem_resource until a driver decides; show
 * the ranges HMEM owns again (v8 patch 9, which 7.1 did not take).
 */
int hmem_sr_iomem_hmem_owns(struct device *host, const struct resource *res)
{
	struct resource *shown;

	if (region_intersects(res->start, resource_size(res), IORESOURCE_MEM,
			      IORES_DESC_SOFT_RESERVED) == REGION_INTERSECTS)
		return 0;
	shown = kzalloc_obj(*shown);
	if (!shown)
		return -ENOMEM;
	*shown = DEFINE_RES_NAMED_DESC(res->start, resource_size(res), "Soft Reserved",
				       IORESOURCE_MEM, IORES_DESC_SOFT_RESERVED);
	if (insert_resource(&iomem_resource, shown)) {
		kfree(shown);
		return 0;
	}
	return devm_add_action_or_reset(host, remove_shown, shown);
}
#else
/* 6.x: the firmware's entry has been in iomem_resource since boot. */
int hmem_sr_iomem_hmem_owns(struct device *host, const struct resource *res)
{
	return 0;
}
#endif
