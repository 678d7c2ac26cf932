/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cxl_sr_helper: what dax_hmem_sr needs from CXL and the stock kernel does not
 * export.  Exported in namespace CXL_SR, for dax_hmem_sr only.
 */
#ifndef CXL_SR_HELPER_H
#define CXL_SR_HELPER_H

#include <linux/range.h>
#include <linux/types.h>

/**
 * struct cxl_sr_region - a committed CXL region seen by cxl_sr_regions()
 * @range: its host physical address range
 * @id: N of regionN
 * @locked: every decoder on its path, endpoint, switch and host bridge, was
 *	committed locked by firmware (or has nothing to reset), so the memory
 *	stays decoded when Linux tears the region down
 */
struct cxl_sr_region {
	struct range range;
	int id;
	bool locked;
};

int cxl_sr_regions(const struct range *range, struct cxl_sr_region *out,
		   unsigned int max);
struct resource *cxl_sr_soft_reserved(const struct range *range);
int cxl_sr_cxl_claims(const struct range *range, struct range *out,
		      unsigned int max);

int cxl_sr_claim(const struct range *range, const char *owner);
void cxl_sr_unclaim(const struct range *range);

int cxl_sr_gate_close(void);
void cxl_sr_gate_open(void);
void cxl_sr_gate_abandon(void);

bool cxl_sr_initial_pass_done(void);
void cxl_sr_set_initial_pass_done(void);

#endif /* CXL_SR_HELPER_H */
