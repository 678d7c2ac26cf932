/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who owns a Soft Reserved range: plain data in, owner and pieces out.  No
 * kernel calls, so tests/unit compiles the same file in user space.
 */
#ifndef SR_DECIDE_H
#define SR_DECIDE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
typedef uint64_t u64;
#endif

/* At most this many pieces per range: 2 per region inside it, plus one. */
#define SR_MAX_SPANS	32

/** struct sr_span - physical address span, inclusive end like struct range */
struct sr_span {
	u64 start;
	u64 end;
};

enum sr_owner {
	SR_OWNER_NONE,
	SR_OWNER_HMEM,
	SR_OWNER_CXL,
};

enum sr_reason {
	SR_REASON_OUTSIDE_CXL,	/* touches no CXL window */
	SR_REASON_CONTAINED,	/* one committed region contains it (7.1's test) */
	SR_REASON_COVERED,	/* adjacent committed regions cover it, no gap */
	SR_REASON_NO_REGION,	/* no committed region inside it */
	SR_REASON_PARTIAL,	/* committed regions cover only part of it */
	SR_REASON_NO_DAX_CXL,	/* in a window, but no dax_cxl to serve regions */
};

/**
 * struct sr_decision - outcome for one range
 * @owner: who gets the range
 * @reason: why
 * @nr_pieces: spans HMEM registers, each its own dax region (HMEM only)
 * @pieces: split at region boundaries, since kmem reserves each dax range
 *	in iomem and fails on one that straddles a region
 * @nr_taken: spans inside the range CXL already holds, left out of @pieces
 * @online: per piece, the bytes kmem can online (sr_fit_pieces())
 * @not_online: bytes of @pieces kmem cannot online: the memory blocks
 *	holding a cut, and pieces smaller than a block (devdax only)
 * @left_out: bytes trimmed off the pieces' ends to the dax alignment
 */
struct sr_decision {
	enum sr_owner owner;
	enum sr_reason reason;
	unsigned int nr_pieces;
	struct sr_span pieces[SR_MAX_SPANS];
	unsigned int nr_taken;
	u64 online[SR_MAX_SPANS];
	u64 not_online;
	u64 left_out;
};

int sr_decide(const struct sr_span *range, bool in_cxl_window, bool cxl_can_own,
	      const struct sr_span *regions, unsigned int nr_regions,
	      const struct sr_span *taken, unsigned int nr_taken,
	      struct sr_decision *d);
u64 sr_onlinable(const struct sr_span *span, u64 block);
void sr_fit_pieces(struct sr_decision *d, u64 align, u64 block);
const char *sr_owner_name(enum sr_owner owner);
const char *sr_reason_text(enum sr_reason reason);

#endif /* SR_DECIDE_H */
