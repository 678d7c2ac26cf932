// SPDX-License-Identifier: GPL-2.0
/*
 * HMEM's dax regions: one hmem_sr.<memregion id> device per piece of a Soft
 * Reserved range, as the stock driver makes hmem.<id> per range, and its
 * driver, which builds the dax region and device that kmem then onlines.
 */
#include <linux/memregion.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"
#include "sr_mirror.h"

static bool region_idle;
module_param_named(region_idle, region_idle, bool, 0644);
MODULE_PARM_DESC(region_idle, "Do not send HMEM dax devices to kmem (as dax_hmem.region_idle)");

/* platform data of an hmem_sr device */
struct hmem_sr_piece {
	struct memregion_info mri;
	bool devdax_only;	/* not known to be decoded memory: no kmem */
};

static int dax_hmem_sr_probe(struct platform_device *pdev)
{
	unsigned long flags = SR_IORESOURCE_DAX_KMEM;
	struct hmem_sr_piece *piece = dev_get_platdata(&pdev->dev);
	struct memregion_info *mri = &piece->mri;
	struct device *dev = &pdev->dev;
	struct dax_region *dax_region;
	struct dev_dax_data data;

	/*
	 * @region_idle == true indicates that an administrative agent
	 * wants to manipulate the range partitioning before the devices
	 * are created, so do not send them to the dax_kmem driver by
	 * default.
	 */
	if (region_idle || piece->devdax_only)
		flags = 0;

	dax_region = alloc_dax_region(dev, pdev->id, &mri->range,
				      mri->target_node, PMD_SIZE, flags);
	if (!dax_region)
		return -ENOMEM;

	data = (struct dev_dax_data) {
		.dax_region = dax_region,
		.id = -1,
		.size = region_idle ? 0 : range_len(&mri->range),
	};

	return PTR_ERR_OR_ZERO(devm_create_dev_dax(&data));
}

static const struct platform_device_id hmem_sr_ids[] = {
	{ .name = "hmem_sr" },
	{ }
};

