// SPDX-License-Identifier: GPL-2.0
/*
 * User-space tests of the tool's parsing (src/tool/sysfs.c): report lines,
 * and whole trees captured in the shapes of the VM bed (mkfixtures.sh).
 * argv[1] is the fixture directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tool.h"

#define G (1ULL << 30)
#define W 0x110000000ULL

static int passed, failed;

static void check(const char *name, int ok)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
	if (ok)
		passed++;
	else
		failed++;
}

static const char *fixtures;
static struct sr_sys sys;

static int load(const char *shape)
{
	char root[4096];

	snprintf(root, sizeof(root), "%s/%s", fixtures, shape);
	sr_set_root(root);
	return sr_load(&sys);
}

static const struct sr_dev *dev(const struct sr_range *r, unsigned int i)
{
	return i < r->ndevs ? &sys.devs[r->devs[i]] : NULL;
}

static void report_lines(void)
{
	struct sr_range r;

	check("report: hmem line, two devices, reason with blanks",
	      !sr_parse_report_line("0x110000000 0x80000000 hmem region0 hmem_sr.2,hmem_sr.3 committed CXL regions cover only part of it\n",
				    &r) &&
	      r.start == W && r.size == 2 * G && !strcmp(r.state, "hmem") &&
	      r.nregions == 1 && !strcmp(r.regions[0], "region0") && r.nhmem == 2 &&
	      !strcmp(r.hmem[1], "hmem_sr.3") &&
	      !strcmp(r.reason, "committed CXL regions cover only part of it"));
	check("report: pieces named with their dax devices (hmem_sr.N/daxN.M)",
	      !sr_parse_report_line("0x110000000 0x80000000 hmem region0 hmem_sr.2/dax2.0,hmem_sr.3/dax3.0 committed CXL regions cover only part of it\n",
				    &r) &&
	      r.nhmem == 2 && !strcmp(r.hmem[0], "hmem_sr.2") && !strcmp(r.hmem[1], "hmem_sr.3"));
	check("report: '-' lists are empty",
	      !sr_parse_report_line("0x40000000 0x20000000 pending - - waiting for CXL to probe", &r) &&
	      !r.nregions && !r.nhmem && !strcmp(r.state, "pending") &&
	      !strcmp(r.reason, "waiting for CXL to probe"));
	check("report: two regions",
	      !sr_parse_report_line("0x110000000 0x80000000 cxl region0,region1 - adjacent committed CXL regions cover it",
				    &r) && r.nregions == 2 && !strcmp(r.regions[1], "region1"));
	check("report: no reason still parses",
	      !sr_parse_report_line("0x110000000 0x40000000 declined - -", &r) && !r.reason[0]);
	check("report: header line rejected",
	      sr_parse_report_line("# start size state regions devices reason", &r) != 0);
	check("report: short line rejected", sr_parse_report_line("0x1 0x2 hmem", &r) != 0);
	check("report: zero size rejected", sr_parse_report_line("0x1 0x0 hmem - - x", &r) != 0);
}

static void shapes(void)
{
	const struct sr_range *r;

	check("S1 loads", !load("S1") && sys.have_report && sys.nranges == 1);
	r = &sys.ranges[0];
	check("S1: cxl range, owner cxl, region0",
	      r->start == W && r->size == G && !strcmp(r->state, "cxl") &&
	      !strcmp(r->owner, "cxl") && r->nregions == 1);
	check("S1: dax0.0 under region0, system-ram, node 1, 8 of 8 blocks online",
	      r->ndevs == 1 && !strcmp(dev(r, 0)->name, "dax0.0") &&
	      !strcmp(dev(r, 0)->host, "region0") && !strcmp(sr_mode(dev(r, 0)), "system-ram") &&
	      dev(r, 0)->numa_node == 1 && dev(r, 0)->blocks == 8 &&
	      dev(r, 0)->blocks_online == 8 && r->online_bytes == G);
	check("S1: the memory block size is read as hex", sys.block_size == 128ULL << 20);

	check("S3 loads", !load("S3") && sys.nranges == 1);
	r = &sys.ranges[0];
	check("S3: hmem, hmem_sr.1's dax1.0 unbound, nothing online",
	      !strcmp(r->owner, "hmem") && r->ndevs == 1 && !strcmp(dev(r, 0)->host, "hmem_sr.1") &&
	      !strcmp(sr_mode(dev(r, 0)), "unbound") && !r->online_bytes && !dev(r, 0)->blocks);

	check("S4 loads", !load("S4") && sys.nranges == 1);
	r = &sys.ranges[0];
	check("S4: one hmem owner over two pieces, 2G online",
	      !strcmp(r->owner, "hmem") && r->ndevs == 2 && r->online_bytes == 2 * G &&
	      !strcmp(dev(r, 0)->name, "dax2.0") && !strcmp(dev(r, 1)->host, "hmem_sr.3"));

	check("S4-early loads", !load("S4-early") && sys.nranges == 1);
	r = &sys.ranges[0];
	check("S4-early: cxl+hmem in address order, state hmem, devdax then system-ram",
	      !strcmp(r->owner, "cxl+hmem") && !strcmp(r->state, "hmem") &&
	      !strcmp(sr_mode(dev(r, 0)), "devdax") && !strcmp(sr_mode(dev(r, 1)), "system-ram") &&
	      r->online_bytes == G);

	check("S5 loads", !load("S5") && sys.nranges == 3);
	check("S5: ranges sorted by address, the RAM one first",
	      sys.ranges[0].start == 0x40000000 && sys.ranges[1].start == W &&
	      sys.ranges[2].start == W + G);
	check("S5: half of region1 online",
	      sys.ranges[2].online_bytes == G / 2 && dev(&sys.ranges[2], 0)->blocks == 8 &&
	      dev(&sys.ranges[2], 0)->blocks_online == 4);

	check("broken loads without a report", !load("broken") && !sys.have_report);
	r = &sys.ranges[0];
	check("broken: the range from /proc/iomem, stranded",
	      sys.nranges == 1 && r->start == W && r->size == G && !strcmp(r->state, "unknown") &&
	      !strcmp(r->owner, "none") && !r->ndevs);

	check("nonroot: addresses hidden, no range made of zeros",
	      !load("nonroot") && sys.addrs_hidden && !sys.nranges);
	check("nonroot-cxl: zeros seen without any Soft Reserved line",
	      !load("nonroot-cxl") && sys.addrs_hidden && !sys.nranges);
	check("a missing root fails", load("no-such-shape") != 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_sysfs FIXTURES\n");
		return 2;
	}
	fixtures = argv[1];
	report_lines();
	shapes();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
