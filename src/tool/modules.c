// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel modules through libkmod: what is installed for the kernel, what is
 * loaded and in which order, and the modprobe.d configuration as kmod reads
 * it.  Under a --sysfs-root the context reads DIR/lib/modules and DIR's
 * modprobe.d directories, and the loaded list comes from DIR/proc/modules
 * and DIR/sys/module (libkmod reads only the live ones).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <libkmod.h>
#include "modules.h"

static struct kmod_ctx *ctx;
static char kver[128];

const char *sr_kver(void)
{
	char path[PATH_MAX];
	struct utsname u;

	if (kver[0])
		return kver;
	sr_path(path, sizeof(path), "/proc/sys/kernel/osrelease");
	if (sr_read_str(path, kver, sizeof(kver)) && !uname(&u))
		sr_copy(kver, sizeof(kver), u.release);
	return kver;
}

static bool live(void)
{
	return !sr_root()[0];
}

static void quiet_log(void *data, int prio, const char *file, int line,
		      const char *fn, const char *fmt, va_list args)
{
	(void)data; (void)prio; (void)file; (void)line; (void)fn; (void)fmt; (void)args;
}

struct kmod_ctx *sr_kmod(void)
{
	static char dirs[5][PATH_MAX], moddir[PATH_MAX];
	static const char *paths[6];
	static const char * const sub[] = {
		"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
		"/usr/lib/modprobe.d", "/lib/modprobe.d",
	};
	unsigned int i;

	if (ctx)
		return ctx;
	if (live()) {
		ctx = kmod_new(NULL, NULL);
	} else {
		for (i = 0; i < 5; i++) {
			sr_path(dirs[i], sizeof(dirs[i]), "%s", sub[i]);
			paths[i] = dirs[i];
		}
		paths[5] = NULL;
		sr_path(moddir, sizeof(moddir), "/lib/modules/%s", sr_kver());
		ctx = kmod_new(moddir, paths);
	}
	if (ctx)
		kmod_set_log_fn(ctx, quiet_log, NULL);
	return ctx;
}

/* DIR/proc/modules, newest first like the kernel prints it. */
static int fixture_loaded(struct sr_mod *m, int *nloaded)
{
	char path[PATH_MAX], line[1024];
	int idx = 0, found = -1;
	FILE *f;

	sr_path(path, sizeof(path), "/proc/modules");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char name[64], holders[256];
		int refcnt;

		if (sscanf(line, "%63s %*u %d %255s", name, &refcnt, holders) != 3)
			continue;
		if (!strcmp(name, m->name)) {
			found = idx;
			m->refcnt = refcnt;
			/* "a,b," or "-" */
			if (strcmp(holders, "-")) {
				size_t n = strlen(holders);

				if (n && holders[n - 1] == ',')
					holders[n - 1] = '\0';
				sr_copy(m->holders, sizeof(m->holders), holders);
			}
		}
		idx++;
	}
	fclose(f);
	*nloaded = idx;
	return found;
}

static int live_loaded(struct sr_mod *m, int *nloaded)
{
	struct kmod_list *list = NULL, *l, *h, *holders;
	int idx = 0, found = -1;

	if (kmod_module_new_from_loaded(sr_kmod(), &list) < 0)
		return -EIO;
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);

		if (!strcmp(kmod_module_get_name(mod), m->name) &&
		    kmod_module_get_initstate(mod) != KMOD_MODULE_GOING) {
			found = idx;
			m->refcnt = kmod_module_get_refcnt(mod);
			holders = kmod_module_get_holders(mod);
			kmod_list_foreach(h, holders) {
				struct kmod_module *hm = kmod_module_get_module(h);
				size_t n = strlen(m->holders);

				snprintf(m->holders + n, sizeof(m->holders) - n, "%s%s",
					 n ? "," : "", kmod_module_get_name(hm));
				kmod_module_unref(hm);
			}
			kmod_module_unref_list(holders);
		}
		kmod_module_unref(mod);
		idx++;
	}
	kmod_module_unref_list(list);
	*nloaded = idx;
	return found;
}

static void signature(struct kmod_module *mod, struct sr_mod *m)
{
	struct kmod_list *info = NULL, *l;

	if (kmod_module_get_info(mod, &info) < 0)
		return;
	kmod_list_foreach(l, info) {
		const char *k = kmod_module_info_get_key(l);
		const char *v = kmod_module_info_get_value(l);

		if (!strcmp(k, "sig_id") || !strcmp(k, "signature"))
			m->is_signed = true;
		else if (!strcmp(k, "signer") && v)
			sr_copy(m->signer, sizeof(m->signer), v);
	}
	kmod_module_info_free_list(info);
}

