/*
 * callers/readdir.c - getdents64(2) and getdents(2) (fs/readdir.c: the
 * syscalls, iterate_dir and their filldir64 and filldir actors) on a
 * tmpfs directory.
 *
 * Definitions
 *   record     one struct linux_dirent64 in the user buffer: d_ino (8
 *              bytes at +0), d_off (8 at +8), d_reclen (2 at +16), d_type
 *              (1 at +18), the name and its NUL from +19; its length
 *              reclen = ALIGN(19 + namelen + 1, 8), so "." and ".." and
 *              every name of 1 to 4 bytes make 24, 5 to 12 bytes 32.
 *   old record one struct linux_dirent (getdents(2)), L the user ABI's
 *              long (fl_arch.user_long): d_ino (L bytes at +0), d_off (L
 *              at +L), d_reclen (2 at +2L), the name and its NUL from
 *              +2L+2, and d_type in the record's last byte; reclen =
 *              ALIGN(2L + 2 + namelen + 2, L): 24 for "." to a 4-byte
 *              name on a 64-bit ABI, 16 for "." and ".." and 20 for a
 *              4-byte name on i386 and arm.  arm64 and riscv64 have no
 *              getdents(2) (asm-generic's table): -ENOSYS.  d_ino is an
 *              unsigned long: an inode number it cannot hold is
 *              -EOVERFLOW on 32-bit, which the model's small numbers
 *              never are.
 *   position   the directory's ctx->pos as the model counts it: the
 *              records emitted so far, "." (0) and ".." (1) first, then
 *              the entries.  tmpfs (dcache_readdir, later offset_readdir)
 *              emits the dots first (dir_emit_dots); a record the actor
 *              refused is not consumed, so the next call starts with it.
 *   order      which entry comes when is the file system's: on tmpfs
 *              the newest first (the model's order; measured on 5.10,
 *              6.1, 6.12 guests and the 6.18 host), on ext4 the name
 *              hash's, with ".." among them (measured here).  Every entry
 *              of a `dir` has one name length, hence one reclen, and the
 *              dots come first on tmpfs: the order changes no return value
 *              and no position, only which name lies where.
 *
 * What a call does (6.18; the syscall since the prev_reclen rework,
 * filldir64's stores since 9f79b78ef744 "Convert filldir[64]() from
 * __put_user() to unsafe_put_user()", 5.4; getdents(2) and filldir do
 * the same, their d_type stored at the record's end):
 *   1. fdget_pos: no open descriptor is -EBADF (before anything else).
 *   2. iterate_dir: a file without ->iterate_shared (a regular file, a
 *      pipe) is -ENOTDIR; a removed directory (IS_DEADDIR) is -ENOENT.
 *   3. filldir64 for each record from the position: reclen > the room
 *      left is -EINVAL; user_write_access_begin(prev, prev_reclen +
 *      reclen) is access_ok only; then the stores, each all or nothing:
 *      the previous record's d_off (for the first record, its own d_off,
 *      overwritten later), d_ino, d_reclen, d_type, the NUL after the
 *      name, the name (unsafe_copy_dirent_name: NUL first).  A fault is
 *      -EFAULT and stops the walk; the room left is an int, so a COUNT
 *      above INT_MAX is negative room: -EINVAL at the first record
 *      (measured on 6.18: count 2^31 gives EINVAL).
 *   4. The result: if a record was written, the last one's d_off is set
 *      to ctx->pos and the call returns the bytes of whole records (the
 *      error of the record that stopped it is dropped); else the error,
 *      or 0 at the end of the directory.
 *
 * Eras: up to 5.x the syscall also checked access_ok(dirent, count)
 * before the descriptor (seen in fs/readdir.c of 5.4-era trees); the
 * 6.x syscall has no such check and checks each record instead.  The
 * commit that removed it is not verified here, so a buffer whose [buf,
 * buf + count) fails access_ok is `unsupported` on every era.  Before
 * 9f79b78ef744 the stores came in another order (d_ino, a zero d_off,
 * d_reclen, d_type, the name, its NUL): only the bytes a faulting record
 * leaves differ, never a return value; the model writes 6.18's order on
 * every era (on paper for the older ones).
 *
 * Invariants
 *   1. 0 <= pos <= 2 + nents; pos only grows.
 *   2. A call returns > 0 only as the sum of the reclens of the records
 *      it consumed, and pos grows by their number.
 *   3. Padding bytes (after the NUL, up to reclen) are never written, and
 *      d_ino / d_off hold the model's own numbers (the host's differ):
 *      only d_reclen, d_type and the names are observables to compare.
 *   4. Model state lives in the arena: snapshots cover it.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "callers/internal.h"

#define DIR_INO_BASE 0x1000u    /* the model's inode numbers: base + record */

