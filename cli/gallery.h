/*
 * cli/gallery.h - table lines (`#: summary`, `#: cases`) and the judging of
 * an explored vary file, for `faultline run --table` (cli/gallery.c).
 */
#ifndef FL_CLI_GALLERY_H
#define FL_CLI_GALLERY_H

#include <faultline/explore.h>

#include "cli/cli.h"

struct gallery_header {
	char summary[100];              /* "" if the file has none */
	bool has_cases;
	uint64_t cases[FL_CLASS_COUNT]; /* the stated counts, by class */
};

/*
 * FILE's table lines into H ("-": standard input, fl_cli_stdin_text()).
 * 0, -errno (the file cannot be read), or -EINVAL with one line
 * "FILE:LINE: error: ..." in ERR.
 */
int gallery_header_read(const char *file, struct gallery_header *h, char *err,
			size_t len);
/* "pass 1545, expect-failed 15096 of 16641" into BUF. */
void gallery_counts(const uint64_t *counts, uint64_t total, char *buf, size_t len);
/* The verdict of exploration E against H's stated counts; WHY the counts. */
enum fl_verdict gallery_judge(const struct fl_explore *e, const struct gallery_header *h,
			      char *why, size_t len);

#endif
