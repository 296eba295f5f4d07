/*
 * cli/cmd_exactness.c - `faultline exactness [--kernel X.Y] [--verbose]`:
 * the usercopy exactness table, computed by running Mark Rutland's matrix
 * (uaccess/rutland.c) on every architecture and direction of the model.
 * Nothing in the table is written down: change an arch routine and the
 * table changes.
 */
#include <stdio.h>
#include <string.h>

#include <faultline/uaccess.h>

#include "cli/cli.h"

static const char *const dir_names[] = {
	[FL_COPY_TO_USER] = "to", [FL_COPY_FROM_USER] = "from", [FL_CLEAR_USER] = "clear",
};

static int exactness_usage(void)
{
	fl_cli_error("usage: faultline exactness [--kernel X.Y] [--verbose]");
	return FL_EXIT_USAGE;
}

static void print_row(const struct fl_arch *arch, enum fl_copy_dir dir,
		      const struct fl_rutland_counts *c, bool verbose)
{
	printf("%-12s %-5s %6lu %6lu %6lu %8lu %6lu %6lu", arch->name, dir_names[dir],
	       c->cases, c->pass, c->under_reports, c->clobbers, c->over_reports,
	       c->no_progress);
	if (verbose && c->failed)
		printf("   first: offset=%ld size=%zu ret=%zu: %s", c->first_fail.offset,
		       c->first_fail.size, c->first_fail.ret,
		       fl_rutland_assert_name(c->first_fail.failed));
	putchar('\n');
}

int cmd_exactness(int argc, char **argv)
{
	fl_kver_t kver = fl_kver_newest();
	bool verbose = false;
	char vbuf[32];
	unsigned a, d;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
			if (fl_kver_parse(argv[++i], &kver)) {
				fl_cli_error("--kernel: not a kernel version");
				return FL_EXIT_USAGE;
			}
		} else {
			return exactness_usage();
		}
	}
	printf("usercopy exactness, kernel %s (Rutland matrix: sizes 0..128 at both page edges)\n",
	       fl_kver_format(kver, vbuf, sizeof(vbuf)));
	printf("%-12s %-5s %6s %6s %6s %8s %6s %6s\n", "arch", "dir", "cases", "pass",
	       "under", "clobber", "over", "noprog");
	for (a = 0; a < FL_ARCH_COUNT; a++) {
		for (d = FL_COPY_TO_USER; d <= FL_CLEAR_USER; d++) {
			struct fl_rutland_counts c;
			int err = fl_rutland_run(a, kver, d, &c);

			if (err) {
				fl_cli_error("%s %s: matrix could not run (%s)",
					     fl_arch(a)->name, dir_names[d], strerror(-err));
				return FL_EXIT_BUG;
			}
			print_row(fl_arch(a), d, &c, verbose);
		}
	}
	return FL_EXIT_OK;
}
