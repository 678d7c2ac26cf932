// SPDX-License-Identifier: GPL-2.0
/*
 * The hmem_platform.0 device that built-in code creates for all Soft
 * Reserved ranges: ranges outside CXL windows register at once, the others
 * wait for the decision after CXL has probed (defer.c).
 */
#include <linux/dax.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"

static int hmem_register_device(struct device *host, int target_nid,
				const struct resource *res)
{
	struct range range = { .start = res->start, .end = res->end };

	/*
	 * 7.1 declines such ranges after its initial pass ("first come, first
	 * served") and so loses them on a rebind or reload.  Deciding again
	 * keeps what CXL bound meanwhile with CXL and gives HMEM the rest.
	 */
	int rc;

	if (IS_ENABLED(CONFIG_DEV_DAX_CXL) && hmem_sr_in_cxl_window(res)) {
		dev_dbg(host, "await CXL initial probe: %pr\n", res);
		hmem_sr_report(&range, "pending", "waiting for CXL to probe", NULL, NULL);
		rc = hmem_sr_defer(host);
		if (rc) {
			dev_err(host, "%pr: cannot defer it to the decision (%d): no owner\n",
				res, rc);
			hmem_sr_report(&range, "conflict", "could not be deferred to the decision",
				       NULL, NULL);
		}
		return 0;
	}

	/* one range failing (logged, reported) must not cost the others */
	hmem_sr_decide_range(host, target_nid, res);
	return 0;
}

static int dax_hmem_sr_platform_probe(struct platform_device *pdev)
{
	return walk_hmem_resources(&pdev->dev, hmem_register_device);
}

static const struct platform_device_id hmem_platform_ids[] = {
	{ .name = "hmem_platform" },
	{ }
};
MODULE_DEVICE_TABLE(platform, hmem_platform_ids);

struct platform_driver dax_hmem_sr_platform_driver = {
	.probe = dax_hmem_sr_platform_probe,
	.id_table = hmem_platform_ids,
	.driver = {
		.name = "dax_hmem_sr_platform",
	},
};
