// SPDX-License-Identifier: GPL-2.0
/*
 * The state as the kernel shows it: the dax_hmem_sr report (debugfs),
 * /proc/iomem, /sys/bus/dax and the memory blocks, all read under a root
 * prefix so that captured trees can stand in for the live system.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tool.h"

static char root_prefix[PATH_MAX];

const char *sr_root(void)
{
	return root_prefix;
}

void sr_set_root(const char *root)
{
	size_t n;

	sr_copy(root_prefix, sizeof(root_prefix), root ? root : "");
	/* "/" and "" both mean the live system; no trailing slash either way */
	n = strlen(root_prefix);
	while (n && root_prefix[n - 1] == '/')
		root_prefix[--n] = '\0';
}

int sr_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, len, "%s", root_prefix);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int sr_read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* Accepts what sysfs prints: decimal, 0x-prefixed hex, or -1. */
int sr_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int rc = sr_read_str(path, buf, sizeof(buf));

	if (rc)
		return rc;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int sr_write_str(const char *path, const char *val)
{
	FILE *f = fopen(path, "we");
	int rc = 0;

	if (!f)
		return -errno;
	/* sysfs stores report errors at write or close time */
	if (fputs(val, f) < 0 || fflush(f))
		rc = -errno;
	if (fclose(f) && !rc)
		rc = -errno;
	return rc;
}

static unsigned int split_names(const char *list, char names[][SR_NAME_LEN])
{
	unsigned int n = 0;
	const char *p = list;

	if (!strcmp(list, "-"))
		return 0;
	while (*p && n < SR_MAX_NAMES) {
		size_t l = strcspn(p, ",");

		if (l) {
			snprintf(names[n], SR_NAME_LEN, "%.*s", (int)l, p);
			n++;
		}
		p += l;
		if (*p == ',')
			p++;
	}
	return n;
}

/*
 * One line of the report: "start size state regions devices reason...",
 * regions and devices comma-joined or "-", the reason the rest of the line.
 */
int sr_parse_report_line(const char *line, struct sr_range *r)
{
	char state[16], regions[256], devices[256];
	unsigned long long start, size;
	int off = 0;

	memset(r, 0, sizeof(*r));
	if (sscanf(line, "%llx %llx %15s %255s %255s %n", &start, &size, state,
		   regions, devices, &off) < 5 || !size)
		return -EINVAL;
	r->start = start;
	r->size = size;
	sr_copy(r->state, sizeof(r->state), state);
	r->nregions = split_names(regions, r->regions);
	r->nhmem = split_names(devices, r->hmem);
	/* the kernel names each piece "hmem_sr.N/daxN.M"; devices[] has the dax ones */
	for (unsigned int i = 0; i < r->nhmem; i++)
		r->hmem[i][strcspn(r->hmem[i], "/")] = '\0';
	if (off)
		snprintf(r->reason, sizeof(r->reason), "%.*s",
			 (int)strcspn(line + off, "\n"), line + off);
	r->from_report = true;
	return 0;
}

static int load_report(struct sr_sys *sys)
{
	char path[PATH_MAX], line[1024];
	FILE *f;

	sr_path(path, sizeof(path), "/sys/kernel/debug/dax_hmem_sr/ranges");
	f = fopen(path, "re");
	if (!f) {
		sys->report_errno = errno;
		return 0;
	}
	sys->have_report = true;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sys->nranges == SR_MAX_RANGES) {
			sys->truncated = true;
			break;
		}
		if (!sr_parse_report_line(line, &sys->ranges[sys->nranges]))
			sys->nranges++;
	}
	fclose(f);
	return 0;
}

static bool overlaps(uint64_t s1, uint64_t z1, uint64_t s2, uint64_t z2)
{
	return s1 < s2 + z2 && s2 < s1 + z1;
}

/*
 * Soft Reserved lines at any depth of /proc/iomem, for ranges the report
 * does not have (no dax_hmem_sr: the stock kernel's view).  Zeros mean the
 * reader is not root: the kernel hides addresses then.
 */
static int load_iomem(struct sr_sys *sys)
{
	char path[PATH_MAX], line[512];
	FILE *f;

	sr_path(path, sizeof(path), "/proc/iomem");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char name[128];
		struct sr_range *r;
		unsigned int i;
		bool known = false;

		if (sscanf(line, " %llx-%llx : %127[^\n]", &s, &e, name) != 3)
			continue;
		/* every line reads 0-0 then, the first page included */
		if (!s && !e) {
			sys->addrs_hidden = true;
			continue;
		}
		if (strcmp(name, "Soft Reserved"))
			continue;
		for (i = 0; i < sys->nranges; i++)
			if (overlaps(sys->ranges[i].start, sys->ranges[i].size, s, e - s + 1))
				known = true;
		if (known)
			continue;
		if (sys->nranges == SR_MAX_RANGES) {
			sys->truncated = true;
			continue;
		}
		r = &sys->ranges[sys->nranges++];
		memset(r, 0, sizeof(*r));
		r->start = s;
		r->size = e - s + 1;
		snprintf(r->state, sizeof(r->state), "unknown");
		sr_copy(r->reason, sizeof(r->reason), sys->have_report ?
			"not in the dax_hmem_sr report" : "no dax_hmem_sr report: from /proc/iomem");
	}
	fclose(f);
	return 0;
}

