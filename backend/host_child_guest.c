/*
 * backend/host_child_guest.c - what a scenario process runs only inside a
 * guest kernel (docs/vm.md "What only a guest runs"): the statements this
 * machine refuses because they would need memory tagging, would take a
 * real page of the machine out of service, or need a btrfs file system.
 * The agent's HELLO says which of them its kernel can do
 * (fl_host_child_caps()); the runner refuses the rest before anything
 * runs (host_refuse.c).
 *
 *   tag ADDR LEN TAG   arm64 MTE: the pages of the range get PROT_MTE
 *                      (mprotect with the mapping's own protection, made
 *                      writable while the tags are set: do_tag()), the
 *                      process enables the tagged address ABI with
 *                      synchronous tag check faults, and STG sets the
 *                      allocation tag of each 16-byte granule.  Pointers
 *                      keep tag 0, so a later access to a granule tagged
 *                      non-zero faults, in user mode and in the kernel's
 *                      uaccess alike: the model's `tag`.
 *   poison ADDR        madvise(MADV_HWPOISON) of ADDR's page, made present
 *                      first through /proc/self/mem as the model's poison
 *                      makes it present (a read fault; the zero page gets a
 *                      page of its own: make_present()).
 *                      The SIGBUS a 6.11+ kernel sends the caller during
 *                      the call is caught and replied (sig, code, addr).
 *   btrfs_search_ioctl BTRFS_IOC_TREE_SEARCH_V2 on the btrfs at $FL_BTRFS:
 *                      the items the model's synthetic tree has, as
 *                      directory entries (below).
 *
 * The btrfs tree of a layout (ITEMS items of ITEMLEN data bytes): the
 * directory $FL_BTRFS/items-ITEMS-ITEMLEN with ITEMS empty files whose
 * names are ITEMLEN - 30 characters long (the zero-padded index), made on
 * first use.  Each file has a DIR_INDEX item (key type 96) in the
 * directory's objectid, offsets 2, 3, ... in creation order, whose data is
 * struct btrfs_dir_item (30 bytes) and the name.  The search key asks for
 * exactly those: objectid = the directory's inode, type 96..96, every
 * offset and transid, nr_items unlimited.  The directory is synced once
 * made: btrfs inserts DIR_INDEX items into the tree lazily (delayed
 * items, flushed at the latest by the transaction commit), and a search
 * sees only what the tree holds.  So the real search returns
 * ITEMS items of 32 + ITEMLEN bytes each, the layout the model copies.
 *
 * BTRFS_IOC_TREE_SEARCH_V2's argument is struct btrfs_ioctl_search_args_v2
 * (the key, 104 bytes, and buf_size) followed by the buffer: the result
 * buffer is ADDR, so the 112-byte header goes at ADDR - 112 (written
 * through /proc/self/mem; where nothing is mapped the kernel's own read of
 * it fails with -EFAULT).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/btrfs.h>

#include "backend/host_child.h"

#define GRANULE 16ull
#define HOST_MADV_HWPOISON 100          /* asm-generic/mman-common.h */
#define BTRFS_SUPER_MAGIC_ 0x9123683E
#define DIR_INDEX_KEY 96                /* BTRFS_DIR_INDEX_KEY */
#define DIR_ITEM_BYTES 30               /* sizeof(struct btrfs_dir_item) */

#if defined(__aarch64__)
#define PROT_MTE_ 0x20
#define PR_SET_TAGGED_ADDR_CTRL_ 55
#define PR_TAGGED_ADDR_ENABLE_ 1ul
#define PR_MTE_TCF_SYNC_ (1ul << 1)
#define PR_MTE_TAG_SHIFT_ 3
#endif

uint32_t fl_host_child_caps(void)
{
	const char *root = getenv("FL_BTRFS");
	uint32_t f = 0;
	struct statfs sf;

	/* HOST_CAP_MTE is the CPU's: host_agent.c reads it from the hwcaps */
	if (geteuid() == 0 && access("/proc/sys/vm/memory_failure_recovery", F_OK) == 0)
		f |= HOST_CAP_HWPOISON;
	if (geteuid() == 0 && root && *root && statfs(root, &sf) == 0 &&
	    (unsigned long)sf.f_type == BTRFS_SUPER_MAGIC_)
		f |= HOST_CAP_BTRFS;
	return f;
}

