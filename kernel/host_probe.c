/*
 * kernel/host_probe.c - the build options of the running kernel that change
 * an observable (FL_KCONFIG_*), found without /proc/config.gz: what
 * fl_host_kconfig_off() says for this machine, and what the guest agent
 * says for its kernel in its HELLO (backend/host_agent.c).  Self-contained
 * (libc only), so that the static agent compiles it as it is.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <faultline/eras.h>

/*
 * The pagemap entry of a fresh one-page private anonymous mapping, untouched
 * or after a read: 0 and *ENTRY, or -1 (no /proc, no mmap).
 */
static int probe_pagemap(bool read, uint64_t *entry)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, psz, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd, ret = -1;

	if (p == MAP_FAILED)
		return -1;
	if (read)
		(void)p[0];
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && pread(fd, entry, sizeof(*entry),
			     (off_t)((uintptr_t)p / psz * sizeof(*entry))) == sizeof(*entry))
		ret = 0;
	if (fd >= 0)
		close(fd);
	munmap((void *)p, psz);
	return ret;
}

/*
 * What the running kernel's pagemap tells, without /proc/config.gz:
 *   - a new vma is VM_SOFTDIRTY, so an untouched page of one reads
 *     soft-dirty (bit 55) only in a kernel built with CONFIG_MEM_SOFT_DIRTY;
 *   - the zero page is never "exclusively mapped" (vm_normal_page() skips
 *     it), so a read-faulted page that reads present and exclusive (bit 56,
 *     4.3+) is a private page: the kernel forbids the zero page.
 * A pagemap that cannot be read answers "a usual configuration".
 */
static unsigned probe_pagemap_config(void)
{
	uint64_t e;
	unsigned off = 0;

	if (probe_pagemap(false, &e) == 0 && !(e & (UINT64_C(1) << 55)))
		off |= FL_KCONFIG_MEM_SOFT_DIRTY;
	if (probe_pagemap(true, &e) == 0 && (e >> 63) && ((e >> 56) & 1))
		off |= FL_KCONFIG_ZERO_PAGE;
	return off;
}

/*
 * /proc/sys/vm/memory_failure_recovery exists only in a kernel built with
 * CONFIG_MEMORY_FAILURE (mm/memory-failure.c registers it), so its absence
 * answers.  A machine without /proc (a chroot) reads as built with it, the
 * usual configuration.
 */
/* use_zero_page of THP's sysfs reads "0": no huge zero page (absent: no THP). */
static bool probe_no_huge_zero_page(void)
{
	char c = '1';
	int fd = open("/sys/kernel/mm/transparent_hugepage/use_zero_page", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = '1';
	close(fd);
	return c == '0';
}

unsigned fl_host_probe_kconfig_off(void)
{
	unsigned off = probe_pagemap_config();

	if (probe_no_huge_zero_page())
		off |= FL_KCONFIG_HUGE_ZERO_PAGE;

	if (access("/proc/sys/vm", F_OK) == 0 &&
	    access("/proc/sys/vm/memory_failure_recovery", F_OK) != 0)
		off |= FL_KCONFIG_MEMORY_FAILURE;
	return off;
}
