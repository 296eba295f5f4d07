/*
 * cli/vm_modules.c - a guest's disks (docs/vm.md "The btrfs disk", "The
 * ext4 disk") and its agent's port (docs/vm.md "The agent's channel"):
 * the kernel modules they need, taken from the cached package's modules/
 * into the initramfs in load order, and the disks, made here with
 * mkfs.btrfs and mkfs.ext4.  Our own pin
 * module (docs/vm.md "The pin module"), when built for the kernel, goes
 * in as pin.ko.
 *
 * Definitions
 *   wanted     the virtio transport of the guest's machine (virtio_mmio on
 *              arm64's virt board, virtio_pci on x86), virtio_blk,
 *              crc32c_generic (btrfs's checksum: libcrc32c only names it
 *              as a soft dependency, and a guest has no modprobe to
 *              resolve that), btrfs, ext4 (with jbd2, mbcache and crc16
 *              through its depends), and virtio_console (the agent's
 *              virtio-serial port; built in from 6.12, a module before).
 *   depends    the modinfo field "depends=a,b" inside each .ko: what must
 *              be loaded before it.
 *   builtin    a module listed in modules.builtin needs no loading.
 *
 * The initramfs gets modules/NN.ko (uncompressed: .ko.xz and .ko.zst are
 * decompressed here with xz and zstd, since a guest's finit_module of a
 * compressed module needs the kernel's own decompressor, which 5.10 lacks)
 * and modules/order, one "NN name" line per module, dependencies first.
 * The guest's /init loads them in that order (vm/guest_init.c).
 *
 * Invariants
 *   1. A module is written once and after everything it depends on.
 *   2. Nothing is written unless every wanted module is found (builtin or
 *      a file): a guest either gets the whole set or none of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/vm.h"

#define VM_MAX_MODS 32
/* mkfs.btrfs's smallest default-profile fs fits; sparse, so ext4's costs nothing more */
#define VM_DISK_BYTES (128ll << 20)

struct vm_mod {
	char name[64];
	char *data;
	size_t len;
};

struct vm_mods {
	const struct fl_vm_kernel *k;
	struct vm_mod m[VM_MAX_MODS];
	unsigned n;
	char why[320];
};

/* NAME with '-' as '_', as the kernel compares module names. */
static void mod_norm(char *name)
{
	for (; *name; name++)
		if (*name == '-')
			*name = '_';
}

/*
 * modules.order names foo.ko where the package ships foo.ko.xz or
 * foo.ko.zst (6.12): PATH with the suffix the file really has.
 */
static void mod_compressed(char *path, size_t len)
{
	static const char *const ext[] = { ".xz", ".zst" };
	size_t n = strlen(path), i;

	for (i = 0; i < 2 && access(path, R_OK) && n + strlen(ext[i]) < len; i++) {
		strcpy(path + n, ext[i]);
		if (access(path, R_OK))
			path[n] = 0;
	}
}

/* Is NAME (normalized) a line of the kernel's modules.builtin or .order?  Its path. */
static bool mod_listed(const struct fl_vm_kernel *k, const char *list, const char *name,
		       char *path, size_t len)
{
	char file[PATH_MAX + 32], line[512];
	FILE *f;
	bool hit = false;

	snprintf(file, sizeof(file), "%s/%s", k->modules, list);
	f = fopen(file, "r");
	while (f && !hit && fgets(line, sizeof(line), f)) {
		char base[128], *slash, *dot;

		line[strcspn(line, "\n")] = 0;
		slash = strrchr(line, '/');
		snprintf(base, sizeof(base), "%.127s", slash ? slash + 1 : line);
		dot = strstr(base, ".ko");
		if (!dot)
			continue;
		*dot = 0;
		mod_norm(base);
		if (strcmp(base, name))
			continue;
		hit = true;
		snprintf(path, len, "%s/%s", k->modules, line);
		mod_compressed(path, len);
	}
	if (f)
		fclose(f);
	return hit;
}

