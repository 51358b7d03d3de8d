/* archive_export.h - a case's data as CSV (RFC 4180: CRLF line ends, a
 * header row, fields quoted when they hold a comma, a quote or a line
 * break, quotes doubled).
 *
 * Columns (fixed; later issues add files, never columns to these):
 *   tags      sample,time,source,tag,pool,allocs,frees,outstanding,bytes,description,binary
 *   counters  sample,time,source,name,value,unit
 *   suspects  rank,tag,pool,bytes,growth_bytes_per_hour,persistence,share,verdict
 *   modules   sample,name,base,size,timestamp,checksum
 * sample is the sample's 1-based number in the case's time order; time is
 * ISO 8601 UTC, empty when unknown; pool is nonpaged, paged,
 * session-nonpaged or session-paged; a tag is written as the source shows
 * it with non-printable bytes as \xNN; a column the source does not give
 * (allocs and frees of a !poolused row) is empty.  growth is bytes per hour
 * rounded to a whole byte, persistence and share are fractions 0..1 with 4
 * decimals.  base is hex (0x...), timestamp and checksum hex (0x........).
 */
#ifndef PT_ARCHIVE_EXPORT_H
#define PT_ARCHIVE_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "archive.h"

pt_status pt_export_tags_csv(pt_archive *a, int64_t case_id, FILE *out, pt_error *err);
pt_status pt_export_counters_csv(pt_archive *a, int64_t case_id, FILE *out, pt_error *err);
pt_status pt_export_suspects_csv(pt_archive *a, int64_t case_id, FILE *out, pt_error *err);
pt_status pt_export_modules_csv(pt_archive *a, int64_t case_id, FILE *out, pt_error *err);

/* Writes one CSV field (quoted when it must be); NULL is an empty field. */
void pt_csv_field(FILE *out, const char *text);
/* Writes tag text with bytes outside printable ASCII as \xNN. */
void pt_tag_text_escape(const char *text, char *out, size_t out_size);

#endif
