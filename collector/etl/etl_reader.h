/* etl_reader.h - the ETW trace (.etl) reader: pool allocations and frees
 * with their stacks, image rundown, outstanding bytes per tag over time.
 *
 * What read() emits (kind PT_KIND_ETL, time_origin "trace", variant "etl",
 * or "etl-partial" when damage was skipped with partial_ok):
 *
 *  - 64 to 128 series samples spread over the trace (the resolution
 *    doubles as the trace grows), each with one tag_row per (tag, pool
 *    type) seen so far: has = ALLOCS|FREES|OUTSTANDING|BYTES, where allocs
 *    and frees count events inside the trace and outstanding/bytes are the
 *    allocations made inside the trace and not yet freed (a free of an
 *    allocation made before the trace counts as a free only).
 *  - the closing sample at the last kernel event: the end state rows, the
 *    counters of the trace window ("pool allocations", "pool frees",
 *    "AIFI allocations"/"AIFI bytes", "AIFO allocations"/"AIFO bytes",
 *    "AOFI allocations"/"AOFI bytes" (bytes as the frees state them),
 *    "AOFO allocations"/"AOFO bytes" (0 for the whole-trace window the
 *    reader uses; etl_analysis_set_window gives other windows), "lost
 *    frees", "big-pool allocations", "stacks joined", "distinct stacks",
 *    "stacks not kept", "peak outstanding allocations", "buffers lost",
 *    "events lost"), the kernel images (pt_module: pid-0 Load,
 *    DCStart, DCEnd records, each image once), the allocations still
 *    outstanding (pt_allocation, oldest first, with stack ids) and the
 *    stacks they refer to (pt_stack, frame 0 deepest).
 *  - warnings for lost buffers, unknown header kinds and skipped damage.
 *
 * Without partial_ok, damage (a bad buffer size, a cut file, an event
 * crossing its buffer's end, a buffer that does not inflate) is
 * PT_ERR_CORRUPT naming the file and offset, and nothing is emitted.
 * etl_leaks.h groups the closing sample's records by tag and driver.
 */
#ifndef ETL_READER_H
#define ETL_READER_H

#include "pt_reader.h"

extern const pt_reader pt_reader_etl;

#endif
