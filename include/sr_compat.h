/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place that knows kernels differ.  Everything here is keyed on what
 * scripts/conftest.sh found in the target's headers, never on its version.
 */
#ifndef SR_COMPAT_H
#define SR_COMPAT_H

#include "sr_config.h"

#ifndef HAVE_LINUX_CLEANUP_H
#error "dax-hmem-sr needs <linux/cleanup.h> (Linux 6.5 or a kernel with it backported)"
#endif
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/slab.h>

#ifndef HAVE_GUARD_DEVICE
DEFINE_GUARD(device, struct device *, device_lock(_T), device_unlock(_T))
#endif

/* Symbol namespaces are bare words before 6.13, string literals after. */
#ifdef HAVE_MODULE_IMPORT_NS_IDENT
#define SR_NS_CXL	CXL
#define SR_NS_CXL_SR	CXL_SR
#else
#define SR_NS_CXL	"CXL"
#define SR_NS_CXL_SR	"CXL_SR"
#endif

/* kzalloc_obj() (7.0) is the allocation style of the model code. */
#ifndef kzalloc_obj
#define kzalloc_obj(obj) kzalloc(sizeof(obj), GFP_KERNEL)
#endif

/* The data argument of a device_find_child() match callback. */
#ifdef HAVE_DEVICE_FIND_CHILD_CONST
#define sr_find_child_data	const void
#else
#define sr_find_child_data	void
#endif

/*
 * HAVE_PLATFORM_REMOVE_VOID tells the platform .remove signature; the drivers
 * release everything through devm and need no .remove at all.
 */

#endif /* SR_COMPAT_H */
