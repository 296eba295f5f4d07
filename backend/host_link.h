/*
 * backend/host_link.h - the host backend's core: the scenario processes,
 * the descriptors they share, and the request/reply exchange with them,
 * with the limits and the timeout that keep a run bounded.
 *
 * The runner (host.c) asks a link for everything that touches a real
 * process; the link does it here (host_link.c) or, when it was opened on
 * a byte stream, has an agent do it (host_stream.c -> fl-agent, whose
 * host_agent.c calls this same code on its side).  Like the scenario
 * process's side, a link needs nothing of the faultline library.
 *
 * Definitions
 *   id      a names[] index of the scenario: a process, file, pipe or
 *           userfaultfd handle.
 *   lost    a process that died or did not answer within timeout_ms; a
 *           timeout kills the whole process group.
 *
 * Invariants
 *   1. procs[id].alive iff process id runs and answers on procs[id].sock
 *      (on a stream link: iff the agent's process id does).
 *   2. fds[id] are open in the link and in every live process (installed
 *      with SCM_RIGHTS); a process made later inherits them.
 *   3. fl_host_link_fini() kills and reaps every process it started, on
 *      every path, and closes every descriptor.
 *
 * Errors of a request: -ESRCH (the process has exited), -ETIMEDOUT (no
 * answer: every process was killed), -ECHILD (it died: lost_sig, or
 * lost_err why its socket failed), -ENOMEM; -EPIPE on a stream link
 * whose agent is gone.
 */
#ifndef FL_BACKEND_HOST_LINK_H
#define FL_BACKEND_HOST_LINK_H

#include "backend/host_proto.h"

struct host_proc {
	pid_t pid;
	int sock;               /* the link's end; -1 on a stream link */
	bool alive;
	bool direct;            /* the link's child (waitpid) or a child's child */
};

struct host_link {
	unsigned nnames;
	struct host_proc *procs;        /* by names[] index */
	int (*fds)[2];                  /* by names[] index: files, pipe ends, uffds */
	pid_t pgid;
	int timeout_ms;
	int lost_sig, lost_err;         /* the last -ECHILD: signal, or socket error */
	/* a stream link: frames out on wfd, replies in on rfd (else -1) */
	int rfd, wfd;                   /* not the link's: fini leaves them open */
	int broken;                     /* the stream itself failed (-errno): the
					   agent is gone; 0 */
	int private_fd[2];              /* what no scenario process may hold (the
					   agent's stream), or -1 */
	struct host_hello hello;        /* what the agent said it runs on */
	char **dirs;                    /* by names[] index: a `dir`'s path, or NULL
					   (host_link_dir.c) */
};

/* NNAMES ids, TIMEOUT_MS per request; nothing runs yet.  0 or -ENOMEM. */
int fl_host_link_init(struct host_link *l, unsigned nnames, int timeout_ms);
/*
 * The same, through the agent at the other end of RFD/WFD (a pipe, a
 * serial console): HELLO starts a scenario there, fini's BYE ends it.
 * The stream outlives the link (one agent serves scenario after scenario:
 * a guest boots once per batch), so the caller owns and closes it.  0,
 * -EPROTO (not an agent, or another version), -errno.
 */
int fl_host_link_init_stream(struct host_link *l, unsigned nnames, int timeout_ms,
			     int rfd, int wfd);
void fl_host_link_fini(struct host_link *l);

/* Process ID, forked from the link's process: its pid, or -errno. */
int fl_host_link_spawn(struct host_link *l, unsigned id);
/* Process PARENT forks ID: REP as HOST_OP_FORK answers (ret pid or -1). */
int fl_host_link_fork(struct host_link *l, unsigned parent, unsigned id,
		      struct host_rep *rep);
