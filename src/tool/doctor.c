// SPDX-License-Identifier: GPL-2.0
/*
 * doctor: is this machine set up the way the package needs?  Every finding
 * is one line naming it and one line with the fix; facts that need no fix
 * are printed as "ok:" or "info:" lines.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "modules.h"

#define GUARD "/usr/lib/dax-hmem-sr/stock-dax-hmem-guard"

static unsigned int findings;

static void __printf(3, 4) report_finding(const char *id, const char *fix, const char *fmt, ...)
{
	va_list ap;

	findings++;
	printf("finding %s: ", id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n  fix: %s\n", fix);
}

#define ok(...) (printf("ok: " __VA_ARGS__), putchar('\n'))
#define info(...) (printf("info: " __VA_ARGS__), putchar('\n'))

/*
 * 1 when the package applies (6.5 to 7.0), 0 when it does not, -1 when the
 * kernel has the conflict but the package cannot serve it (6.3, 6.4).
 */
static int check_kernel(const char *kv)
{
	unsigned int maj = 0, min = 0;

	if (sscanf(kv, "%u.%u", &maj, &min) != 2) {
		report_finding("kernel-unknown", "run on the kernel to check (uname -r)",
			"cannot read the kernel release '%s'", kv);
		return 1;
	}
	if (maj < 6 || (maj == 6 && min < 3)) {
		info("kernel %s: dax-hmem-sr does not apply: before 6.3 HMEM owns Soft Reserved memory without a CXL conflict; the stock dax_hmem is right here",
		     kv);
		return 0;
	}
	if (maj == 6 && min < 5) {
		report_finding("kernel-unsupported",
			"boot a kernel from 6.5 on (Debian 12: the 6.12 of bookworm-security or -backports); until then keep cxl_acpi from loading (blacklist cxl_acpi), and HMEM owns every range",
			"kernel %s: 6.3 and 6.4 skip Soft Reserved ranges in CXL windows too, but have no <linux/cleanup.h>, which dax-hmem-sr is written with: it does not build there",
			kv);
		return -1;
	}
	if (maj > 7 || (maj == 7 && min >= 1)) {
		info("kernel %s: dax-hmem-sr does not apply: 7.1 and later defer and resolve Soft Reserved ownership themselves; the stock dax_hmem is right here",
		     kv);
		return 0;
	}
	ok("kernel %s: 6.5 to 7.0, where HMEM skips Soft Reserved ranges in CXL windows; dax-hmem-sr applies",
	   kv);
	return 1;
}

/*
 * Why the build declined this kernel, as scripts/conftest.sh said it in the
 * DKMS build log ("dax-hmem-sr: not building for KVER: ..."), if it did.
 */
