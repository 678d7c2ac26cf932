/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private kernel structures the pair reads or fills in.  None of them is in
 * the headers a distro ships (they live in drivers/dax/bus.h and
 * drivers/cxl/cxl.h), so they are mirrored here, in this one place, as laid
 * out in Linux 6.12.  Each field used is checked against the target kernel's
 * BTF at build time (scripts/conftest.sh writes SR_BTF_* into sr_config.h);
 * on any difference the build stops and names the struct and field.
 *
 * Fields the pair never touches are kept opaque so a change in their types
 * cannot matter; only the offsets asserted below are relied upon.
 */
#ifndef SR_MIRROR_H
#define SR_MIRROR_H

#include <linux/build_bug.h>
#include <linux/device.h>
#include <linux/range.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include "sr_config.h"

/* @kernel_name: the struct as the kernel calls it, for the error message */
#define SR_ASSERT_LAYOUT(type, kernel_name, member, btf)		\
	static_assert(offsetof(type, member) == (btf),			\
		      "struct " #kernel_name "." #member ": layout differs " \
		      "from the target kernel's BTF; kernel not supported")

struct dax_region;
struct dev_pagemap;

/* drivers/dax/bus.h: flag that sends a dax region's devices to kmem */
#define SR_IORESOURCE_DAX_KMEM		BIT(1)

/* drivers/dax/bus.h: argument of devm_create_dev_dax() */
struct dev_dax_data {
	struct dax_region *dax_region;
	struct dev_pagemap *pgmap;
	resource_size_t size;
	int id;
	bool memmap_on_memory;
};
static_assert(sizeof(struct dev_dax_data) == SR_BTF_SIZEOF_DEV_DAX_DATA,
	      "struct dev_dax_data: size differs from the target kernel's BTF");
SR_ASSERT_LAYOUT(struct dev_dax_data, dev_dax_data, dax_region,
		 SR_BTF_OFFSETOF_DEV_DAX_DATA_DAX_REGION);
SR_ASSERT_LAYOUT(struct dev_dax_data, dev_dax_data, pgmap, SR_BTF_OFFSETOF_DEV_DAX_DATA_PGMAP);
SR_ASSERT_LAYOUT(struct dev_dax_data, dev_dax_data, size, SR_BTF_OFFSETOF_DEV_DAX_DATA_SIZE);
SR_ASSERT_LAYOUT(struct dev_dax_data, dev_dax_data, id, SR_BTF_OFFSETOF_DEV_DAX_DATA_ID);
SR_ASSERT_LAYOUT(struct dev_dax_data, dev_dax_data, memmap_on_memory,
		 SR_BTF_OFFSETOF_DEV_DAX_DATA_MEMMAP_ON_MEMORY);

struct dax_region *alloc_dax_region(struct device *parent, int region_id,
				    struct range *range, int target_node,
				    unsigned int align, unsigned long flags);
struct dev_dax *devm_create_dev_dax(struct dev_dax_data *data);

/* drivers/cxl/cxl.h: enum cxl_config_state, the one value that matters */
#define SR_CXL_CONFIG_COMMIT		4
static_assert(SR_CXL_CONFIG_COMMIT == SR_BTF_ENUM_CXL_CONFIG_COMMIT,
	      "enum cxl_config_state.CXL_CONFIG_COMMIT differs from the target kernel's BTF");

/*
 * drivers/cxl/cxl.h: struct cxl_decoder, up to its flags, and the flag that
 * says the decoder was committed with Lock-On-Commit (firmware did it): a
 * locked decoder keeps decoding when Linux tears its region down.  The flag
 * is a #define, not in BTF; it is also the sysfs attribute "locked".
 */
#define SR_CXL_DECODER_F_LOCK		BIT(4)
struct sr_cxl_decoder {
	struct device dev;
	int id;
	struct range hpa_range;
	int interleave_ways;
	int interleave_granularity;
	int target_type;		/* enum cxl_decoder_type */
	void *region;
	unsigned long flags;
};
SR_ASSERT_LAYOUT(struct sr_cxl_decoder, cxl_decoder, flags, SR_BTF_OFFSETOF_CXL_DECODER_FLAGS);

/* drivers/cxl/cxl.h: struct cxl_endpoint_decoder starts with its decoder */
static_assert(SR_BTF_OFFSETOF_CXL_ENDPOINT_DECODER_CXLD == 0,
	      "struct cxl_endpoint_decoder.cxld: layout differs from the target kernel's BTF");

/* drivers/cxl/cxl.h: struct cxl_region_params, up to its targets */
struct sr_cxl_region_params {
	int state;			/* enum cxl_config_state */
	u8 uuid[16];
	int interleave_ways;
	int interleave_granularity;
	struct resource *res;
	struct sr_cxl_decoder *targets[16];	/* endpoint decoders, by position */
	int nr_targets;
};
SR_ASSERT_LAYOUT(struct sr_cxl_region_params, cxl_region_params, state,
		 SR_BTF_OFFSETOF_CXL_REGION_PARAMS_STATE);
SR_ASSERT_LAYOUT(struct sr_cxl_region_params, cxl_region_params, res,
		 SR_BTF_OFFSETOF_CXL_REGION_PARAMS_RES);
SR_ASSERT_LAYOUT(struct sr_cxl_region_params, cxl_region_params, interleave_ways,
		 SR_BTF_OFFSETOF_CXL_REGION_PARAMS_INTERLEAVE_WAYS);
SR_ASSERT_LAYOUT(struct sr_cxl_region_params, cxl_region_params, targets,
		 SR_BTF_OFFSETOF_CXL_REGION_PARAMS_TARGETS);
/* the bound of targets[], CXL_DECODER_MAX_INTERLEAVE */
SR_ASSERT_LAYOUT(struct sr_cxl_region_params, cxl_region_params, nr_targets,
		 SR_BTF_OFFSETOF_CXL_REGION_PARAMS_NR_TARGETS);

/* drivers/cxl/cxl.h: struct cxl_region, up to its params */
struct sr_cxl_region {
	struct device dev;
	int id;
	int mode;			/* enum cxl_decoder_mode */
	int type;			/* enum cxl_decoder_type */
	void *cxl_nvb;
	void *cxlr_pmem;
	unsigned long flags;
	struct sr_cxl_region_params params;
};
SR_ASSERT_LAYOUT(struct sr_cxl_region, cxl_region, id, SR_BTF_OFFSETOF_CXL_REGION_ID);
SR_ASSERT_LAYOUT(struct sr_cxl_region, cxl_region, params, SR_BTF_OFFSETOF_CXL_REGION_PARAMS);

/* drivers/cxl/cxl.h: struct cxl_dax_region, the device dax_cxl binds */
struct sr_cxl_dax_region {
	struct device dev;
	struct sr_cxl_region *cxlr;
	struct range hpa_range;
};
SR_ASSERT_LAYOUT(struct sr_cxl_dax_region, cxl_dax_region, cxlr, SR_BTF_OFFSETOF_CXL_DAX_REGION_CXLR);
SR_ASSERT_LAYOUT(struct sr_cxl_dax_region, cxl_dax_region, hpa_range,
		 SR_BTF_OFFSETOF_CXL_DAX_REGION_HPA_RANGE);

#endif /* SR_MIRROR_H */
