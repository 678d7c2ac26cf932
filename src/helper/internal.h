/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CXL_SR_HELPER_INTERNAL_H
#define CXL_SR_HELPER_INTERNAL_H

#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/range.h>

/*
 * Guards the claims and the gate's list.  Lock order: a device's lock, then
 * this one (the driver core calls our bus notifier with the device locked).
 */
extern struct mutex cxl_sr_lock;

/* From drivers/cxl/cxl.h; exported by cxl_core (built in or a module), namespace CXL */
extern const struct bus_type cxl_bus_type;
bool is_cxl_region(struct device *dev);

static inline bool spans_overlap(const struct range *a, const struct range *b)
{
	return a->start <= b->end && b->start <= a->end;
}

bool cxl_sr_is_dax_region(struct device *dev);
struct range cxl_sr_dax_region_range(struct device *dev);

/* claims.c, under cxl_sr_lock */
const char *cxl_sr_hmem_owner(const struct range *range);
bool cxl_sr_cxl_claimed(struct device *dax_region);
int cxl_sr_claim_cxl(struct device *dax_region);
void cxl_sr_unclaim_cxl(struct device *dax_region);
void cxl_sr_claims_exit(void);

/* gate.c */
int cxl_sr_gate_init(void);
void cxl_sr_gate_exit(void);
void cxl_sr_gate_recheck(void);

#endif /* CXL_SR_HELPER_INTERNAL_H */
