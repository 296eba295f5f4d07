/*
 * backend/host_child_bench.c - `faultline bench judge`'s raw loop, run by
 * a scenario process (HOST_OP_RAW_PREAD): the same pread calls a judged
 * case makes, back to back, in the place the judge runs them - this
 * machine, or a guest's agent - so the two rates of one run compare the
 * judge with its own kernel's cost (cli/bench_judge.c).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/host_child.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The pairs of DATA as preads of FD into buffers ending at END + off,
 * repeated until MIN_NS passed: REP's ret the calls made, moved the ns.
 */
void fl_host_child_raw_pread(int fd, const struct host_req *rq, const uint8_t *data,
			     struct host_rep *rep)
{
	size_t n = rq->dlen / (2 * sizeof(uint32_t)), i;
	uint64_t t0 = now_ns(), t, calls = 0;
	uintptr_t end = (uintptr_t)rq->a[0];

	if (!n || fd < 0) {
		*rep = (struct host_rep){ .ret = -1, .err = EINVAL };
		return;
	}
	do {
		for (i = 0; i < n; i++) {
			uint32_t so[2];

			memcpy(so, data + i * sizeof(so), sizeof(so));
			if (pread(fd, (void *)(end + so[1] - so[0]), so[0], 0) < -1)
				break;  /* never: keeps the call's result used */
		}
		calls += n;
		t = now_ns() - t0;
	} while (t < rq->a[1]);
	rep->ret = (int64_t)calls;
	rep->moved = t;
}
