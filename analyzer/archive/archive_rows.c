/* archive_rows.c - batched inserts into tag_rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_rows.h"

#define ROW_BATCH 64
#define ROW_COLUMNS 10
/* A description or binary longer than this is cut: no source prints more. */
#define ROW_TEXT_MAX 4096

typedef struct queued_row {
    int64_t sample_id, tag_id;
    int pool;
    uint32_t has;
    uint64_t allocs, frees, outstanding, bytes;
    size_t description, binary; /* offset + 1 in the batch's text buffer; 0 = NULL */
} queued_row;

struct pt_row_batch {
    pt_archive *a;
    sqlite3_stmt *one, *many;
    sqlite3_stmt *rest;          /* for the last rows of a sample: rest_rows rows */
    size_t rest_rows;
    queued_row rows[ROW_BATCH];
    size_t count;
    char *text;                  /* strings of the queued rows */
    size_t text_len, text_cap;
    int64_t first, written;      /* rows written since the last take */
};

static const char *const INSERT_HEAD =
    "INSERT INTO tag_rows(sample_id, tag_id, pool, has, allocs, frees, outstanding, bytes, "
    "description, binary) VALUES ";

static pt_status prepare_insert(pt_archive *a, size_t rows, sqlite3_stmt **out, pt_error *err)
{
    size_t cap = strlen(INSERT_HEAD) + rows * 24 + 1, len, i;
    char *sql = malloc(cap);
    pt_status rc;

    if (sql == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    len = (size_t)snprintf(sql, cap, "%s", INSERT_HEAD);
    for (i = 0; i < rows; i++)
        len += (size_t)snprintf(sql + len, cap - len, "%s(?,?,?,?,?,?,?,?,?,?)", i ? "," : "");
    rc = pt_archive_prepare(a, sql, out, err);
    free(sql);
    return rc;
}

pt_status pt_row_batch_open(pt_archive *a, pt_row_batch **out, pt_error *err)
{
    pt_row_batch *b = calloc(1, sizeof *b);
    pt_status rc;

    *out = NULL;
    if (b == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    b->a = a;
    b->text_cap = ROW_BATCH * 2 * 64;
    b->text = malloc(b->text_cap);
    rc = b->text == NULL ? pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory")
                         : prepare_insert(a, 1, &b->one, err);
    if (rc == PT_OK)
        rc = prepare_insert(a, ROW_BATCH, &b->many, err);
    if (rc != PT_OK) {
        pt_row_batch_close(b);
        return rc;
    }
    *out = b;
    return PT_OK;
}

/* Copies a string into the text buffer (it may move until the flush, so
 * rows keep offsets); *off is its offset + 1, 0 for NULL. */
static pt_status keep_text(pt_row_batch *b, const char *s, size_t *off, pt_error *err)
{
    size_t len;
    *off = 0;
    if (s == NULL)
        return PT_OK;
    len = strnlen(s, ROW_TEXT_MAX);
    if (b->text_len + len + 1 > b->text_cap) {
        size_t cap = (b->text_cap + len + 1) * 2;
        char *t = realloc(b->text, cap);
        if (t == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
        b->text = t;
        b->text_cap = cap;
    }
    memcpy(b->text + b->text_len, s, len);
    b->text[b->text_len + len] = '\0';
    *off = b->text_len + 1;
    b->text_len += len + 1;
    return PT_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const pt_row_batch *b, size_t off)
{
    if (off != 0)
        sqlite3_bind_text(st, i, b->text + off - 1, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_row(sqlite3_stmt *st, int base, const pt_row_batch *b, const queued_row *r)
{
    sqlite3_bind_int64(st, base + 1, r->sample_id);
    sqlite3_bind_int64(st, base + 2, r->tag_id);
    sqlite3_bind_int(st, base + 3, r->pool);
    sqlite3_bind_int(st, base + 4, (int)r->has);
    sqlite3_bind_int64(st, base + 5, (int64_t)r->allocs);
    sqlite3_bind_int64(st, base + 6, (int64_t)r->frees);
    sqlite3_bind_int64(st, base + 7, (int64_t)r->outstanding);
    sqlite3_bind_int64(st, base + 8, (int64_t)r->bytes);
    bind_text(st, base + 9, b, r->description);
    bind_text(st, base + 10, b, r->binary);
}

static pt_status run(pt_row_batch *b, sqlite3_stmt *st, size_t rows, pt_error *err)
{
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
        return pt_archive_db_error(b->a, err, "cannot add tag rows");
    if (b->written == 0)
        b->first = sqlite3_last_insert_rowid(pt_archive_db(b->a)) - (int64_t)rows + 1;
    b->written += (int64_t)rows;
    return PT_OK;
}

pt_status pt_row_batch_flush(pt_row_batch *b, pt_error *err)
{
    pt_status rc = PT_OK;
    size_t i;

    if (b->count == ROW_BATCH) {
        for (i = 0; i < b->count; i++)
            bind_row(b->many, (int)(i * ROW_COLUMNS), b, &b->rows[i]);
        rc = run(b, b->many, b->count, err);
    } else if (b->count > 1) {
        /* A sample's last rows in one statement too; samples of one source
         * mostly have the same number of rows, so it is seldom prepared. */
        if (b->rest_rows != b->count) {
            sqlite3_finalize(b->rest);
            b->rest = NULL;
            b->rest_rows = 0;
            rc = prepare_insert(b->a, b->count, &b->rest, err);
            if (rc == PT_OK)
                b->rest_rows = b->count;
        }
        for (i = 0; i < b->count && rc == PT_OK; i++)
            bind_row(b->rest, (int)(i * ROW_COLUMNS), b, &b->rows[i]);
        if (rc == PT_OK)
            rc = run(b, b->rest, b->count, err);
    } else {
        for (i = 0; i < b->count && rc == PT_OK; i++) {
            bind_row(b->one, 0, b, &b->rows[i]);
            rc = run(b, b->one, 1, err);
        }
    }
    b->count = 0;
    b->text_len = 0;
    return rc;
}

pt_status pt_row_batch_add(pt_row_batch *b, int64_t sample_id, int64_t tag_id,
                           const pt_tag_row *row, pt_error *err)
{
    queued_row *q = &b->rows[b->count];
    size_t desc, bin;
    pt_status rc = keep_text(b, row->description, &desc, err);

    if (rc == PT_OK)
        rc = keep_text(b, row->binary, &bin, err);
    if (rc != PT_OK)
        return rc;
    q->sample_id = sample_id;
    q->tag_id = tag_id;
    q->pool = (int)row->pool;
    q->has = row->has;
    q->allocs = row->allocs;
    q->frees = row->frees;
    q->outstanding = row->outstanding;
    q->bytes = row->bytes;
    q->description = desc;
    q->binary = bin;
    if (++b->count < ROW_BATCH)
        return PT_OK;
    return pt_row_batch_flush(b, err);
}

void pt_row_batch_take(pt_row_batch *b, int64_t *first, int64_t *count)
{
    *first = b->written != 0 ? b->first : 0;
    *count = b->written;
    b->written = 0;
}

void pt_row_batch_close(pt_row_batch *b)
{
    if (b == NULL)
        return;
    sqlite3_finalize(b->one);
    sqlite3_finalize(b->many);
    sqlite3_finalize(b->rest);
    free(b->text);
    free(b);
}