/* Where a record's fields lie: struct linux_dirent64, or linux_dirent. */
struct dirent_layout {
	const char *call;       /* for the trace: "getdents64" */
	unsigned word;          /* d_ino's and d_off's size, and the alignment */
	unsigned name;          /* offsetof(d_name) */
	unsigned tail;          /* bytes after the name: its NUL, + d_type (old) */
	bool type_last;         /* d_type: the record's last byte, or at name - 1 */
};

static const struct dirent_layout dirent64 = { "getdents64", 8, 19, 1, false };

struct fl_dir {
	struct fl_named n;      /* first: the state's dirs list links it */
	struct fl_dir_shape s;  /* s.removed: rmdir'ed, IS_DEADDIR */
	unsigned pos;           /* records emitted: ctx->pos */
};

static unsigned rec_len(const struct dirent_layout *l, unsigned namelen)
{
	return (l->name + namelen + l->tail + l->word - 1) & ~(l->word - 1);
}

int fl_dir_create(struct fl_world *w, const char *name, const struct fl_dir_shape *s)
{
	struct fl_dir *d;
	int err;

	if (s->nents > FL_DIR_MAX_ENTRIES || !s->namelen || s->namelen > 255 ||
	    (s->removed && s->nents) || s->subdirs > s->nents ||
	    s->symlinks > s->nents - s->subdirs)
		return fl_error(w, -EINVAL, "dir %s: %u entries (%u directories, %u links) "
				"of %u bytes%s", name ? name : "?", s->nents, s->subdirs,
				s->symlinks, s->namelen, s->removed ? ", removed" : "");
	err = fl_named_add(w, offsetof(struct fl_callers_state, dirs), "dir", name,
			   sizeof(*d), (void **)&d);
	if (err)
		return err;
	d->s = *s;
	return 0;
}

struct fl_dir *fl_dir_find(struct fl_world *w, const char *name)
{
	return fl_named_find(w, offsetof(struct fl_callers_state, dirs), name);
}

unsigned fl_dir_pos(const struct fl_dir *dir)
{
	return dir->pos;
}

void fl_dir_rewind(struct fl_dir *dir)
{
	dir->pos = 0;
}

unsigned fl_dir_records(const struct fl_dir *dir)
{
	return 2 + dir->s.nents;
}

/* Record R: ".", "..", then the entries newest first (tmpfs, 5.10 to 6.18). */
static void record_of(const struct fl_dir *d, unsigned r, char *name, unsigned *len,
		      unsigned *type)
{
	if (r < 2) {
		strcpy(name, r ? ".." : ".");
		*len = r + 1;
		*type = FL_DT_DIR;
		return;
	}
	fl_dir_entry_name(d->s.nents - 1 - (r - 2), d->s.namelen, name);
	*len = d->s.namelen;
	*type = fl_dir_entry_type(&d->s, d->s.nents - 1 - (r - 2));
}

