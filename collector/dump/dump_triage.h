/* dump_triage.h - the TRIAGE_DUMP block of small memory dumps (type 4):
 * the driver list, the KDBG copy and the counts around them
 * (../shared/docs/dump-format.md §1.7). */
#ifndef DUMP_TRIAGE_H
#define DUMP_TRIAGE_H

#include "dump_file.h"
#include "pt_evidence.h"

/* Drivers past this count are not read (real dumps hold a few hundred). */
#define DUMP_TRIAGE_MAX_DRIVERS 8192u

typedef struct dump_triage {
    uint32_t service_pack_build;
    uint32_t size_of_dump;
    uint32_t valid_offset;
    int valid_tag;             /* "TRGD" at ValidOffset */
    uint32_t context_offset, exception_offset;
    uint32_t mm_offset;
    uint32_t unloaded_drivers_offset;
    uint32_t unloaded_driver_count;  /* UINT32_MAX when unreadable */
    uint32_t driver_list_offset, driver_count;
    uint32_t string_pool_offset, string_pool_size;
    uint64_t top_of_stack;
    uint32_t debugger_data_offset, debugger_data_size;
    uint32_t data_blocks_offset, data_blocks_count;
    uint32_t driver_stride;    /* bytes between driver entries */
} dump_triage;

pt_status dump_triage_read(dump_file *df, dump_triage *t, pt_error *err);

typedef pt_status (*dump_module_fn)(void *ctx, const pt_module *m);

/* Calls fn for each driver of the list, in list order.  A driver whose name
 * cannot be read is passed with the name "" and a warning. */
pt_status dump_triage_each_driver(dump_file *df, const dump_triage *t, dump_module_fn fn,
                                  void *ctx, pt_error *err);

/* UTF-16LE to UTF-8 (unpaired surrogates become U+FFFD); out always ends
 * with NUL.  Shared with the module list walk. */
void dump_utf16_to_utf8(const uint8_t *in, size_t chars, char *out, size_t out_size);

#endif
