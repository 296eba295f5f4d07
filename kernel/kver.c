/*
 * kernel/kver.c - kernel version numbers: parse, format, and the one
 * comparison the rest of faultline is allowed (through fl_kver_has()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdatomic.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <faultline/eras.h>

/* Parse a decimal component into *OUT; returns the end, or NULL. */
static const char *parse_part(const char *s, unsigned long max, unsigned *out)
{
	unsigned long v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return NULL;
		p++;
	}
	*out = (unsigned)v;
	return p;
}

int fl_kver_parse(const char *s, fl_kver_t *v)
{
	unsigned maj, min, patch = 0, rc;
	const char *p = s;

	if (!s || !(p = parse_part(p, 255, &maj)) || *p++ != '.' ||
	    !(p = parse_part(p, 255, &min)))
		return -EINVAL;
	if (*p == '.') {
		/* A stable release: no -rc may follow ("5.7.3-rc1" is not one). */
		if (!(p = parse_part(p + 1, 65535, &patch)))
			return -EINVAL;
	} else if (!strncmp(p, "-rc", 3)) {
		/* 6.15-rc6 behaves as 6.15 for every rule the era table knows. */
		if (!(p = parse_part(p + 3, 99, &rc)))
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	*v = FL_KV(maj, min, patch);
	return 0;
}

char *fl_kver_format(fl_kver_t v, char *buf, size_t len)
{
	if (FL_KV_PATCH(v))
		snprintf(buf, len, "%u.%u.%u", FL_KV_MAJOR(v), FL_KV_MINOR(v),
			 FL_KV_PATCH(v));
	else
		snprintf(buf, len, "%u.%u", FL_KV_MAJOR(v), FL_KV_MINOR(v));
	return buf;
}

bool fl_kver_has(fl_kver_t v, enum fl_era_id id)
{
	const struct fl_era *e = fl_era(id);
	int i;

	if (!e)
		return false;
	if (v >= e->since)
		return true;
	/* A stable backport: same major.minor series, at or past the patch. */
	for (i = 0; i < FL_ERA_MAX_STABLE && e->stable[i]; i++)
		if ((v & 0xffff0000u) == (e->stable[i] & 0xffff0000u) &&
		    v >= e->stable[i])
			return true;
	return false;
}

/* A judge other than this machine (fl_host_set_judge()); kver 0: none. */
static struct {
	fl_kver_t kver;
	int arch;
	unsigned kconfig_off, cpu_off;
} judge = { 0, -1, 0, 0 };

void fl_host_set_judge(fl_kver_t kver, int arch, unsigned kconfig_off, unsigned cpu_off)
{
	judge.kver = kver;
	judge.arch = kver ? arch : -1;
	judge.kconfig_off = kconfig_off;
	judge.cpu_off = cpu_off;
}

int fl_host_judge_arch(void)
{
	return judge.arch;
}

unsigned fl_host_cpu_off(void)
{
	return judge.cpu_off;
}

/* The running kernel's version (uname -r: "6.18.44-fc"), or 0. */
fl_kver_t fl_host_kver(void)
{
	struct utsname u;
	unsigned maj, min, patch = 0;
	fl_kver_t v = 0;

	if (judge.kver)
		return judge.kver;
	if (uname(&u) == 0 && sscanf(u.release, "%u.%u.%u", &maj, &min, &patch) >= 2 &&
	    maj < 256 && min < 256)
		v = FL_KV(maj, min, patch > 65535 ? 65535 : patch);
	return v;
}

/* This machine's build (kernel/host_probe.c), or the judge's. */
unsigned fl_host_kconfig_off(void)
{
	static atomic_int probed = -1;   /* explore's threads ask too */

	if (judge.kver)
		return judge.kconfig_off;
	if (probed < 0)
		probed = (int)fl_host_probe_kconfig_off();
	return (unsigned)probed;
}
