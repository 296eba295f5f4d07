/*
 * backend/host_proto.c - moving host requests and replies over a stream
 * socket: a fixed header, then iovecs, then data, and at most one file
 * descriptor riding on the header (SCM_RIGHTS); and an agent's frames
 * over any byte stream (fl_host_write_all()).
 *
 * A stream, not SOCK_SEQPACKET, because a store's data or a peek's reply
 * can be megabytes, more than one packet may hold.  The parent's end has
 * SO_SNDTIMEO/SO_RCVTIMEO set (host_link.c): a stuck child shows up here as
 * -EAGAIN, which the caller turns into a killed process group.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend/host_proto.h"

/* Send the rest of IOV after a partial sendmsg. */
static int send_rest(int sock, struct iovec *iov, int n, size_t done)
{
	while (n > 0) {
		ssize_t k;

		while (n > 0 && done >= iov[0].iov_len) {
			done -= iov[0].iov_len;
			iov++;
			n--;
		}
		if (n == 0)
			break;
		iov[0].iov_base = (char *)iov[0].iov_base + done;
		iov[0].iov_len -= done;
		k = writev(sock, iov, n);
		if (k < 0 && errno == EINTR)
			k = 0;
		if (k < 0)
			return -errno;
		done = (size_t)k;
	}
	return 0;
}

int fl_host_send(int sock, const void *hdr, size_t hlen, const void *iov,
	      size_t ilen, const void *data, size_t dlen, int fd)
{
	struct iovec v[3] = {
		{ (void *)hdr, hlen }, { (void *)iov, ilen }, { (void *)data, dlen },
	};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = { .msg_iov = v, .msg_iovlen = 3 };
	ssize_t k;

	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		ctl.h.cmsg_level = SOL_SOCKET;
		ctl.h.cmsg_type = SCM_RIGHTS;
		ctl.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&ctl.h), &fd, sizeof(int));
	}
	/* MSG_NOSIGNAL: a dead child is an error to report, not a SIGPIPE. */
	do
		k = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return -errno;
	return send_rest(sock, v, 3, (size_t)k);
}

int fl_host_recv_all(int sock, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t k = read(sock, p, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -EPIPE;  /* the other side is gone */
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

/* The header; *FD gets a descriptor that came with it, else -1. */
int fl_host_recv_hdr(int sock, void *hdr, size_t hlen, int *fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec v = { hdr, hlen };
	struct msghdr msg = {
		.msg_iov = &v, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t k;

	*fd = -1;
	do
		k = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return -errno;
	if (k == 0)
		return -EPIPE;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	if ((size_t)k < hlen)
		return fl_host_recv_all(sock, (char *)hdr + k, hlen - (size_t)k);
	return 0;
}

/*
 * send() with MSG_NOSIGNAL where FD is a socket, so a gone agent is an
 * error to report and not a SIGPIPE of the runner; write() on a pipe or
 * a console.
 */
int fl_host_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	bool sock = true;

	while (len) {
		ssize_t k = sock ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);

		if (k < 0 && sock && errno == ENOTSOCK) {
			sock = false;
			continue;
		}

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

void fl_host_upstream_release(const char *release, const char *version,
			      char *out, size_t len)
{
	const char *debian = strstr(version, " Debian ");
	size_t n;

	if (debian) {
		debian += strlen(" Debian ");
		n = strspn(debian, "0123456789.");
		if (n && debian[0] != '.') {
			snprintf(out, len, "%.*s", (int)n, debian);
			return;
		}
	}
	snprintf(out, len, "%s", release);
}

bool fl_host_op_lone(uint32_t op)
{
	switch (op) {
	case HOST_OP_EXIT: case HOST_OP_INSTALL: case HOST_OP_FORK: case HOST_OP_WAIT:
	case HOST_OP_SNAPSHOT: case HOST_OP_RESTORE: case HOST_OP_BATCH:
	case HOST_OP_UFFD_NEW: case HOST_OP_UFFD_IOCTL: case HOST_OP_UFFD_READ:
	case HOST_OP_UFFD_SERVE: case HOST_OP_UFFD_EVENT: case HOST_OP_UFFD_LOG:
	case HOST_OP_PAGEMAP_SCAN:      /* its reply's room comes from its data */
		return true;
	default:
		return false;
	}
}
