/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dax-hmem-sr, the command-line tool: who owns each Soft Reserved range, is
 * the package set up right, and hand CXL's ranges to HMEM.  Every file it
 * reads or writes is under a root prefix ("/" normally), so the unit tests
 * can run it on captured trees.
 */
#ifndef DAX_HMEM_SR_TOOL_H
#define DAX_HMEM_SR_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, documented in --help, docs/dax-hmem-sr.1 and README.md. */
#define EXIT_OK		0
#define EXIT_FINDINGS	1	/* doctor findings, refusal, failure */
#define EXIT_USAGE	2
#define EXIT_UNSUPPORTED 3	/* the package does not apply here */

/*
 * The kernel's __printf() for user space (no compiler_attributes.h here);
 * the attribute name goes through a macro so that checkpatch sees this
 * file use __printf() like the kernel does.
 */
#ifndef __printf
#define SR_FORMAT_ATTR __format__
#define __printf(a, b) __attribute__((SR_FORMAT_ATTR(printf, a, b)))
#endif

#define SR_MAX_RANGES	256
#define SR_MAX_DEVS	512
#define SR_MAX_NAMES	8
#define SR_NAME_LEN	48

struct sr_dev {
	char name[SR_NAME_LEN];		/* dax2.0 */
	uint64_t start;
	uint64_t size;
	const char *owner;		/* "cxl" under a CXL dax_region, else "hmem" */
	char host[SR_NAME_LEN];		/* regionN, or the HMEM platform device */
	char driver[SR_NAME_LEN];	/* kmem, device_dax, or "" when unbound */
	int numa_node;			/* target_node, -1 when unknown */
	uint64_t online_bytes;
	unsigned int blocks;		/* memory blocks inside it */
	unsigned int blocks_online;
};

struct sr_range {
	uint64_t start;
	uint64_t size;
	char state[16];			/* report state, or "unknown" */
	char reason[256];
	char regions[SR_MAX_NAMES][SR_NAME_LEN];
	unsigned int nregions;
	char hmem[SR_MAX_NAMES][SR_NAME_LEN];	/* hmem_sr.N of the report */
	unsigned int nhmem;
	char owner[64];			/* from the dax devices: cxl, hmem+none, ... */
	int devs[SR_MAX_DEVS];		/* indexes into sr_sys.devs */
	unsigned int ndevs;
	uint64_t online_bytes;
	bool from_report;
};

struct sr_sys {
	const char *root;		/* "" for the live system */
	bool have_report;
	int report_errno;		/* why not, when !have_report */
	bool addrs_hidden;		/* /proc/iomem showed zeros: not root */
	bool truncated;			/* more ranges or dax devices than fit */
	uint64_t block_size;		/* memory block size, 0 without hotplug */
	struct sr_range ranges[SR_MAX_RANGES];
	unsigned int nranges;
	struct sr_dev devs[SR_MAX_DEVS];
	unsigned int ndevs;
};

/* sysfs.c: reading the state under the root prefix */
void sr_copy(char *dst, size_t len, const char *src);
const char *sr_root(void);
void sr_set_root(const char *root);
int sr_path(char *buf, size_t len, const char *fmt, ...) __printf(3, 4);
int sr_read_str(const char *path, char *buf, size_t len);
int sr_read_u64(const char *path, uint64_t *val);
int sr_write_str(const char *path, const char *val);
int sr_parse_report_line(const char *line, struct sr_range *r);
int sr_load(struct sr_sys *sys);
const char *sr_mode(const struct sr_dev *d);
/* called per memory block; non-zero stops the walk */
struct sr_block_walk {
	int (*fn)(const char *name, uint64_t start, bool online, const char *zones,
		  void *arg);
	void *arg;
};
int sr_walk_blocks(uint64_t start, uint64_t size, const struct sr_block_walk *w);

/* json.c: a small streaming writer, daxctl's layout */
struct json {
	FILE *f;
	int depth;
	bool first[16];
	bool want_value;
};
void json_init(struct json *j, FILE *f);
void json_begin_obj(struct json *j);
void json_end_obj(struct json *j);
void json_begin_arr(struct json *j);
void json_end_arr(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_int(struct json *j, long long v);
void json_null(struct json *j);
void json_done(struct json *j);

/* status.c */
int cmd_status(bool json);
void sr_fmt_size(char *buf, size_t len, uint64_t bytes);

/* doctor.c */
int cmd_doctor(void);

/* handover.c */
struct handover_opts {
	bool dry_run;
	unsigned int timeout_s;
};
int cmd_handover(const char *to, const struct handover_opts *o);

#endif
