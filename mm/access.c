/*
 * mm/access.c - the current process's memory as user mode and as the kernel
 * (uaccess) see it, and the set-up views poke/peek.
 *
 * Definitions
 *   accessible   a page may be used by an access of kind read/write when a
 *                VMA covers it, the VMA allows the access, and its pte is
 *                present (and writable for a write).  Otherwise the access
 *                faults; the fault handler may make it accessible.
 *   reach        fl_user_reach(): bytes accessible from ADDR in increasing
 *                order before the first fault that cannot be resolved, or
 *                any fault at all under pagefault_disable(), or the first
 *                16-byte slot whose allocation tag is not 0 (pointers carry
 *                tag 0; arm64 MTE granules are one slot, SPARC ADI's four).
 *   read access  allowed by VM_READ, VM_WRITE or VM_EXEC: the hardware of
 *                x86 and arm64 cannot express write-only, so the fault
 *                handlers test vma_is_accessible() for reads.
 *
 * Invariants
 *   1. A user-mode access transfers exactly the bytes before the first
 *      failure, page by page as the faults resolve, and reports one signal.
 *   2. fl_user_write/fl_user_read do no fault handling and no per-byte work:
 *      one page-table lookup per page, one memcpy per run of consecutive
 *      frames (the copy_to_user benchmark of 64 MiB needs at least half of
 *      memcpy's speed; it measures about 0.9).
 *   3. poke/peek never fire hooks and never check permissions.
 */
#include <string.h>

#include "mm/page_internal.h"
#include "mm/world_internal.h"

/* Why an access stopped. */
enum access_fail {
	ACC_OK,
	ACC_MAPERR,     /* no vma */
	ACC_ACCERR,     /* vma forbids the access */
	ACC_SIGBUS,     /* beyond EOF, or out of memory */
	ACC_HWPOISON,   /* memory failure */
	ACC_NOFAULT,    /* faults are disabled, or the fault made no progress */
	ACC_TAG,        /* granule tag mismatch */
};

/* A fault handler that keeps failing to make a page usable is given up. */
#define FL_ACCESS_MAX_TRIES 4

struct access {
	struct fl_mm *mm;
	bool write;
	bool user;
	enum access_fail fail;
	fl_addr_t fail_addr;
};

static bool vma_allows(const struct fl_vma *vma, bool write)
{
	if (write)
		return vma->flags & FL_VM_WRITE;
	return vma->flags & (FL_VM_READ | FL_VM_WRITE | FL_VM_EXEC);
}

static enum access_fail fault_fail(unsigned ret)
{
	if (ret & FL_VM_FAULT_HWPOISON)
		return ACC_HWPOISON;
	if (ret & (FL_VM_FAULT_SIGBUS | FL_VM_FAULT_OOM))
		return ACC_SIGBUS;
	return ACC_OK;
}

/*
 * The pte through which A may access the page of ADDR, faulting it in as
 * the hardware access would; NULL with a->fail set if it cannot.
 */
static fl_pte_t *access_page(struct fl_world *w, struct access *a, fl_addr_t addr)
{
	unsigned flags = (a->write ? FL_FAULT_WRITE : 0) | (a->user ? FL_FAULT_USER : 0);
	int tries;

	for (tries = 0; tries < FL_ACCESS_MAX_TRIES; tries++) {
		struct fl_vma *vma = fl_vma_lookup(a->mm, addr);
		fl_pte_t *pte;

		a->fail = !vma ? ACC_MAPERR : !vma_allows(vma, a->write) ? ACC_ACCERR : ACC_OK;
		if (a->fail)
			return NULL;
		pte = fl_pte_lookup(a->mm, addr);
		if (pte && fl_pte_allows(pte, a->write)) {
			pte->flags |= FL_PTE_YOUNG | (a->write ? FL_PTE_DIRTY : 0);
			return pte;
		}
		/* faulthandler_disabled(): a kernel access takes the fixup. */
		if (!a->user && fl_faulthandler_disabled(w))
			break;
		a->fail = fault_fail(fl_handle_mm_fault(w, vma, addr, flags));
		if (a->fail)
			return NULL;
		/* A guard marker stays: bad_area_nosemaphore, SEGV_MAPERR. */
		pte = fl_pte_lookup(a->mm, addr);
		if (pte && (pte->flags & FL_PTE_GUARD)) {
			a->fail = ACC_MAPERR;
			return NULL;
		}
	}
	a->fail = ACC_NOFAULT;
	return NULL;
}

