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
bool hmem_sr_range_in_cxl_window(const struct range *range);
bool hmem_sr_in_cxl_window(const struct resource *res);
int hmem_sr_decide_range(struct device *host, int target_nid,
			 const struct resource *res);

/* defer.c */
int hmem_sr_defer(struct device *host);

/* register.c */
int hmem_sr_register_piece(struct device *host, int target_nid,
			   const struct range *piece, char *name, size_t len,
			   bool devdax_only);
int hmem_sr_drop_piece(struct device *host, const struct range *span,
		       char *name, size_t len);

/* handover.c */
enum sr_span_kind {
	SR_SPAN_HMEM,		/* an HMEM piece */
	SR_SPAN_REGION,		/* a committed CXL region inside memory HMEM owns */
	SR_SPAN_CXL,		/* memory CXL owns */
};

/**
 * struct sr_handover - what HMEM needs to take a CXL span over
 * @sr: the Soft Reserved range the span belongs to
 * @target_nid: its NUMA node
 * @locked: its decoders were locked by firmware: still decoded after CXL
 * @sr_entry: the firmware's "Soft Reserved" iomem entry taken out for CXL
 */
struct sr_handover {
	struct range sr;
	int target_nid;
	bool locked;
	struct resource *sr_entry;
};

int hmem_sr_track(struct device *host, enum sr_span_kind kind,
		  const struct range *span, const struct sr_handover *ho);
void hmem_sr_update_pins(void);
bool hmem_sr_orphaned(const struct range *span);
int hmem_sr_handover_init(void);
void hmem_sr_handover_exit(void);

/* report.c */
void hmem_sr_report(const struct range *range, const char *state,
		    const char *reason, const char *regions, const char *devices);
void hmem_sr_report_dropped(const struct range *range, const char *device,
			    const char *reason);
__printf(2, 3)
void hmem_sr_report_note(const struct range *range, const char *fmt, ...);
void hmem_sr_report_init(void);
void hmem_sr_report_exit(void);

/* iomem.c */
struct resource *hmem_sr_iomem_cxl_owns(struct device *host,
					const struct resource *res);
void hmem_sr_iomem_restore(struct device *host, struct resource *sr_entry);
int hmem_sr_iomem_hmem_owns(struct device *host, const struct resource *res);

#endif /* DAX_HMEM_SR_INTERNAL_H */