struct platform_driver dax_hmem_sr_driver = {
	.probe = dax_hmem_sr_probe,
	.id_table = hmem_sr_ids,
	.driver = {
		.name = "dax_hmem_sr",
		/* hmem_sr_register_piece() looks for the dax device at once */
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

static void release_memregion(void *data)
{
	memregion_free((long)data);
}

static void release_claim(void *range)
{
	/* memory the unbind could not remove keeps its claim (handover.c) */
	if (!hmem_sr_orphaned(range))
		cxl_sr_unclaim(range);
}

static void release_hmem(void *pdev)
{
	platform_device_unregister(pdev);
}

static int is_dev_dax(struct device *dev, sr_find_child_data *unused)
{
	return dev->bus && !strcmp(dev->bus->name, "dax");
}

/* "hmem_sr.N/daxN.M": the dax device is what daxctl and users name */
static bool add_dax_name(struct platform_device *pdev, char *name, size_t len)
{
	struct device *dax = device_find_child(&pdev->dev, NULL, is_dev_dax);
	size_t used = strlen(name);

	if (!dax)
		return false;
	snprintf(name + used, len - used, "/%s", dev_name(dax));
	put_device(dax);
	return true;
}

static int match_piece(struct device *dev, sr_find_child_data *data)
{
	const struct range *span = data;
	struct hmem_sr_piece *piece = dev_get_platdata(dev);

	return !strncmp(dev_name(dev), "hmem_sr.", 8) && piece &&
	       piece->mri.range.start == span->start && piece->mri.range.end == span->end;
}

/**
 * hmem_sr_drop_piece - take down HMEM's device over @span
 * @host: hmem_platform.0, locked
 * @span: exactly one piece hmem_sr_register_piece() registered
 * @name: filled with its name and its dax device's, as the report has them
 * @len: room in @name
 *
 * For memory nothing decodes any more.  Its claim stays: no other owner can
 * serve it either.
 *
 * Return: 0, or -ENOENT when no piece is exactly @span.
 */
int hmem_sr_drop_piece(struct device *host, const struct range *span,
		       char *name, size_t len)
{
	struct device *dev = device_find_child(host, (void *)span, match_piece);

	if (!dev)
		return -ENOENT;
	snprintf(name, len, "%s", dev_name(dev));
	add_dax_name(to_platform_device(dev), name, len);
	devm_release_action(host, release_hmem, to_platform_device(dev));
	put_device(dev);
	return 0;
}

/**
 * hmem_sr_register_piece - give one piece of a Soft Reserved range to HMEM
 * @host: hmem_platform.0, whose unbind tears the piece down again
 * @target_nid: NUMA node of the memory
 * @piece: the span, inside one Soft Reserved range
 * @name: filled with the new device's name and its dax device's
 * @len: room in @name
 * @devdax_only: keep it from kmem
 *
 * The span is claimed first (cxl_sr_helper): a span dax_cxl or HMEM holds
 * already is refused with -EBUSY, so no memory gets two dax regions.
 *
 * Return: 0 or a negative errno: -ENXIO when the piece's probe made no dax
 * device, -EADDRINUSE when an unbind left its memory behind.
 */
int hmem_sr_register_piece(struct device *host, int target_nid,
			   const struct range *piece, char *name, size_t len,
			   bool devdax_only)
{
	struct platform_device *pdev;
	struct hmem_sr_piece info;
	struct range *claimed;
	long id;
	int rc;

	if (hmem_sr_orphaned(piece)) {
		dev_warn(host, "[mem %#llx-%#llx]: still added from before hmem_platform.0 was unbound (kmem could not remove it): lost until reboot\n",
			 piece->start, piece->end);
		return -EADDRINUSE;
	}
	id = memregion_alloc(GFP_KERNEL);
	if (id < 0) {
		dev_err(host, "memregion allocation failure for [mem %#llx-%#llx]\n",
			piece->start, piece->end);
		return -ENOMEM;
	}
	rc = devm_add_action_or_reset(host, release_memregion, (void *)id);
	if (rc)
		return rc;

	snprintf(name, len, "hmem_sr.%ld", id);
	claimed = devm_kmemdup(host, piece, sizeof(*piece), GFP_KERNEL);
	if (!claimed)
		return -ENOMEM;
	rc = cxl_sr_claim(claimed, name);
	if (rc)
		return rc;
	rc = devm_add_action_or_reset(host, release_claim, claimed);
	if (rc)
		return rc;
	/* its memory pins this module while online: kmem cannot give it back */
	rc = hmem_sr_track(host, SR_SPAN_HMEM, piece, NULL);
	if (rc)
		return rc;

	pdev = platform_device_alloc("hmem_sr", id);
	if (!pdev)
		return -ENOMEM;

	pdev->dev.parent = host;
	pdev->dev.numa_node = numa_map_to_online_node(target_nid);
	info = (struct hmem_sr_piece) {
		.mri = { .target_node = target_nid, .range = *piece },
		.devdax_only = devdax_only,
	};
	rc = platform_device_add_data(pdev, &info, sizeof(info));
	if (rc < 0)
		goto out_put;

	rc = platform_device_add(pdev);
	if (rc < 0) {
		/* a failed add may leave the device without its name */
		dev_err(host, "%s add failed (%d) for [mem %#llx-%#llx]\n",
			name, rc, piece->start, piece->end);
		goto out_put;
	}

	/*
	 * A probe that failed (the driver core logs its errno) leaves a device
	 * without memory: the range must show as unowned, not as HMEM's.
	 */
	if (!add_dax_name(pdev, name, len)) {
		dev_err(host, "%s made no dax device for [mem %#llx-%#llx]\n",
			dev_name(&pdev->dev), piece->start, piece->end);
		platform_device_unregister(pdev);
		return -ENXIO;
	}
	return devm_add_action_or_reset(host, release_hmem, pdev);

out_put:
	platform_device_put(pdev);
	return rc;
}