/* Bytes of [off, off + n) of FOLIO before the first tagged slot. */
static size_t tag_clear_bytes(const struct fl_folio *folio, size_t off, size_t n)
{
	size_t slot;

	if (!folio->tags)
		return n;
	for (slot = off / FL_TAG_SLOT; slot * FL_TAG_SLOT < off + n; slot++)
		if (folio->tags[slot])
			return slot * FL_TAG_SLOT > off ? slot * FL_TAG_SLOT - off : 0;
	return n;
}

/*
 * Walk [addr, addr + len) as access A, calling MOVE (if any) on each usable
 * piece before going on.  Returns the bytes usable before the first failure.
 */
typedef void (*access_move_fn)(struct fl_world *w, fl_pte_t *pte, size_t off,
			       size_t done, size_t n, void *arg);

static size_t access_range(struct fl_world *w, struct access *a, fl_addr_t addr,
			   size_t len, access_move_fn move, void *arg)
{
	size_t done = 0;

	a->fail = ACC_OK;
	while (done < len) {
		fl_addr_t at = addr + done;
		size_t off = FL_PAGE_OFFSET(at);
		size_t n = FL_PAGE_SIZE - off, ok;
		fl_pte_t *pte;

		if (n > len - done)
			n = len - done;
		if (at < addr) {                 /* wrapped past the top */
			a->fail = ACC_MAPERR;
			a->fail_addr = at;
			break;
		}
		pte = access_page(w, a, at);
		if (!pte) {
			a->fail_addr = at;
			break;
		}
		ok = tag_clear_bytes(pte->folio, off, n);
		if (move && ok)
			move(w, pte, off, done, ok, arg);
		done += ok;
		if (ok < n) {
			a->fail = ACC_TAG;
			a->fail_addr = at + ok;
			break;
		}
	}
	return done;
}

static void mark_written(fl_pte_t *pte)
{
	pte->flags |= FL_PTE_DIRTY;
	if (pte->folio->mapping)
		pte->folio->flags |= FL_FOLIO_DIRTY;
}

static void move_store(struct fl_world *w, fl_pte_t *pte, size_t off,
		       size_t done, size_t n, void *arg)
{
	memcpy(fl_frame_mut(w, pte->folio->frame) + off, (const uint8_t *)arg + done, n);
	mark_written(pte);
}

static void move_load(struct fl_world *w, fl_pte_t *pte, size_t off,
		      size_t done, size_t n, void *arg)
{
	memcpy((uint8_t *)arg + done, fl_frame(w, pte->folio->frame) + off, n);
}

static void fill_signal(struct fl_world *w, const struct access *a,
			struct fl_signal *sig)
{
	static const struct { enum fl_sig sig; int code; } map[] = {
		[ACC_OK] = { FL_SIG_NONE, 0 },
		[ACC_MAPERR] = { FL_SIGSEGV, FL_SEGV_MAPERR },
		[ACC_ACCERR] = { FL_SIGSEGV, FL_SEGV_ACCERR },
		[ACC_SIGBUS] = { FL_SIGBUS, FL_BUS_ADRERR },
		[ACC_HWPOISON] = { FL_SIGBUS, FL_BUS_MCEERR_AR },
		/* a user fault that keeps failing: the kernel would retry forever */
		[ACC_NOFAULT] = { FL_SIGSEGV, FL_SEGV_ACCERR },
		[ACC_TAG] = { FL_SIGSEGV, FL_SEGV_MTESERR },
	};

	if (!sig)
		return;
	sig->sig = map[a->fail].sig;
	sig->code = map[a->fail].code;
	sig->addr = a->fail ? a->fail_addr : 0;
	if (a->fail == ACC_TAG && fl_world_arch(w)->id == FL_ARCH_SPARC64_ADI)
		sig->code = FL_SEGV_ADIPERR;
	/*
	 * x86's do_sigbus() has its BUS_MCEERR_AR branch under
	 * CONFIG_MEMORY_FAILURE; a kernel built without it sends BUS_ADRERR,
	 * as for any VM_FAULT_SIGBUS (seen on this 6.18 x86_64 host for the
	 * UFFDIO_POISON marker).  Only the signal changes: kernel accesses
	 * (GUP, uaccess) still see VM_FAULT_HWPOISON.
	 */
	if (a->fail == ACC_HWPOISON && fl_world_arch(w)->hwpoison_needs_memory_failure &&
	    !fl_world_kconfig(w, FL_KCONFIG_MEMORY_FAILURE))
		sig->code = FL_BUS_ADRERR;
	/* riscv's mm_fault_error() has no BUS_MCEERR_AR at all (arch.h) */
	if (a->fail == ACC_HWPOISON && fl_world_arch(w)->hwpoison_adrerr)
		sig->code = FL_BUS_ADRERR;
	if (a->fail == ACC_HWPOISON && fl_world_arch(w)->hwpoison_sigsegv) {
		sig->sig = FL_SIGSEGV;
		sig->code = FL_SEGV_MAPERR;
	}
}

