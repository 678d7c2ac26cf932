// SPDX-License-Identifier: GPL-2.0
/* User-space tests of src/common/decide.c: the cover letter's layouts and edges. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sr_decide.h"

#define G (1ULL << 30)
#define M (1ULL << 20)
#define K (1ULL << 10)
#define TOP (~0ULL)
#define W 0x110000000ULL		/* the VM bed's CXL window base */

static int passed, failed;

static void check(const char *name, int ok)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
	if (ok)
		passed++;
	else
		failed++;
}

static struct sr_span span(u64 start, u64 size)
{
	return (struct sr_span) { start, start + size - 1 };
}

static int pieces_are(const struct sr_decision *d, unsigned int n, const struct sr_span *want)
{
	unsigned int i;

	if (d->nr_pieces != n)
		return 0;
	for (i = 0; i < n; i++)
		if (d->pieces[i].start != want[i].start || d->pieces[i].end != want[i].end)
			return 0;
	return 1;
}

int main(void)
{
	struct sr_decision d;
	struct sr_span sr = span(W, 4 * G);
	int rc;

	{	/* S0: Soft Reserved in plain RAM */
		struct sr_span ram = span(G, 512 * M);

		rc = sr_decide(&ram, false, true, NULL, 0, NULL, 0, &d);
		check("S0 outside CXL: HMEM, one piece",
		      !rc && d.owner == SR_OWNER_HMEM && d.reason == SR_REASON_OUTSIDE_CXL &&
		      pieces_are(&d, 1, &ram));
	}
	{	/* [1] region equals SR */
		struct sr_span r[] = { span(W, 4 * G) };

		rc = sr_decide(&sr, true, true, r, 1, NULL, 0, &d);
		check("[1] region == SR: CXL, contained",
		      !rc && d.owner == SR_OWNER_CXL && d.reason == SR_REASON_CONTAINED &&
		      d.nr_pieces == 0);
	}
	{	/* region larger than SR on both sides */
		struct sr_span r[] = { span(W - G, 6 * G) };

		rc = sr_decide(&sr, true, true, r, 1, NULL, 0, &d);
		check("region contains SR: CXL, contained",
		      !rc && d.owner == SR_OWNER_CXL && d.reason == SR_REASON_CONTAINED);
	}
	{	/* [3] window, no region */
		rc = sr_decide(&sr, true, true, NULL, 0, NULL, 0, &d);
		check("[3] no region: HMEM, whole range",
		      !rc && d.owner == SR_OWNER_HMEM && d.reason == SR_REASON_NO_REGION &&
		      pieces_are(&d, 1, &sr));
	}
	{	/* [4] region smaller than SR, at its start */
		struct sr_span r[] = { span(W, 2 * G) };
		struct sr_span want[] = { span(W, 2 * G), span(W + 2 * G, 2 * G) };

		rc = sr_decide(&sr, true, true, r, 1, NULL, 0, &d);
		check("[4] region smaller: HMEM, cut at the region end",
		      !rc && d.owner == SR_OWNER_HMEM && d.reason == SR_REASON_PARTIAL &&
		      pieces_are(&d, 2, want));
	}
	{	/* region in the middle */
		struct sr_span r[] = { span(W + G, G) };
		struct sr_span want[] = { span(W, G), span(W + G, G), span(W + 2 * G, 2 * G) };

		rc = sr_decide(&sr, true, true, r, 1, NULL, 0, &d);
		check("region in the middle: three pieces", !rc && pieces_are(&d, 3, want));
	}
	{	/* S5: two adjacent regions, in either order */
		struct sr_span r[] = { span(W + 2 * G, 2 * G), span(W, 2 * G) };

		rc = sr_decide(&sr, true, true, r, 2, NULL, 0, &d);
		check("S5 two adjacent regions: CXL, covered",
		      !rc && d.owner == SR_OWNER_CXL && d.reason == SR_REASON_COVERED);
	}
	{	/* two regions with a gap between */
		struct sr_span r[] = { span(W, G), span(W + 3 * G, G) };
		struct sr_span want[] = { span(W, G), span(W + G, 2 * G), span(W + 3 * G, G) };

		rc = sr_decide(&sr, true, true, r, 2, NULL, 0, &d);
		check("regions with a gap: HMEM, partial, three pieces",
		      !rc && d.owner == SR_OWNER_HMEM && d.reason == SR_REASON_PARTIAL &&
		      pieces_are(&d, 3, want));
	}
	{	/* regions touching the range but not overlapping it */
		struct sr_span r[] = { span(W + 4 * G, G), span(W - G, G) };

		rc = sr_decide(&sr, true, true, r, 2, NULL, 0, &d);
		check("touching, not overlapping: no region, one piece",
		      !rc && d.reason == SR_REASON_NO_REGION && pieces_are(&d, 1, &sr));
	}
	{	/* region overlapping the start only: cut inside the range */
		struct sr_span r[] = { span(W - G, 2 * G) };
		struct sr_span want[] = { span(W, G), span(W + G, 3 * G) };

		rc = sr_decide(&sr, true, true, r, 1, NULL, 0, &d);
		check("region over the start: pieces clamped to the range",
		      !rc && d.reason == SR_REASON_PARTIAL && pieces_are(&d, 2, want));
	}
	{	/* empty and inverted ranges */
		struct sr_span bad = { W + 1, W };

		rc = sr_decide(&bad, true, true, NULL, 0, NULL, 0, &d);
		check("inverted range: -EINVAL, no owner", rc == -EINVAL && d.owner == SR_OWNER_NONE);
	}
	{	/* inverted region entries are ignored */
		struct sr_span r[] = { { W + G, W } };

		rc = sr_decide(&sr, true, true, r, 1, NULL, 0, &d);
		check("inverted region ignored", !rc && d.reason == SR_REASON_NO_REGION &&
		      pieces_are(&d, 1, &sr));
	}
	{	/* top of the address space: no overflow */
		struct sr_span top = { TOP - 4 * G + 1, TOP };
		struct sr_span r[] = { { TOP - 2 * G + 1, TOP } };
		struct sr_span want[] = { { TOP - 4 * G + 1, TOP - 2 * G }, { TOP - 2 * G + 1, TOP } };

		rc = sr_decide(&top, true, true, r, 1, NULL, 0, &d);
		check("top of address space: partial, two pieces",
		      !rc && d.reason == SR_REASON_PARTIAL && pieces_are(&d, 2, want));
		r[0].start = TOP - 4 * G + 1;
		rc = sr_decide(&top, true, true, r, 1, NULL, 0, &d);
		check("top of address space: covered", !rc && d.owner == SR_OWNER_CXL);
	}
	{	/* dax_cxl bound a region before the decision: that piece stays CXL's */
		struct sr_span r[] = { span(W, 2 * G) };
		struct sr_span want[] = { span(W + 2 * G, 2 * G) };

		rc = sr_decide(&sr, true, true, r, 1, r, 1, &d);
		check("taken by dax_cxl first: HMEM gets only the rest",
		      !rc && d.owner == SR_OWNER_HMEM && d.nr_taken == 1 &&
		      pieces_are(&d, 1, want));
	}
	{	/* more regions than pieces fit */
		struct sr_span r[SR_MAX_SPANS + 1];
		unsigned int i;

		for (i = 0; i < SR_MAX_SPANS + 1; i++)
			r[i] = span(W + 2 * i * 64 * M + 64 * M, 64 * M);
		rc = sr_decide(&sr, true, true, r, SR_MAX_SPANS + 1, NULL, 0, &d);
		check("too many pieces: -E2BIG", rc == -E2BIG);
		/*
		 * issue 16 item 7: the caller's fallback decides again without
		 * the region cuts but with dax_cxl's spans, so the span dax_cxl
		 * holds is never registered a second time (-EBUSY before).
		 */
		rc = sr_decide(&sr, true, true, r, SR_MAX_SPANS + 1, &r[3], 1, &d);
		check("too many pieces, one taken by dax_cxl: still -E2BIG with cuts",
		      rc == -E2BIG);
		rc = sr_decide(&sr, true, true, NULL, 0, &r[3], 1, &d);
		{
			struct sr_span want[] = {
				{ sr.start, r[3].start - 1 }, { r[3].end + 1, sr.end },
			};

			check("fallback without cuts: HMEM around the taken span",
			      !rc && d.owner == SR_OWNER_HMEM && d.nr_taken == 1 &&
			      pieces_are(&d, 2, want));
		}
	}
	check("reason text for every reason",
	      strcmp(sr_reason_text(SR_REASON_COVERED), "unknown") &&
	      strcmp(sr_reason_text(SR_REASON_OUTSIDE_CXL), "unknown") &&
	      !strcmp(sr_owner_name(SR_OWNER_CXL), "cxl"));

	{	/* CONFIG_DEV_DAX_CXL=n: no dax_cxl can ever serve a region */
		struct sr_span r[] = { span(W, 4 * G) };
		struct sr_span two[] = { span(W, 2 * G), span(W + 2 * G, 2 * G) };
		struct sr_span part[] = { span(W, G) };
		struct sr_span want[] = { span(W, G), span(W + G, 3 * G) };

		rc = sr_decide(&sr, true, false, r, 1, NULL, 0, &d);
		check("no dax_cxl, region == SR: HMEM, whole, reason says why",
		      !rc && d.owner == SR_OWNER_HMEM && d.reason == SR_REASON_NO_DAX_CXL &&
		      pieces_are(&d, 1, &sr));
		rc = sr_decide(&sr, true, false, two, 2, NULL, 0, &d);
		check("no dax_cxl, two adjacent regions: HMEM, cut at their edge",
		      !rc && d.owner == SR_OWNER_HMEM && pieces_are(&d, 2, two));
		rc = sr_decide(&sr, true, false, part, 1, NULL, 0, &d);
		check("no dax_cxl, region smaller than SR: HMEM, cut at its end",
		      !rc && d.owner == SR_OWNER_HMEM && d.reason == SR_REASON_NO_DAX_CXL &&
		      pieces_are(&d, 2, want));
		check("no dax_cxl: the reason's text names the option",
		      strstr(sr_reason_text(SR_REASON_NO_DAX_CXL), "CONFIG_DEV_DAX_CXL") != NULL);
	}
	{	/* issue 16 item 4: kmem onlines whole memory blocks only */
		struct sr_span sr2 = span(W, G + 192 * M), r[] = { span(W, G) };
		struct sr_span small = span(W, G + 64 * M);
		struct sr_span odd = span(W + M, G - M), trimmed[] = { span(W + 2 * M, G - 2 * M) };
		struct sr_span sliver = span(W + 4 * K, 1 * M);

		rc = sr_decide(&sr2, true, true, r, 1, NULL, 0, &d);
		sr_fit_pieces(&d, 2 * M, 128 * M);
		check("cut at a region edge, 192M piece, 128M blocks: 64M not onlinable",
		      !rc && d.nr_pieces == 2 && d.online[0] == G && d.online[1] == 128 * M &&
		      d.not_online == 64 * M && d.left_out == 0);
		rc = sr_decide(&small, true, true, r, 1, NULL, 0, &d);
		sr_fit_pieces(&d, 2 * M, 128 * M);
		check("a 64M piece under 128M blocks: kept, devdax only (nothing onlinable)",
		      !rc && d.nr_pieces == 2 && d.online[1] == 0 && d.not_online == 64 * M);
		rc = sr_decide(&sr, true, true, r, 1, NULL, 0, &d);
		sr_fit_pieces(&d, 2 * M, 2 * G);
		check("2G blocks (x86, >= 64G RAM): the 1G region's piece onlines nothing, the rest 2G",
		      !rc && d.nr_pieces == 2 && d.online[0] == 0 && d.online[1] == 2 * G &&
		      d.not_online == 2 * G);
		d = (struct sr_decision) { .nr_pieces = 1, .pieces = { odd } };
		sr_fit_pieces(&d, 2 * M, 128 * M);
		check("a range not 2M aligned: trimmed inward, the slivers left out",
		      pieces_are(&d, 1, trimmed) && d.left_out == M);
		d = (struct sr_decision) { .nr_pieces = 2, .pieces = { sliver, span(W + G, G) } };
		sr_fit_pieces(&d, 2 * M, 128 * M);
		check("a piece shorter than the alignment: dropped, the next kept",
		      d.nr_pieces == 1 && d.pieces[0].start == W + G && d.left_out == M &&
		      d.online[0] == G);
		check("sr_onlinable: block aligned inward",
		      sr_onlinable(&odd, 128 * M) == G - 128 * M);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