int sr_mod_get(const char *name, struct sr_mod *m)
{
	struct kmod_module *mod = NULL;
	int idx, n = 0;

	memset(m, 0, sizeof(*m));
	sr_copy(m->name, sizeof(m->name), name);
	m->order = -1;
	if (!sr_kmod())
		return -ENOMEM;
	if (!kmod_module_new_from_name(sr_kmod(), name, &mod)) {
		const char *p = kmod_module_get_path(mod);

		if (p) {
			m->installed = true;
			sr_copy(m->path, sizeof(m->path), p);
			signature(mod, m);
		}
		kmod_module_unref(mod);
	}
	idx = live() ? live_loaded(m, &n) : fixture_loaded(m, &n);
	if (idx >= 0) {
		m->loaded = true;
		m->order = n - 1 - idx;
	}
	return 0;
}

const char *sr_install_command(const char *name)
{
	struct kmod_module *mod = NULL;
	static char cmd[PATH_MAX];
	const char *c;

	cmd[0] = '\0';
	if (!sr_kmod() || kmod_module_new_from_name(sr_kmod(), name, &mod))
		return NULL;
	c = kmod_module_get_install_commands(mod);
	if (c)
		sr_copy(cmd, sizeof(cmd), c);
	kmod_module_unref(mod);
	return c ? cmd : NULL;
}

/*
 * The softdeps kmod would use for NAME (the first matching line wins),
 * space-joined.  Names that resolve to no installed module are dropped
 * by libkmod, as modprobe drops them.
 */
int sr_softdeps(const char *name, char *pre, size_t plen, char *post, size_t qlen)
{
	struct kmod_list *lpre = NULL, *lpost = NULL, *l;
	struct kmod_module *mod = NULL;
	int rc;

	pre[0] = post[0] = '\0';
	if (!sr_kmod() || kmod_module_new_from_name(sr_kmod(), name, &mod))
		return -ENOMEM;
	rc = kmod_module_get_softdeps(mod, &lpre, &lpost);
	kmod_list_foreach(l, lpre) {
		struct kmod_module *d = kmod_module_get_module(l);
		size_t n = strlen(pre);

		snprintf(pre + n, plen - n, "%s%s", n ? " " : "", kmod_module_get_name(d));
		kmod_module_unref(d);
	}
	kmod_list_foreach(l, lpost) {
		struct kmod_module *d = kmod_module_get_module(l);
		size_t n = strlen(post);

		snprintf(post + n, qlen - n, "%s%s", n ? " " : "", kmod_module_get_name(d));
		kmod_module_unref(d);
	}
	kmod_module_unref_list(lpre);
	kmod_module_unref_list(lpost);
	kmod_module_unref(mod);
	return rc;
}

bool sr_blacklisted(const char *name)
{
	struct kmod_config_iter *it;
	bool hit = false;

	if (!sr_kmod())
		return false;
	it = kmod_config_get_blacklists(sr_kmod());
	while (it && kmod_config_iter_next(it))
		if (!strcmp(kmod_config_iter_get_key(it), name))
			hit = true;
	kmod_config_iter_free_iter(it);
	return hit;
}

/*
 * The value modprobe would give NAME's PARAM: from modprobe.d's "options"
 * lines and the kernel command line's "NAME.PARAM=", which libkmod reads
 * into the same list; the last one wins, as in the kernel's parser.  A bare
 * "PARAM" is a bool set to Y.  False when nothing sets it.
 */
bool sr_module_option(const char *name, const char *param, char *val, size_t len)
{
	struct kmod_config_iter *it;
	size_t plen = strlen(param);
	bool hit = false;

	if (!sr_kmod())
		return false;
	it = kmod_config_get_options(sr_kmod());
	while (it && kmod_config_iter_next(it)) {
		char opts[1024], *tok, *save = NULL;

		if (strcmp(kmod_config_iter_get_key(it), name))
			continue;
		sr_copy(opts, sizeof(opts), kmod_config_iter_get_value(it));
		for (tok = strtok_r(opts, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			if (strncmp(tok, param, plen) || (tok[plen] && tok[plen] != '='))
				continue;
			sr_copy(val, len, tok[plen] ? tok + plen + 1 : "Y");
			hit = true;
		}
	}
	kmod_config_iter_free_iter(it);
	return hit;
}

int sr_mod_remove(const char *name)
{
	struct kmod_module *mod = NULL;
	int rc;

	if (!live())
		return -EPERM;
	rc = kmod_module_new_from_name(sr_kmod(), name, &mod);
	if (rc)
		return rc;
	rc = kmod_module_remove_module(mod, 0);
	kmod_module_unref(mod);
	return rc;
}