struct memblock {
	uint64_t start;
	bool online;
};

struct memblock_list {
	struct memblock *mb;
	size_t n, cap;
};

static int add_memblock(const char *name, uint64_t start, bool online,
			const char *zones, void *arg)
{
	struct memblock_list *l = arg;

	(void)name;
	(void)zones;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct memblock *nb = realloc(l->mb, cap * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		l->mb = nb;
		l->cap = cap;
	}
	l->mb[l->n++] = (struct memblock){ .start = start, .online = online };
	return 0;
}

static int load_memblocks(struct sr_sys *sys, struct memblock **out, size_t *nout)
{
	struct sr_block_walk walk = { .fn = add_memblock };
	struct memblock_list l = { 0 };
	char path[PATH_MAX], buf[64];
	int rc;

	*out = NULL;
	*nout = 0;
	sr_path(path, sizeof(path), "/sys/devices/system/memory/block_size_bytes");
	if (sr_read_str(path, buf, sizeof(buf)))
		return 0;
	sys->block_size = strtoull(buf, NULL, 16);
	walk.arg = &l;
	rc = sr_walk_blocks(0, UINT64_MAX, &walk);
	if (rc == -ENOMEM) {
		free(l.mb);
		return rc;
	}
	*out = l.mb;
	*nout = l.n;
	return 0;
}

/*
 * Who made the dax device, from where it hangs: CXL's dax devices live
 * under .../regionN/dax_regionN/, HMEM's under their platform device
 * (hmem_sr.N with the pair, hmem.N with the stock driver).
 */
static void classify(struct sr_dev *dev, const char *real)
{
	const char *slash = strrchr(real, '/');
	const char *p, *prev = NULL, *cur = real;

	dev->owner = "hmem";
	dev->host[0] = '\0';
	while ((p = strchr(cur, '/'))) {
		if (!strncmp(cur, "dax_region", 10) && prev) {
			dev->owner = "cxl";
			snprintf(dev->host, sizeof(dev->host), "%.*s",
				 (int)(cur - prev - 1), prev);
			return;
		}
		if (p != cur)
			prev = cur;
		cur = p + 1;
	}
	if (slash && prev && prev < slash)
		snprintf(dev->host, sizeof(dev->host), "%.*s", (int)(slash - prev), prev);
}

