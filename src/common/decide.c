// SPDX-License-Identifier: GPL-2.0
/*
 * The ownership rule of Linux 7.1, widened where 7.1 strands memory:
 *
 *  - committed CXL regions that cover the range completely mean CXL owns it.
 *    7.1 only accepts a single region containing the range; several adjacent
 *    regions with no gap are just as complete, and handing such a range to
 *    HMEM leaves it owned but impossible to online.
 *  - otherwise HMEM owns the whole range, as in 7.1, but registers it in
 *    pieces cut at the region boundaries inside it: kmem reserves each dax
 *    range in iomem and fails (-EBUSY) on one that straddles a region.
 *  - pieces CXL already holds (dax_cxl bound before the decision) are left to
 *    CXL: a range never gets two owners.
 *  - a kernel without dax_cxl (CONFIG_DEV_DAX_CXL=n) has nothing that could
 *    make a CXL region usable, so, as in 7.1, HMEM owns every range; it is
 *    still cut at the region edges, for kmem.
 *
 * Owned is not online: kmem onlines whole memory blocks only (128 MiB, but
 * 2 GiB on x86 machines with 64 GiB or more), while HDM decoders, and so the
 * cuts, only keep to 256 MiB.  sr_fit_pieces() says what each piece can
 * really online; the block holding a cut is lost to kmem, and a piece
 * smaller than a block goes devdax only, since kmem would reject it.
 */
#include "sr_decide.h"

#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif

static bool spans_overlap(const struct sr_span *a, const struct sr_span *b)
{
	return a->start <= b->end && b->start <= a->end;
}

static bool span_contains(const struct sr_span *outer, const struct sr_span *inner)
{
	return outer->start <= inner->start && inner->end <= outer->end;
}

/* Insert @v into the sorted set @cuts unless present; false when full. */
static bool add_cut(u64 *cuts, unsigned int *nr, u64 v)
{
	unsigned int i, j;

	for (i = 0; i < *nr && cuts[i] < v; i++)
		;
	if (i < *nr && cuts[i] == v)
		return true;
	if (*nr == SR_MAX_SPANS)
		return false;
	for (j = *nr; j > i; j--)
		cuts[j] = cuts[j - 1];
	cuts[i] = v;
	(*nr)++;
	return true;
}

/* Cut points (starts of new pieces) at the edges of @spans inside @range. */
static int add_edges(u64 *cuts, unsigned int *nr, const struct sr_span *range,
		     const struct sr_span *spans, unsigned int nr_spans)
{
	unsigned int i;

	for (i = 0; i < nr_spans; i++) {
		const struct sr_span *s = &spans[i];

		if (s->start > s->end || !spans_overlap(s, range))
			continue;
		if (s->start > range->start && !add_cut(cuts, nr, s->start))
			return -E2BIG;
		/* end + 1 cannot overflow: s->end < range->end */
		if (s->end < range->end && !add_cut(cuts, nr, s->end + 1))
			return -E2BIG;
	}
	return 0;
}

/* Do @regions cover every byte of @range?  Order of @regions is free. */
static bool covered(const struct sr_span *range, const struct sr_span *regions,
		    unsigned int nr_regions)
{
	u64 next = range->start;
	bool progress = true;
	unsigned int i;

	/* Extend the covered prefix until it stops growing: O(n^2), n small */
	while (progress) {
		progress = false;
		for (i = 0; i < nr_regions; i++) {
			const struct sr_span *r = &regions[i];

			if (r->start > r->end || r->start > next || r->end < next)
				continue;
			if (r->end >= range->end)
				return true;
			next = r->end + 1;
			progress = true;
		}
	}
	return false;
}

/**
 * sr_decide - decide the owner of one Soft Reserved range
 * @range: the Soft Reserved range
 * @in_cxl_window: @range intersects a CXL window
 * @cxl_can_own: the kernel has dax_cxl, which serves committed regions
 * @regions: committed CXL regions (any order; those outside @range ignored)
 * @nr_regions: entries in @regions
 * @taken: spans already bound by dax_cxl before the decision
 * @nr_taken: entries in @taken
 * @d: the decision
 *
 * Return: 0, -EINVAL for an empty or inverted @range, -E2BIG when the range
 * would need more than SR_MAX_SPANS pieces.
 */
int sr_decide(const struct sr_span *range, bool in_cxl_window, bool cxl_can_own,
	      const struct sr_span *regions, unsigned int nr_regions,
	      const struct sr_span *taken, unsigned int nr_taken,
	      struct sr_decision *d)
{
	u64 cuts[SR_MAX_SPANS];
	unsigned int nr_cuts = 0, i, j;
	bool any = false;
	int rc;

