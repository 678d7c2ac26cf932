/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private kernel structures the pair reads or fills in.  None of them is in
 * the headers a distro ships (they live in drivers/dax/bus.h and
 * drivers/cxl/cxl.h), and their layout moves between kernels (7.0 put two
 * fields before cxl_region.params).  So nothing here is laid out by hand:
 * every field used is a row of include/sr_layout.tbl, which
 * scripts/conftest.sh finds by name in the target's BTF (vmlinux, or the
 * module that holds the type when CXL or DAX is modular), checks for its
 * type, and turns into SR_OFF_<FIELD> and SR_SIZE_<FIELD> in sr_config.h.
 * A kernel without one of them, or with another type, is refused at build
 * time with the field's name (docs/adr/0002).
 */
#ifndef SR_MIRROR_H
#define SR_MIRROR_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/range.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include "sr_config.h"

/* @type must be what the target's BTF says the field holds */
#define SR_CHECK_SIZE(type, field)					\
	static_assert(sizeof(type) == SR_SIZE_##field,			\
		      #field ": size differs from the target kernel's BTF")

/* The field at SR_OFF_@field of the object at @obj, as an lvalue of @type */
#define SR_FIELD(type, obj, field)					\
	(*(type *)((char *)(obj) + SR_OFF_##field))

/* The object a struct device member at SR_OFF_@field is embedded in */
#define SR_CONTAINER(dev, field)	((void *)((char *)(dev) - SR_OFF_##field))

/* The headers built against must agree with the BTF about struct device. */
SR_CHECK_SIZE(struct device, CXL_REGION_DEV);
SR_CHECK_SIZE(struct device, CXL_DAX_REGION_DEV);

struct dax_region;
struct dev_pagemap;

/*
 * drivers/dax/bus.h: SR_IORESOURCE_DAX_KMEM, the flag that sends a dax
 * region's devices to kmem, comes from the table's const rows.
 */

/*
 * drivers/dax/bus.h: the argument of devm_create_dev_dax().  The one struct
 * the pair fills in, so it is declared, member for member, and each member
 * checked against the BTF's offset; memmap_on_memory only where it exists.
 */
struct dev_dax_data {
	struct dax_region *dax_region;
	struct dev_pagemap *pgmap;
	resource_size_t size;
	int id;
#ifdef SR_HAS_DEV_DAX_DATA_MEMMAP_ON_MEMORY
	bool memmap_on_memory;
#endif
};
static_assert(sizeof(struct dev_dax_data) == SR_SIZEOF_DEV_DAX_DATA,
	      "struct dev_dax_data: size differs from the target kernel's BTF");
#define SR_CHECK_DAX_DATA(member, field)				\
	static_assert(offsetof(struct dev_dax_data, member) == SR_OFF_##field, \
		      "dev_dax_data." #member ": offset differs from the target kernel's BTF"); \
	SR_CHECK_SIZE(((struct dev_dax_data *)0)->member, field)
SR_CHECK_DAX_DATA(dax_region, DEV_DAX_DATA_DAX_REGION);
SR_CHECK_DAX_DATA(pgmap, DEV_DAX_DATA_PGMAP);
SR_CHECK_DAX_DATA(size, DEV_DAX_DATA_SIZE);
SR_CHECK_DAX_DATA(id, DEV_DAX_DATA_ID);
#ifdef SR_HAS_DEV_DAX_DATA_MEMMAP_ON_MEMORY
SR_CHECK_DAX_DATA(memmap_on_memory, DEV_DAX_DATA_MEMMAP_ON_MEMORY);
#endif

struct dax_region *alloc_dax_region(struct device *parent, int region_id,
				    struct range *range, int target_node,
				    unsigned int align, unsigned long flags);
struct dev_dax *devm_create_dev_dax(struct dev_dax_data *data);

/*
 * drivers/cxl/cxl.h: struct cxl_region, read only, through its device.
 * params.state is an enum cxl_config_state (4 bytes in every BTF read).
 */
SR_CHECK_SIZE(int, CXL_REGION_ID);
SR_CHECK_SIZE(int, CXL_REGION_PARAMS_STATE);
SR_CHECK_SIZE(struct resource *, CXL_REGION_PARAMS_RES);
SR_CHECK_SIZE(int, CXL_REGION_PARAMS_INTERLEAVE_WAYS);
static_assert(SR_SIZE_CXL_REGION_PARAMS_TARGETS == 16 * sizeof(void *),
	      "CXL_REGION_PARAMS_TARGETS: size differs from the target kernel's BTF");

#define SR_REGION(dev)		SR_CONTAINER(dev, CXL_REGION_DEV)
#define SR_CXL_CONFIG_COMMIT	SR_ENUM_CXL_CONFIG_COMMIT

static inline int sr_region_id(struct device *dev)
{
	return SR_FIELD(int, SR_REGION(dev), CXL_REGION_ID);
}

static inline int sr_region_state(struct device *dev)
{
	return READ_ONCE(SR_FIELD(int, SR_REGION(dev), CXL_REGION_PARAMS_STATE));
}

static inline struct resource *sr_region_res(struct device *dev)
{
	return SR_FIELD(struct resource *, SR_REGION(dev), CXL_REGION_PARAMS_RES);
}

static inline int sr_region_ways(struct device *dev)
{
	return SR_FIELD(int, SR_REGION(dev), CXL_REGION_PARAMS_INTERLEAVE_WAYS);
}

#define SR_REGION_MAX_TARGETS	(SR_SIZE_CXL_REGION_PARAMS_TARGETS / sizeof(void *))

/* The endpoint decoder at interleave position @pos */
static inline void *sr_region_target(struct device *dev, int pos)
{
	return (&SR_FIELD(void *, SR_REGION(dev), CXL_REGION_PARAMS_TARGETS))[pos];
}

/*
 * drivers/cxl/cxl.h: an endpoint decoder's flags, and the flag that says it
 * was committed with Lock-On-Commit (firmware did it): a locked decoder
 * keeps decoding when Linux tears its region down.  The flag is a #define,
 * not in BTF (SR_CXL_DECODER_F_LOCK: a const row of the table); it is also
 * the sysfs attribute "locked".
 */
SR_CHECK_SIZE(unsigned long, CXL_ENDPOINT_DECODER_CXLD_FLAGS);

static inline unsigned long sr_endpoint_decoder_flags(void *cxled)
{
	return SR_FIELD(unsigned long, cxled, CXL_ENDPOINT_DECODER_CXLD_FLAGS);
}

/*
 * drivers/cxl/cxl.h: a switch or host-bridge decoder, through its device.
 * Teardown resets every one on a region's path that has a reset method
 * (6.12's cxl_region_decode_reset() does not look at the lock flag: only the
 * hardware's Lock-On-Commit keeps a locked one decoding).  A decoder without
 * that method (a passthrough port's) has nothing to reset.  The reset method
 * is only tested for NULL, never called.
 */
SR_CHECK_SIZE(struct device, CXL_SWITCH_DECODER_CXLD_DEV);
SR_CHECK_SIZE(void *, CXL_SWITCH_DECODER_CXLD_REGION);
SR_CHECK_SIZE(unsigned long, CXL_SWITCH_DECODER_CXLD_FLAGS);
SR_CHECK_SIZE(void (*)(void *), CXL_SWITCH_DECODER_CXLD_RESET);

#define SR_SWITCH_DECODER(dev)	SR_CONTAINER(dev, CXL_SWITCH_DECODER_CXLD_DEV)

/* The region (its struct cxl_region, compared, never read) @dev decodes for */
static inline void *sr_switch_decoder_region(struct device *dev)
{
	return READ_ONCE(SR_FIELD(void *, SR_SWITCH_DECODER(dev),
				  CXL_SWITCH_DECODER_CXLD_REGION));
}

static inline unsigned long sr_switch_decoder_flags(struct device *dev)
{
	return READ_ONCE(SR_FIELD(unsigned long, SR_SWITCH_DECODER(dev),
				  CXL_SWITCH_DECODER_CXLD_FLAGS));
}

static inline bool sr_switch_decoder_resettable(struct device *dev)
{
	return READ_ONCE(SR_FIELD(void *, SR_SWITCH_DECODER(dev),
				  CXL_SWITCH_DECODER_CXLD_RESET)) != NULL;
}

/* The struct cxl_region of a region device, for comparison only */
static inline void *sr_region_of(struct device *dev)
{
	return SR_REGION(dev);
}

/* drivers/cxl/cxl.h: struct cxl_dax_region, the device dax_cxl binds */
SR_CHECK_SIZE(struct range, CXL_DAX_REGION_HPA_RANGE);

static inline struct range sr_dax_region_range(struct device *dev)
{
	return SR_FIELD(struct range, SR_CONTAINER(dev, CXL_DAX_REGION_DEV),
			CXL_DAX_REGION_HPA_RANGE);
}

#endif /* SR_MIRROR_H */
