// SPDX-License-Identifier: GPL-2.0
/* dax-hmem-sr: the command line, and which subcommand runs. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "tool.h"

static const char usage[] =
"usage: dax-hmem-sr [--sysfs-root DIR] COMMAND [OPTIONS]\n"
"\n"
"Who owns Soft Reserved (CXL) memory: firmware, HMEM or CXL.\n"
"\n"
"commands:\n"
"  status [--json]        one row per Soft Reserved range: state and reason\n"
"                         from dax_hmem_sr's report, owner, regions, dax\n"
"                         devices, mode, NUMA node, online bytes (root)\n"
"  doctor                 check the kernel, the module pair, the modprobe.d\n"
"                         policy, the initramfs and module signatures; one\n"
"                         line with the fix per finding\n"
"  handover --to hmem [--dry-run] [--timeout SEC]\n"
"                         give the ranges CXL owns to HMEM: offline their\n"
"                         memory, unload cxl_acpi, wait for dax_hmem_sr to\n"
"                         decide them again (default timeout 30 s)\n"
"\n"
"options:\n"
"  --sysfs-root DIR       read /sys, /proc, /lib/modules and modprobe.d\n"
"                         under DIR (also DAX_HMEM_SR_ROOT); for tests\n"
"  -h, --help             this text\n"
"\n"
"exit status:\n"
"  0  success; doctor found nothing; handover done or nothing to do\n"
"  1  doctor findings; handover refused or failed; state unreadable\n"
"  2  usage error\n"
"  3  not applicable: the kernel needs no dax_hmem_sr (before 6.3, 7.1 and\n"
"     later), or handover without a dax_hmem_sr that can take ranges over\n";

static int bad_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "dax-hmem-sr: %s%s%s\n%s", msg, arg ? ": " : "", arg ? arg : "",
		"try 'dax-hmem-sr --help'\n");
	return EXIT_USAGE;
}

static int run_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h')
			return fputs(usage, stdout), EXIT_OK;
		else
			return bad_usage("status: unknown option", argv[optind - 1]);
	}
	if (optind < argc)
		return bad_usage("status: unexpected argument", argv[optind]);
	return cmd_status(json);
}

static int run_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return fputs(usage, stdout), EXIT_OK;
		return bad_usage("doctor: unknown option", argv[optind - 1]);
	}
	if (optind < argc)
		return bad_usage("doctor: unexpected argument", argv[optind]);
	return cmd_doctor();
}

static int run_handover(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct handover_opts o = { .timeout_s = 30 };
	const char *to = NULL;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "t:nT:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			to = optarg;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'T':
			o.timeout_s = strtoul(optarg, &end, 10);
			if (*end || !*optarg)
				return bad_usage("handover: --timeout wants seconds", optarg);
			break;
		case 'h':
			return fputs(usage, stdout), EXIT_OK;
		default:
			return bad_usage("handover: unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_usage("handover: unexpected argument", argv[optind]);
	if (!to)
		return bad_usage("handover: --to hmem is required", NULL);
	if (strcmp(to, "hmem"))
		return bad_usage("handover: only --to hmem exists (CXL cannot take a range back from HMEM without a reboot)",
				 to);
	return cmd_handover(to, &o);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs-root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *cmd;
	int c;

	sr_set_root(getenv("DAX_HMEM_SR_ROOT"));
	/* "+": options after the command belong to the command */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'r')
			sr_set_root(optarg);
		else if (c == 'h')
			return fputs(usage, stdout), EXIT_OK;
		else
			return bad_usage("unknown option", argv[optind - 1]);
	}
	if (optind >= argc)
		return bad_usage("no command", NULL);
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	if (!strcmp(cmd, "status"))
		return run_status(argc, argv);
	if (!strcmp(cmd, "doctor"))
		return run_doctor(argc, argv);
	if (!strcmp(cmd, "handover"))
		return run_handover(argc, argv);
	if (!strcmp(cmd, "help"))
		return fputs(usage, stdout), EXIT_OK;
	return bad_usage("unknown command", cmd);
}