/* ---- tag ---- */

#if defined(__aarch64__)
/* The protection of the mapping holding ADDR, from /proc/self/maps: 0 or -errno. */
static int prot_at(uint64_t addr, int *prot)
{
	char line[512], perm[8];
	unsigned long lo, hi;
	FILE *f = fopen("/proc/self/maps", "re");
	int err = -ENOMEM;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) == 3 && addr >= lo && addr < hi) {
			*prot = (perm[0] == 'r' ? PROT_READ : 0) | (perm[1] == 'w' ? PROT_WRITE : 0) |
				(perm[2] == 'x' ? PROT_EXEC : 0);
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

static sigjmp_buf tag_env;

static void tag_fault(int sig)
{
	siglongjmp(tag_env, sig);
}

/* STG of TAG over [A, A + LEN), granule by granule: 0, or -EFAULT if a store faulted. */
__attribute__((noinline))
static int set_tags(uint64_t a, uint64_t len, unsigned tag)
{
	struct sigaction sa = { .sa_handler = tag_fault }, old[2];
	volatile uint64_t g = a;
	int err = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old[0]);
	sigaction(SIGBUS, &sa, &old[1]);
	if (sigsetjmp(tag_env, 1) == 0) {
		for (; g < a + len; g += GRANULE) {
			uint64_t p = g | (uint64_t)tag << 56;

			__asm__ volatile(".arch armv8.5-a+memtag\n\tstg %0, [%0]"
					 : : "r"(p) : "memory");
		}
	} else {
		err = -EFAULT;
	}
	sigaction(SIGSEGV, &old[0], NULL);
	sigaction(SIGBUS, &old[1], NULL);
	return err;
}

static int do_tag(uint64_t addr, uint64_t len, unsigned tag)
{
	uint64_t lo = addr & ~(PAGE - 1), hi = (addr + len + PAGE - 1) & ~(PAGE - 1);
	unsigned long ctrl = PR_TAGGED_ADDR_ENABLE_ | PR_MTE_TCF_SYNC_ |
			     (0xfffeul << PR_MTE_TAG_SHIFT_);
	int prot, err;

	if ((addr | len) % GRANULE || tag > 15)
		return -EINVAL;
	err = prot_at(addr, &prot);
	if (err)
		return err;
	/*
	 * STG is a store: on a mapping without PROT_WRITE it faults.  The
	 * model's tag writes the tags as poke writes bytes (FOLL_FORCE: a
	 * private read-only page gets its own copy, a read-only shared one
	 * cannot be written), so the range is writable for the STGs only and
	 * gets its own protection back, PROT_MTE kept.  mprotect refuses
	 * PROT_WRITE on a read-only shared file mapping, as poke fails there.
	 */
	if (mprotect((void *)(uintptr_t)lo, hi - lo, prot | PROT_WRITE | PROT_MTE_) ||
	    prctl(PR_SET_TAGGED_ADDR_CTRL_, ctrl, 0, 0, 0))
		return -errno;
	err = set_tags(addr, len, tag);
	if (!(prot & PROT_WRITE) && mprotect((void *)(uintptr_t)lo, hi - lo, prot | PROT_MTE_))
		err = err ? err : -errno;
	return err;
}
#else
static int do_tag(uint64_t addr, uint64_t len, unsigned tag)
{
	(void)addr; (void)len; (void)tag;
	return -EOPNOTSUPP;     /* the runner refuses tag without HOST_CAP_MTE */
}
#endif

/* ---- poison ---- */

/*
 * The SIGBUS memory_failure() sends the caller during madvise (6.11,
 * MF_ACTION_REQUIRED: force_sig_mceerr, delivered on the way back to user
 * mode).  The handler notes it and returns: the signal came at the end of
 * a system call, not from an instruction, so returning resumes after
 * madvise with its return value, as a process with a SIGBUS handler does.
 */
static volatile sig_atomic_t poison_sig, poison_code;
static volatile uintptr_t poison_addr;

static void poison_caught(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	poison_sig = sig;
	poison_code = si->si_code;
	poison_addr = (uintptr_t)si->si_addr;
}

