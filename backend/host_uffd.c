/*
 * backend/host_uffd.c - may this process use userfaultfd on the host?
 *
 * The host backend runs userfaultfd statements (host_child_uffd.c); a
 * scenario that needs them on a machine where they are not permitted is
 * "skipped (needs userfaultfd permission)", not failed.
 * FAULTLINE_HOST_NO_UFFD=1 answers "not permitted" whatever the machine
 * allows, so that path can be tested.  Since 5.11
 * an unprivileged userfaultfd(2) needs vm.unprivileged_userfaultfd = 1
 * (or handles user-mode faults only); since 6.1 /dev/userfaultfd gives
 * the same to whoever may open it (root, CAP_SYS_PTRACE, or the file's
 * mode).  A separate file: the check needs nothing of the scenario layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <faultline/backend.h>

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
