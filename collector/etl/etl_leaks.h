/* etl_leaks.h - outstanding allocations grouped by tag and by the first
 * stack frame outside the kernel's pool code, for the report:
 * "tag 'Leak': 111 outstanding allocations, 108 MB, all allocated from
 * myfault.sys+0x13f6".
 *
 * Works on the records the ETL reader emits (pt_allocation, pt_stack,
 * pt_module), so the analyzer can run it on archive rows as well.  The
 * collector sink below gathers them from a reader run; it costs about
 * 56 bytes per outstanding allocation plus the stacks' frames.
 */
#ifndef ETL_LEAKS_H
#define ETL_LEAKS_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_evidence.h"

typedef struct etl_leak_group {
    pt_tag tag;
    pt_pool pool;
    const char *module;     /* image path as traced; "unknown" when no image
                               holds the frame; "no stack" without one */
    uint64_t offset;        /* frame - image base (the address when unknown) */
    uint64_t count, bytes;
    uint64_t stack_id;      /* one allocation's stack in the group (0 = none) */
} etl_leak_group;

/* Groups the allocations not marked freed.  Module names point into mods
 * (or static strings); the array is sorted by bytes, largest first, and
 * freed with free(). */
pt_status etl_leaks_group(const pt_allocation *allocs, size_t nallocs, const pt_stack *stacks,
                          size_t nstacks, const pt_module *mods, size_t nmods,
                          etl_leak_group **out, size_t *nout, pt_error *err);

/* The image holding a stack frame: its name and the frame's offset in it;
 * returns 0, or -1 (module NULL, offset = addr) when no image holds it.
 * A linear scan, for printing stacks in a report. */
int etl_leaks_frame(const pt_module *mods, size_t nmods, uint64_t addr, const char **module,
                    uint64_t *offset);

/* One line for a report: "tag 'Leak' (nonpaged): 2000 outstanding
 * allocations, 8192000 bytes, allocated from myfault.sys+0x13f6".
 * Returns out (cut to cap, always terminated). */
char *etl_leaks_format(const etl_leak_group *g, char *out, size_t cap);

/* A stack as text, deepest frame first: "ntoskrnl.exe+0x3000 <
 * myfault.sys+0x13f6 < 0x1000" (frames in no image as addresses).
 * Returns out (cut to cap, always terminated). */
char *etl_leaks_stack_text(const pt_stack *stack, const pt_module *mods, size_t nmods,
                           char *out, size_t cap);

/* The image file name without its directory ("myfault.sys"). */
const char *etl_leaks_basename(const char *path);

/* True for the kernel image (ntoskrnl.exe, ntkrnlmp.exe, ntkrnlpa.exe,
 * ntkrpamp.exe), where the pool allocator lives. */
int etl_leaks_is_kernel_image(const char *path);

/* Gathers a reader's closing-sample records. */
typedef struct etl_leak_collector {
    pt_allocation *allocs;
    size_t nallocs, cap_allocs;
    pt_stack *stacks;       /* frames owned */
    size_t nstacks, cap_stacks;
    pt_module *mods;        /* names owned */
    size_t nmods, cap_mods;
    int failed;             /* out of memory */
} etl_leak_collector;

/* Fills sink with callbacks that add to c (other callbacks NULL). */
void etl_leak_collector_sink(etl_leak_collector *c, pt_sink *sink);
void etl_leak_collector_free(etl_leak_collector *c);

#endif
