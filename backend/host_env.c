/*
 * backend/host_env.c - what the judge's machine lets a scenario do, asked
 * where the scenario processes run: by the runner on this machine, by
 * the agent in a guest, which says it in its HELLO caps (host_proto.h).
 *
 *   userfaultfd   since 5.11 an unprivileged userfaultfd(2) needs
 *                 vm.unprivileged_userfaultfd = 1 (or handles user-mode
 *                 faults only); since 6.1 /dev/userfaultfd gives the same
 *                 to whoever may open it; root may always.
 *   $TMPDIR       `file ... fs=ext4|btrfs` is an O_TMPFILE file there, or
 *                 in /tmp, or on a judge guest's disk of that file system
 *                 (fl_host_tmp_dir()): where none is, that fs= cannot run.
 *   huge pages    `mmap ... hugetlb=on` and `file ... fs=hugetlbfs` take
 *                 pages of the hugetlb pool (vm.nr_hugepages, default 0):
 *                 HOST_HUGETLB_NEED free ones of the default size, or the
 *                 scenario is refused as skipped (host_refuse.c).
 *   THP           `madvise ... hugepage|collapse` needs transparent huge
 *                 pages: /sys/kernel/mm/transparent_hugepage/enabled not
 *                 "never" (or absent: no CONFIG_TRANSPARENT_HUGEPAGE),
 *                 else the scenario is skipped, as cow.c skips.
 *
 * FAULTLINE_HOST_NO_UFFD=1 answers "not permitted" whatever the machine
 * allows, so that path can be tested (an agent inherits it).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <faultline/backend.h>

#include "backend/host_link.h"

#define EXT4_MAGIC  0xEF53
#define BTRFS_MAGIC 0x9123683E

static bool sysctl_is_one(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = 0;

	if (!f)
		return false;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v == 1;
}

bool fl_host_uffd_permitted(char *why, size_t len)
{
	const char *no = getenv("FAULTLINE_HOST_NO_UFFD");

	/* Tests (and users) can see the refusal path on a machine that permits. */
	if (no && *no && *no != '0')
		return snprintf(why, len, "FAULTLINE_HOST_NO_UFFD is set"), false;
	if (geteuid() == 0)
		return snprintf(why, len, "root"), true;
	if (sysctl_is_one("/proc/sys/vm/unprivileged_userfaultfd"))
		return snprintf(why, len, "vm.unprivileged_userfaultfd = 1"), true;
	if (access("/dev/userfaultfd", R_OK | W_OK) == 0)
		return snprintf(why, len, "/dev/userfaultfd is accessible"), true;
	snprintf(why, len, "needs userfaultfd permission (root, "
		 "vm.unprivileged_userfaultfd = 1, or access to /dev/userfaultfd)");
	return false;
}

/*
 * The directory the O_TMPFILE files of `file ... fs=FS` go to (FS 1 ext4,
 * 2 btrfs): the first of $TMPDIR, /tmp and the judge guest's disk of
 * that file system ($FL_EXT4 or $FL_BTRFS, vm/guest_init.c) that is on
 * FS, or NULL.  A guest's $TMPDIR is its btrfs, its ext4 a second disk.
 */
const char *fl_host_tmp_dir(unsigned fs)
{
	static const unsigned long magic[] = { 0, EXT4_MAGIC, BTRFS_MAGIC };
	static const char *const disk_env[] = { NULL, "FL_EXT4", "FL_BTRFS" };
	static char disk_tmp[PATH_MAX];
	const char *t, *disk, *cand[3];
	struct statfs sf;
	unsigned i;

	if (!fs || fs > 2)
		return NULL;
	t = getenv("TMPDIR");
	disk = getenv(disk_env[fs]);
	snprintf(disk_tmp, sizeof(disk_tmp), "%s/tmp", disk ? disk : "");
	cand[0] = t && *t ? t : NULL;
	cand[1] = "/tmp";
	cand[2] = disk && *disk ? disk_tmp : NULL;
	for (i = 0; i < 3; i++)
		if (cand[i] && statfs(cand[i], &sf) == 0 &&
		    (unsigned long)sf.f_type == magic[fs])
			return cand[i];
	return NULL;
}

/*
 * The hugetlb pool is the machine's, not a scenario's: two faultline
 * processes (ctest -j2 runs cli_peer beside host_agent) that both map
 * huge pages take them from the same HugePages_Free, and one of them
 * then reads the other's use as the kernel's answer: an mmap that fails
 * with ENOMEM, a COW after fork that finds no page (the parent's copy is
 * stolen back, so it reads zeros), or a count of fewer than
 * HOST_HUGETLB_NEED free that skips a file the other run agreed on.
 *
 * So a runner holds the pool for a scenario that maps huge pages (host.c)
 * from before the free pages are counted until the scenario's processes
 * are dead.  The lock is flock(2) on the pool's own sysctl: the same file
 * for every process of the machine whatever its $TMPDIR, and no directory
 * to write.  It nests within a process (pool_depth): flock on a second
 * open file would wait for the process itself.
 */
static int pool_fd = -1;
static unsigned pool_depth;

void fl_host_pool_hold(void)
{
	if (pool_depth++)
		return;
	pool_fd = open("/proc/sys/vm/nr_hugepages", O_RDONLY | O_CLOEXEC);
	/* no sysctl: no pool to share, and the free count reads 0 */
	while (pool_fd >= 0 && flock(pool_fd, LOCK_EX) && errno == EINTR)
		;
}

void fl_host_pool_release(void)
{
	if (!pool_depth || --pool_depth)
		return;
	if (pool_fd >= 0)
		close(pool_fd);         /* drops the lock */
	pool_fd = -1;
}

/*
 * Huge pages of the default size a new mapping can have: HugePages_Free
 * less HugePages_Rsvd (free, but promised to a mapping that has not
 * faulted them yet).
 */
long fl_host_free_hugepages(void)
{
	long free_pages = 0, rsvd = 0, n;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			free_pages = n;
		else if (sscanf(line, "HugePages_Rsvd: %ld", &n) == 1)
			rsvd = n;
	}
	fclose(f);
	return free_pages - rsvd;
}

int fl_host_thp_enabled(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128] = "";
	int on;

	if (!f)
		return -1;
	on = fgets(line, sizeof(line), f) && !strstr(line, "[never]");
	fclose(f);
	return on;
}

uint32_t fl_host_env_caps(void)
{
	uint32_t caps = 0;
	char why[160];

	if (fl_host_uffd_permitted(why, sizeof(why)))
		caps |= HOST_CAP_UFFD;
	if (fl_host_tmpfs_dir())
		caps |= HOST_CAP_TMPFS_DIR;
	if (fl_host_tmp_dir(1))
		caps |= HOST_CAP_TMP_EXT4;
	if (fl_host_tmp_dir(2))
		caps |= HOST_CAP_TMP_BTRFS;
	switch (fl_host_thp_enabled()) {
	case 1:
		caps |= HOST_CAP_THP;
		break;
	case 0:
		caps |= HOST_CAP_THP_NEVER;
		break;
	}
	return caps;
}

/* HOST_CAP_HUGETLB, asked apart: only a scenario that maps huge pages needs it. */
uint32_t fl_host_pool_caps(void)
{
	return fl_host_free_hugepages() >= HOST_HUGETLB_NEED ? HOST_CAP_HUGETLB : 0;
}
