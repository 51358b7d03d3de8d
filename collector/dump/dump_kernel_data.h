/* dump_kernel_data.h - reading the kernel's tables and variables without
 * symbols: arrays of fixed-size entries in kernel memory (skipping pages
 * the dump lacks), ntoskrnl's .data section, and pointer/count variable
 * pairs in it (../shared/docs/dump-format.md §4.4, §4.5). */
#ifndef DUMP_KERNEL_DATA_H
#define DUMP_KERNEL_DATA_H

#include "dump_file.h"

/* ntoskrnl's .data is read whole to find the tables' variables. */
#define DUMP_MAX_DATA_SECTION (16u << 20)
/* Entries read per chunk, and entries a validity check looks at. */
#define DUMP_READ_CHUNK_ENTRIES 1024u
#define DUMP_VALIDATE_ENTRIES 2048u
/* Pointer/count candidates checked against their entries, at most. */
#define DUMP_MAX_PAIR_CANDIDATES 1024u

/* Called per entry; return 0 to stop. */
typedef int (*dump_entry_fn)(void *ctx, uint32_t index, const uint8_t *entry);

/* Reads count entries of stride bytes at va in chunks; entries on pages the
 * dump lacks are skipped and counted in *missing. */
pt_status dump_each_entry(dump_file *df, uint64_t va, uint32_t count, uint32_t stride,
                          dump_entry_fn fn, void *ctx, uint32_t *missing, pt_error *err);

typedef struct dump_data_section {
    uint64_t va;
    uint32_t size;
    uint8_t *bytes; /* pages the dump lacks read as zeros; free() it */
} dump_data_section;

/* Loads the .data section of the PE image at base; 0 when unreadable. */
int dump_data_section_load(dump_file *df, uint64_t base, dump_data_section *ds);
/* The pointer-sized value at off in the section. */
uint64_t dump_data_section_pointer(const dump_file *df, const dump_data_section *ds,
                                   uint32_t off);

/* Accepts a candidate table (va, count). */
typedef int (*dump_pair_ok_fn)(dump_file *df, uint64_t va, uint64_t count, void *ctx);

/* Finds a page-aligned kernel pointer (other than exclude) with a count
 * in the slot after or before it (a power of two when pow2), up to
 * max_count, that ok accepts.  Stops after DUMP_MAX_PAIR_CANDIDATES. */
int dump_find_pointer_pair(dump_file *df, const dump_data_section *ds, uint64_t exclude,
                           uint64_t max_count, int pow2, dump_pair_ok_fn ok, void *ctx,
                           uint64_t *va, uint64_t *count);

#endif
