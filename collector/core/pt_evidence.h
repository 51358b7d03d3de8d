/* pt_evidence.h - the normalized records every evidence reader emits.
 *
 * Readers (poolmon, !poolused, !vm, pooltag.txt, dumps, ETL traces, PE
 * driver files, live counters) know nothing of SQLite or reports: they
 * call the functions of a pt_sink for each record, in this order:
 *
 *   begin_sample  (a point in time from one source)
 *     tag_row* counter* module* allocation* stack*
 *   end_sample
 *
 * and, outside samples, tag_desc* (tag descriptions from tag files) and
 * driver* / driver_tag* (driver file metadata and tag evidence).  Any
 * callback may be NULL.  A callback returns PT_OK to go on, anything else
 * to stop the reader (which then returns that status).
 *
 * Strings passed to a callback are valid only during the call.
 */
#ifndef PT_EVIDENCE_H
#define PT_EVIDENCE_H

#include <stdint.h>

#include "pt_error.h"
#include "pt_tag.h"

/* Pool types as the archive stores them (values never change). */
typedef enum pt_pool {
    PT_POOL_NONPAGED = 0,
    PT_POOL_PAGED = 1,
    PT_POOL_SESSION_NONPAGED = 2,
    PT_POOL_SESSION_PAGED = 3,
} pt_pool;

/* "nonpaged", "paged", "session-nonpaged", "session-paged". */
const char *pt_pool_name(pt_pool pool);
int pt_pool_parse(const char *name, pt_pool *pool);

/* What kind of evidence a sample came from (values never change). */
typedef enum pt_source_kind {
    PT_KIND_UNKNOWN = 0,
    PT_KIND_POOLMON = 1,
    PT_KIND_POOLUSED = 2,
    PT_KIND_VM = 3,
    PT_KIND_POOLTAG = 4,  /* pooltag.txt / localtag.txt */
    PT_KIND_DUMP = 5,
    PT_KIND_ETL = 6,
    PT_KIND_DRIVERS = 7,  /* driver file metadata */
    PT_KIND_LIVE = 8,
    PT_KIND_TAGNOTES = 9, /* the case's own tag notes */
} pt_source_kind;

const char *pt_source_kind_name(pt_source_kind kind);
int pt_source_kind_parse(const char *name, pt_source_kind *kind);

/* Field-presence flags: a source prints only some columns. */
#define PT_HAS_ALLOCS 0x01u      /* cumulative allocations */
#define PT_HAS_FREES 0x02u       /* cumulative frees */
#define PT_HAS_OUTSTANDING 0x04u /* outstanding allocations (poolmon Diff) */
#define PT_HAS_BYTES 0x08u       /* outstanding bytes */

/* Time: 100 ns units since 1601-01-01 UTC (FILETIME), 0 = unknown. */
typedef uint64_t pt_filetime;

typedef struct pt_sample_info {
    pt_source_kind kind;
    const char *source;   /* file name (or member name) the sample came from */
    const char *variant;  /* format variant, e.g. "poolused-old", "poolmon-snapshot" */
    pt_filetime time;     /* when the sample was taken; 0 if unknown */
    const char *time_origin; /* "file", "command-line", "mtime", "crash", "trace" */
    const char *host;     /* machine name if the source says, else NULL */
} pt_sample_info;

typedef struct pt_tag_row {
    pt_tag tag;
    const char *tag_text;  /* the tag as the source shows it (may differ: "MPP.") */
    pt_pool pool;
    uint32_t has;          /* PT_HAS_* */
    uint64_t allocs, frees, outstanding, bytes;
    const char *description; /* from the source itself, or NULL */
    const char *binary;      /* "Binary:" / Mapped_Driver text, or NULL */
} pt_tag_row;

typedef struct pt_counter {
    const char *name;   /* as the source prints it: "NonPagedPool Usage" */
    const char *unit;   /* "pages", "Kb", "K", "bytes", "count" */
    uint64_t value;
} pt_counter;

typedef struct pt_module {
    const char *name;   /* path or name as the source gives it */
    uint64_t base;
    uint64_t size;
    uint32_t timestamp;
    uint32_t checksum;
} pt_module;

/* One allocation: a big-pool entry from a dump, or an outstanding
 * allocation at the end of an ETL trace. */
typedef struct pt_allocation {
    uint64_t address;
    pt_tag tag;
    pt_pool pool;
    uint64_t size;
    int freed;            /* dump: entry marked free */
    uint64_t stack_id;    /* 0 = none; refers to a pt_stack record */
    pt_filetime time;
} pt_allocation;

typedef struct pt_stack {
    uint64_t stack_id;
    uint32_t depth;
    const uint64_t *frames;
} pt_stack;

typedef struct pt_tag_desc {
    pt_tag tag;
    const char *pattern;  /* as written, may hold ? and * wildcards */
    const char *binary;   /* may be NULL */
    const char *description;
    const char *origin;   /* file the entry came from */
    uint64_t line;
} pt_tag_desc;

/* Driver file metadata and tag evidence, defined by the PE reader
 * (collector/pe/pe_driver.h); opaque to everyone else. */
struct pt_driver_record;

typedef struct pt_sink {
    void *ctx;
    pt_status (*begin_sample)(void *ctx, const pt_sample_info *info);
    pt_status (*tag_row)(void *ctx, const pt_tag_row *row);
    pt_status (*counter)(void *ctx, const pt_counter *counter);
    pt_status (*module)(void *ctx, const pt_module *module);
    pt_status (*allocation)(void *ctx, const pt_allocation *alloc);
    pt_status (*stack)(void *ctx, const pt_stack *stack);
    pt_status (*end_sample)(void *ctx);
    pt_status (*tag_desc)(void *ctx, const pt_tag_desc *desc);
    /* A reader's note on something odd that did not stop it (a TOTAL row
     * that disagrees, a value that looks wrong, a cut line). */
    pt_status (*warning)(void *ctx, const char *source, uint64_t offset,
                         const char *message);
    /* One driver file's metadata with its tag evidence (PE reader). */
    pt_status (*driver)(void *ctx, const struct pt_driver_record *driver);
} pt_sink;

/* Call helpers that skip NULL callbacks. */
pt_status pt_sink_begin_sample(const pt_sink *s, const pt_sample_info *info);
pt_status pt_sink_tag_row(const pt_sink *s, const pt_tag_row *row);
pt_status pt_sink_counter(const pt_sink *s, const pt_counter *c);
pt_status pt_sink_module(const pt_sink *s, const pt_module *m);
pt_status pt_sink_allocation(const pt_sink *s, const pt_allocation *a);
pt_status pt_sink_stack(const pt_sink *s, const pt_stack *st);
pt_status pt_sink_end_sample(const pt_sink *s);
pt_status pt_sink_tag_desc(const pt_sink *s, const pt_tag_desc *d);
pt_status pt_sink_driver(const pt_sink *s, const struct pt_driver_record *d);
pt_status pt_sink_warning(const pt_sink *s, const char *source, uint64_t offset,
                          const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PT_PRINTF_FORMAT, 4, 5)))
#endif
    ;

/* FILETIME helpers. */
pt_filetime pt_filetime_from_unix(int64_t seconds, uint32_t nanoseconds);
int64_t pt_filetime_to_unix(pt_filetime ft);
/* "2021-02-21T01:38:22.9877657Z" (28 chars + NUL); "unknown" for 0. */
char *pt_filetime_format(pt_filetime ft, char out[32]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.fffffff][Z]" or "YYYY-MM-DD HH:MM[:SS]". */
int pt_filetime_parse(const char *text, pt_filetime *ft);

#endif
