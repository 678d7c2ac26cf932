/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DAX_HMEM_SR_INTERNAL_H
#define DAX_HMEM_SR_INTERNAL_H

#include <linux/platform_device.h>
#include <linux/range.h>
#include <linux/workqueue.h>

struct resource;

extern struct platform_driver dax_hmem_sr_platform_driver;
extern struct platform_driver dax_hmem_sr_driver;
extern struct workqueue_struct *dax_hmem_sr_wq;

/* arbitrate.c */
bool hmem_sr_in_cxl_window(const struct resource *res);
int hmem_sr_decide_range(struct device *host, int target_nid,
			 const struct resource *res);

/* defer.c */
int hmem_sr_defer(struct device *host);
bool hmem_sr_defer_pending(void);

/* register.c */
int hmem_sr_register_piece(struct device *host, int target_nid,
			   const struct range *piece, char *name, size_t len);

/* report.c */
void hmem_sr_report(const struct range *range, const char *state,
		    const char *reason, const char *regions, const char *devices);
void hmem_sr_report_init(void);
void hmem_sr_report_exit(void);

/* iomem.c */
void hmem_sr_iomem_cxl_owns(struct device *host, const struct resource *res);
int hmem_sr_iomem_hmem_owns(struct device *host, const struct resource *res);

#endif /* DAX_HMEM_SR_INTERNAL_H */
