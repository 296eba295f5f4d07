/*
 * backend/host_link_dir.c - the link's `dir` directories (host_link.h):
 * a new directory on tmpfs holding N entries named as the model names
 * them (fl_dir_entry_name), each an empty directory, a symbolic link (to
 * ".") or an empty file as fl_dir_entry_type() says, opened O_RDONLY |
 * O_DIRECTORY and installed in every process as file ID; removed with
 * its entries when the link ends.
 *
 * Why tmpfs: the model follows tmpfs (callers/readdir.c), where "." and
 * ".." come first; on ext4 ".." lies among the entries in hash order
 * (measured on 6.18), which would change the answer of a buffer that
 * stops between records of different lengths.  fl_host_tmpfs_dir() finds
 * one: /dev/shm, $TMPDIR, /tmp or / on tmpfs (a guest's initramfs root).
 *
 * Invariants
 *   1. dirs[id] is the path of directory ID while the link holds it; the
 *      files in it are the link's own, nothing else writes there.
 *   2. fl_host_link_dirs_fini() removes every directory the link made
 *      (the files, then the directory), on every path that ends the link.
 *   3. A directory's name carries the pid of the process that made it
 *      (faultline-dir-PID-XXXXXX): one whose maker is gone (a runner
 *      killed by SIGKILL ends no link) is removed by the next maker.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <faultline/callers.h>

#include "backend/host_link.h"

#define TMPFS_MAGIC_ 0x01021994

const char *fl_host_tmpfs_dir(void)
{
	const char *cand[] = { "/dev/shm", getenv("TMPDIR"), "/tmp", "/" };
	struct statfs sf;
	unsigned i;

	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
		if (cand[i] && *cand[i] && statfs(cand[i], &sf) == 0 &&
		    (unsigned long)sf.f_type == TMPFS_MAGIC_ && access(cand[i], W_OK) == 0)
			return cand[i];
	return NULL;
}

/* Every entry of PATH (its subdirectories are empty), then PATH itself. */
static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			    unlinkat(dirfd(d), e->d_name, 0) && errno == EISDIR)
				unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		closedir(d);
	}
	rmdir(path);
}

/*
 * Invariant 3: the faultline-dir-PID-* directories in BASE whose PID has
 * no process (ESRCH; EPERM is another user's live one).  A reused pid
 * only delays its removal.
 */
static void remove_orphan_dirs(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;
	char path[4096];
	int pid;

	while (d && (e = readdir(d)))
		if (sscanf(e->d_name, "faultline-dir-%d-", &pid) == 1 && pid > 0 &&
		    kill(pid, 0) && errno == ESRCH) {
			snprintf(path, sizeof(path), "%s/%s", strcmp(base, "/") ? base : "",
				 e->d_name);
			remove_dir(path);
		}
	if (d)
		closedir(d);
}

void fl_host_link_dirs_fini(struct host_link *l)
{
	unsigned i;

	for (i = 0; l->dirs && i < l->nnames; i++)
		if (l->dirs[i]) {
			remove_dir(l->dirs[i]);
			free(l->dirs[i]);
		}
	free(l->dirs);
	l->dirs = NULL;
}

/* Entry I of shape S in the directory DFD: 0 or -errno. */
static int make_entry(int dfd, const struct fl_dir_shape *s, unsigned i)
{
	char name[256];
	int fd;

	fl_dir_entry_name(i, s->namelen, name);
	switch (fl_dir_entry_type(s, i)) {
	case FL_DT_DIR:
		return mkdirat(dfd, name, 0700) ? -errno : 0;
	case FL_DT_LNK:
		return symlinkat(".", dfd, name) ? -errno : 0;
	}
	fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The entries of shape S in PATH, named as the model names them. */
static int fill_dir(const char *path, const struct fl_dir_shape *s)
{
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;
	unsigned i;

	if (dfd < 0)
		return -errno;
	for (i = 0; i < s->nents && !err; i++)
		err = make_entry(dfd, s, i);
	close(dfd);
	return err;
}

static int make_dir(struct host_link *l, unsigned id, const struct fl_dir_shape *s, int *fdp)
{
	const char *base = fl_host_tmpfs_dir();
	char path[4096];
	int err;

	if (!base)
		return -ENOENT;
	if (!l->dirs && !(l->dirs = calloc(l->nnames, sizeof(*l->dirs))))
		return -ENOMEM;
	remove_orphan_dirs(base);
	snprintf(path, sizeof(path), "%s/faultline-dir-%d-XXXXXX", strcmp(base, "/") ? base : "",
		 (int)getpid());
	if (!mkdtemp(path))
		return -errno;
	if (!(l->dirs[id] = strdup(path))) {
		rmdir(path);
		return -ENOMEM;
	}
	err = fill_dir(path, s);
	*fdp = err ? -1 : open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!err && *fdp < 0)
		err = -errno;
	/* removed=on: IS_DEADDIR for the open descriptor (the directory is empty) */
	if (!err && s->removed && rmdir(path))
		err = -errno;
	return err;
}

int fl_host_link_dir(struct host_link *l, unsigned id, const struct fl_dir_shape *s)
{
	struct host_frame_rep fr;
	int fd = -1, err;

	if (l->wfd >= 0)
		return fl_host_link_frame(l, HOST_LINK_DIR, id,
					  s->namelen | (s->removed ? HOST_DIR_REMOVED : 0),
					  s->nents | (uint64_t)s->subdirs << 16 |
					  (uint64_t)s->symlinks << 32, &fr);
	if (s->nents > FL_DIR_MAX_ENTRIES || !s->namelen || s->namelen > 255 ||
	    s->subdirs > s->nents || s->symlinks > s->nents - s->subdirs)
		return -EINVAL;
	err = make_dir(l, id, s, &fd);
	if (err) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fl_host_link_install_file(l, id, fd);
}

int fl_host_link_dir_frame(struct host_link *l, unsigned id, uint32_t arg32, uint64_t arg)
{
	struct fl_dir_shape s = {
		.nents = (unsigned)(arg & 0xffff), .subdirs = (unsigned)(arg >> 16 & 0xffff),
		.symlinks = (unsigned)(arg >> 32 & 0xffff), .namelen = arg32 & 0xffffu,
		.removed = (arg32 & HOST_DIR_REMOVED) != 0,
	};

	return fl_host_link_dir(l, id, &s);
}
