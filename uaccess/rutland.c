/*
 * uaccess/rutland.c - Mark Rutland's usercopy test matrix ("usercopy:
 * generic tests + arm64 fixes", LKML, March 2023; never merged) run on
 * the full model, so that the exactness of each architecture's routines
 * is computed, not written down.
 *
 * Address space of every case (P = 4096):
 *
 *   0x1ff000        0x200000                 0x201000
 *   | unmapped      | one rw anon page        | unmapped
 *              [ offset in [-size, 0] ]  [ offset in [P - size, P] ]
 *
 * Each case: fill the page (copy_to_user: zeroes; copy_from_user and
 * clear_user: the pattern i & 0xff) and the 64-byte aligned kernel buffer
 * (the pattern, or zeroes for copy_from_user), make the call, then check
 * his assertions in his order.  His test stopped at the first failure;
 * this one goes on and counts, remembering the first failing case.
 */
#include <stdlib.h>
#include <string.h>

#include "uaccess/internal.h"

#define RUTLAND_BASE ((fl_addr_t)2 << 20)
#define RUTLAND_MAX_SIZE 128
#define P ((long)FL_PAGE_SIZE)

static const char *const assert_names[FL_RUTLAND_ASSERT_COUNT] = {
	[FL_RUTLAND_OK] = "ok",
	[FL_RUTLAND_RET_TOO_BIG] = "return value is impossibly large",
	[FL_RUTLAND_IMPOSSIBLE_COPY] = "impossible copy did not fail",
	[FL_RUTLAND_POSSIBLE_FAILED] = "completely possible copy failed",
	[FL_RUTLAND_TOO_FEW] = "too few bytes consumed",
	[FL_RUTLAND_TOO_MANY] = "too many bytes consumed",
	[FL_RUTLAND_SRC_MODIFIED] = "source bytes modified",
	[FL_RUTLAND_PRE_DST_MODIFIED] = "pre-destination bytes modified",
	[FL_RUTLAND_POST_DST_MODIFIED] = "post-destination bytes modified",
	[FL_RUTLAND_COPY_INCORRECT] = "copied bytes incorrect",
};

const char *fl_rutland_assert_name(enum fl_rutland_assert a)
{
	return (unsigned)a < FL_RUTLAND_ASSERT_COUNT ? assert_names[a] : "?";
}

struct rutland {
	struct fl_world *w;
	struct fl_mm *mm;
	enum fl_copy_dir dir;
	uint8_t *kbuf;                /* P bytes, 64-byte aligned */
	uint8_t pattern[FL_PAGE_SIZE];
	uint8_t zeroes[FL_PAGE_SIZE];
	uint8_t ubuf[FL_PAGE_SIZE];   /* the user page after the call */
};

/* The buffers before the call: which side holds the pattern. */
static int rutland_fill(struct rutland *r)
{
	bool user_pattern = r->dir != FL_COPY_TO_USER;

	memcpy(r->kbuf, r->dir == FL_COPY_TO_USER ? r->pattern : r->zeroes, P);
	return fl_poke(r->w, r->mm, RUTLAND_BASE,
		       user_pattern ? r->pattern : r->zeroes, P);
}

static unsigned long rutland_call(struct rutland *r, long offset, size_t size)
{
	fl_addr_t uaddr = RUTLAND_BASE + (fl_addr_t)offset;

	switch (r->dir) {
	case FL_COPY_TO_USER:
		return fl_copy_to_user(r->w, uaddr, r->kbuf, size);
	case FL_COPY_FROM_USER:
		return fl___copy_from_user(r->w, r->kbuf, uaddr, size);
	default:
		return fl_clear_user(r->w, uaddr, size);
	}
}

/* assert_size_valid */
static enum fl_rutland_assert check_size(long offset, size_t size, size_t ret)
{
	if (ret > size)
		return FL_RUTLAND_RET_TOO_BIG;
	if (offset < 0 || offset >= P)
		return ret == size ? FL_RUTLAND_OK : FL_RUTLAND_IMPOSSIBLE_COPY;
	if (offset + (long)size <= P)
		return ret == 0 ? FL_RUTLAND_OK : FL_RUTLAND_POSSIBLE_FAILED;
	if (ret == size)
		return FL_RUTLAND_TOO_FEW;
	if ((long)ret < offset + (long)size - P)
		return FL_RUTLAND_TOO_MANY;
	return FL_RUTLAND_OK;
}

/* Any byte of BUF[from, to) (clipped to the page) that is not EXPECT's? */
static bool range_changed(const uint8_t *buf, const uint8_t *expect, long from, long to)
{
	if (from < 0)
		from = 0;
	if (to > P)
		to = P;
	return from < to && memcmp(buf + from, expect + from, (size_t)(to - from));
}

/* The views of one case: destination page and offset, source and offset. */
struct rutland_view {
	const uint8_t *dst, *dst_before, *src, *src_before;
	long dst_off, src_off;
};

