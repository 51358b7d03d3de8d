/* tag_descriptions.c - tag descriptions of a case, looked up by tag. */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "archive_tags.h"
#include "tag_descriptions.h"

/* A tag file has some thousands of lines; a case holding more than this
 * many descriptions is refused rather than filling memory. */
#define MAX_DESCRIPTIONS 1000000u

static char *dup_col(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s != NULL ? strdup(s) : NULL;
}

static pt_status add_entry(pt_desc_table *t, size_t *cap, sqlite3_stmt *st, pt_error *err)
{
    pt_desc_entry *e;

    if (t->count == *cap) {
        size_t ncap = *cap != 0 ? *cap * 2 : 256;
        pt_desc_entry *n;
        if (ncap > MAX_DESCRIPTIONS)
            return pt_error_set(err, PT_ERR_LIMIT, NULL, PT_NO_OFFSET,
                                "more than %u tag descriptions in one case", MAX_DESCRIPTIONS);
        n = realloc(t->entries, ncap * sizeof *n);
        if (n == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
        t->entries = n;
        *cap = ncap;
    }
    e = &t->entries[t->count++];
    memset(e, 0, sizeof *e);
    e->tag = (pt_tag)sqlite3_column_int64(st, 0);
    e->pattern = dup_col(st, 1);
    e->binary = dup_col(st, 2);
    e->description = dup_col(st, 3);
    e->origin = dup_col(st, 4);
    e->line = (uint64_t)sqlite3_column_int64(st, 5);
    e->wildcard = e->pattern != NULL && strpbrk(e->pattern, "*?") != NULL;
    return PT_OK;
}

pt_status pt_desc_table_load(pt_archive *a, int64_t case_id, pt_desc_table *t, pt_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    pt_status rc;
    int step;

    memset(t, 0, sizeof *t);
    rc = pt_archive_prepare(a,
                            "SELECT tag, pattern, binary, description, origin, line "
                            "FROM tag_descriptions WHERE case_id = ?1 ORDER BY id",
                            &st, err);
    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    while (rc == PT_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = add_entry(t, &cap, st, err);
    if (rc == PT_OK && step != SQLITE_DONE)
        rc = pt_archive_db_error(a, err, "cannot read the tag descriptions");
    sqlite3_finalize(st);
    if (rc != PT_OK)
        pt_desc_table_free(t);
    return rc;
}

const pt_desc_entry *pt_desc_table_find(const pt_desc_table *t, pt_tag tag)
{
    char text[PT_TAG_TEXT_MAX];
    size_t i;

    pt_tag key = pt_tag_match_key(tag);

    for (i = 0; i < t->count; i++)
        if (!t->entries[i].wildcard && t->entries[i].tag == tag)
            return &t->entries[i];
    /* The same tag shown another way ('MPP.' from !poolused for 'MPP '). */
    for (i = 0; i < t->count; i++)
        if (!t->entries[i].wildcard && pt_tag_match_key(t->entries[i].tag) == key)
            return &t->entries[i];
    pt_tag_format(key, text);
    for (i = 0; i < t->count; i++)
        if (t->entries[i].wildcard && pt_tag_pattern_match(t->entries[i].pattern, text))
            return &t->entries[i];
    return NULL;
}

void pt_desc_table_free(pt_desc_table *t)
{
    size_t i;
    for (i = 0; i < t->count; i++) {
        free(t->entries[i].pattern);
        free(t->entries[i].binary);
        free(t->entries[i].description);
        free(t->entries[i].origin);
    }
    free(t->entries);
    t->entries = NULL;
    t->count = 0;
}
