// SPDX-License-Identifier: GPL-2.0
/*
 * handover --to hmem: the sanctioned way to give CXL's Soft Reserved ranges
 * to HMEM (unload cxl_acpi, dax_hmem_sr decides them again).  Online memory
 * first goes offline, as daxctl offline-memory would: removing a CXL region
 * under online System RAM cannot succeed.  Nothing changes until every
 * check has passed; --dry-run stops after printing the plan.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "modules.h"

#define MAX_BLOCKS 4096

struct plan {
	const struct sr_sys *sys;
	unsigned int cxl[SR_MAX_RANGES];	/* indexes of CXL-owned ranges */
	unsigned int ncxl;
	char (*blocks)[32];			/* online memory blocks to offline */
	unsigned int nblocks;
	unsigned int not_movable;		/* of those, outside ZONE_MOVABLE */
	unsigned int done;			/* offlined so far */
};

static int add_block(const char *name, uint64_t start, bool online,
		     const char *zones, void *arg)
{
	struct plan *p = arg;

	(void)start;
	if (!online)
		return 0;
	if (p->nblocks == MAX_BLOCKS)
		return -E2BIG;
	sr_copy(p->blocks[p->nblocks++], sizeof(p->blocks[0]), name);
	if (!strstr(zones, "Movable"))
		p->not_movable++;
	return 0;
}

static int count_online(const char *name, uint64_t start, bool online,
			const char *zones, void *arg)
{
	(void)name;
	(void)start;
	(void)zones;
	if (online)
		++*(unsigned int *)arg;
	return 0;
}

/* The HPA span of @region, or of @r when sysfs does not say. */
static void region_span(const struct sr_range *r, const char *region,
			uint64_t *start, uint64_t *size)
{
	char path[PATH_MAX];

	sr_path(path, sizeof(path), "/sys/bus/cxl/devices/%s/resource", region);
	if (sr_read_u64(path, start)) {
		*start = r->start;
		*size = r->size;
		return;
	}
	sr_path(path, sizeof(path), "/sys/bus/cxl/devices/%s/size", region);
	if (sr_read_u64(path, size))
		*size = r->size;
}

/*
 * dax_hmem_sr pins cxl_acpi while memory inside a committed CXL region is
 * online, whoever owns it (docs/adr/0008): an HMEM range over a region
 * with online memory keeps cxl_acpi in place, so say which before
 * offlining anything.  Returns the first such region, or NULL.
 */
static const char *pinning_region(const struct sr_range *r)
{
	unsigned int i, n = 0;
	struct sr_block_walk walk = { .fn = count_online, .arg = &n };
	uint64_t start, size;

	for (i = 0; i < r->nregions; i++) {
		region_span(r, r->regions[i], &start, &size);
		sr_walk_blocks(start, size, &walk);
		if (n)
			return r->regions[i];
	}
	return NULL;
}

/* A switch or endpoint decoder (DEVTYPE in its uevent), not a root one. */
static bool resettable_decoder(const char *name)
{
	char path[PATH_MAX], buf[512];

	if (strncmp(name, "decoder", 7))
		return false;
	sr_path(path, sizeof(path), "/sys/bus/cxl/devices/%s/uevent", name);
	if (sr_read_str(path, buf, sizeof(buf)))
		return false;
	return strstr(buf, "DEVTYPE=cxl_decoder_switch") ||
	       strstr(buf, "DEVTYPE=cxl_decoder_endpoint");
}

/*
 * cxl_acpi's removal tears the regions down, and Linux resets every switch,
 * host-bridge and endpoint decoder on a region's path; only those firmware
 * locked keep decoding.  dax_hmem_sr then reports a range with any other
 * decoder lost (no longer decoded).  The decoders of a region are the ones
 * whose HPA span is the region's; each must say locked, as "cxl list -D"
 * shows it.  Copies the first one that does not into @name, else "" (and
 * "?" when no decoder of the region is found at all).
 */
