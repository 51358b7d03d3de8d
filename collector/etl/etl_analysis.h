/* etl_analysis.h - pool allocations and frees matched by address, stacks
 * joined to them, images, and a time series of outstanding count and
 * bytes per tag and pool type, turned into pt_sink samples.
 *
 * Events are fed in merged time order.  Memory is bounded by the
 * allocations outstanding at any moment (ETL_BYTES_PER_OUTSTANDING each at
 * most), the distinct stacks, the images and the distinct tags.
 */
#ifndef ETL_ANALYSIS_H
#define ETL_ANALYSIS_H

#include <stdint.h>

#include "etl_file.h"
#include "etl_stats.h"
#include "pt_evidence.h"

/* A live allocation is a 32-byte slot in an open-addressing table kept
 * between 1/4 and 1/2 full: 64 to 128 bytes per outstanding allocation. */
#define ETL_LIVE_SLOT_BYTES 32u
#define ETL_BYTES_PER_OUTSTANDING 128u

/* Samples kept: between SAMPLES_MAX/2 and SAMPLES_MAX, plus the end. */
#define ETL_SAMPLES_MAX 128u
/* Distinct (tag, pool type) rows: the series keeps up to SAMPLES_MAX
 * changes of each (40 bytes), 84 MB at most. */
#define ETL_MAX_ROWS 16384u
/* Distinct stacks and their frames kept (beyond them, allocations keep no
 * stack and the closing counters say so): 256 MiB of frames at most. */
#define ETL_MAX_STACKS 4000000u
#define ETL_MAX_STACK_FRAMES (32u * 1024u * 1024u)
#define ETL_MAX_FRAMES 256u
#define ETL_MAX_IMAGES 65536u

typedef struct etl_analysis etl_analysis;

/* Totals over the trace.  The four WPA classes are for the analysis
 * window [t0, t1] (etl_analysis_set_window; the whole trace by default),
 * pairing each allocation with its free by address (and session):
 * AIFI allocated and freed inside; AIFO allocated inside, not freed by t1;
 * AOFI allocated before t0 (or before the trace: a free with no alloc,
 * counted with the size the free states), freed inside; AOFO allocated
 * before t0, freed after t1 or never.  For the whole trace AOFO is 0
 * unless a window is set.  AIFO/AOFO are complete after etl_analysis_emit. */
typedef struct etl_pool_totals {
    uint64_t allocs, frees;
    uint64_t aifi, aifi_bytes;
    uint64_t aifo, aifo_bytes;
    uint64_t aofi, aofi_bytes;
    uint64_t aofo, aofo_bytes;
    uint64_t lost_frees;            /* a second alloc at a live address */
    uint64_t bigpool_allocs;
    uint64_t stacks_joined;         /* stack walks / keys joined to a pool event */
    uint64_t stacks_unjoined;       /* kernel stacks with no pool event to join */
    uint64_t keys_unresolved;       /* outstanding allocations whose key was never defined */
    uint64_t distinct_stacks;
    uint64_t kernel_images;
    uint64_t malformed;             /* pool/stack/image payloads too short */
    uint64_t stacks_dropped;        /* stacks not kept: the stack table was full */
    uint64_t peak_outstanding;      /* most allocations live at once */
} etl_pool_totals;

/* server2003: 1 forces the Server 2003 pool opcodes, 0 the modern ones,
 * -1 picks by the logfile's OS version (< 6.1 = Server 2003). */
pt_status etl_analysis_create(const etl_file *f, int server2003, etl_analysis **out,
                              pt_error *err);
void etl_analysis_free(etl_analysis *a);

/* Sets the window of the AIFI/AIFO/AOFI/AOFO classes in raw clock ticks
 * (inclusive); call before the first event. */
void etl_analysis_set_window(etl_analysis *a, uint64_t t0, uint64_t t1);

/* Prefetches the live-allocation slot a pool event will touch (an
 * etl_lookahead_fn: pass the analysis as ctx).  Only a hint. */
void etl_analysis_lookahead(void *analysis, const etl_event *ev);

/* Feeds one event (merged order). */
pt_status etl_analysis_event(etl_analysis *a, const etl_event *ev, pt_error *err);

/* Emits the samples: ~ETL_SAMPLES_MAX/2..ETL_SAMPLES_MAX tag-row samples
 * over the trace, then the closing sample with the window counters, the
 * kernel images (pt_module), the outstanding allocations (pt_allocation,
 * oldest first) and the stacks they refer to (pt_stack).  variant is the
 * sample variant ("etl", "etl-partial"). */
pt_status etl_analysis_emit(etl_analysis *a, const pt_sink *sink, const char *source,
                            const char *variant, pt_error *err);

const etl_pool_totals *etl_analysis_totals(const etl_analysis *a);
const etl_stats *etl_analysis_stats(const etl_analysis *a);
int etl_analysis_server2003(const etl_analysis *a);

#endif
