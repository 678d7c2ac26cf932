// SPDX-License-Identifier: GPL-2.0
/*
 * Gather the facts about one Soft Reserved range, let src/common/decide.c
 * pick the owner, and apply the decision.
 */
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "cxl_sr_helper.h"
#include "internal.h"
#include "sr_compat.h"
#include "sr_decide.h"

bool hmem_sr_range_in_cxl_window(const struct range *range)
{
	return region_intersects(range->start, range_len(range), IORESOURCE_MEM,
				 IORES_DESC_CXL) != REGION_DISJOINT;
}

bool hmem_sr_in_cxl_window(const struct resource *res)
{
	struct range range = { .start = res->start, .end = res->end };

	return hmem_sr_range_in_cxl_window(&range);
}

struct facts {
	struct cxl_sr_region regions[SR_MAX_SPANS];
	struct sr_span region_spans[SR_MAX_SPANS];
	struct range taken[SR_MAX_SPANS];
	struct sr_span taken_spans[SR_MAX_SPANS];
	struct sr_decision d;
	char region_names[64];
	char piece_names[96];
	unsigned int nr_orphans;	/* pieces an unbind left added */
};

static void append_name(char *buf, size_t len, const char *name)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, "%s%s", used ? " " : "", name);
}

static int gather(const struct range *range, struct facts *f,
		  unsigned int *nr_regions, unsigned int *nr_taken)
{
	int i, n;

	n = cxl_sr_regions(range, f->regions, ARRAY_SIZE(f->regions));
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		char name[16];

		f->region_spans[i] = (struct sr_span) {
			f->regions[i].range.start, f->regions[i].range.end,
		};
		snprintf(name, sizeof(name), "region%d", f->regions[i].id);
		append_name(f->region_names, sizeof(f->region_names), name);
	}
	*nr_regions = n;

	n = cxl_sr_cxl_claims(range, f->taken, ARRAY_SIZE(f->taken));
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		f->taken_spans[i] = (struct sr_span) { f->taken[i].start, f->taken[i].end };
	*nr_taken = n;
	return 0;
}

static int register_pieces(struct device *host, int target_nid,
			   const struct resource *res, struct facts *f)
{
	unsigned int i, done = 0;
	char name[32];
	int rc;

	rc = hmem_sr_iomem_hmem_owns(host, res);
	if (rc)
		return rc;
	for (i = 0; i < f->d.nr_pieces; i++) {
		struct range piece = { f->d.pieces[i].start, f->d.pieces[i].end };
		bool devdax_only = !f->d.online[i];

		if (devdax_only)
			dev_info(host, "[mem %#llx-%#llx]: smaller than a memory block (%lu MiB) once aligned: kmem would reject it, so it is registered devdax only\n",
				 piece.start, piece.end, memory_block_size_bytes() >> 20);
		rc = hmem_sr_register_piece(host, target_nid, &piece, name,
					    sizeof(name), devdax_only);
		if (rc == -EADDRINUSE) {
			f->nr_orphans++;
			continue;
		}
		if (rc) {
			dev_err(host, "registering [mem %#llx-%#llx] failed: %d\n",
				piece.start, piece.end, rc);
			continue;
		}
		append_name(f->piece_names, sizeof(f->piece_names), name);
		done++;
	}
	return done ? 0 : rc;
}

static bool all_locked(const struct facts *f, unsigned int nr_regions)
{
	unsigned int i;

	for (i = 0; i < nr_regions; i++)
		if (!f->regions[i].locked)
			return false;
	return nr_regions > 0;
}

static bool taken_by_cxl(const struct facts *f, unsigned int nr_taken,
			 const struct range *span)
{
	unsigned int i;

	for (i = 0; i < nr_taken; i++)
		if (f->taken[i].start <= span->end && span->start <= f->taken[i].end)
			return true;
	return false;
}

/*
 * Remember the CXL parts of a decided range: handed to HMEM when cxl_acpi
 * goes, and what keeps cxl_acpi loaded while their memory is online.  A
 * failure costs only that, so it is logged, not returned.
 */
static void track_cxl(struct device *host, int target_nid, const struct range *range,
		      const struct facts *f, unsigned int nr_regions,
		      unsigned int nr_taken, struct resource *sr_entry)
{
	struct sr_handover ho = { .sr = *range, .target_nid = target_nid };
	unsigned int i;
	int rc = 0;

	if (f->d.owner == SR_OWNER_CXL) {
		ho.locked = all_locked(f, nr_regions);
		ho.sr_entry = sr_entry;
		rc = hmem_sr_track(host, SR_SPAN_CXL, range, &ho);
	}
	for (i = 0; !rc && f->d.owner != SR_OWNER_CXL && i < nr_regions; i++) {
		struct range span = {
			.start = max(f->regions[i].range.start, range->start),
			.end = min(f->regions[i].range.end, range->end),
		};

		ho.locked = f->regions[i].locked;
		rc = hmem_sr_track(host, taken_by_cxl(f, nr_taken, &span) ? SR_SPAN_CXL : SR_SPAN_REGION,
				   &span, &ho);
	}
	if (rc)
		dev_warn(host, "[mem %#llx-%#llx]: cannot record its CXL parts (%d): no handover, no pin\n",
			 range->start, range->end, rc);
}

