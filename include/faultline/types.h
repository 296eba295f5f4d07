/*
 * faultline/types.h - vocabulary shared by every layer.
 *
 * Addresses in the modelled user address space are fl_addr_t (a plain
 * 64-bit number, never a host pointer).  Errors are negative errno values,
 * as in the kernel: a function returning int or long returns 0 (or a
 * count) on success and -EFAULT, -EINVAL, ... on failure.
 */
#ifndef FAULTLINE_TYPES_H
#define FAULTLINE_TYPES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t fl_addr_t;

#define FL_PAGE_SHIFT 12
#define FL_PAGE_SIZE  ((fl_addr_t)1 << FL_PAGE_SHIFT)
#define FL_PAGE_MASK  (~(FL_PAGE_SIZE - 1))

#define FL_PAGE_ALIGN_DOWN(a) ((fl_addr_t)(a) & FL_PAGE_MASK)
#define FL_PAGE_ALIGN(a)      (((fl_addr_t)(a) + FL_PAGE_SIZE - 1) & FL_PAGE_MASK)
#define FL_PAGE_OFFSET(a)     ((fl_addr_t)(a) & (FL_PAGE_SIZE - 1))

/*
 * A kernel version, ordered by value: FL_KV(5, 15, 150).  The patch level
 * has 16 bits because stable series run past 255 (4.19.325).
 */
typedef uint32_t fl_kver_t;
#define FL_KV(maj, min, patch) \
	(((fl_kver_t)(maj) << 24) | ((fl_kver_t)(min) << 16) | (fl_kver_t)(patch))
#define FL_KV_MAJOR(v) ((unsigned)((v) >> 24))
#define FL_KV_MINOR(v) ((unsigned)(((v) >> 16) & 0xff))
#define FL_KV_PATCH(v) ((unsigned)((v) & 0xffff))

struct fl_world;

/*
 * The library's interface is what include/faultline/ declares, and only
 * that.  The layers are compiled with -fvisibility=hidden (CMakeLists.txt),
 * so a function shared between two files of the library stays out of
 * libfaultline.so's dynamic symbol table; each public header brackets its
 * declarations with FL_API_BEGIN ... FL_API_END, which gives them default
 * visibility.  Every name so exported begins with fl_ (the test
 * tests/install/exports.sh lists them), so an embedder's own names cannot
 * clash with ours.  A reserved name (__fl_...) is not an fl_ name.
 */
#if defined(__GNUC__)
#define FL_API_BEGIN _Pragma("GCC visibility push(default)")
#define FL_API_END   _Pragma("GCC visibility pop")
#else
#define FL_API_BEGIN
#define FL_API_END
#endif

#endif
