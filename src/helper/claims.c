// SPDX-License-Identifier: GPL-2.0
/*
 * One owner per range.  Stock kernels before 7.1 have no global dax-region
 * tree, so dax_cxl and HMEM could both build a dax region over the same
 * memory.  Every dax region either producer builds is recorded here: HMEM's
 * through cxl_sr_claim() before it allocates one, dax_cxl's when the driver
 * core reports the CXL dax region bound.  A second claim is refused with a
 * line that names both claimants.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"

struct claim {
	struct list_head list;
	struct range range;
	struct device *dax_region;	/* dax_cxl's, or NULL for HMEM */
	char owner[32];
};

static LIST_HEAD(claims);

static struct claim *find_overlap(const struct range *range)
{
	struct claim *c;

	list_for_each_entry(c, &claims, list)
		if (spans_overlap(&c->range, range))
			return c;
	return NULL;
}

static int add_claim(const struct range *range, struct device *dax_region,
		     const char *owner)
{
	struct claim *c, *other = find_overlap(range);

	if (other) {
		pr_err("dax_region resource conflict: [mem %#llx-%#llx] claimed by %s, refusing %s\n",
		       range->start, range->end, other->owner, owner);
		return -EBUSY;
	}
	c = kzalloc_obj(*c);
	if (!c)
		return -ENOMEM;
	c->range = *range;
	c->dax_region = dax_region ? get_device(dax_region) : NULL;
	strscpy(c->owner, owner, sizeof(c->owner));
	list_add_tail(&c->list, &claims);
	return 0;
}

static void drop_claim(struct claim *c)
{
	list_del(&c->list);
	put_device(c->dax_region);
	kfree(c);
}

/**
 * cxl_sr_claim - record that HMEM builds a dax region over @range
 * @range: the span of the dax region
 * @owner: device name for the log, e.g. "hmem_sr.5"
 *
 * Return: 0, or -EBUSY when any part of @range is already claimed.
 */
int cxl_sr_claim(const struct range *range, const char *owner)
{
	guard(mutex)(&cxl_sr_lock);
	return add_claim(range, NULL, owner);
}
EXPORT_SYMBOL_NS_GPL(cxl_sr_claim, SR_NS_CXL_SR);

/**
 * cxl_sr_unclaim - HMEM gave up the dax region over @range
 * @range: as passed to cxl_sr_claim()
 *
 * CXL dax regions held back because HMEM owned this span may now bind.
 */
void cxl_sr_unclaim(const struct range *range)
{
	struct claim *c, *n;

	scoped_guard(mutex, &cxl_sr_lock) {
		list_for_each_entry_safe(c, n, &claims, list)
			if (!c->dax_region && c->range.start == range->start &&
			    c->range.end == range->end)
				drop_claim(c);
	}
	cxl_sr_gate_recheck();
}
EXPORT_SYMBOL_NS_GPL(cxl_sr_unclaim, SR_NS_CXL_SR);

/**
 * cxl_sr_cxl_claims - spans in @range that dax_cxl already holds
 * @range: the range being decided
 * @out: filled with the spans
 * @max: room in @out
 *
 * Return: number of spans, or -E2BIG.
 */
int cxl_sr_cxl_claims(const struct range *range, struct range *out,
		      unsigned int max)
{
	unsigned int nr = 0;
	struct claim *c;

	guard(mutex)(&cxl_sr_lock);
	list_for_each_entry(c, &claims, list) {
		if (!c->dax_region || !spans_overlap(&c->range, range))
			continue;
		if (nr == max)
			return -E2BIG;
		out[nr++] = c->range;
	}
	return nr;
}
EXPORT_SYMBOL_NS_GPL(cxl_sr_cxl_claims, SR_NS_CXL_SR);

/* HMEM's claimant overlapping @range, or NULL.  Caller holds cxl_sr_lock. */
const char *cxl_sr_hmem_owner(const struct range *range)
{
	struct claim *c;

	list_for_each_entry(c, &claims, list)
		if (!c->dax_region && spans_overlap(&c->range, range))
			return c->owner;
	return NULL;
}

/* Is dax_cxl's claim on @dax_region recorded?  Caller holds cxl_sr_lock. */
bool cxl_sr_cxl_claimed(struct device *dax_region)
{
	struct claim *c;

	list_for_each_entry(c, &claims, list)
		if (c->dax_region == dax_region)
			return true;
	return false;
}

/* dax_cxl bound @dax_region.  Caller holds cxl_sr_lock. */
int cxl_sr_claim_cxl(struct device *dax_region)
{
	struct range range = cxl_sr_dax_region_range(dax_region);
	char owner[32];

	/* seen already: the gate closes once per helper load and per decision */
	if (cxl_sr_cxl_claimed(dax_region))
		return 0;

	snprintf(owner, sizeof(owner), "%s (dax_cxl)", dev_name(dax_region));
	return add_claim(&range, dax_region, owner);
}

/* dax_cxl released @dax_region.  Caller holds cxl_sr_lock. */
void cxl_sr_unclaim_cxl(struct device *dax_region)
{
	struct claim *c, *n;

	list_for_each_entry_safe(c, n, &claims, list)
		if (c->dax_region == dax_region)
			drop_claim(c);
}

void cxl_sr_claims_exit(void)
{
	struct claim *c, *n;

	guard(mutex)(&cxl_sr_lock);
	list_for_each_entry_safe(c, n, &claims, list)
		drop_claim(c);
}