static bool decline_reason(const char *kv, char *buf, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX], line[512], want[192];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(want, sizeof(want), "not building for %s: ", kv);
	sr_path(dir, sizeof(dir), "/var/lib/dkms/dax-hmem-sr");
	d = opendir(dir);
	while (d && !found && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s/build/make.log", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		f = fopen(path, "re");
		while (f && !found && fgets(line, sizeof(line), f)) {
			char *p = strstr(line, want);

			if (!p)
				continue;
			p[strcspn(p, "\n")] = '\0';
			sr_copy(buf, len, p + strlen(want));
			found = true;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static void check_installed(const char *kv, const struct sr_mod *hm, const struct sr_mod *helper)
{
	char fix[256], why[384];

	snprintf(fix, sizeof(fix),
		 "dkms install dax-hmem-sr/0.1.0 -k %s (its output or 'make KVER=%s' says why it declines)",
		 kv, kv);
	if (!hm->installed && decline_reason(kv, why, sizeof(why)))
		report_finding("not-installed",
			       "none while the build declines; the reason names what the kernel lacks",
			       "dax_hmem_sr is not installed for %s: the build declined it: %s", kv, why);
	else if (!hm->installed)
		report_finding("not-installed", fix, "dax_hmem_sr is not installed for %s", kv);
	else
		ok("dax_hmem_sr installed: %s", hm->path);
	if (!helper->installed)
		report_finding("helper-not-installed", fix, "cxl_sr_helper is not installed for %s", kv);
	else
		ok("cxl_sr_helper installed: %s", helper->path);
}

/* Which driver has hmem_platform.0; false when no such device exists. */
static bool platform_driver(char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(buf, len, "none");
	sr_path(path, sizeof(path), "/sys/bus/platform/devices/hmem_platform.0");
	if (access(path, F_OK))
		return false;
	sr_path(path, sizeof(path), "/sys/bus/platform/devices/hmem_platform.0/driver");
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		sr_copy(buf, len, strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	}
	return true;
}

/*
 * A range HMEM was given that dax_cxl holds a piece of: what dax_cxl bound
 * before the decision (docs/adr/0005).
 */
static bool split_range(void)
{
	struct sr_sys *sys = calloc(1, sizeof(*sys));
	bool split = false;
	unsigned int i;

	if (sys && !sr_load(sys))
		for (i = 0; i < sys->nranges; i++)
			if (!strcmp(sys->ranges[i].state, "hmem") &&
			    strstr(sys->ranges[i].owner, "cxl"))
				split = true;
	free(sys);
	return split;
}

static void check_loaded(const struct sr_mod *hm, const struct sr_mod *helper,
			 const struct sr_mod *stock, const struct sr_mod *daxcxl)
{
	char drv[64];
	bool platform = platform_driver(drv, sizeof(drv));

	if (stock->loaded)
		report_finding("stock-dax-hmem-loaded",
			"modprobe -r dax_hmem && modprobe dax_hmem_sr (and restore the policy, or it loads again at boot)",
			"stock dax_hmem loaded (hmem_platform.0 bound to %s): it leaves Soft Reserved ranges in CXL windows to CXL for good, and dax_hmem_sr will not load beside it",
			drv);
	if (hm->installed && !hm->loaded)
		report_finding("pair-not-loaded", stock->loaded ?
			"modprobe dax_hmem_sr, once the stock dax_hmem is gone" : "modprobe dax_hmem_sr",
			"dax_hmem_sr is installed but not loaded");
	else if (hm->loaded && helper->loaded)
		ok("dax_hmem_sr and cxl_sr_helper loaded; hmem_platform.0 bound to %s", drv);
	if (hm->loaded && platform && strcmp(drv, "dax_hmem_sr_platform"))
		report_finding("platform-not-bound",
			"modprobe -r dax_hmem dax_hmem_sr && modprobe dax_hmem_sr",
			"hmem_platform.0 is bound to %s, not to dax_hmem_sr", drv);
	if (helper->loaded && daxcxl->loaded) {
		if (daxcxl->order < helper->order && split_range())
			report_finding("dax-cxl-before-helper",
				"keep 'softdep dax_cxl pre: cxl_sr_helper' in modprobe.d and in the initramfs (update-initramfs -u), then reboot",
				"dax_cxl was loaded before cxl_sr_helper and holds part of a range HMEM was given: CXL keeps the regions it bound before the decision (docs/adr/0005)");
		else if (daxcxl->order < helper->order)
			info("dax_cxl was loaded before cxl_sr_helper (an early dax_cxl, or the pair reloaded); no range shows a piece it bound before the decision");
		else
			ok("load order: cxl_sr_helper before dax_cxl, as the policy's softdep wants");
	}
}

/*
 * The policy of docs/adr/0004, as kmod will apply it: an install command
 * that runs the guard, no softdeps for dax_hmem (kmod ignores the install
 * command of a module with softdeps), and the helper before dax_cxl.
 */
static void check_policy(void)
{
	char pre[512], post[512], path[PATH_MAX];
	const char *cmd = sr_install_command("dax_hmem");
	static const char * const ours[] = { "dax_hmem_sr", "cxl_sr_helper" };
	unsigned int i;

	info("policy (docs/adr/0004): 'install dax_hmem " GUARD "' refuses the stock dax_hmem where dax_hmem_sr is installed; an empty 'softdep dax_hmem pre:' keeps kmod from skipping that install command; 'softdep dax_cxl pre: cxl_sr_helper' loads the helper first");
	if (!cmd || !strstr(cmd, "stock-dax-hmem-guard")) {
		report_finding("policy-missing",
			"dkms install dax-hmem-sr/0.1.0 installs /usr/lib/modprobe.d/dax-hmem-sr.conf (or copy scripts/modprobe.d/dax-hmem-sr.conf there)",
			"modprobe.d has no install guard for dax_hmem (install command: %s): udev's alias load brings the stock dax_hmem in beside dax_hmem_sr",
			cmd ? cmd : "none");
	} else {
		sr_path(path, sizeof(path), GUARD);
		if (access(path, X_OK))
			report_finding("guard-missing",
				"dkms install dax-hmem-sr/0.1.0 (scripts/dkms-hook.sh install puts the guard in place)",
				"the install command names " GUARD ", which is missing or not executable: every load of dax_hmem fails, on every kernel");
		else
			ok("install guard for dax_hmem: %s", cmd);
	}
	if (sr_softdeps("dax_hmem", pre, sizeof(pre), post, sizeof(post)) == 0) {
		if (cmd && (pre[0] || post[0]))
			report_finding("policy-ignored",
				"add 'softdep dax_hmem pre:' to /usr/lib/modprobe.d/dax-hmem-sr.conf",
				"dax_hmem has softdeps (pre: %s, post: %s): kmod ignores its install command, so the guard never runs",
				pre[0] ? pre : "-", post[0] ? post : "-");
		else if (cmd)
			ok("dax_hmem has no softdeps: kmod runs its install command");
	}
	sr_softdeps("dax_cxl", pre, sizeof(pre), post, sizeof(post));
	if (!strstr(pre, "cxl_sr_helper"))
		report_finding("helper-softdep-missing",
			"add 'softdep dax_cxl pre: cxl_sr_helper' to /usr/lib/modprobe.d/dax-hmem-sr.conf (and install cxl_sr_helper)",
			"modprobe does not load cxl_sr_helper before dax_cxl (dax_cxl pre: %s)",
			pre[0] ? pre : "-");
	else
		ok("softdep dax_cxl pre: %s", pre);
	for (i = 0; i < 2; i++)
		if (sr_blacklisted(ours[i]))
			report_finding("blacklisted", "remove the 'blacklist' line for it from modprobe.d",
				"%s is blacklisted: udev's alias load skips it", ours[i]);
}

/* As the kernel's kstrtobool() reads a bool parameter. */
static bool param_true(const char *v)
{
	return (v[0] && strchr("yY1", v[0])) || !strcasecmp(v, "on");
}

/*
 * dax_hmem.region_idle=1 keeps HMEM's memory out of kmem on the stock
 * module; admins who set it meant it for whatever drives hmem_platform, but
 * dax_hmem_sr reads only its own parameter, and no module can read another's.
 */
static void check_stock_options(const struct sr_mod *hm)
{
	char stock[32], ours[32] = "N", path[PATH_MAX];
	const char *where = "the loaded module";

	if (!sr_module_option("dax_hmem", "region_idle", stock, sizeof(stock)))
		return;
	sr_path(path, sizeof(path), "/sys/module/dax_hmem_sr/parameters/region_idle");
	if (!hm->loaded || sr_read_str(path, ours, sizeof(ours))) {
		sr_copy(ours, sizeof(ours), "N");
		sr_module_option("dax_hmem_sr", "region_idle", ours, sizeof(ours));
		where = "its modprobe.d options and the kernel command line";
	}
	if (param_true(stock) == param_true(ours))
		ok("dax_hmem.region_idle=%s is set, and dax_hmem_sr.region_idle=%s (%s)", stock, ours, where);
	else
		report_finding("stock-option-ignored",
			"set dax_hmem_sr.region_idle the same (kernel command line, or 'options dax_hmem_sr region_idle=...' in /etc/modprobe.d), then reboot or reload the pair",
			"dax_hmem.region_idle=%s is set, but dax_hmem_sr serves hmem_platform and reads only its own region_idle, which is %s (%s)",
			stock, ours, where);
}

static bool newer(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_mtime > sb.st_mtime;
}

/* The files of the initramfs, one per line, from lsinitramfs. */
static char *list_initramfs(const char *img)
{
	const char *lister = getenv("DAX_HMEM_SR_LSINITRAMFS");
	size_t len = 0, cap = 0;
	char *out = NULL, buf[4096];
	int fd[2], status;
	ssize_t n;
	pid_t pid;

	if (!lister)
		lister = "lsinitramfs";
	if (pipe(fd))
		return NULL;
	pid = fork();
	if (pid < 0)
		return NULL;
	if (!pid) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp(lister, lister, img, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) > 0) {
		if (len + n + 1 > cap) {
			char *p = realloc(out, cap = (len + n + 1) * 2);

			if (!p)
				break;
			out = p;
		}
		memcpy(out + len, buf, n);
		len += n;
		out[len] = '\0';
	}
	close(fd[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		free(out);
		return NULL;
	}
	return out ? out : strdup("");
}

static void check_initramfs(const char *kv)
{
	static const char * const confs[] = {
		"/etc/modprobe.d/dax-hmem-sr.conf", "/usr/lib/modprobe.d/dax-hmem-sr.conf",
		"/lib/modprobe.d/dax-hmem-sr.conf",
	};
	char img[PATH_MAX], conf[PATH_MAX] = "", fix[256], *list;
	unsigned int i;

	sr_path(img, sizeof(img), "/boot/initrd.img-%s", kv);
	if (access(img, R_OK)) {
		info("no initramfs at /boot/initrd.img-%s: nothing to keep consistent", kv);
		return;
	}
	for (i = 0; i < 3 && !conf[0]; i++) {
		sr_path(conf, sizeof(conf), "%s", confs[i]);
		if (access(conf, R_OK))
			conf[0] = '\0';
	}
	snprintf(fix, sizeof(fix), "update-initramfs -u -k %s", kv);
	list = list_initramfs(img);
	if (!list) {
		if (conf[0] && newer(conf, img))
			report_finding("initramfs-stale", fix,
				"the modprobe.d policy is newer than the initramfs of %s (and lsinitramfs could not list it)",
				kv);
		else
			info("cannot list /boot/initrd.img-%s (lsinitramfs, initramfs-tools-core); the policy is not newer than it",
			     kv);
		return;
	}
	if (!strstr(list, "/dax_hmem.ko")) {
		ok("the initramfs of %s loads no stock dax_hmem: the root file system's policy applies",
		   kv);
	} else if (!strstr(list, "dax-hmem-sr.conf") || !strstr(list, "/dax_hmem_sr.ko")) {
		report_finding("initramfs-stale", fix,
			"the initramfs of %s has the stock dax_hmem but not %s: early boot loads the stock driver",
			kv, strstr(list, "dax-hmem-sr.conf") ? "dax_hmem_sr" : "the modprobe.d policy");
	} else if (conf[0] && newer(conf, img)) {
		report_finding("initramfs-stale", fix,
			"the modprobe.d policy changed after the initramfs of %s was built", kv);
	} else {
		ok("the initramfs of %s carries dax_hmem_sr and the policy", kv);
	}
	free(list);
}

static int secure_boot(void)
{
	char path[PATH_MAX];
	unsigned char b[5];
	size_t n;
	FILE *f;

	sr_path(path, sizeof(path),
		"/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c");
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* 4 bytes of attributes, then the value */
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	return n == 5 ? b[4] == 1 : -1;
}

static void check_signature(const struct sr_mod *hm, const struct sr_mod *helper)
{
	int sb = secure_boot();
	const struct sr_mod *m[] = { hm, helper };
	unsigned int i;

	if (sb < 0)
		info("Secure Boot: not booted through EFI or its state is unreadable: module signatures are not enforced by it");
	else if (!sb)
		info("Secure Boot: off");
	for (i = 0; i < 2; i++) {
		if (!m[i]->installed)
			continue;
		if (!m[i]->is_signed && sb == 1)
			report_finding("unsigned-under-secure-boot",
				"dkms signs with /var/lib/dkms/mok.key, which it makes with openssl: install openssl, rebuild with 'dkms build --force dax-hmem-sr/0.1.0' and 'dkms install --force dax-hmem-sr/0.1.0', enrol once with 'mokutil --import /var/lib/dkms/mok.pub' and reboot",
				"%s is not signed and Secure Boot is on: the kernel refuses to load it",
				m[i]->name);
		else if (m[i]->is_signed)
			ok("%s signed%s%s%s", m[i]->name, m[i]->signer[0] ? " by " : "",
			   m[i]->signer, sb == 1 ?
			   " (its key must be enrolled: mokutil --test-key /var/lib/dkms/mok.pub)" : "");
		else
			info("%s is not signed (fine while Secure Boot is off)", m[i]->name);
	}
}

static void check_kprobes(const char *kv)
{
	char path[PATH_MAX], line[256];
	const char *avail = "unknown";
	FILE *f;

	sr_path(path, sizeof(path), "/sys/kernel/debug/kprobes/enabled");
	if (!access(path, F_OK)) {
		avail = "yes";
	} else {
		sr_path(path, sizeof(path), "/boot/config-%s", kv);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "CONFIG_KPROBES=y", 16))
				avail = "yes";
			else if (!strncmp(line, "# CONFIG_KPROBES is not set", 27))
				avail = "no";
		}
		if (f)
			fclose(f);
	}
	info("kprobes: not used by the pair (device links hold dax_cxl back, docs/adr/0005); available on this kernel: %s",
	     avail);
}