/* madvise(MADV_HWPOISON) of PAGE, the signal it brings in REP: 0 or -errno. */
static int poison_call(uint64_t page, struct host_rep *rep)
{
	struct sigaction sa, old;
	int err = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = poison_caught;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	poison_sig = 0;
	sigaction(SIGBUS, &sa, &old);
	if (madvise((void *)(uintptr_t)page, PAGE, HOST_MADV_HWPOISON))
		err = -errno;
	sigaction(SIGBUS, &old, NULL);
	rep->sig = poison_sig;
	rep->code = poison_sig ? poison_code : 0;
	rep->addr = poison_sig ? (uint64_t)poison_addr : 0;
	return err;
}

#define PM_PRESENT (1ull << 63)
#define PM_PFN_MASK ((1ull << 55) - 1)

/* ADDR's /proc/self/pagemap entry (the PFN needs CAP_SYS_ADMIN), or 0. */
static uint64_t pagemap_of(uint64_t addr)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t e = 0;

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (off_t)(addr / PAGE * sizeof(e))) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

/* The zero page's PFN, from a fresh anonymous page read once; 0 if hidden. */
static uint64_t zero_pfn(void)
{
	static uint64_t pfn = (uint64_t)-1;
	volatile uint8_t *p;

	if (pfn != (uint64_t)-1)
		return pfn;
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	(void)*p;
	pfn = pagemap_of((uint64_t)(uintptr_t)p) & PM_PFN_MASK;
	munmap((void *)(uintptr_t)p, PAGE);
	return pfn;
}

/*
 * Make PAGE present as the model's poison does (mm/poison.c
 * poison_target()): a read fault (FOLL_FORCE, through /proc/self/mem),
 * which maps what is there - the page cache page of a file mapping,
 * private or shared, a page shared with a forked process as it is - and
 * only if that is the zero page, a write of the same byte to give the
 * mapping its own page.  A write every time would copy a private file
 * page or a page shared since fork, and poison the copy instead.
 */
static void make_present(int fd, uint64_t page)
{
	uint64_t pm, zero;
	uint8_t b;

	if (pread(fd, &b, 1, (off_t)page) != 1)
		return;         /* madvise answers for a page not reached */
	pm = pagemap_of(page);
	zero = zero_pfn();
	if ((pm & PM_PRESENT) && zero && (pm & PM_PFN_MASK) != zero)
		return;
	/* the zero page, or a PFN this process cannot see: its own page */
	(void)!pwrite(fd, &b, 1, (off_t)page);
}

/*
 * A page make_present() cannot reach (poisoned already: its pte is a
 * hwpoison entry, which /proc/self/mem's FOLL_FORCE read fails; nothing
 * mapped) goes to madvise as it is: what the kernel answers there
 * (madvise_inject_error()'s GUP) is the statement's observable.
 */
static int do_poison(uint64_t addr, struct host_rep *rep)
{
	uint64_t page = addr & ~(PAGE - 1);
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	make_present(fd, page);
	close(fd);
	return poison_call(page, rep);
}

/* ---- btrfs search_ioctl ---- */

/* The layout's directory, made (ITEMS files, names ITEMLEN - 30 long) if new. */
static int btrfs_layout_dir(uint64_t items, uint64_t itemlen)
{
	const char *root = getenv("FL_BTRFS");
	unsigned namelen = (unsigned)(itemlen - DIR_ITEM_BYTES);
	char dir[4096], tmp[4200], name[300];
	uint64_t i, cap = 1;
	unsigned k;
	int dfd;

	if (!root || itemlen <= DIR_ITEM_BYTES || namelen > 255 || items > 1000000)
		return -EINVAL;
	for (k = 0; k < namelen && cap <= items; k++)
		cap *= 10;
	if (items > cap)
		return -EINVAL;         /* the index does not fit in the name */
	snprintf(dir, sizeof(dir), "%s/items-%llu-%llu", root, (unsigned long long)items,
		 (unsigned long long)itemlen);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		return dfd;
	/* made under another name and renamed: a half-made one is never used */
	snprintf(tmp, sizeof(tmp), "%s.%d", dir, (int)getpid());
	if (mkdir(tmp, 0755))
		return -errno;
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	for (i = 0; i < items; i++) {
		int fd;

		snprintf(name, sizeof(name), "%0*llu", (int)namelen, (unsigned long long)i);
		fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0) {
			int err = -errno;

			close(dfd);
			return err;
		}
		close(fd);
	}
	/*
	 * DIR_INDEX items reach the btree lazily (btrfs's delayed items): a
	 * commit puts them all there, where search_ioctl looks.
	 */
	if (rename(tmp, dir) || syncfs(dfd)) {
		int err = -errno;

		close(dfd);
		return err;
	}
	return dfd;
}