static void rutland_view(const struct rutland *r, long offset, struct rutland_view *v)
{
	bool to = r->dir == FL_COPY_TO_USER;

	v->dst = to || r->dir == FL_CLEAR_USER ? r->ubuf : r->kbuf;
	v->dst_off = r->dir == FL_COPY_FROM_USER ? 0 : offset;
	v->dst_before = to ? r->zeroes : r->pattern;
	if (r->dir == FL_COPY_FROM_USER)
		v->dst_before = r->zeroes;
	v->src = to ? r->kbuf : r->ubuf;
	v->src_off = to ? 0 : offset;
	v->src_before = r->pattern;
}

/* The bytes reported copied: the source's (or zeroes for clear_user)? */
static bool copy_incorrect(const struct rutland *r, const struct rutland_view *v,
			   size_t copied)
{
	long i;

	for (i = 0; i < (long)copied; i++) {
		long d = v->dst_off + i, s = v->src_off + i;
		uint8_t want;

		if (d < 0 || d >= P)
			return true;
		if (r->dir == FL_CLEAR_USER)
			want = 0;
		else if (s < 0 || s >= P)
			return true;
		else
			want = r->pattern[s];
		if (v->dst[d] != want)
			return true;
	}
	return false;
}

static void rutland_count(struct rutland *r, long offset, size_t size, size_t ret,
			  struct fl_rutland_counts *c)
{
	struct rutland_view v;
	enum fl_rutland_assert a = check_size(offset, size, ret);
	long accessible = offset < 0 || offset >= P ? 0 :
			  (offset + (long)size <= P ? (long)size : P - offset);
	long copied = (long)size - (long)ret;
	bool src_mod, pre_mod, post_mod, incorrect;

	rutland_view(r, offset, &v);
	src_mod = r->dir != FL_CLEAR_USER && memcmp(v.src, v.src_before, P);
	pre_mod = range_changed(v.dst, v.dst_before, 0, v.dst_off);
	post_mod = range_changed(v.dst, v.dst_before, v.dst_off + copied, P);
	incorrect = ret <= size && copy_incorrect(r, &v, (size_t)copied);
	if (a == FL_RUTLAND_OK)
		a = src_mod ? FL_RUTLAND_SRC_MODIFIED :
		    pre_mod ? FL_RUTLAND_PRE_DST_MODIFIED :
		    post_mod ? FL_RUTLAND_POST_DST_MODIFIED :
		    incorrect ? FL_RUTLAND_COPY_INCORRECT : FL_RUTLAND_OK;
	c->cases++;
	c->pass += a == FL_RUTLAND_OK;
	c->no_progress += accessible > 0 && ret == size;
	c->under_reports += copied > 0 && copied < accessible;
	c->clobbers += post_mod;
	c->over_reports += incorrect;
	if (a != FL_RUTLAND_OK && !c->failed) {
		c->failed = true;
		c->first_fail = (struct fl_rutland_case){ offset, size, ret, a };
	}
}

static int rutland_case(struct rutland *r, long offset, size_t size,
			struct fl_rutland_counts *c)
{
	unsigned long ret;
	int err = rutland_fill(r);

	if (err)
		return err;
	ret = rutland_call(r, offset, size);
	err = fl_peek(r->w, r->mm, RUTLAND_BASE, r->ubuf, P);
	if (err)
		return err;
	rutland_count(r, offset, size, ret, c);
	return 0;
}

static int rutland_setup(struct rutland *r, enum fl_arch_id arch, fl_kver_t kver)
{
	struct fl_world_config cfg = { .arch = arch, .kver = kver, .max_frames = 64 };
	struct fl_process *p;
	long addr;
	int i, err;

	for (i = 0; i < P; i++)
		r->pattern[i] = (uint8_t)(i & 0xff);
	r->w = fl_world_new(&cfg);
	if (!r->w)
		return -ENOMEM;
	err = fl_process_new(r->w, "rutland", &p);
	if (err)
		return err;
	r->mm = p->mm;
	addr = fl_mmap(r->w, r->mm, RUTLAND_BASE, FL_PAGE_SIZE,
		       FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0);
	return addr < 0 ? (int)addr : 0;
}

int fl_rutland_run(enum fl_arch_id arch, fl_kver_t kver, enum fl_copy_dir dir,
		   struct fl_rutland_counts *out)
{
	struct rutland *r;
	long size, offset;
	int err = -ENOMEM;

	if (!fl_arch(arch) || !out || (unsigned)dir > FL_CLEAR_USER)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->dir = dir;
	r->kbuf = aligned_alloc(64, FL_PAGE_SIZE);
	if (!r->kbuf)
		goto out_free;
	err = rutland_setup(r, arch, kver);
	if (err)
		goto out_world;
	/* His for_each_size_offset: [-size, 0], then [P - size, P]. */
	for (size = 0; size <= RUTLAND_MAX_SIZE && !err; size++)
		for (offset = -size; offset <= P && !err;
		     offset = offset ? offset + 1 : P - size)
			err = rutland_case(r, offset, (size_t)size, out);
out_world:
	fl_world_free(r->w);
	free(r->kbuf);
out_free:
	free(r);
	return err;
}
