/*
 * cli/cmd_exactness.c - `faultline exactness [--kernel X.Y|NAME|PATH] [--verbose]`:
 * the usercopy exactness table, computed by running Mark Rutland's matrix
 * (uaccess/rutland.c) on every architecture and direction of the model.
 * Nothing in the table is written down: change an arch routine and the
 * table changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/eras.h>
#include <faultline/uaccess.h>

#include "cli/cli.h"
#include "cli/vm.h"

static const char *const dir_names[] = {
	[FL_COPY_TO_USER] = "to", [FL_COPY_FROM_USER] = "from", [FL_CLEAR_USER] = "clear",
};

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

/*
 * What the columns count: printed under the table, because `pass` is
 * Rutland's verdict (his assertions tolerate under-reporting), not
 * "byte-exact".  A case can be counted in several of under, clobber, over
 * and noprog, and an under-report can pass.
 */
static void print_legend(void)
{
	puts("\ncases    sizes x offsets run (Rutland's 16770)\n"
	     "pass     Rutland's assertions held; they allow under-reporting, so pass is not\n"
	     "         'byte-exact' (byte-exact: under = clobber = over = noprog = 0 and pass = cases)\n"
	     "under    fewer bytes reported copied than were accessible (0 < reported)\n"
	     "clobber  bytes written past the reported count\n"
	     "over     bytes reported copied that do not hold the source (sparc64)\n"
	     "noprog   nothing reported although bytes were accessible\n"
	     "A case can be counted under several of under, clobber, over, noprog.");
}

struct exactness_opts {
	fl_kver_t kver;
	bool verbose;
	const char *judge, *modules;    /* a real kernel (docs/vm.md) */
	uint64_t max_size;
	uint64_t watchdog_ticks;        /* 0: the guest's default */
};

enum { OPT_KERNEL = 0x100, OPT_MODULES, OPT_MAX_SIZE, OPT_WATCHDOG };

static const struct fl_opt exactness_options[] = {
	{ "kernel", OPT_KERNEL, "X.Y|NAME|PATH", "a version, 4.3 to 6.18.x (default: the newest), or a "
	  "kernel judged under QEMU (docs/vm.md)" },
	{ "modules", OPT_MODULES, "DIR", "with --kernel PATH: its modules" },
	{ "max-size", OPT_MAX_SIZE, "N", "with a real kernel: sizes 0..N only (default 128)" },
	{ "watchdog-ticks", OPT_WATCHDOG, "N", "with a real kernel: kill a call after N ticks (10 ms) "
	  "of guest CPU (default 20; docs/vm.md \"The watchdog's margin\")" },
	{ "verbose", 'v', NULL, "the first failing case of each row" },
	{ NULL, 0, NULL, NULL },
};

/* A version the era table covers: from its oldest rule to the newest release. */
static bool kver_modelled(fl_kver_t v)
{
	fl_kver_t oldest = fl_kver_newest();
	unsigned i;

	for (i = 0; i < FL_ERA_COUNT; i++)
		if (fl_era((enum fl_era_id)i)->since < oldest)
			oldest = fl_era((enum fl_era_id)i)->since;
	return v >= oldest && (v & ~0xffffu) <= fl_kver_newest();
}

static int exactness_set(void *ctx, int key, const char *arg)
{
	struct exactness_opts *o = ctx;
	char a[32], b[32];

	if (key == 'v') {
		o->verbose = true;
	} else if (key == OPT_MODULES) {
		o->modules = arg;
	} else if (key == OPT_MAX_SIZE) {
		return fl_cli_u64("exactness", "--max-size", arg, 0, 128, &o->max_size);
	} else if (key == OPT_WATCHDOG) {
		return fl_cli_u64("exactness", "--watchdog-ticks", arg, 2, 6000, &o->watchdog_ticks);
	} else if (key == OPT_KERNEL && fl_kver_parse(arg, &o->kver)) {
		o->judge = arg;         /* not a version: a real kernel to boot */
	} else if (key == OPT_KERNEL) {
		if (!kver_modelled(o->kver)) {
			fl_cli_error("exactness: --kernel '%s': expected a modelled version, %s to %s.x "
				     "(faultline eras)", arg, fl_kver_format(FL_KV(4, 3, 0), a, sizeof(a)),
				     fl_kver_format(fl_kver_newest(), b, sizeof(b)));
			return FL_EXIT_USAGE;
		}
	}
	return FL_EXIT_OK;
}

static const struct fl_cmd_spec exactness_spec = {
	"exactness", "[OPTIONS]",
	"Usercopy exactness by architecture and direction: Mark Rutland's matrix,\n"
	"run on the model (the columns are explained under the table).",
	exactness_options, exactness_set,
};

int cmd_exactness(int argc, char **argv)
{
	struct exactness_opts o = { fl_kver_newest(), false, NULL, NULL, 128, 0 };
	char vbuf[32];
	unsigned a, d;
	int rc;

	rc = fl_cli_parse_no_operand(&exactness_spec, argc, argv, &o);
	if (rc)
		return fl_cli_parsed(rc);
	if (o.judge)
		return vm_exactness(o.judge, o.modules, (long)o.max_size,
				    (unsigned)o.watchdog_ticks, o.verbose);
	printf("usercopy exactness, kernel %s (Rutland matrix: sizes 0..128 at both page edges)\n",
	       fl_kver_format(o.kver, vbuf, sizeof(vbuf)));
	printf("%-12s %-5s %6s %6s %6s %8s %6s %6s\n", "arch", "dir", "cases", "pass",
	       "under", "clobber", "over", "noprog");
	for (a = 0; a < FL_ARCH_COUNT; a++) {
		for (d = FL_COPY_TO_USER; d <= FL_CLEAR_USER; d++) {
			struct fl_rutland_counts c;
			int err = fl_rutland_run(a, o.kver, d, &c);

			if (err) {
				fl_cli_error("%s %s: matrix could not run (%s)",
					     fl_arch(a)->name, dir_names[d], strerror(-err));
				return FL_EXIT_BUG;
			}
			print_row(fl_arch(a), d, &c, o.verbose);
		}
	}
	print_legend();
	return FL_EXIT_OK;
}