/* Process ID exits: 0, -ESRCH. */
int fl_host_link_exit(struct host_link *l, unsigned id);
/* File ID of SIZE bytes: a memfd (FS 0), else O_TMPFILE in $TMPDIR.  0, -errno. */
int fl_host_link_file(struct host_link *l, unsigned id, uint64_t size, unsigned fs);
/* open ID SRC ACC: file SRC's inode opened again as ID with O_ACCMODE ACC. */
int fl_host_link_open(struct host_link *l, unsigned id, unsigned src, unsigned acc);
/*
 * Directory ID (host_link_dir.c) of shape S (struct fl_dir_shape) on
 * tmpfs, open O_RDONLY | O_DIRECTORY as file ID everywhere.  0, -ENOENT
 * (no tmpfs directory), -errno.  fl_host_link_dirs_fini() removes them
 * (fl_host_link_fini).  _frame: the agent's side of a HOST_LINK_DIR frame.
 */
struct fl_dir_shape;
int fl_host_link_dir(struct host_link *l, unsigned id, const struct fl_dir_shape *s);
int fl_host_link_dir_frame(struct host_link *l, unsigned id, uint32_t arg32, uint64_t arg);
void fl_host_link_dirs_fini(struct host_link *l);
/* A tmpfs directory this process may write in, or NULL. */
const char *fl_host_tmpfs_dir(void);
/* FD as file ID in the link and every live process: 0 or -errno. */
int fl_host_link_install_file(struct host_link *l, unsigned id, int fd);
/* A frame of OP to the agent (a stream link): 0 or -errno, FR its answer. */
int fl_host_link_frame(struct host_link *l, uint32_t op, unsigned id, uint32_t arg32,
		       uint64_t arg, struct host_frame_rep *fr);
/* The directory O_TMPFILE files of fs=FS (1 ext4, 2 btrfs) go to, or NULL (host_env.c). */
const char *fl_host_tmp_dir(unsigned fs);
/* Pipe ID, O_NONBLOCK both ends.  0, -errno. */
int fl_host_link_pipe(struct host_link *l, unsigned id, bool blocking);
/*
 * Socket pair ID, both ends O_NONBLOCK, in every live process.  HOW's low
 * byte is the `socketpair` type (0 stream, 1 dgram, 3 seqpacket:
 * socketpair(AF_UNIX); 2 tcp: a TCP connection over 127.0.0.1, end 0 the
 * connecting socket, end 1 the accepted one); HOST_SOCK_SNDBUF in HOW sets SO_SNDBUF to
 * SNDBUF on both ends, HOST_SOCK_BLOCKING makes both blocking.  0 or
 * -errno.
 */
#define HOST_SOCK_TCP    2u
#define HOST_SOCK_UDP    4u
#define HOST_SOCK_SNDBUF 0x100u
#define HOST_SOCK_BLOCKING 0x200u     /* `nonblock=off`: O_NONBLOCK cleared on both ends */
int fl_host_link_socketpair(struct host_link *l, unsigned id, uint32_t how, uint64_t sndbuf);
/* Close pipe ID's end WHICH (0 read, 1 write) everywhere: 0 or -errno. */
int fl_host_link_close(struct host_link *l, unsigned id, unsigned which);
/*
 * RQ (with its iovecs and data) to process ID, its reply in REP; reply
 * data to *OUT (malloc'ed; NULL: dropped).  A userfaultfd the reply of
 * HOST_OP_UFFD_NEW carries becomes fds[rq->slot][0] everywhere.
 */
int fl_host_link_request(struct host_link *l, unsigned id, const struct host_req *rq,
			 const void *iov, const void *data, struct host_rep *rep,
			 uint8_t **out);
/*
 * A socket pair SV, then fork(): the pid in the parent, 0 in the child,
 * or -errno (nothing left open).  Each side closes the end it does not use.
 */
pid_t fl_host_fork_pair(int sv[2]);
/* SIGKILL every process, reap those that are the link's children. */
void fl_host_link_kill_all(struct host_link *l);

/*
 * The agent's loop (host_agent.c): frames from RFD, replies to WFD,
 * one scenario after another, until BYE or EOF.  0, or -errno of a
 * broken stream.
 */
int fl_host_agent_serve(int rfd, int wfd);

/* host_stream.c: the link's operations sent as frames to the agent. */
int fl_host_stream_call(struct host_link *l, const struct host_frame *f,
			const struct host_req *rq, const void *iov, const void *data,
			struct host_frame_rep *fr, uint8_t **out);

#endif