struct getdents_ctx {
	fl_addr_t cur;          /* current_dir */
	unsigned prev_reclen;
	int count;              /* the room left: an int, as the kernel's */
	long error;
};

static bool put(struct fl_world *w, uint64_t v, fl_addr_t at, size_t size)
{
	return fl_put_user(w, &v, at, size) == 0;      /* little-endian hosts and guests */
}

/* filldir64 and filldir: true to go on, false with ctx->error set. */
static bool filldir(struct fl_world *w, struct getdents_ctx *c, const struct dirent_layout *l,
		    const char *name, unsigned namelen, uint64_t next_pos, uint64_t ino,
		    unsigned type)
{
	unsigned reclen = rec_len(l, namelen);
	fl_addr_t prev = c->cur - c->prev_reclen;
	fl_addr_t type_at = l->type_last ? c->cur + reclen - 1 : c->cur + l->name - 1;

	c->error = -EINVAL;
	if (c->count < 0 || reclen > (unsigned)c->count)
		return false;
	c->error = -EFAULT;
	if (!fl_access_ok(w, prev, c->prev_reclen + reclen))
		return false;
	if (!put(w, next_pos, prev + l->word, l->word) || !put(w, ino, c->cur, l->word) ||
	    !put(w, reclen, c->cur + 2 * l->word, 2) || !put(w, type, type_at, 1) ||
	    !put(w, 0, c->cur + l->name + namelen, 1) ||
	    fl_copy_to_user(w, c->cur + l->name, name, namelen))
		return false;
	c->error = 0;
	c->prev_reclen = reclen;
	c->cur += reclen;
	c->count -= (int)reclen;
	return true;
}

static long getdents(struct fl_world *w, const struct dirent_layout *l, struct fl_dir *dir,
		     fl_addr_t buf, uint64_t count)
{
	uint32_t count32 = (uint32_t)count;     /* the syscall's unsigned int */
	struct getdents_ctx c = { buf, 0, (int)count32, 0 };
	unsigned first, r, len, type;
	char name[256];

	if (!fl_access_ok(w, buf, count32))
		return fl_error(w, -EOPNOTSUPP, "%s: [buf, buf + count) fails access_ok: "
				"when the syscall stopped checking that first is not verified",
				l->call);
	if (!dir)
		return -ENOTDIR;
	if (dir->s.removed)
		return -ENOENT;
	for (first = r = dir->pos; r < 2 + dir->s.nents; r++) {
		record_of(dir, r, name, &len, &type);
		if (!filldir(w, &c, l, name, len, r + 1, DIR_INO_BASE + r, type))
			break;
	}
	dir->pos = r;
	fl_trace(w, "%s 0x%llx+%llu: records %u..%u of %u, %s", l->call, (unsigned long long)buf,
		 (unsigned long long)count, first, r, 2 + dir->s.nents,
		 c.prev_reclen ? "whole records returned" :
		 c.error == -EINVAL ? "the first record does not fit: EINVAL" :
		 c.error == -EFAULT ? "the first record faulted: EFAULT" : "end of directory");
	if (!c.prev_reclen)
		return c.error;
	/* the last record's d_off: ctx->pos (put_user, fs/readdir.c) */
	if (!put(w, r, c.cur - c.prev_reclen + l->word, l->word))
		return -EFAULT;
	return (long)(c.cur - buf);
}

long fl_sys_getdents64(struct fl_world *w, struct fl_dir *dir, fl_addr_t buf, uint64_t count)
{
	return getdents(w, &dirent64, dir, buf, count);
}

long fl_sys_getdents(struct fl_world *w, struct fl_dir *dir, fl_addr_t buf, uint64_t count)
{
	unsigned word = fl_world_arch(w)->user_long;
	struct dirent_layout old = { "getdents", word, 2 * word + 2, 2, true };

	if (!fl_world_arch(w)->has_getdents)
		return -ENOSYS;
	return getdents(w, &old, dir, buf, count);
}