/* Say what of an HMEM range kmem cannot online: memory is never lost quietly. */
static void report_fit(struct device *host, const struct range *range,
		       const struct sr_decision *d)
{
	unsigned long block = memory_block_size_bytes();

	if (d->left_out)
		dev_warn(host, "Soft Reserved [mem %#llx-%#llx]: %llu KiB at piece ends are not %lu KiB aligned: left out (no dax region can hold them)\n",
			 range->start, range->end, d->left_out >> 10, PMD_SIZE >> 10);
	if (!d->not_online && !d->left_out)
		return;
	dev_warn(host, "Soft Reserved [mem %#llx-%#llx]: %llu MiB of it cannot be onlined as System RAM: kmem onlines whole %lu MiB memory blocks, and the cuts at CXL region edges or the range's ends are not block aligned\n",
		 range->start, range->end, (d->not_online + d->left_out) >> 20, block >> 20);
	hmem_sr_report_note(range, "%lluM not onlinable (%luM memory blocks)",
			    (d->not_online + d->left_out) >> 20, block >> 20);
}

/**
 * hmem_sr_decide_range - decide who owns @res and make it so
 * @host: hmem_platform.0
 * @target_nid: NUMA node of @res
 * @res: a Soft Reserved range
 *
 * Ranges outside CXL windows go to HMEM whole.  The others go to CXL when
 * committed regions cover them completely, else to HMEM in pieces.
 *
 * Return: 0, or a negative errno when nothing could be registered.
 */
int hmem_sr_decide_range(struct device *host, int target_nid,
			 const struct resource *res)
{
	struct range range = { .start = res->start, .end = res->end };
	struct sr_span span = { res->start, res->end };
	unsigned int nr_regions = 0, nr_taken = 0;
	bool in_window = hmem_sr_in_cxl_window(res);
	struct facts *f;
	int rc;

	f = kzalloc_obj(*f);
	if (!f) {
		dev_err(host, "Soft Reserved [mem %#llx-%#llx]: out of memory deciding it: no owner\n",
			range.start, range.end);
		hmem_sr_report(&range, "conflict", "out of memory deciding it", NULL, NULL);
		return -ENOMEM;
	}

	if (in_window) {
		rc = gather(&range, f, &nr_regions, &nr_taken);
		if (rc)
			dev_warn(host, "%pr: cannot list CXL regions (%d), treating as none\n",
				 res, rc);
	}
	rc = sr_decide(&span, in_window, IS_ENABLED(CONFIG_DEV_DAX_CXL), f->region_spans, nr_regions,
		       f->taken_spans, nr_taken, &f->d);
	if (rc == -E2BIG) {
		/* still around what dax_cxl holds, so no span gets two owners */
		dev_warn(host, "%pr: too many CXL regions inside, registering it without cuts at their edges\n",
			 res);
		rc = sr_decide(&span, in_window, IS_ENABLED(CONFIG_DEV_DAX_CXL), NULL, 0,
			       f->taken_spans, nr_taken, &f->d);
	}
	if (rc) {
		dev_err(host, "Soft Reserved [mem %#llx-%#llx]: cannot be decided (%d): no owner\n",
			range.start, range.end, rc);
		hmem_sr_report(&range, "conflict", "too many CXL regions and dax_cxl spans in it",
			       NULL, NULL);
		goto out;
	}

	if (f->d.owner == SR_OWNER_CXL) {
		dev_dbg(host, "CXL claims resource, dropping: %pr\n", res);
		track_cxl(host, target_nid, &range, f, nr_regions, nr_taken,
			  hmem_sr_iomem_cxl_owns(host, res));
		dev_info(host, "Soft Reserved [mem %#llx-%#llx]: owner cxl, %s (%s)\n",
			 range.start, range.end, sr_reason_text(f->d.reason), f->region_names);
		hmem_sr_report(&range, "cxl", sr_reason_text(f->d.reason),
			       f->region_names, NULL);
		goto out;
	}

	if (in_window)
		dev_dbg(host, "CXL did not claim resource, registering: %pr\n", res);
	sr_fit_pieces(&f->d, PMD_SIZE, memory_block_size_bytes());
	rc = register_pieces(host, target_nid, res, f);
	track_cxl(host, target_nid, &range, f, nr_regions, nr_taken, NULL);
	dev_info(host, "Soft Reserved [mem %#llx-%#llx]: owner hmem, %s%s%s%s, as %s\n",
		 range.start, range.end, sr_reason_text(f->d.reason),
		 nr_regions ? " (" : "", f->region_names, nr_regions ? ")" : "",
		 f->piece_names[0] ? f->piece_names : "nothing");
	if (rc == -EADDRINUSE)
		hmem_sr_report(&range, "lost",
			       "still added from before hmem_platform.0 was unbound with it online (kmem cannot remove online memory): lost until reboot",
			       f->region_names, NULL);
	else
		hmem_sr_report(&range, rc ? "conflict" : "hmem", sr_reason_text(f->d.reason),
			       f->region_names, f->piece_names);
	if (f->d.nr_taken)
		dev_info(host, "Soft Reserved [mem %#llx-%#llx]: %u part(s) bound by dax_cxl before the decision stay with CXL\n",
			 range.start, range.end, f->d.nr_taken);
	if (!rc && f->nr_orphans)
		hmem_sr_report_note(&range, "part lost: still added from before an unbind");
	else
		report_fit(host, &range, &f->d);
out:
	kfree(f);
	return rc;
}
