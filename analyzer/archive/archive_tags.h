/* archive_tags.h - interning tags (raw value + shown text) to row ids.
 *
 * A tag row refers to tags(id); looking the tag up in SQLite for each of
 * millions of rows would dominate an import, so ids are cached in an
 * open-addressing hash table keyed by (value, text).
 */
#ifndef PT_ARCHIVE_TAGS_H
#define PT_ARCHIVE_TAGS_H

#include <stdint.h>

#include "archive.h"
#include "pt_tag.h"

typedef struct pt_tag_intern pt_tag_intern;

pt_status pt_tag_intern_open(pt_archive *a, pt_tag_intern **out, pt_error *err);
/* The id of (tag, text), inserting a tags row when new.  text NULL means the
 * tag's own formatted text. */
pt_status pt_tag_intern_id(pt_tag_intern *ti, pt_tag tag, const char *text, int64_t *id,
                           pt_error *err);
void pt_tag_intern_close(pt_tag_intern *ti);

/* The tag's match key (tags.match_value, schema/archive/003_tag_match.sql):
 * its trailing 0x00 bytes written as 0x20.  The debugger's !poolused shows
 * the tag ('M','P','P',0x00) as 'MPP.' and the text reader stores it so,
 * while poolmon shows the same tag as 'MPP ' (0x20): both have the key
 * 'MPP '.  Trailing bytes are those at the high end (the tag's last
 * characters) while they are 0x00 or 0x20. */
pt_tag pt_tag_match_key(pt_tag tag);

/* Schema version from which tags carry match_value (and sources
 * file_sha256): schema/archive/003_tag_match_file_sha256.sql. */
#define PT_ARCHIVE_TAG_MATCH_VERSION 3

#endif
