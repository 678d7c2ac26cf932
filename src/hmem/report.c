// SPDX-License-Identifier: GPL-2.0
/*
 * Who owns each Soft Reserved range, in one place: the question users of
 * CXL memory cannot answer from /proc/iomem, daxctl and cxl list together.
 * Read-only, root only (debugfs), physical addresses as /proc/iomem shows
 * them to root: /sys/kernel/debug/dax_hmem_sr/ranges.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "internal.h"
#include "sr_compat.h"

struct sr_range {
	struct list_head list;
	struct range range;
	const char *state;
	const char *reason;
	char regions[64];
	char devices[96];
	char note[64];		/* appended to the reason */
};

static LIST_HEAD(sr_ranges);
static DEFINE_MUTEX(sr_ranges_lock);
static struct dentry *sr_debugfs;

static struct sr_range *find_range(const struct range *range)
{
	struct sr_range *r;

	list_for_each_entry(r, &sr_ranges, list)
		if (r->range.start == range->start && r->range.end == range->end)
			return r;
	return NULL;
}

/**
 * hmem_sr_report - record the state of one Soft Reserved range
 * @range: the range
 * @state: pending, cxl, hmem or conflict
 * @reason: why, in words
 * @regions: CXL regions inside it, or NULL
 * @devices: HMEM devices registered for it, or NULL
 */
void hmem_sr_report(const struct range *range, const char *state,
		    const char *reason, const char *regions, const char *devices)
{
	struct sr_range *r;

	guard(mutex)(&sr_ranges_lock);
	r = find_range(range);
	if (!r) {
		r = kzalloc_obj(*r);
		if (!r) {
			/* dax-hmem-sr then lists it from /proc/iomem, as "unknown" */
			pr_err("Soft Reserved [mem %#llx-%#llx]: out of memory: not in the report (%s)\n",
			       range->start, range->end, state);
			return;
		}
		r->range = *range;
		list_add_tail(&r->list, &sr_ranges);
	}
	r->state = state;
	r->reason = reason;
	strscpy(r->regions, regions && *regions ? regions : "-", sizeof(r->regions));
	strscpy(r->devices, devices && *devices ? devices : "-", sizeof(r->devices));
	r->note[0] = '\0';
	/* one field each, for tools that split the line on blanks */
	strreplace(r->regions, ' ', ',');
	strreplace(r->devices, ' ', ',');
}

/**
 * hmem_sr_report_note - add what the reason alone does not say
 * @range: a range already reported
 * @fmt: printf format of the note
 */
void hmem_sr_report_note(const struct range *range, const char *fmt, ...)
{
	struct sr_range *r;
	va_list args;

	guard(mutex)(&sr_ranges_lock);
	r = find_range(range);
	if (!r)
		return;
	va_start(args, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, args);
	va_end(args);
}

/**
 * hmem_sr_report_dropped - one device of a range's report is gone
 * @range: the range
 * @device: its name as the report lists it
 * @reason: the range's reason now
 *
 * The range is lost once none of its devices is left.
 */
void hmem_sr_report_dropped(const struct range *range, const char *device,
			    const char *reason)
{
	char *from, *to, *tok;
	struct sr_range *r;

	guard(mutex)(&sr_ranges_lock);
	r = find_range(range);
	if (!r)
		return;
	from = to = r->devices;
	while ((tok = strsep(&from, ","))) {
		if (!strcmp(tok, device) || !strcmp(tok, "-"))
			continue;
		if (to != r->devices)
			*to++ = ',';
		memmove(to, tok, strlen(tok));
		to += strlen(tok);
	}
	*to = '\0';
	if (!r->devices[0]) {
		strscpy(r->devices, "-", sizeof(r->devices));
		r->state = "lost";
	}
	r->reason = reason;
}

static int ranges_show(struct seq_file *m, void *unused)
{
	struct sr_range *r;

	guard(mutex)(&sr_ranges_lock);
	seq_puts(m, "# start size state regions devices reason\n");
	list_for_each_entry(r, &sr_ranges, list)
		seq_printf(m, "%#llx %#llx %s %s %s %s%s%s\n", r->range.start,
			   range_len(&r->range), r->state, r->regions, r->devices,
			   r->reason, r->note[0] ? "; " : "", r->note);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ranges);

void hmem_sr_report_init(void)
{
	struct dentry *file;

	/* the report is for people and tools; the driver works without it */
	sr_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	file = debugfs_create_file("ranges", 0400, sr_debugfs, NULL, &ranges_fops);
	if (IS_ERR(file) && PTR_ERR(file) != -ENODEV)
		pr_warn("no report in debugfs (%ld): dax-hmem-sr status reads /proc/iomem only\n",
			PTR_ERR(file));
}

void hmem_sr_report_exit(void)
{
	struct sr_range *r, *n;

	debugfs_remove_recursive(sr_debugfs);
	guard(mutex)(&sr_ranges_lock);
	list_for_each_entry_safe(r, n, &sr_ranges, list) {
		list_del(&r->list);
		kfree(r);
	}
}
