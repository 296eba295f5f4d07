/*
 * faultline/hook.h - the named points the model passes, where a scenario's
 * `on HOOK` statements run (faultline/world.h: fl_hook_fire).  Apart from
 * world.h so that the scenario language, a layer below mm/, can name them
 * without the world.
 */
#ifndef FAULTLINE_HOOK_H
#define FAULTLINE_HOOK_H

enum fl_hook {
	FL_HOOK_UACCESS,        /* before each raw copy attempt */
	FL_HOOK_FAULT,          /* entry to the page-fault handler */
	FL_HOOK_FAULT_IN,       /* after a fault-in helper returns */
	FL_HOOK_GUP,            /* each page GUP is about to take */
	FL_HOOK_UFFD_COPY,      /* each UFFDIO_COPY step */
	FL_HOOK_COUNT
};

#endif
