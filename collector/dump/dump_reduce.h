/* dump_reduce.h - which bytes of a dump the reader needs.
 *
 * A recording pt_source notes every range the reader reads; running the
 * reader (read and describe) over it gives the file blocks an import of
 * this dump touches.  `--dump-reduce` stores only those blocks in the
 * bundle, so a few MB stand for a dump of many GB and import to exactly
 * the same results (the reader reads the same bytes again). */
#ifndef DUMP_REDUCE_H
#define DUMP_REDUCE_H

#include <stddef.h>
#include <stdint.h>

#include "pt_reader.h"
#include "pt_source.h"

/* Ranges are kept in whole blocks of this size. */
#define DUMP_REDUCE_BLOCK 0x1000u

typedef struct dump_range {
    uint64_t offset, length;
} dump_range;

typedef struct dump_range_set {
    dump_range *ranges; /* sorted, merged, block-aligned, within the file */
    size_t count;
    uint64_t bytes;     /* sum of the lengths */
    uint64_t reads;     /* read calls seen */
} dump_range_set;

/* A source over `inner` (kept open by the caller) that records into set. */
pt_status dump_recording_source_open(pt_source *inner, dump_range_set *set, pt_source **out,
                                     pt_error *err);
/* Sorts and merges what was recorded (call before using set->ranges). */
pt_status dump_range_set_finish(dump_range_set *set, uint64_t file_size, pt_error *err);
void dump_range_set_free(dump_range_set *set);

/* Runs the dump reader's read and describe over src and returns the blocks
 * they read.  The reader's own status is ignored unless it is an I/O or
 * memory error: a dump read partially is reduced to what was read. */
pt_status dump_reduce_ranges(pt_source *src, const pt_read_options *opt, dump_range_set *set,
                             pt_error *err);

/* --dump-reduce: adds src to the bundle as member `name` (kind "dump")
 * holding only the blocks dump_reduce_ranges finds, the rest as holes.
 * The member imports to the same records as the whole dump.  If stats is
 * not NULL it gets the ranges kept (the caller frees it).  On an error
 * after the member was begun, the writer is mid-member: abort it
 * (pt_bundle_writer_abort).  Needs pt_bundle (pt_dump links it). */
struct pt_bundle_writer;
struct pt_bundle_attr;
pt_status dump_reduce_to_bundle(struct pt_bundle_writer *w, const char *name, pt_source *src,
                                const struct pt_bundle_attr *attrs, size_t attr_count,
                                dump_range_set *stats, pt_error *err);

#endif