static size_t user_access(struct fl_world *w, fl_addr_t addr, size_t len,
			  bool write, access_move_fn move, void *buf,
			  struct fl_signal *sig)
{
	struct access a = { fl_current_mm(w), write, true, ACC_OK, 0 };
	size_t done = 0;

	if (!buf && len) {
		fl_error(w, -EINVAL, "user access: no buffer");
		a.fail = ACC_MAPERR;
		a.fail_addr = addr;
	} else if (!a.mm) {
		a.fail = ACC_MAPERR;
		a.fail_addr = addr;
	} else {
		done = access_range(w, &a, addr, len, move, buf);
	}
	fill_signal(w, &a, sig);
	return done;
}

size_t fl_user_load(struct fl_world *w, fl_addr_t addr, void *buf, size_t len,
		    struct fl_signal *sig)
{
	return user_access(w, addr, len, false, move_load, buf, sig);
}

size_t fl_user_store(struct fl_world *w, fl_addr_t addr, const void *buf,
		     size_t len, struct fl_signal *sig)
{
	return user_access(w, addr, len, true, move_store, (void *)buf, sig);
}

/*
 * The reach over the pages that need nothing done - the VMA and the pte
 * allow the access and no tag is set - up to the first that does.  Almost
 * every copy meets only such pages, or stops where no VMA allows it, and
 * both are decided here without access_range()'s bookkeeping.  *REST is
 * set when a page needs a fault or holds a tag: access_range() takes over
 * at *DONE and decides that page as it would have.
 */
static size_t reach_ready_pages(struct fl_mm *mm, fl_addr_t addr, size_t len,
				bool write, bool *rest)
{
	size_t done = 0;

	*rest = false;
	while (done < len) {
		fl_addr_t at = addr + done;
		size_t n = FL_PAGE_SIZE - FL_PAGE_OFFSET(at);
		struct fl_vma *vma = fl_vma_lookup(mm, at);
		fl_pte_t *pte;

		/* A wrap, no VMA, or one that forbids it: access_page() stops too. */
		if (at < addr || !vma || !vma_allows(vma, write))
			break;
		pte = fl_pte_lookup(mm, at);
		if (!pte || !fl_pte_allows(pte, write) || pte->folio->tags) {
			*rest = true;
			break;
		}
		pte->flags |= FL_PTE_YOUNG | (write ? FL_PTE_DIRTY : 0);
		done += n < len - done ? n : len - done;
	}
	return done;
}

/*
 * The rest of a reach, from the first page that needs a fault or holds a
 * tag.  Out of line: inlined, its frame made every reach save six
 * registers that the ready pages do not need.
 */
static __attribute__((noinline)) size_t reach_rest(struct fl_world *w, struct fl_mm *mm,
						   fl_addr_t addr, size_t len, bool write)
{
	struct access a = { mm, write, false, ACC_OK, 0 };

	return access_range(w, &a, addr, len, NULL, NULL);
}

size_t fl_user_reach(struct fl_world *w, fl_addr_t addr, size_t len, unsigned acc)
{
	struct fl_mm *mm = fl_current_mm(w);
	bool write = (acc & FL_ACC_WRITE) != 0, rest;
	size_t ready;

	if (!mm)
		return 0;
	ready = reach_ready_pages(mm, addr, len, write, &rest);
	if (!rest)
		return ready;
	return ready + reach_rest(w, mm, addr + ready, len - ready, write);
}

/*
 * The pte of a page fl_user_reach() found reachable; NULL (with a message)
 * if the caller broke that contract.  Invariant 2: a lookup per page only.
 */
