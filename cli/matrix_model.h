/*
 * cli/matrix_model.h - the model's side of the system-call matrix
 * (matrix_sys.h): the same cases and checks, run on a world of any arch
 * and kernel version.  `bench matrix` uses it at the running kernel's
 * version on x86_64; `exactness --kernel NAME` at a guest's version and
 * arch (cli/vm_exactness.c).
 */
#ifndef FL_CLI_MATRIX_MODEL_H
#define FL_CLI_MATRIX_MODEL_H

#include <faultline/arch.h>
#include <faultline/types.h>

#include "cli/matrix_sys.h"

struct mx_model;

/*
 * A world of ARCH at KVER on a CPU lacking CPU_OFF (FL_CPU_*), holding the
 * page and files: 0 or -errno.
 */
int mx_model_new(enum fl_arch_id arch, fl_kver_t kver, unsigned cpu_off, struct mx_model **out);
void mx_model_free(struct mx_model *m);
/* The bare call of case C (the timed loops use this): the syscall's ret. */
long mx_model_call(struct mx_model *m, enum mx_call call, const struct mx_case *c);
/* Run case C of CALL on the model, check it, restore: its result. */
struct mx_result mx_model_case(struct mx_model *m, enum mx_call call, const struct mx_case *c);

#endif