static void check_report(void)
{
	struct sr_sys *sys = calloc(1, sizeof(*sys));
	unsigned int i;

	if (!sys || sr_load(sys)) {
		free(sys);
		return;
	}
	if (!sys->have_report) {
		info("no dax_hmem_sr report (%s)", strerror(sys->report_errno));
		free(sys);
		return;
	}
	for (i = 0; i < sys->nranges; i++) {
		const struct sr_range *r = &sys->ranges[i];
		char sz[24];

		sr_fmt_size(sz, sizeof(sz), r->size);
		if (!strcmp(r->state, "declined"))
			report_finding("range-declined",
				"see 'dmesg | grep dax_hmem_sr'; the reason names what is missing",
				"range %#llx (%s) declined: %s", (unsigned long long)r->start, sz,
				r->reason);
		else if (!strcmp(r->state, "conflict"))
			report_finding("range-conflict",
				"see 'dmesg | grep -e dax_hmem_sr -e cxl_sr_helper'; 'dax-hmem-sr handover --to hmem' or a reboot settles it",
				"range %#llx (%s): %s", (unsigned long long)r->start, sz, r->reason);
		else if (!strcmp(r->state, "lost") || strstr(r->reason, "part lost"))
			report_finding("range-lost",
				"nothing decodes it since its CXL region was torn down; a reboot (or 'cxl create-region' over it) brings it back",
				"range %#llx (%s) is %s: %s", (unsigned long long)r->start, sz,
				strcmp(r->state, "lost") ? "partly lost" : "lost", r->reason);
		else if (!strcmp(r->state, "pending"))
			report_finding("range-pending",
				"modprobe cxl_acpi cxl_pci; dax_hmem_sr decides once CXL has probed",
				"range %#llx (%s) still waits for CXL: %s",
				(unsigned long long)r->start, sz, r->reason);
		else if (!strcmp(r->owner, "none"))
			report_finding("range-unowned",
				!strcmp(r->state, "cxl") ? "modprobe dax_cxl" : "modprobe device_dax kmem",
				"range %#llx (%s) is %s's but has no dax device", (unsigned long long)r->start,
				sz, r->state);
		else
			ok("range %#llx (%s): %s, %s", (unsigned long long)r->start, sz, r->state,
			   r->reason);
	}
	free(sys);
}

