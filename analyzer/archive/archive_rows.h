/* archive_rows.h - tag rows written in batches.
 *
 * One INSERT per row spends most of its time in statement overhead; rows
 * are queued and written ROW_BATCH at a time by one multi-row INSERT (the
 * tail with the single-row statement).  Rowids of the rows written between
 * two takes are consecutive (one connection, one transaction), which is
 * what samples.row_first/row_count record.
 */
#ifndef PT_ARCHIVE_ROWS_H
#define PT_ARCHIVE_ROWS_H

#include <stdint.h>

#include "archive.h"
#include "pt_evidence.h"

typedef struct pt_row_batch pt_row_batch;

pt_status pt_row_batch_open(pt_archive *a, pt_row_batch **out, pt_error *err);
/* Queues a row (its strings are copied); writes the batch when it is full. */
pt_status pt_row_batch_add(pt_row_batch *b, int64_t sample_id, int64_t tag_id,
                           const pt_tag_row *row, pt_error *err);
/* Writes what is queued. */
pt_status pt_row_batch_flush(pt_row_batch *b, pt_error *err);
/* The rowids written since the last take: first and count (0 if none). */
void pt_row_batch_take(pt_row_batch *b, int64_t *first, int64_t *count);
void pt_row_batch_close(pt_row_batch *b);

#endif
