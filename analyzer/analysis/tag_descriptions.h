/* tag_descriptions.h - a case's tag descriptions (pooltag.txt, localtag.txt,
 * tag notes), held in memory to describe the tags of a report. */
#ifndef PT_TAG_DESCRIPTIONS_H
#define PT_TAG_DESCRIPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "archive.h"
#include "pt_tag.h"

typedef struct pt_desc_entry {
    pt_tag tag;
    char *pattern, *binary, *description, *origin;
    uint64_t line;
    int wildcard;
} pt_desc_entry;

typedef struct pt_desc_table {
    pt_desc_entry *entries;
    size_t count;
} pt_desc_table;

pt_status pt_desc_table_load(pt_archive *a, int64_t case_id, pt_desc_table *t, pt_error *err);
/* The entry for a tag: an exact pattern first, else one of the same match
 * key (pt_tag_match_key: 'MPP.' finds "MPP"), else the first wildcard
 * pattern that matches the key's text; NULL when none. */
const pt_desc_entry *pt_desc_table_find(const pt_desc_table *t, pt_tag tag);
void pt_desc_table_free(pt_desc_table *t);

#endif
