/* SPDX-License-Identifier: GPL-2.0 */
/* Module state and modprobe.d configuration, through libkmod. */
#ifndef DAX_HMEM_SR_MODULES_H
#define DAX_HMEM_SR_MODULES_H

#include <limits.h>
#include "tool.h"

struct kmod_ctx;

struct sr_mod {
	char name[64];
	bool installed;		/* kmod finds a module file for the kernel */
	char path[PATH_MAX];
	bool is_signed;
	char signer[128];
	bool loaded;
	int order;		/* 0 = loaded first; -1 when not loaded */
	int refcnt;
	char holders[256];	/* comma-joined */
};

const char *sr_kver(void);
struct kmod_ctx *sr_kmod(void);
int sr_mod_get(const char *name, struct sr_mod *m);
const char *sr_install_command(const char *name);
int sr_softdeps(const char *name, char *pre, size_t plen, char *post, size_t qlen);
bool sr_blacklisted(const char *name);
bool sr_module_option(const char *name, const char *param, char *val, size_t len);
int sr_mod_remove(const char *name);

#endif