/* The module at PATH, decompressed: 0 or -errno. */
static int mod_read(const char *path, char **data, size_t *len)
{
	const char *tool = NULL;
	char cmd[2 * PATH_MAX], *buf = NULL;
	size_t n = 0, cap = 0;
	FILE *f;
	int st;

	if (strstr(path, ".ko.xz"))
		tool = "xz -dc";
	else if (strstr(path, ".ko.zst"))
		tool = "zstd -qdc";
	if (tool && strchr(path, '\''))
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "%s '%.*s'", tool ? tool : "cat", PATH_MAX, path);
	f = popen(cmd, "r");
	if (!f)
		return -errno;
	for (;;) {
		size_t got;

		if (n == cap) {
			char *p = realloc(buf, cap = cap ? cap * 2 : 1 << 20);

			if (!p) {
				free(buf);
				pclose(f);
				return -ENOMEM;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		if (!got)
			break;
		n += got;
	}
	st = pclose(f);
	if (!n || st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		free(buf);
		return -ENOEXEC;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* The "depends=" string of a module's modinfo, or "". */
static const char *mod_depends(const struct vm_mod *m)
{
	const char *p = m->data, *end = m->data + m->len;

	while ((p = memmem(p, (size_t)(end - p), "depends=", 8)) != NULL) {
		/* a modinfo string starts after a NUL */
		if (p > m->data && p[-1] == 0 && memchr(p, 0, (size_t)(end - p)))
			return p + 8;
		p += 8;
	}
	return "";
}

static int mods_add(struct vm_mods *s, const char *name, unsigned depth);

/* Every module of the comma list DEPS, before the one that names them. */
static int mods_add_deps(struct vm_mods *s, const char *deps, unsigned depth)
{
	char list[512], *tok, *save = NULL;
	int err = 0;

	snprintf(list, sizeof(list), "%s", deps);
	for (tok = strtok_r(list, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save))
		err = mods_add(s, tok, depth + 1);
	return err;
}

/* NAME and what it depends on, unless builtin or already there. */
static int mods_add(struct vm_mods *s, const char *name, unsigned depth)
{
	char norm[64], path[PATH_MAX + 600];
	struct vm_mod m = { { 0 }, NULL, 0 };
	unsigned i;
	int err;

	snprintf(norm, sizeof(norm), "%s", name);
	mod_norm(norm);
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->m[i].name, norm))
			return 0;
	if (mod_listed(s->k, "modules.builtin", norm, path, sizeof(path)))
		return 0;
	if (depth > 8 || s->n == VM_MAX_MODS) {
		snprintf(s->why, sizeof(s->why), "module %s: dependencies too deep or too many", norm);
		return -ELOOP;
	}
	if (!mod_listed(s->k, "modules.order", norm, path, sizeof(path))) {
		snprintf(s->why, sizeof(s->why), "module %.63s is neither built in nor in %.160s",
			 norm, s->k->modules);
		return -ENOENT;
	}
	err = mod_read(path, &m.data, &m.len);
	if (err) {
		snprintf(s->why, sizeof(s->why), "%.160s cannot be read or decompressed (%s)",
			 path, strerror(-err));
		return err;
	}
	snprintf(m.name, sizeof(m.name), "%s", norm);
	err = mods_add_deps(s, mod_depends(&m), depth);
	for (i = 0; !err && i < s->n; i++)   /* a cycle's member came in meanwhile */
		if (!strcmp(s->m[i].name, norm))
			err = -ELOOP;
	if (err) {
		free(m.data);
		return err;
	}
	s->m[s->n++] = m;
	return 0;
}

static void mods_free(struct vm_mods *s)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		free(s->m[i].data);
	s->n = 0;
}

int fl_vm_cpio_agent_modules(FILE *f, const struct fl_vm_kernel *k, char *why, size_t len)
{
	const char *want[] = { fl_vm_arch(k->arch)->transport,
			       "virtio_blk", "crc32c_generic", "btrfs", "ext4",
			       "virtio_console" };
	struct vm_mods *s = calloc(1, sizeof(*s));
	char order[VM_MAX_MODS * 72] = "", ko[32];
	unsigned i;
	int err = 0;

	if (!s)
		return -ENOMEM;
	s->k = k;
	if (!k->modules[0]) {
		snprintf(why, len, "the kernel has no modules directory");
		free(s);
		return -ENOENT;
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]) && !err; i++)
		err = mods_add(s, want[i], 0);
	if (err) {
		snprintf(why, len, "%s", s->why);
		goto out;
	}
	err = fl_vm_cpio_entry(f, "modules", S_IFDIR | 0755, NULL, 0);
	for (i = 0; i < s->n && !err; i++) {
		size_t o = strlen(order);

		snprintf(ko, sizeof(ko), "modules/%02u.ko", i);
		snprintf(order + o, sizeof(order) - o, "%02u %s\n", i, s->m[i].name);
		err = fl_vm_cpio_entry(f, ko, S_IFREG | 0644, s->m[i].data, s->m[i].len);
	}
	if (!err)
		err = fl_vm_cpio_entry(f, "modules/order", S_IFREG | 0644, order, strlen(order));
	if (err)
		snprintf(why, len, "the initramfs could not be written");
out:
	mods_free(s);
	free(s);
	return err;
}

int fl_vm_cpio_pin_module(FILE *f, const struct fl_vm_kernel *k)
{
	char path[PATH_MAX + 32], *data = NULL;
	const char *slash = strrchr(k->image, '/');
	size_t len = 0;
	int err;

	snprintf(path, sizeof(path), "%.*s/pin/faultline_pin.ko",
		 slash ? (int)(slash - k->image) : 1, slash ? k->image : ".");
	if (access(path, R_OK))
		return -ENOENT;
	err = mod_read(path, &data, &len);
	if (err)
		return err;
	err = fl_vm_cpio_entry(f, "pin.ko", S_IFREG | 0644, data, len);
	free(data);
	return err ? -EIO : 0;
}

int fl_vm_disk(const char *path, const char *fs, char *why, size_t len)
{
	char cmd[PATH_MAX + 64];
	int st;

	if (truncate(path, VM_DISK_BYTES)) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	/*
	 * -q quiet; -f/-F: write over whatever the file holds (it is ours).
	 * ext4: 4 KiB blocks as a real disk has (a small fs would get 1 KiB),
	 * and inode tables zeroed now, not by the guest's ext4lazyinit
	 * thread, which would take the one emulated CPU from the scenarios.
	 */
	if (!strcmp(fs, "btrfs"))
		snprintf(cmd, sizeof(cmd), "mkfs.btrfs -q -f '%s' >/dev/null 2>&1", path);
	else
		snprintf(cmd, sizeof(cmd), "mkfs.%s -q -F -b 4096 -E lazy_itable_init=0,"
			 "lazy_journal_init=0 '%s' >/dev/null 2>&1", fs, path);
	st = strchr(path, '\'') ? -1 : system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(why, len, "mkfs.%s failed (installed? scripts/install-deps.sh)", fs);
		return -ENOEXEC;
	}
	return 0;
}