static void unlocked_decoder(const struct sr_range *r, char *name, size_t len)
{
	unsigned int i, found = 0;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	name[0] = '\0';
	sr_path(path, sizeof(path), "/sys/bus/cxl/devices");
	d = opendir(path);
	for (i = 0; d && !name[0] && i < r->nregions; i++) {
		uint64_t start, size, dstart, dsize, locked;

		region_span(r, r->regions[i], &start, &size);
		rewinddir(d);
		while (!name[0] && (de = readdir(d))) {
			if (!resettable_decoder(de->d_name))
				continue;
			sr_path(path, sizeof(path), "/sys/bus/cxl/devices/%s/start", de->d_name);
			if (sr_read_u64(path, &dstart) || dstart != start)
				continue;
			sr_path(path, sizeof(path), "/sys/bus/cxl/devices/%s/size", de->d_name);
			if (sr_read_u64(path, &dsize) || dsize != size)
				continue;
			found++;
			sr_path(path, sizeof(path), "/sys/bus/cxl/devices/%s/locked", de->d_name);
			if (sr_read_u64(path, &locked) || locked != 1)
				sr_copy(name, len, de->d_name);
		}
	}
	if (d)
		closedir(d);
	if (!name[0] && !found)
		sr_copy(name, len, "?");
}