/*
 * The search key of the layout directory DFD: its DIR_INDEX items, every
 * offset and transid, nr_items unlimited, into a buffer of BUF_SIZE.
 */
static int layout_key(int dfd, uint64_t buf_size, struct btrfs_ioctl_search_args_v2 *args)
{
	struct stat st;

	memset(args, 0, sizeof(*args));
	if (fstat(dfd, &st))
		return -errno;
	args->key.tree_id = 0;                  /* the directory's own subvolume */
	args->key.min_objectid = args->key.max_objectid = st.st_ino;
	args->key.min_type = args->key.max_type = DIR_INDEX_KEY;
	args->key.max_offset = (uint64_t)-1;
	args->key.max_transid = (uint64_t)-1;
	args->key.nr_items = (uint32_t)-1;
	args->buf_size = buf_size;
	return 0;
}

static long do_btrfs_search(const struct host_req *rq, int mem_fd)
{
	struct btrfs_ioctl_search_args_v2 args;
	uint64_t buf = rq->a[0], hdr = buf - sizeof(args);
	long ret;
	int dfd = btrfs_layout_dir(rq->a[2], rq->a[3]), err;

	if (dfd < 0) {
		errno = -dfd;
		return -2;      /* the layout could not be made: not the ioctl's answer */
	}
	err = layout_key(dfd, rq->a[1], &args);
	if (err) {
		close(dfd);
		errno = -err;
		return -2;
	}
	/* nothing mapped there: the kernel's copy of the header fails, its answer */
	(void)!pwrite(mem_fd, &args, sizeof(args), (off_t)hdr);
	ret = ioctl(dfd, BTRFS_IOC_TREE_SEARCH_V2, (void *)(uintptr_t)hdr);
	close(dfd);
	return ret;
}

/*
 * HOST_OP_BTRFS_ITEMS: the same search as the scenario's, into a buffer
 * of the agent's own, so the runner can give the model's tree the items
 * this file system made (keys, transids, inode numbers, names) - the
 * bytes the scenario's search copies into its buffer, where nothing
 * faults.  OUT gets the first a[2] bytes; ret is the items found.
 */
void fl_host_child_btrfs_items(const struct host_req *rq, uint8_t *out, struct host_rep *rep)
{
	struct btrfs_ioctl_search_args_v2 *args;
	int dfd = btrfs_layout_dir(rq->a[0], rq->a[1]);
	int err = dfd < 0 ? dfd : 0;

	*rep = (struct host_rep){ 0 };
	args = err ? NULL : calloc(1, sizeof(*args) + rq->a[2]);
	if (!err && !args)
		err = -ENOMEM;
	if (!err)
		err = layout_key(dfd, rq->a[2], args);
	if (!err && ioctl(dfd, BTRFS_IOC_TREE_SEARCH_V2, args))
		err = -errno;
	if (!err) {
		memcpy(out, args->buf, rq->a[2]);
		rep->ret = args->key.nr_items;
		rep->dlen = rq->a[2];
	} else {
		rep->ret = -1;
		rep->err = -err;
	}
	free(args);
	if (dfd >= 0)
		close(dfd);
}

void fl_host_child_guest_request(const struct host_req *rq, int mem_fd, struct host_rep *rep)
{
	long ret;
	int err;

	switch (rq->op) {
	case HOST_OP_TAG:
		err = do_tag(rq->a[0], rq->a[1], (unsigned)rq->a[2]);
		break;
	case HOST_OP_POISON:
		err = do_poison(rq->a[0], rep);
		break;
	default:                /* HOST_OP_BTRFS_SEARCH */
		ret = do_btrfs_search(rq, mem_fd);
		rep->ret = ret < 0 ? -1 : ret;
		rep->err = ret < 0 ? errno : 0;
		rep->code = ret == -2;  /* the layout, not the ioctl, failed */
		return;
	}
	rep->ret = err ? -1 : 0;
	rep->err = -err;
}
