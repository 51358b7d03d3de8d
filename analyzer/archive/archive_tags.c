/* archive_tags.c - the tag id cache in front of the tags table. */
#include <stdlib.h>
#include <string.h>

#include "archive_tags.h"

/* Longest shown text kept as a tag's text; longer source text is cut
 * (a tag is four bytes: even fully escaped it is 16 characters). */
#define TAG_TEXT_MAX 32

typedef struct tag_slot {
    int64_t id;          /* 0 = empty */
    pt_tag value;
    uint32_t len;        /* of text */
    char text[TAG_TEXT_MAX + 1];
} tag_slot;

struct pt_tag_intern {
    pt_archive *a;
    sqlite3_stmt *select, *insert;
    int has_match;       /* the tags table has match_value (schema 3 on) */
    tag_slot *slots;
    size_t cap, used;    /* cap is a power of two */
};

/* FNV-1a over the value and at most TAG_TEXT_MAX bytes of text; *len is
 * the length hashed (the key's text is the text cut there). */
static uint64_t tag_hash(pt_tag value, const char *text, size_t *len)
{
    uint64_t h = 1469598103934665603ull ^ value;
    size_t n;
    for (n = 0; n < TAG_TEXT_MAX && text[n] != '\0'; n++)
        h = (h ^ (uint8_t)text[n]) * 1099511628211ull;
    *len = n;
    /* FNV's low bits (the table index) mix poorly for short texts over few
     * characters: a multiply-xorshift finish spreads the high bits down. */
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 33);
}

pt_status pt_tag_intern_open(pt_archive *a, pt_tag_intern **out, pt_error *err)
{
    pt_tag_intern *ti = calloc(1, sizeof *ti);
    pt_status rc;

    *out = NULL;
    if (ti == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    ti->a = a;
    ti->cap = 1024;
    ti->slots = calloc(ti->cap, sizeof *ti->slots);
    if (ti->slots == NULL) {
        rc = pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
        goto fail;
    }
    rc = pt_archive_prepare(a, "SELECT id FROM tags WHERE value = ?1 AND text = ?2",
                            &ti->select, err);
    /* An archive held at an older schema (tests open one so) has no
     * match_value column; the analysis computes the key itself there. */
    ti->has_match = pt_archive_schema_version(a) >= PT_ARCHIVE_TAG_MATCH_VERSION;
    if (rc == PT_OK)
        rc = pt_archive_prepare(
            a,
            ti->has_match ? "INSERT INTO tags(value, text, match_value) VALUES (?1, ?2, ?3)"
                          : "INSERT INTO tags(value, text) VALUES (?1, ?2)",
            &ti->insert, err);
    if (rc != PT_OK)
        goto fail;
    *out = ti;
    return PT_OK;
fail:
    pt_tag_intern_close(ti);
    return rc;
}

static pt_status grow(pt_tag_intern *ti, pt_error *err)
{
    size_t new_cap = ti->cap * 2, i;
    tag_slot *slots = calloc(new_cap, sizeof *slots);

    if (slots == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    for (i = 0; i < ti->cap; i++) {
        tag_slot *s = &ti->slots[i];
        size_t j, len;
        if (s->id == 0)
            continue;
        j = (size_t)tag_hash(s->value, s->text, &len) & (new_cap - 1);
        while (slots[j].id != 0)
            j = (j + 1) & (new_cap - 1);
        slots[j] = *s;
    }
    free(ti->slots);
    ti->slots = slots;
    ti->cap = new_cap;
    return PT_OK;
}

/* Finds the id in the tags table, inserting the row when it is new. */
static pt_status lookup_or_insert(pt_tag_intern *ti, pt_tag value, const char *text,
                                  int64_t *id, pt_error *err)
{
    int step;

    sqlite3_bind_int64(ti->select, 1, (int64_t)value);
    sqlite3_bind_text(ti->select, 2, text, -1, SQLITE_STATIC);
    step = sqlite3_step(ti->select);
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(ti->select, 0);
    sqlite3_reset(ti->select);
    if (step == SQLITE_ROW)
        return PT_OK;
    if (step != SQLITE_DONE)
        return pt_archive_db_error(ti->a, err, "cannot look up a tag");
    sqlite3_bind_int64(ti->insert, 1, (int64_t)value);
    sqlite3_bind_text(ti->insert, 2, text, -1, SQLITE_STATIC);
    if (ti->has_match)
        sqlite3_bind_int64(ti->insert, 3, (int64_t)pt_tag_match_key(value));
    step = sqlite3_step(ti->insert);
    sqlite3_reset(ti->insert);
    if (step != SQLITE_DONE)
        return pt_archive_db_error(ti->a, err, "cannot add a tag");
    *id = sqlite3_last_insert_rowid(pt_archive_db(ti->a));
    return PT_OK;
}

pt_status pt_tag_intern_id(pt_tag_intern *ti, pt_tag tag, const char *text, int64_t *id,
                           pt_error *err)
{
    char own[PT_TAG_TEXT_MAX];
    char key[TAG_TEXT_MAX + 1];
    size_t j, len;
    pt_status rc;

    if (text == NULL || text[0] == '\0')
        text = pt_tag_format(tag, own);
    /* One pass over the text: hash and length; the cached slot is compared
     * by length and bytes (this runs for every tag row of an import). */
    j = (size_t)tag_hash(tag, text, &len) & (ti->cap - 1);
    while (ti->slots[j].id != 0) {
        const tag_slot *s = &ti->slots[j];
        if (s->value == tag && s->len == len && memcmp(s->text, text, len) == 0) {
            *id = s->id;
            return PT_OK;
        }
        j = (j + 1) & (ti->cap - 1);
    }
    memcpy(key, text, len);
    key[len] = '\0';
    rc = lookup_or_insert(ti, tag, key, id, err);
    if (rc != PT_OK)
        return rc;
    ti->slots[j].id = *id;
    ti->slots[j].value = tag;
    ti->slots[j].len = (uint32_t)len;
    memcpy(ti->slots[j].text, key, sizeof key);
    if (++ti->used * 2 > ti->cap)
        return grow(ti, err);
    return PT_OK;
}

pt_tag pt_tag_match_key(pt_tag tag)
{
    int shift;
    for (shift = 24; shift >= 0; shift -= 8) {
        uint32_t byte = (tag >> shift) & 0xFFu;
        if (byte == 0)
            tag |= 0x20u << shift;
        else if (byte != 0x20)
            break;
    }
    return tag;
}

void pt_tag_intern_close(pt_tag_intern *ti)
{
    if (ti == NULL)
        return;
    sqlite3_finalize(ti->select);
    sqlite3_finalize(ti->insert);
    free(ti->slots);
    free(ti);
}