int cmd_doctor(void)
{
	struct sr_mod hm, helper, stock, daxcxl;
	const char *kv = sr_kver();

	if (!sr_kmod()) {
		fprintf(stderr, "dax-hmem-sr: libkmod: cannot read the module configuration\n");
		return EXIT_FINDINGS;
	}
	switch (check_kernel(kv)) {
	case 0:
		printf("doctor: nothing to check on %s\n", kv);
		return EXIT_UNSUPPORTED;
	case -1:
		printf("doctor: %u finding%s\n", findings, findings == 1 ? "" : "s");
		return EXIT_FINDINGS;
	}
	sr_mod_get("dax_hmem_sr", &hm);
	sr_mod_get("cxl_sr_helper", &helper);
	sr_mod_get("dax_hmem", &stock);
	sr_mod_get("dax_cxl", &daxcxl);
	check_installed(kv, &hm, &helper);
	check_loaded(&hm, &helper, &stock, &daxcxl);
	check_policy();
	check_stock_options(&hm);
	check_initramfs(kv);
	check_signature(&hm, &helper);
	check_kprobes(kv);
	check_report();
	printf("doctor: %u finding%s\n", findings, findings == 1 ? "" : "s");
	return findings ? EXIT_FINDINGS : EXIT_OK;
}
