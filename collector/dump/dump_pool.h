/* dump_pool.h - pool tracking in a dump: the tracker tables (per tag, as
 * !poolused sums them) and the big page table
 * (../shared/docs/dump-format.md §4). */
#ifndef DUMP_POOL_H
#define DUMP_POOL_H

#include "dump_file.h"
#include "dump_kdbg.h"
#include "dump_symbols.h"
#include "pt_evidence.h"

/* Tracker tables hold 2^k + 1 entries; more than this is not a table. */
#define DUMP_MAX_TRACKER_ENTRIES ((UINT32_C(1) << 20) + 1)
/* ExPoolTagTables: Windows 11 has room for 0x800 processors. */
#define DUMP_MAX_CPU_TABLES 2048u
#define DUMP_MAX_EXPANSION_ENTRIES (UINT32_C(1) << 20)
#define DUMP_MAX_BIGPAGE_ENTRIES (UINT32_C(1) << 24)

/* Counter fields of a tracker entry, in this order. */
enum { TRK_NP_ALLOCS, TRK_NP_FREES, TRK_NP_BYTES, TRK_P_ALLOCS, TRK_P_FREES, TRK_P_BYTES,
       TRK_FIELDS };

typedef struct dump_tracker_layout {
    const char *name;       /* "x64-1709" ... */
    const char *builds;     /* which Windows versions use it */
    unsigned pointer_size;  /* 4 (x86) or 8 (x64) */
    uint32_t stride;
    uint32_t min_build, max_build; /* the builds that use it (inclusive) */
    struct {
        uint8_t off, width;
    } field[TRK_FIELDS];
} dump_tracker_layout;

/* Every known layout (§4.1). */
const dump_tracker_layout *dump_tracker_layouts(size_t *count);

typedef struct dump_tag_sum {
    uint32_t key;
    uint64_t v[TRK_FIELDS]; /* summed, wrapping at each field's width */
} dump_tag_sum;

typedef struct dump_pool_tables {
    /* tracker tables */
    int have_trackers;
    uint64_t pool_track_table_var; /* &nt!PoolTrackTable (KDBG) */
    uint64_t pool_track_table;     /* the global (CPU 0) table */
    uint32_t entries;              /* PoolTrackTableSize */
    char size_origin[160];
    const dump_tracker_layout *layout;
    int layout_certain;
    char layout_reason[256];
    uint32_t cpu_tables;           /* tables summed, including CPU 0's */
    uint32_t cpu_tables_unreadable;
    uint64_t expansion;            /* 0 when not found */
    uint32_t expansion_entries;
    dump_tag_sum *tags;            /* sorted by key */
    size_t tag_count;
    /* big page table */
    int have_bigpages;
    uint64_t bigpage_table;
    uint32_t bigpage_entries;
    uint32_t bigpage_stride;
    const char *bigpage_layout;
    /* ntoskrnl .data, where the heuristics look */
    uint64_t kernel_base;
    int data_section_found;
    int from_symbols;              /* table variables located through the PDB */
} dump_pool_tables;

/* Finds and sums the tables, through the PDB's symbols when sym->loaded
 * (sym may be NULL), else through the KDBG and the heuristics.  Not finding
 * them is not an error: warnings say what is missing and why. */
pt_status dump_pool_load(dump_file *df, const dump_kdbg *k, const dump_symbols *sym,
                         dump_pool_tables *p, pt_error *err);
void dump_pool_free(dump_pool_tables *p);

/* Emits one pt_allocation per used big page table entry. */
pt_status dump_pool_each_big(dump_file *df, const dump_pool_tables *p, const pt_sink *sink,
                             uint64_t *emitted, pt_error *err);

/* Internal to the module: locates the big page table into p (through
 * sym, or a pointer/size pair in ntoskrnl's .data, ignoring `exclude`). */
struct dump_data_section;
void dump_bigpool_find(dump_file *df, const dump_symbols *sym,
                       const struct dump_data_section *ds, uint64_t exclude,
                       dump_pool_tables *p);

/* Whether the value could be a pool tag key. */
int dump_key_is_tag(uint32_t key);

#endif