	*d = (struct sr_decision) { .owner = SR_OWNER_NONE };
	if (range->start > range->end)
		return -EINVAL;

	if (!in_cxl_window) {
		d->owner = SR_OWNER_HMEM;
		d->reason = SR_REASON_OUTSIDE_CXL;
		d->pieces[0] = *range;
		d->nr_pieces = 1;
		return 0;
	}

	if (cxl_can_own && covered(range, regions, nr_regions)) {
		d->owner = SR_OWNER_CXL;
		d->reason = SR_REASON_COVERED;
		for (i = 0; i < nr_regions; i++)
			if (span_contains(&regions[i], range))
				d->reason = SR_REASON_CONTAINED;
		return 0;
	}

	for (i = 0; i < nr_regions; i++)
		if (regions[i].start <= regions[i].end &&
		    spans_overlap(&regions[i], range))
			any = true;
	d->owner = SR_OWNER_HMEM;
	d->reason = any ? SR_REASON_PARTIAL : SR_REASON_NO_REGION;
	if (!cxl_can_own)
		d->reason = SR_REASON_NO_DAX_CXL;

	rc = add_edges(cuts, &nr_cuts, range, regions, nr_regions);
	if (!rc)
		rc = add_edges(cuts, &nr_cuts, range, taken, nr_taken);
	if (rc)
		return rc;

	for (i = 0; i <= nr_cuts; i++) {
		struct sr_span piece = {
			.start = i ? cuts[i - 1] : range->start,
			.end = i < nr_cuts ? cuts[i] - 1 : range->end,
		};
		bool held = false;

		/* pieces never straddle a taken span: they were cut at its edges */
		for (j = 0; j < nr_taken; j++)
			if (taken[j].start <= taken[j].end &&
			    spans_overlap(&taken[j], &piece))
				held = true;
		if (held) {
			d->nr_taken++;
			continue;
		}
		if (d->nr_pieces == SR_MAX_SPANS)
			return -E2BIG;
		d->pieces[d->nr_pieces++] = piece;
	}
	return 0;
}

/* ALIGN() and ALIGN_DOWN() for a power-of-two @a, without kernel headers */
static u64 align_up(u64 v, u64 a)
{
	return (v + a - 1) & ~(a - 1);
}

static u64 align_down(u64 v, u64 a)
{
	return v & ~(a - 1);
}

/**
 * sr_onlinable - bytes of @span kmem can online, as dax_kmem_range() aligns
 * @span: a dax range
 * @block: memory_block_size_bytes(), a power of two
 */
u64 sr_onlinable(const struct sr_span *span, u64 block)
{
	u64 start = align_up(span->start, block);
	u64 end = align_down(span->end + 1, block);

	return end > start ? end - start : 0;
}

/**
 * sr_fit_pieces - fit HMEM's pieces to what the dax core and kmem accept
 * @d: a decision; its pieces are trimmed inward to @align, and a piece that
 *	trimming empties is left out
 * @align: alignment alloc_dax_region() demands of start and size (PMD_SIZE)
 * @block: memory_block_size_bytes(); both powers of two
 */
void sr_fit_pieces(struct sr_decision *d, u64 align, u64 block)
{
	unsigned int i, n = 0;

	d->not_online = 0;
	d->left_out = 0;
	for (i = 0; i < d->nr_pieces; i++) {
		struct sr_span p = d->pieces[i];
		u64 len = p.end - p.start + 1;
		u64 start = align_up(p.start, align);
		u64 end = align_down(p.end + 1, align);

		if (end <= start) {
			d->left_out += len;
			continue;
		}
		d->left_out += len - (end - start);
		p = (struct sr_span) { start, end - 1 };
		d->pieces[n] = p;
		d->online[n] = sr_onlinable(&p, block);
		d->not_online += (end - start) - d->online[n];
		n++;
	}
	d->nr_pieces = n;
}

const char *sr_owner_name(enum sr_owner owner)
{
	switch (owner) {
	case SR_OWNER_HMEM:
		return "hmem";
	case SR_OWNER_CXL:
		return "cxl";
	default:
		return "none";
	}
}

const char *sr_reason_text(enum sr_reason reason)
{
	switch (reason) {
	case SR_REASON_OUTSIDE_CXL:
		return "outside every CXL window";
	case SR_REASON_CONTAINED:
		return "a committed CXL region contains it";
	case SR_REASON_COVERED:
		return "adjacent committed CXL regions cover it";
	case SR_REASON_NO_REGION:
		return "no committed CXL region in it";
	case SR_REASON_PARTIAL:
		return "committed CXL regions cover only part of it";
	case SR_REASON_NO_DAX_CXL:
		return "no dax_cxl in this kernel (CONFIG_DEV_DAX_CXL=n) to serve CXL regions";
	}
	return "unknown";
}
