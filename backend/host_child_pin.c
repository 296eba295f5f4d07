/*
 * backend/host_child_pin.c - the GUP calls of a scenario process, made by
 * the judge's kernel through /dev/faultline_pin (vm/pin_module/, docs/vm.md
 * "The pin module"): `call pin_user_pages ... as=H` and its siblings take
 * pages for handle H, `read_pages H` reads them through the kernel's own
 * references, `put_pages H` gives them back.  The guest's /init loaded
 * the module and names the device in $FL_PIN.
 *
 * Definitions
 *   pin entry  a handle's names[] index and the open file of the device
 *              that holds its pages (the module keeps one set per file).
 * Invariants
 *   1. One entry per handle name: a name bound again (a second as=H)
 *      gives the old pages back first.
 *   2. An entry is this process's; a fork()ed child inherits the
 *      descriptor, never the entry (the runner sends read_pages and
 *      put_pages to the process that took the pages), so pages go back
 *      by FLPIN_IOC_UNPIN, never by waiting for the file's last close.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <faultline_pin.h>      /* vm/pin_module/: the module's ioctls */

#include "backend/host_child.h"

#define PIN_MAX 32

struct pin_ent {
	uint32_t slot;
	int fd;
};

static struct pin_ent pins[PIN_MAX];
static unsigned npins;

/* The device, or NULL: $FL_PIN, set by the guest's /init once it loaded the module. */
static const char *pin_dev(void)
{
	const char *dev = getenv("FL_PIN");

	return dev && *dev ? dev : NULL;
}

uint32_t fl_host_child_pin_caps(void)
{
	const char *err = getenv("FL_PIN_ERR");
	const char *dev = pin_dev();
	int fd = dev ? open(dev, O_RDWR | O_CLOEXEC) : -1;

	if (fd >= 0) {
		close(fd);
		return HOST_CAP_PIN;
	}
	if (dev || (err && *err)) {
		unsigned e = dev ? (unsigned)errno : (unsigned)atoi(err);

		return HOST_CAP_PIN_FAILED | (e & 0xffu) << HOST_CAP_PIN_ERRNO_SHIFT;
	}
	return 0;
}

static struct pin_ent *pin_find(uint32_t slot)
{
	unsigned i;

	for (i = 0; i < npins; i++)
		if (pins[i].slot == slot)
			return &pins[i];
	return NULL;
}

/*
 * Give E's pages back now, not at the file's last close: a process
 * fork()ed since holds the descriptor too.
 */
static void pin_drop(struct pin_ent *e)
{
	ioctl(e->fd, FLPIN_IOC_UNPIN);
	close(e->fd);
	*e = pins[--npins];
}

static void pin_result(struct host_rep *rep, long ret)
{
	rep->ret = ret < 0 ? -errno : ret;     /* the kernel function's: -errno */
}

/* HOST_OP_PIN: a new file for the handle, and the GUP call on it. */
static void pin_take(const struct host_req *rq, struct host_rep *rep)
{
	struct flpin_take take = { .addr = rq->a[0], .nr = rq->a[1], .flags = (uint32_t)rq->a[2] };
	struct pin_ent *e = pin_find(rq->slot);
	const char *dev = pin_dev();
	int fd;

	if (e)
		pin_drop(e);
	if (!dev || npins == PIN_MAX) {
		*rep = (struct host_rep){ .ret = -1, .err = dev ? EMFILE : ENODEV, .code = 1 };
		return;
	}
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		*rep = (struct host_rep){ .ret = -1, .err = errno, .code = 1 };
		return;
	}
	pin_result(rep, ioctl(fd, FLPIN_IOC_PIN, &take));
	pins[npins++] = (struct pin_ent){ rq->slot, fd };
}

void fl_host_child_pin_request(const struct host_req *rq, uint8_t *out, struct host_rep *rep)
{
	struct pin_ent *e;

	if (rq->op == HOST_OP_PIN) {
		pin_take(rq, rep);
		return;
	}
	e = pin_find(rq->slot);
	if (!e) {       /* the runner's bookkeeping, not the kernel's answer */
		*rep = (struct host_rep){ .ret = -1, .err = ENOENT, .code = 1 };
		return;
	}
	if (rq->op == HOST_OP_PIN_READ) {
		struct flpin_read rd = { .off = rq->a[0], .len = rq->a[1], .buf = (uintptr_t)out };

		memset(out, 0xaa, rq->a[1]);    /* as the model's kernel buffer starts */
		pin_result(rep, ioctl(e->fd, FLPIN_IOC_READ, &rd));
		rep->dlen = rq->a[1];
		return;
	}
	pin_drop(e);    /* HOST_OP_PIN_PUT */
	rep->ret = 0;
}