static fl_pte_t *reached_pte(struct fl_world *w, struct fl_mm *mm, fl_addr_t at,
			     bool write)
{
	fl_pte_t *pte = mm ? fl_pte_lookup(mm, at) : NULL;

	if (pte && fl_pte_allows(pte, write))
		return pte;
	fl_error(w, -EFAULT, "user %s at 0x%llx beyond the reach",
		 write ? "write" : "read", (unsigned long long)at);
	return NULL;
}

/*
 * Pages that sit in consecutive frames are copied with one memcpy: a large
 * copy lets the host's memcpy use its streaming stores, which per-page
 * copies do not (the copy_to_user benchmark's 64 MiB run is mostly this).
 */
struct copy_run {
	uint8_t *dst;
	const uint8_t *src;
	size_t n;
};

static void copy_run_add(struct copy_run *r, uint8_t *dst, const uint8_t *src,
			 size_t n)
{
	if (r->n && dst == r->dst + r->n && src == r->src + r->n) {
		r->n += n;
		return;
	}
	if (r->n)
		memcpy(r->dst, r->src, r->n);
	r->dst = dst;
	r->src = src;
	r->n = n;
}

static void copy_run_flush(struct copy_run *r)
{
	if (r->n)
		memcpy(r->dst, r->src, r->n);
	r->n = 0;
}

/*
 * The bytes at OFF of the page PTE maps, for a move in direction WRITE
 * (user <- kernel: the frame is written, so it is taken through
 * fl_frame_mut() and the pte marked; otherwise only read from, which the
 * cast's dropped const keeps).
 */
static uint8_t *user_bytes(struct fl_world *w, fl_pte_t *pte, size_t off, bool write)
{
	if (!write)
		return (uint8_t *)(uintptr_t)fl_frame(w, pte->folio->frame) + off;
	mark_written(pte);
	return fl_frame_mut(w, pte->folio->frame) + off;
}

/*
 * Move LEN bytes between kernel memory KBUF and the reachable user range
 * at ADDR, page by page, merging runs of consecutive frames into one
 * memcpy.  WRITE: user <- kbuf (and the ptes are marked written).
 */
static void user_move(struct fl_world *w, fl_addr_t addr, uint8_t *kbuf,
		      size_t len, bool write)
{
	struct fl_mm *mm = fl_current_mm(w);
	struct copy_run run = { NULL, NULL, 0 };
	size_t done = 0, off = FL_PAGE_OFFSET(addr);
	fl_pte_t *pte;
	uint8_t *u;

	/* Within one page (most copies): one lookup, one memcpy, no run. */
	if (len <= FL_PAGE_SIZE - off) {
		pte = reached_pte(w, mm, addr, write);
		if (!pte)
			return;
		u = user_bytes(w, pte, off, write);
		memcpy(write ? u : kbuf, write ? kbuf : u, len);
		return;
	}
	while (done < len) {
		fl_addr_t at = addr + done;
		size_t n;

		off = FL_PAGE_OFFSET(at);
		n = len - done < FL_PAGE_SIZE - off ? len - done : FL_PAGE_SIZE - off;
		pte = reached_pte(w, mm, at, write);
		if (!pte)
			break;
		u = user_bytes(w, pte, off, write);
		copy_run_add(&run, write ? u : kbuf + done, write ? kbuf + done : u, n);
		done += n;
	}
	copy_run_flush(&run);
}

void fl_user_write(struct fl_world *w, fl_addr_t addr, const void *src, size_t len)
{
	w->uaccess.to_user += len;
	/* A write only reads KBUF: the cast drops a const it keeps. */
	user_move(w, addr, (uint8_t *)(uintptr_t)src, len, true);
}

void fl_user_read(struct fl_world *w, void *dst, fl_addr_t addr, size_t len)
{
	w->uaccess.from_user += len;
	user_move(w, addr, dst, len, false);
}

struct fl_uaccess_count fl_user_moved_take(struct fl_world *w)
{
	struct fl_uaccess_count c = w->uaccess;

	w->uaccess = (struct fl_uaccess_count){ 0, 0 };
	return c;
}

/* ---- poke and peek ---- */