static int refuse(int code, const char *fmt, const char *arg)
{
	fputs("dax-hmem-sr: handover refused: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return code;
}

static int make_plan(struct plan *p, const struct sr_mod *acpi)
{
	const struct sr_sys *sys = p->sys;
	struct sr_block_walk walk = { .fn = add_block, .arg = p };
	unsigned int i;
	int rc;

	if (!sys->have_report)
		return refuse(EXIT_UNSUPPORTED,
			      "the dax_hmem_sr report is unavailable (%s): without dax_hmem_sr nothing would decide the ranges again",
			      strerror(sys->report_errno));
	for (i = 0; i < sys->nranges; i++)
		if (!strcmp(sys->ranges[i].state, "cxl"))
			p->cxl[p->ncxl++] = i;
	if (!p->ncxl)
		return -1;
	for (i = 0; i < sys->nranges; i++) {
		const struct sr_range *r = &sys->ranges[i];
		const char *reg;
		char what[160];

		if (!strcmp(r->state, "cxl"))
			continue;
		reg = pinning_region(r);
		if (!reg)
			continue;
		snprintf(what, sizeof(what), "%#llx-%#llx is %s's, and memory over %s",
			 (unsigned long long)r->start,
			 (unsigned long long)(r->start + r->size - 1), r->state, reg);
		return refuse(EXIT_FINDINGS,
			      "range %s is online: dax_hmem_sr keeps cxl_acpi loaded while it is (docs/adr/0008); offline that memory too (daxctl offline-memory) or leave CXL's ranges as they are",
			      what);
	}
	if (!acpi->loaded)
		return refuse(EXIT_FINDINGS,
			      "%s is not loaded (or built in), yet CXL owns ranges: there is no module to unload",
			      "cxl_acpi");
	if (acpi->holders[0])
		return refuse(EXIT_FINDINGS,
			      "cxl_acpi is used by %s: unload those first (modprobe -r them), then run this again",
			      acpi->holders);
	for (i = 0; i < p->ncxl; i++) {
		const struct sr_range *r = &sys->ranges[p->cxl[i]];
		char dec[64], what[160];

		unlocked_decoder(r, dec, sizeof(dec));
		if (!dec[0])
			continue;
		if (!strcmp(dec, "?"))
			snprintf(what, sizeof(what), "range %#llx-%#llx: no decoder of its regions is visible in /sys/bus/cxl",
				 (unsigned long long)r->start,
				 (unsigned long long)(r->start + r->size - 1));
		else
			snprintf(what, sizeof(what), "range %#llx-%#llx: %s is not locked by firmware",
				 (unsigned long long)r->start,
				 (unsigned long long)(r->start + r->size - 1), dec);
		return refuse(EXIT_FINDINGS,
			      "%s: unloading cxl_acpi resets such decoders, and the range would be lost (no longer decoded) until a reboot; it stays CXL's",
			      what);
	}
	for (i = 0; i < p->ncxl; i++) {
		const struct sr_range *r = &sys->ranges[p->cxl[i]];

		rc = sr_walk_blocks(r->start, r->size, &walk);
		if (rc == -E2BIG)
			return refuse(EXIT_FINDINGS, "%s", "more than 4096 memory blocks to offline");
	}
	/*
	 * A dax_hmem_sr that hands ranges over pins cxl_acpi while their memory
	 * is online (docs/adr/0008); no pin means one that does not, and
	 * unloading cxl_acpi would leave the memory with no owner.
	 */
	if (p->nblocks && acpi->refcnt == 0)
		return refuse(EXIT_UNSUPPORTED,
			      "%s",
			      "this dax_hmem_sr does not take ranges over when cxl_acpi goes (it would hold cxl_acpi while their memory is online, docs/adr/0008): unloading cxl_acpi would leave the memory with no owner; update dax-hmem-sr");
	return 0;
}

static void print_plan(const struct plan *p, const struct sr_mod *acpi)
{
	unsigned int i, k;

	printf("plan:\n");
	for (i = 0; i < p->ncxl; i++) {
		const struct sr_range *r = &p->sys->ranges[p->cxl[i]];
		char sz[24], onl[24];

		sr_fmt_size(sz, sizeof(sz), r->size);
		sr_fmt_size(onl, sizeof(onl), r->online_bytes);
		printf("  range %#llx-%#llx (%s): CXL's (%s), %s online", (unsigned long long)r->start,
		       (unsigned long long)(r->start + r->size - 1), sz, r->reason, onl);
		for (k = 0; k < r->ndevs; k++)
			printf("%s%s", k ? "," : " in ", p->sys->devs[r->devs[k]].name);
		putchar('\n');
	}
	if (p->nblocks)
		printf("  1. offline %u memory block%s (%s%s)\n", p->nblocks,
		       p->nblocks == 1 ? "" : "s", p->blocks[0], p->nblocks > 1 ? ", ..." : "");
	else
		printf("  1. no memory to offline\n");
	if (p->not_movable)
		printf("     warning: %u of them are outside ZONE_MOVABLE: offlining can fail on pages the kernel will not move (boot with memhp_default_state=online_movable)\n",
		       p->not_movable);
	printf("  2. unload cxl_acpi: its CXL windows, regions and their dax devices go away%s\n",
	       acpi->refcnt > 0 && p->nblocks ?
	       " (in use now: dax_hmem_sr holds it while that memory is online)" : "");
	printf("  3. wait for dax_hmem_sr to report the range%s as hmem\n",
	       p->ncxl == 1 ? "" : "s");
}

static void online_again(struct plan *p)
{
	char path[PATH_MAX];
	unsigned int i;

	for (i = 0; i < p->done; i++) {
		sr_path(path, sizeof(path), "/sys/devices/system/memory/%s/state", p->blocks[i]);
		if (sr_write_str(path, "online"))
			fprintf(stderr, "dax-hmem-sr: could not online %s again\n", p->blocks[i]);
	}
	if (p->done)
		fprintf(stderr, "dax-hmem-sr: put %u memory block%s back online\n", p->done,
			p->done == 1 ? "" : "s");
}

static int offline_all(struct plan *p)
{
	char path[PATH_MAX];
	int rc;

	for (p->done = 0; p->done < p->nblocks; p->done++) {
		sr_path(path, sizeof(path), "/sys/devices/system/memory/%s/state",
			p->blocks[p->done]);
		rc = sr_write_str(path, "offline");
		if (rc) {
			fprintf(stderr,
				"dax-hmem-sr: handover refused: cannot offline %s: %s (pages in use that the kernel cannot move; free the memory of that NUMA node or boot with memhp_default_state=online_movable)\n",
				p->blocks[p->done], strerror(-rc));
			online_again(p);
			return rc;
		}
	}
	printf("offlined %u memory block%s\n", p->nblocks, p->nblocks == 1 ? "" : "s");
	return 0;
}

/* Have all the planned ranges become HMEM's? */
static bool decided(const struct plan *p, struct sr_sys *now)
{
	unsigned int i, k;

	if (sr_load(now) || !now->have_report)
		return false;
	for (i = 0; i < p->ncxl; i++) {
		const struct sr_range *r = &p->sys->ranges[p->cxl[i]];
		bool hmem = false;

		for (k = 0; k < now->nranges; k++)
			if (now->ranges[k].start == r->start &&
			    !strcmp(now->ranges[k].state, "hmem"))
				hmem = true;
		if (!hmem)
			return false;
	}
	return true;
}

int cmd_handover(const char *to, const struct handover_opts *o)
{
	struct sr_sys *sys = calloc(1, sizeof(*sys)), *now = calloc(1, sizeof(*now));
	struct plan p = { .sys = sys };
	struct sr_mod acpi;
	unsigned int waited, i, k;
	int rc;

	(void)to;
	p.blocks = calloc(MAX_BLOCKS, sizeof(*p.blocks));
	if (!sys || !now || !p.blocks) {
		rc = EXIT_FINDINGS;
		goto out;
	}
	if (!o->dry_run && sr_root()[0]) {
		rc = refuse(EXIT_FINDINGS, "%s", "--sysfs-root: only --dry-run (it changes the live system only)");
		goto out;
	}
	if (!o->dry_run && geteuid()) {
		rc = refuse(EXIT_FINDINGS, "%s", "needs root");
		goto out;
	}
	rc = sr_load(sys);
	if (rc) {
		rc = refuse(EXIT_FINDINGS, "cannot read the Soft Reserved state: %s", strerror(-rc));
		goto out;
	}
	sr_mod_get("cxl_acpi", &acpi);
	rc = make_plan(&p, &acpi);
	if (rc < 0) {
		printf("nothing to hand over: no Soft Reserved range is CXL's\n");
		rc = EXIT_OK;
		goto out;
	}
	if (rc)
		goto out;
	print_plan(&p, &acpi);
	if (o->dry_run) {
		printf("dry run: nothing changed\n");
		goto out;
	}
	rc = offline_all(&p);
	if (rc) {
		rc = EXIT_FINDINGS;
		goto out;
	}
	rc = sr_mod_remove("cxl_acpi");
	if (rc) {
		fprintf(stderr, "dax-hmem-sr: handover failed: cannot unload cxl_acpi: %s%s\n",
			strerror(-rc), rc == -EBUSY || rc == -EAGAIN ?
			" (in use: dax_hmem_sr pins it while memory in a committed CXL region is online, see dmesg; lsmod shows other users)" :
			"");
		online_again(&p);
		rc = EXIT_FINDINGS;
		goto out;
	}
	printf("unloaded cxl_acpi\n");
	for (waited = 0; !decided(&p, now); waited++) {
		if (waited >= o->timeout_s * 10) {
			fprintf(stderr,
				"dax-hmem-sr: handover incomplete: cxl_acpi is gone but the kernel did not decide the ranges again within %u s (dmesg | grep dax_hmem_sr): their memory has no owner until cxl_acpi assembles them again or a reboot\n",
				o->timeout_s);
			rc = EXIT_FINDINGS;
			goto out;
		}
		usleep(100000);
	}
	for (i = 0; i < now->nranges; i++) {
		const struct sr_range *r = &now->ranges[i];
		char onl[24];

		for (k = 0; k < p.ncxl; k++) {
			if (sys->ranges[p.cxl[k]].start != r->start)
				continue;
			sr_fmt_size(onl, sizeof(onl), r->online_bytes);
			printf("range %#llx: now %s (owner %s, %s online): %s\n",
			       (unsigned long long)r->start, r->state, r->owner, onl, r->reason);
		}
	}
	rc = EXIT_OK;
out:
	free(p.blocks);
	free(sys);
	free(now);
	return rc;
}
