// SPDX-License-Identifier: GPL-2.0
/*
 * status: one row per Soft Reserved range with its owner, or the same as
 * JSON with the field names of cxl list / daxctl list.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "tool.h"

void sr_fmt_size(char *buf, size_t len, uint64_t b)
{
	if (b && !(b % (1ULL << 30)))
		snprintf(buf, len, "%" PRIu64 "G", b >> 30);
	else if (b && !(b % (1ULL << 20)))
		snprintf(buf, len, "%" PRIu64 "M", b >> 20);
	else
		snprintf(buf, len, "%" PRIu64, b);
}

static void fmt_range(char *buf, size_t len, const struct sr_range *r)
{
	snprintf(buf, len, "%#" PRIx64 "-%#" PRIx64, r->start, r->start + r->size - 1);
}

/* Without the report, the CXL regions are the hosts of CXL dax devices. */
static unsigned int regions_of(const struct sr_sys *sys, const struct sr_range *r,
			       const char **names)
{
	unsigned int i, n = 0;

	if (r->from_report) {
		for (i = 0; i < r->nregions; i++)
			names[n++] = r->regions[i];
		return n;
	}
	for (i = 0; i < r->ndevs && n < SR_MAX_NAMES; i++) {
		const struct sr_dev *d = &sys->devs[r->devs[i]];

		if (!strcmp(d->owner, "cxl") && d->host[0])
			names[n++] = d->host;
	}
	return n;
}

static void json_dev(struct json *j, const struct sr_dev *d)
{
	json_begin_obj(j);
	json_key(j, "chardev");
	json_str(j, d->name);
	json_key(j, "owner");
	json_str(j, d->owner);
	json_key(j, "host");
	json_str(j, d->host);
	json_key(j, "mode");
	json_str(j, sr_mode(d));
	json_key(j, "driver");
	if (d->driver[0])
		json_str(j, d->driver);
	else
		json_null(j);
	json_key(j, "numa_node");
	json_int(j, d->numa_node);
	json_key(j, "start");
	json_u64(j, d->start);
	json_key(j, "size");
	json_u64(j, d->size);
	json_key(j, "online_memblocks");
	json_u64(j, d->blocks_online);
	json_key(j, "total_memblocks");
	json_u64(j, d->blocks);
	json_key(j, "online_bytes");
	json_u64(j, d->online_bytes);
	json_end_obj(j);
}

static void print_json(const struct sr_sys *sys)
{
	struct json j;
	unsigned int i, k, n;

	json_init(&j, stdout);
	json_begin_arr(&j);
	for (i = 0; i < sys->nranges; i++) {
		const struct sr_range *r = &sys->ranges[i];
		const char *names[SR_MAX_NAMES];
		char buf[64];

		json_begin_obj(&j);
		fmt_range(buf, sizeof(buf), r);
		json_key(&j, "range");
		json_str(&j, buf);
		json_key(&j, "start");
		json_u64(&j, r->start);
		json_key(&j, "size");
		json_u64(&j, r->size);
		json_key(&j, "owner");
		json_str(&j, r->owner);
		json_key(&j, "state");
		json_str(&j, r->state);
		json_key(&j, "reason");
		json_str(&j, r->reason);
		json_key(&j, "regions");
		json_begin_arr(&j);
		n = regions_of(sys, r, names);
		for (k = 0; k < n; k++)
			json_str(&j, names[k]);
		json_end_arr(&j);
		json_key(&j, "hmem_devices");
		json_begin_arr(&j);
		for (k = 0; k < r->nhmem; k++)
			json_str(&j, r->hmem[k]);
		json_end_arr(&j);
		json_key(&j, "devices");
		json_begin_arr(&j);
		for (k = 0; k < r->ndevs; k++)
			json_dev(&j, &sys->devs[r->devs[k]]);
		json_end_arr(&j);
		json_key(&j, "online_bytes");
		json_u64(&j, r->online_bytes);
		json_end_obj(&j);
	}
	json_end_arr(&j);
	json_done(&j);
}

static void print_table(const struct sr_sys *sys)
{
	unsigned int i, k, n;

	printf("%-25s %-6s %-9s %-10s %-7s %-16s %s\n", "RANGE", "SIZE", "STATE",
	       "OWNER", "ONLINE", "REGIONS", "REASON");
	for (i = 0; i < sys->nranges; i++) {
		const struct sr_range *r = &sys->ranges[i];
		const char *names[SR_MAX_NAMES];
		char rng[64], sz[24], onl[24], regs[128] = "";

		fmt_range(rng, sizeof(rng), r);
		sr_fmt_size(sz, sizeof(sz), r->size);
		sr_fmt_size(onl, sizeof(onl), r->online_bytes);
		n = regions_of(sys, r, names);
		for (k = 0; k < n; k++)
			snprintf(regs + strlen(regs), sizeof(regs) - strlen(regs), "%s%s",
				 k ? "," : "", names[k]);
		printf("%-25s %-6s %-9s %-10s %-7s %-16s %s\n", rng, sz, r->state, r->owner,
		       onl, n ? regs : "-", r->reason);
		for (k = 0; k < r->ndevs; k++) {
			const struct sr_dev *d = &sys->devs[r->devs[k]];

			sr_fmt_size(sz, sizeof(sz), d->size);
			sr_fmt_size(onl, sizeof(onl), d->online_bytes);
			printf("  %-10s %-5s %-12s %-11s node %-3d %s online of %s\n", d->name,
			       d->owner, d->host[0] ? d->host : "-", sr_mode(d), d->numa_node,
			       onl, sz);
		}
	}
}

int cmd_status(bool json)
{
	struct sr_sys *sys = calloc(1, sizeof(*sys));
	int rc;

	if (!sys)
		return EXIT_FINDINGS;
	rc = sr_load(sys);
	if (rc) {
		fprintf(stderr, "dax-hmem-sr: cannot read the Soft Reserved state: %s\n",
			strerror(-rc));
		free(sys);
		return EXIT_FINDINGS;
	}
	if (!sys->have_report)
		fprintf(stderr,
			"dax-hmem-sr: the dax_hmem_sr report is unavailable (%s): %s; owners from /proc/iomem and /sys/bus/dax only\n",
			strerror(sys->report_errno),
			sys->report_errno == EACCES ? "it is root's only" :
			"dax_hmem_sr not loaded or debugfs not mounted");
	if (sys->truncated)
		fprintf(stderr, "dax-hmem-sr: more than %d ranges or %d dax devices: the rest is not shown\n",
			SR_MAX_RANGES, SR_MAX_DEVS);
	if (!sys->have_report && (sys->addrs_hidden || sys->report_errno == EACCES)) {
		fprintf(stderr,
			"dax-hmem-sr: /proc/iomem hides physical addresses from non-root users: run as root\n");
		free(sys);
		return EXIT_FINDINGS;
	}
	if (json)
		print_json(sys);
	else if (!sys->nranges)
		printf("no Soft Reserved ranges%s\n", sys->have_report ? "" :
		       " in /proc/iomem (7.1 and later keep them out of it)");
	else
		print_table(sys);
	free(sys);
	return EXIT_OK;
}