/* May poke write the page of PTE in place? (private: only if exclusive) */
static bool poke_can_write(struct fl_world *w, const struct fl_vma *vma,
			   const fl_pte_t *pte)
{
	const struct fl_folio *folio;

	if (!pte || !(pte->flags & FL_PTE_PRESENT))
		return false;
	folio = pte->folio;
	if (fl_folio_is_zero(w, folio))
		return false;
	if (vma->flags & FL_VM_SHARED)
		return true;
	return (folio->flags & FL_FOLIO_ANON) && (folio->flags & FL_FOLIO_ANON_EXCLUSIVE);
}

fl_pte_t *fl_poke_pte(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr)
{
	fl_pte_t *pte = fl_pte_lookup(vma->mm, addr);
	unsigned ret;

	if (poke_can_write(w, vma, pte))
		return pte;
	ret = __fl_handle_mm_fault(w, vma, FL_PAGE_ALIGN_DOWN(addr), FL_FAULT_WRITE);
	pte = fl_pte_lookup(vma->mm, addr);
	if ((ret & FL_VM_FAULT_ERROR) || !poke_can_write(w, vma, pte)) {
		fl_error(w, -EFAULT, "page at 0x%llx cannot be made present",
			 (unsigned long long)addr);
		return NULL;
	}
	return pte;
}

int fl_for_each_page_piece(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			   size_t len, const char *what, fl_page_piece_fn fn,
			   void *arg)
{
	size_t done = 0;
	int ret;

	while (done < len) {
		fl_addr_t at = addr + done;
		size_t off = FL_PAGE_OFFSET(at);
		size_t n = len - done < FL_PAGE_SIZE - off ? len - done : FL_PAGE_SIZE - off;
		struct fl_vma *vma = fl_vma_lookup(mm, at);

		if (!vma || at < addr)
			return fl_error(w, -EFAULT, "%s: no mapping at 0x%llx", what,
					(unsigned long long)at);
		ret = fn(w, vma, at, done, n, arg);
		if (ret)
			return ret;
		done += n;
	}
	return 0;
}

static int poke_piece(struct fl_world *w, struct fl_vma *vma, fl_addr_t at,
		      size_t done, size_t n, void *src)
{
	fl_pte_t *pte = fl_poke_pte(w, vma, at);

	if (!pte)
		return -EFAULT;
	memcpy(fl_frame_mut(w, pte->folio->frame) + FL_PAGE_OFFSET(at),
	       (const uint8_t *)src + done, n);
	mark_written(pte);
	return 0;
}

int fl_poke(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
	    const void *src, size_t len)
{
	if (!mm || (!src && len))
		return fl_error(w, -EINVAL, "poke: no mm or no data");
	/* The walk only reads SRC: the cast drops a const it keeps. */
	return fl_for_each_page_piece(w, mm, addr, len, "poke", poke_piece,
				      (void *)(uintptr_t)src);
}

/* The bytes the page of ADDR holds without faulting; NULL reads as zeros. */
static const uint8_t *peek_page(struct fl_world *w, struct fl_mm *mm,
				struct fl_vma *vma, fl_addr_t addr)
{
	fl_pte_t *pte = fl_pte_lookup(mm, addr);
	struct fl_folio *folio;
	uint64_t index;

	if (pte && (pte->flags & FL_PTE_PRESENT))
		return fl_frame(w, pte->folio->frame);
	if (pte && (pte->flags & FL_PTE_SWAP))
		return fl_frame(w, pte->swap->frame);
	/* A guard page reads as a hole (/proc/self/mem cannot read it). */
	if (!vma->file || (pte && (pte->flags & (FL_PTE_POISON | FL_PTE_GUARD))))
		return NULL;
	index = vma->pgoff + ((addr - vma->start) >> FL_PAGE_SHIFT);
	folio = index < fl_file_pages(vma->file) ?
		fl_filemap_get_folio(w, vma->file, index, false) : NULL;
	return folio ? fl_frame(w, folio->frame) : NULL;
}

static int peek_piece(struct fl_world *w, struct fl_vma *vma, fl_addr_t at,
		      size_t done, size_t n, void *dst)
{
	const uint8_t *page = peek_page(w, vma->mm, vma, at);

	if (page)
		memcpy((uint8_t *)dst + done, page + FL_PAGE_OFFSET(at), n);
	else
		memset((uint8_t *)dst + done, 0, n);
	return 0;
}

int fl_peek(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
	    void *dst, size_t len)
{
	if (!mm || (!dst && len))
		return fl_error(w, -EINVAL, "peek: no mm or no buffer");
	return fl_for_each_page_piece(w, mm, addr, len, "peek", peek_piece, dst);
}