static int cmp_dev(const void *a, const void *b)
{
	const struct sr_dev *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int load_dax(struct sr_sys *sys)
{
	char path[PATH_MAX], real[PATH_MAX], buf[PATH_MAX];
	struct memblock *mb;
	size_t nmb, i;
	struct dirent *de;
	DIR *d;

	if (load_memblocks(sys, &mb, &nmb))
		return -ENOMEM;
	sr_path(path, sizeof(path), "/sys/bus/dax/devices");
	d = opendir(path);
	while (d && (de = readdir(d))) {
		struct sr_dev *dev = &sys->devs[sys->ndevs];
		uint64_t v;
		ssize_t l;

		if (de->d_name[0] == '.')
			continue;
		if (sys->ndevs == SR_MAX_DEVS) {
			sys->truncated = true;
			break;
		}
		memset(dev, 0, sizeof(*dev));
		sr_copy(dev->name, sizeof(dev->name), de->d_name);
		sr_path(path, sizeof(path), "/sys/bus/dax/devices/%s/size", de->d_name);
		if (sr_read_u64(path, &dev->size) || !dev->size)
			continue;
		sr_path(path, sizeof(path), "/sys/bus/dax/devices/%s/resource", de->d_name);
		if (sr_read_u64(path, &dev->start))
			continue;
		sr_path(path, sizeof(path), "/sys/bus/dax/devices/%s/target_node", de->d_name);
		dev->numa_node = sr_read_u64(path, &v) ? -1 : (int)(int64_t)v;
		sr_path(path, sizeof(path), "/sys/bus/dax/devices/%s/driver", de->d_name);
		l = readlink(path, buf, sizeof(buf) - 1);
		if (l > 0) {
			buf[l] = '\0';
			sr_copy(dev->driver, sizeof(dev->driver),
				strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf);
		}
		sr_path(path, sizeof(path), "/sys/bus/dax/devices/%s", de->d_name);
		if (!realpath(path, real))
			sr_copy(real, sizeof(real), path);
		classify(dev, real);
		for (i = 0; i < nmb; i++) {
			if (mb[i].start < dev->start || mb[i].start >= dev->start + dev->size)
				continue;
			dev->blocks++;
			if (mb[i].online) {
				dev->blocks_online++;
				dev->online_bytes += sys->block_size;
			}
		}
		sys->ndevs++;
	}
	if (d)
		closedir(d);
	free(mb);
	qsort(sys->devs, sys->ndevs, sizeof(sys->devs[0]), cmp_dev);
	return 0;
}

static void seg(char *out, size_t len, const char **last, const char *owner)
{
	size_t n = strlen(out);

	if (*last && !strcmp(*last, owner))
		return;
	snprintf(out + n, len - n, "%s%s", n ? "+" : "", owner);
	*last = owner;
}

/*
 * The owners of a range in address order, equal neighbours merged, the
 * notation of the VM bed: "none" for bytes no dax device covers, "double"
 * for bytes two devices claim.
 */
struct online_sum {
	uint64_t block_size;
	uint64_t bytes;
};

static int add_online(const char *name, uint64_t start, bool online,
		      const char *zones, void *arg)
{
	struct online_sum *sum = arg;

	(void)name;
	(void)start;
	(void)zones;
	if (online)
		sum->bytes += sum->block_size;
	return 0;
}

static void range_owner(struct sr_sys *sys, struct sr_range *r)
{
	uint64_t pos = r->start, end = r->start + r->size;
	const char *last = NULL;
	unsigned int i;

	r->owner[0] = '\0';
	r->ndevs = 0;
	r->online_bytes = 0;
	for (i = 0; i < sys->ndevs; i++) {
		struct sr_dev *d = &sys->devs[i];
		uint64_t s = d->start, e = d->start + d->size;

		if (!overlaps(s, d->size, r->start, r->size))
			continue;
		r->devs[r->ndevs++] = i;
		r->online_bytes += d->online_bytes;
		if (s < r->start)
			s = r->start;
		if (e > end)
			e = end;
		if (s > pos)
			seg(r->owner, sizeof(r->owner), &last, "none");
		if (s < pos)
			seg(r->owner, sizeof(r->owner), &last, "double");
		if (e > pos) {
			seg(r->owner, sizeof(r->owner), &last, d->owner);
			pos = e;
		}
	}
	if (pos < end)
		seg(r->owner, sizeof(r->owner), &last, "none");
	/*
	 * Online is what the memory blocks say: memory an unbind left added
	 * (kmem cannot remove it while online) has no dax device any more.
	 */
	if (sys->block_size) {
		struct online_sum sum = { .block_size = sys->block_size };
		struct sr_block_walk walk = { .fn = add_online, .arg = &sum };

		if (!sr_walk_blocks(r->start, r->size, &walk) && sum.bytes > r->online_bytes)
			r->online_bytes = sum.bytes;
	}
}

static int cmp_range(const void *a, const void *b)
{
	const struct sr_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int sr_load(struct sr_sys *sys)
{
	unsigned int i;
	int rc;

	memset(sys, 0, sizeof(*sys));
	sys->root = root_prefix;
	load_report(sys);
	rc = load_iomem(sys);
	if (rc && !sys->have_report)
		return rc;
	rc = load_dax(sys);
	if (rc)
		return rc;
	qsort(sys->ranges, sys->nranges, sizeof(sys->ranges[0]), cmp_range);
	for (i = 0; i < sys->nranges; i++)
		range_owner(sys, &sys->ranges[i]);
	return 0;
}

const char *sr_mode(const struct sr_dev *d)
{
	if (!strcmp(d->driver, "kmem"))
		return "system-ram";
	if (!strcmp(d->driver, "device_dax"))
		return "devdax";
	return "unbound";
}

/* Memory blocks whose start lies in [start, start + size), in no order. */
int sr_walk_blocks(uint64_t start, uint64_t size, const struct sr_block_walk *w)
{
	char path[PATH_MAX], buf[64];
	uint64_t bs;
	struct dirent *de;
	int rc = 0;
	DIR *d;

	sr_path(path, sizeof(path), "/sys/devices/system/memory/block_size_bytes");
	if (sr_read_str(path, buf, sizeof(buf)))
		return -ENOENT;
	bs = strtoull(buf, NULL, 16);
	sr_path(path, sizeof(path), "/sys/devices/system/memory");
	d = opendir(path);
	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		char state[32], zones[64] = "";
		uint64_t s;

		if (strncmp(de->d_name, "memory", 6) || !de->d_name[6])
			continue;
		sr_path(path, sizeof(path), "/sys/devices/system/memory/%s/phys_index",
			de->d_name);
		if (sr_read_str(path, buf, sizeof(buf)))
			continue;
		s = strtoull(buf, NULL, 16) * bs;
		if (s < start || s >= start + size)
			continue;
		sr_path(path, sizeof(path), "/sys/devices/system/memory/%s/state", de->d_name);
		if (sr_read_str(path, state, sizeof(state)))
			continue;
		sr_path(path, sizeof(path), "/sys/devices/system/memory/%s/valid_zones",
			de->d_name);
		sr_read_str(path, zones, sizeof(zones));
		rc = w->fn(de->d_name, s, !strcmp(state, "online"), zones, w->arg);
	}
	closedir(d);
	return rc;
}

/* Bounded copy; names longer than their field are cut, never overflow. */
void sr_copy(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	while (n + 1 < len && src[n]) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
}
