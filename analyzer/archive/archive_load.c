/* archive_load.c - the sink that writes evidence records into the archive,
 * inside one transaction (pt_import_*). */
#include <stdlib.h>
#include <string.h>

#include "archive_drivers.h"
#include "archive_import.h"
#include "archive_rows.h"
#include "archive_tags.h"

/* A stack deeper than this is refused: no kernel stack walk comes close. */
#define MAX_STACK_DEPTH 4096u

enum {
    ST_CASE_FIND, ST_CASE_ADD, ST_BUNDLE_FIND, ST_BUNDLE_ADD, ST_SOURCE_ADD, ST_SOURCE_END,
    ST_SAMPLE, ST_COUNTER, ST_MODULE, ST_ALLOC, ST_STACK, ST_TAG_DESC,
    ST_WARNING, ST_SAMPLE_ROWS, ST_SOURCE_FILE_SHA, ST_COUNT
};

static const char *const statement_sql[ST_COUNT] = {
    [ST_CASE_FIND] = "SELECT id FROM cases WHERE name = ?1",
    [ST_CASE_ADD] = "INSERT INTO cases(name, created_at) VALUES (?1, ?2)",
    [ST_BUNDLE_FIND] = "SELECT id FROM bundles WHERE sha256 = ?1",
    [ST_BUNDLE_ADD] = "INSERT INTO bundles(case_id, sha256, file_name, collector_version, "
                      "host, created, case_hint, partial, imported_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_SOURCE_ADD] = "INSERT INTO sources(bundle_id, member, kind, size, sha256, partial) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    /* Prepared on archives of schema 3 on only (see pt_import_begin). */
    [ST_SOURCE_FILE_SHA] = "UPDATE sources SET file_sha256 = ?2 WHERE id = ?1",
    [ST_SOURCE_END] = "UPDATE sources SET variant = ?2, sample_time = ?3, time_origin = ?4 "
                      "WHERE id = ?1",
    [ST_SAMPLE] = "INSERT INTO samples(case_id, source_id, seq, kind, source_name, variant, "
                  "time, time_origin, host) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_COUNTER] = "INSERT INTO counters(sample_id, name, unit, value, seq) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_MODULE] = "INSERT INTO modules(sample_id, name, base, size, timestamp, checksum) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_ALLOC] = "INSERT INTO allocations(sample_id, address, tag, pool, size, freed, "
                 "stack_id, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_STACK] = "INSERT OR REPLACE INTO stacks(sample_id, stack_id, depth, frames) "
                 "VALUES (?1, ?2, ?3, ?4)",
    [ST_TAG_DESC] = "INSERT INTO tag_descriptions(case_id, source_id, tag, pattern, binary, "
                    "description, origin, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_SAMPLE_ROWS] = "UPDATE samples SET row_first = ?2, row_count = ?3 WHERE id = ?1",
    [ST_WARNING] = "INSERT INTO warnings(case_id, source_id, source_name, offset, message) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
};

struct pt_import {
    pt_archive *a;
    sqlite3_stmt *st[ST_COUNT];
    pt_tag_intern *tags;
    pt_row_batch *rows;
    pt_sink sink;
    pt_error error;          /* the first failure inside a sink callback */
    int64_t case_id, bundle_id, source_id, sample_id;
    int64_t sample_seq;      /* samples of the current source */
    int64_t row_first, row_count; /* tag rows of the current sample */
    int64_t counter_seq;
    /* what the current source's first sample said, for the sources row */
    char *variant, *time_origin;
    pt_filetime first_time;
    uint8_t *frames;         /* stack frame encoding buffer */
    pt_import_counts counts;
};

/* Runs a bound insert/update; resets it for the next use. */
static pt_status step_done(pt_import *im, sqlite3_stmt *st, const char *what, pt_error *err)
{
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
        return pt_archive_db_error(im->a, err, what);
    return PT_OK;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s != NULL)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* The sink's callbacks keep their error in im->error (the reader passes
 * only the status on). */
static pt_status need_sample(pt_import *im, const char *record)
{
    if (im->sample_id != 0)
        return PT_OK;
    return pt_error_set(&im->error, PT_ERR_INTERNAL, NULL, PT_NO_OFFSET,
                        "a reader gave a %s outside a sample", record);
}

static pt_status sink_begin_sample(void *ctx, const pt_sample_info *info)
{
    pt_import *im = ctx;
    sqlite3_stmt *st = im->st[ST_SAMPLE];
    pt_status rc;

    if (im->source_id == 0)
        return pt_error_set(&im->error, PT_ERR_INTERNAL, NULL, PT_NO_OFFSET,
                            "a sample outside a source");
    sqlite3_bind_int64(st, 1, im->case_id);
    sqlite3_bind_int64(st, 2, im->source_id);
    sqlite3_bind_int64(st, 3, im->sample_seq);
    sqlite3_bind_int(st, 4, (int)info->kind);
    bind_text_or_null(st, 5, info->source);
    bind_text_or_null(st, 6, info->variant);
    sqlite3_bind_int64(st, 7, (int64_t)info->time);
    bind_text_or_null(st, 8, info->time_origin);
    bind_text_or_null(st, 9, info->host);
    rc = step_done(im, st, "cannot add a sample", &im->error);
    if (rc != PT_OK)
        return rc;
    im->sample_id = sqlite3_last_insert_rowid(pt_archive_db(im->a));
    im->row_first = im->row_count = im->counter_seq = 0;
    if (im->sample_seq == 0) {
        free(im->variant);
        free(im->time_origin);
        im->variant = info->variant != NULL ? strdup(info->variant) : NULL;
        im->time_origin = info->time_origin != NULL ? strdup(info->time_origin) : NULL;
        im->first_time = info->time;
    }
    im->sample_seq++;
    im->counts.samples++;
    return PT_OK;
}

static pt_status sink_tag_row(void *ctx, const pt_tag_row *row)
{
    pt_import *im = ctx;
    int64_t tag_id;
    pt_status rc = need_sample(im, "tag row");

    if (rc != PT_OK)
        return rc;
    if ((unsigned)row->pool > PT_POOL_SESSION_PAGED)
        return pt_error_set(&im->error, PT_ERR_INTERNAL, NULL, PT_NO_OFFSET,
                            "a reader gave pool type %d", (int)row->pool);
    rc = pt_tag_intern_id(im->tags, row->tag, row->tag_text, &tag_id, &im->error);
    if (rc != PT_OK)
        return rc;
    im->counts.tag_rows++;
    return pt_row_batch_add(im->rows, im->sample_id, tag_id, row, &im->error);
}

static pt_status sink_counter(void *ctx, const pt_counter *c)
{
    pt_import *im = ctx;
    sqlite3_stmt *st = im->st[ST_COUNTER];
    pt_status rc = need_sample(im, "counter");

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, im->sample_id);
    sqlite3_bind_text(st, 2, c->name != NULL ? c->name : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->unit != NULL ? c->unit : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (int64_t)c->value);
    sqlite3_bind_int64(st, 5, im->counter_seq++);
    im->counts.counters++;
    return step_done(im, st, "cannot add a counter", &im->error);
}

static pt_status sink_module(void *ctx, const pt_module *m)
{
    pt_import *im = ctx;
    sqlite3_stmt *st = im->st[ST_MODULE];
    pt_status rc = need_sample(im, "module");

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, im->sample_id);
    sqlite3_bind_text(st, 2, m->name != NULL ? m->name : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)m->base);
    sqlite3_bind_int64(st, 4, (int64_t)m->size);
    sqlite3_bind_int64(st, 5, (int64_t)m->timestamp);
    sqlite3_bind_int64(st, 6, (int64_t)m->checksum);
    im->counts.modules++;
    return step_done(im, st, "cannot add a module", &im->error);
}

static pt_status sink_allocation(void *ctx, const pt_allocation *al)
{
    pt_import *im = ctx;
    sqlite3_stmt *st = im->st[ST_ALLOC];
    pt_status rc = need_sample(im, "allocation");

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, im->sample_id);
    sqlite3_bind_int64(st, 2, (int64_t)al->address);
    sqlite3_bind_int64(st, 3, (int64_t)al->tag);
    sqlite3_bind_int(st, 4, (int)al->pool);
    sqlite3_bind_int64(st, 5, (int64_t)al->size);
    sqlite3_bind_int(st, 6, al->freed != 0);
    sqlite3_bind_int64(st, 7, (int64_t)al->stack_id);
    sqlite3_bind_int64(st, 8, (int64_t)al->time);
    im->counts.allocations++;
    return step_done(im, st, "cannot add an allocation", &im->error);
}

static pt_status sink_stack(void *ctx, const pt_stack *s)
{
    pt_import *im = ctx;
    sqlite3_stmt *st = im->st[ST_STACK];
    pt_status rc = need_sample(im, "stack");
    uint32_t i;

    if (rc != PT_OK)
        return rc;
    if (s->depth > MAX_STACK_DEPTH || (s->depth > 0 && s->frames == NULL))
        return pt_error_set(&im->error, PT_ERR_LIMIT, NULL, PT_NO_OFFSET,
                            "a stack of %u frames (at most %u are kept)", s->depth,
                            MAX_STACK_DEPTH);
    for (i = 0; i < s->depth; i++) {
        unsigned b;
        for (b = 0; b < 8; b++)
            im->frames[i * 8 + b] = (uint8_t)(s->frames[i] >> (8 * b));
    }
    sqlite3_bind_int64(st, 1, im->sample_id);
    sqlite3_bind_int64(st, 2, (int64_t)s->stack_id);
    sqlite3_bind_int64(st, 3, s->depth);
    sqlite3_bind_blob(st, 4, im->frames, (int)(s->depth * 8), SQLITE_STATIC);
    im->counts.stacks++;
    return step_done(im, st, "cannot add a stack", &im->error);
}

/* Records where the sample's tag rows are (their rowids are consecutive:
 * nothing else inserts into tag_rows inside the import's transaction). */
static pt_status sink_end_sample(void *ctx)
{
    pt_import *im = ctx;
    sqlite3_stmt *st = im->st[ST_SAMPLE_ROWS];
    pt_status rc = need_sample(im, "sample end");

    if (rc == PT_OK)
        rc = pt_row_batch_flush(im->rows, &im->error);
    if (rc != PT_OK)
        return rc;
    pt_row_batch_take(im->rows, &im->row_first, &im->row_count);
    if (im->row_count != 0) {
        sqlite3_bind_int64(st, 1, im->sample_id);
        sqlite3_bind_int64(st, 2, im->row_first);
        sqlite3_bind_int64(st, 3, im->row_count);
        rc = step_done(im, st, "cannot finish a sample", &im->error);
    }
    im->sample_id = 0;
    return rc;
}

static pt_status sink_tag_desc(void *ctx, const pt_tag_desc *d)
{
    pt_import *im = ctx;
    sqlite3_stmt *st = im->st[ST_TAG_DESC];

    if (im->source_id == 0)
        return pt_error_set(&im->error, PT_ERR_INTERNAL, NULL, PT_NO_OFFSET,
                            "a tag description outside a source");
    sqlite3_bind_int64(st, 1, im->case_id);
    sqlite3_bind_int64(st, 2, im->source_id);
    sqlite3_bind_int64(st, 3, (int64_t)d->tag);
    sqlite3_bind_text(st, 4, d->pattern != NULL ? d->pattern : "", -1, SQLITE_STATIC);
    bind_text_or_null(st, 5, d->binary);
    bind_text_or_null(st, 6, d->description);
    bind_text_or_null(st, 7, d->origin);
    sqlite3_bind_int64(st, 8, (int64_t)d->line);
    im->counts.tag_descs++;
    return step_done(im, st, "cannot add a tag description", &im->error);
}

/* Driver records go to the tables of 002_drivers.sql (archive_drivers.c). */
static pt_status sink_driver(void *ctx, const struct pt_driver_record *rec)
{
    pt_import *im = ctx;
    if (im->source_id == 0)
        return pt_error_set(&im->error, PT_ERR_INTERNAL, NULL, PT_NO_OFFSET,
                            "a driver record outside a source");
    return pt_archive_store_driver(im->a, im->case_id, im->source_id, rec, &im->error);
}

static pt_status sink_warning(void *ctx, const char *source, uint64_t offset,
                              const char *message)
{
    pt_import *im = ctx;
    sqlite3_stmt *st = im->st[ST_WARNING];

    sqlite3_bind_int64(st, 1, im->case_id);
    if (im->source_id != 0)
        sqlite3_bind_int64(st, 2, im->source_id);
    else
        sqlite3_bind_null(st, 2);
    bind_text_or_null(st, 3, source);
    if (offset != PT_NO_OFFSET && offset <= (uint64_t)INT64_MAX)
        sqlite3_bind_int64(st, 4, (int64_t)offset);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_text(st, 5, message != NULL ? message : "", -1, SQLITE_STATIC);
    im->counts.warnings++;
    return step_done(im, st, "cannot add a warning", &im->error);
}

static pt_status find_or_add_case(pt_import *im, const char *name, pt_error *err)
{
    sqlite3_stmt *st = im->st[ST_CASE_FIND];
    char now[32];
    int step;

    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        im->case_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (step == SQLITE_ROW)
        return PT_OK;
    if (step != SQLITE_DONE)
        return pt_archive_db_error(im->a, err, "cannot look up the case");
    pt_archive_now(now);
    st = im->st[ST_CASE_ADD];
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    if (step_done(im, st, "cannot add the case", err) != PT_OK)
        return PT_ERR_DB;
    im->case_id = sqlite3_last_insert_rowid(pt_archive_db(im->a));
    return PT_OK;
}

static void set_sink(pt_import *im)
{
    im->sink.ctx = im;
    im->sink.begin_sample = sink_begin_sample;
    im->sink.tag_row = sink_tag_row;
    im->sink.counter = sink_counter;
    im->sink.module = sink_module;
    im->sink.allocation = sink_allocation;
    im->sink.stack = sink_stack;
    im->sink.end_sample = sink_end_sample;
    im->sink.tag_desc = sink_tag_desc;
    im->sink.warning = sink_warning;
    im->sink.driver = sink_driver;
}

static void import_free(pt_import *im)
{
    size_t i;
    if (im == NULL)
        return;
    for (i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(im->st[i]);
    pt_tag_intern_close(im->tags);
    pt_row_batch_close(im->rows);
    free(im->variant);
    free(im->time_origin);
    free(im->frames);
    free(im);
}

pt_status pt_import_begin(pt_archive *a, const char *case_name, pt_import **out,
                          pt_error *err)
{
    pt_import *im = calloc(1, sizeof *im);
    pt_status rc;
    size_t i;

    *out = NULL;
    if (im == NULL || (im->frames = malloc(MAX_STACK_DEPTH * 8)) == NULL) {
        free(im);
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    }
    im->a = a;
    set_sink(im);
    rc = pt_archive_begin(a, err);
    if (rc != PT_OK) {
        import_free(im);
        return rc;
    }
    for (i = 0; i < ST_COUNT && rc == PT_OK; i++) {
        /* An archive held at an older schema (tests) has no file_sha256. */
        if (i == ST_SOURCE_FILE_SHA &&
            pt_archive_schema_version(a) < PT_ARCHIVE_TAG_MATCH_VERSION)
            continue;
        rc = pt_archive_prepare(a, statement_sql[i], &im->st[i], err);
    }
    if (rc == PT_OK)
        rc = pt_tag_intern_open(a, &im->tags, err);
    if (rc == PT_OK)
        rc = pt_row_batch_open(a, &im->rows, err);
    if (rc == PT_OK)
        rc = find_or_add_case(im, case_name, err);
    if (rc != PT_OK) {
        pt_import_abort(im);
        return rc;
    }
    *out = im;
    return PT_OK;
}

pt_status pt_import_add_bundle(pt_import *im, const pt_import_bundle_info *b, int *already,
                               pt_error *err)
{
    sqlite3_stmt *st = im->st[ST_BUNDLE_FIND];
    char now[32];
    int step;

    *already = 0;
    sqlite3_bind_text(st, 1, b->sha256, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step == SQLITE_ROW) {
        *already = 1;
        return PT_OK;
    }
    if (step != SQLITE_DONE)
        return pt_archive_db_error(im->a, err, "cannot look up the bundle");
    pt_archive_now(now);
    st = im->st[ST_BUNDLE_ADD];
    sqlite3_bind_int64(st, 1, im->case_id);
    sqlite3_bind_text(st, 2, b->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, b->file_name != NULL ? b->file_name : "", -1, SQLITE_STATIC);
    bind_text_or_null(st, 4, b->collector_version);
    bind_text_or_null(st, 5, b->host);
    sqlite3_bind_int64(st, 6, (int64_t)b->created);
    bind_text_or_null(st, 7, b->case_hint);
    sqlite3_bind_int(st, 8, b->partial != 0);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
    if (step_done(im, st, "cannot add the bundle", err) != PT_OK)
        return PT_ERR_DB;
    im->bundle_id = sqlite3_last_insert_rowid(pt_archive_db(im->a));
    return PT_OK;
}

pt_status pt_import_add_source(pt_import *im, const pt_import_source_info *s, pt_error *err)
{
    sqlite3_stmt *st = im->st[ST_SOURCE_ADD];

    if (im->bundle_id == 0)
        return pt_error_set(err, PT_ERR_INTERNAL, NULL, PT_NO_OFFSET,
                            "a source before its bundle");
    sqlite3_bind_int64(st, 1, im->bundle_id);
    sqlite3_bind_text(st, 2, s->member != NULL ? s->member : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, s->kind != NULL ? s->kind : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (int64_t)s->size);
    sqlite3_bind_text(st, 5, s->sha256 != NULL ? s->sha256 : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, s->partial != 0);
    if (step_done(im, st, "cannot add a source", err) != PT_OK)
        return PT_ERR_DB;
    im->source_id = sqlite3_last_insert_rowid(pt_archive_db(im->a));
    if (s->file_sha256 != NULL && im->st[ST_SOURCE_FILE_SHA] != NULL) {
        st = im->st[ST_SOURCE_FILE_SHA];
        sqlite3_bind_int64(st, 1, im->source_id);
        sqlite3_bind_text(st, 2, s->file_sha256, -1, SQLITE_STATIC);
        if (step_done(im, st, "cannot add a source's file hash", err) != PT_OK)
            return PT_ERR_DB;
    }
    im->sample_id = 0;
    im->sample_seq = 0;
    im->first_time = 0;
    free(im->variant);
    free(im->time_origin);
    im->variant = im->time_origin = NULL;
    im->counts.sources++;
    return PT_OK;
}

pt_status pt_import_end_source(pt_import *im, pt_error *err)
{
    sqlite3_stmt *st = im->st[ST_SOURCE_END];

    if (im->source_id == 0)
        return PT_OK;
    /* A reader that stopped without closing its last sample. */
    if (im->sample_id != 0 && sink_end_sample(im) != PT_OK) {
        *err = im->error;
        return err->code;
    }
    sqlite3_bind_int64(st, 1, im->source_id);
    bind_text_or_null(st, 2, im->variant);
    sqlite3_bind_int64(st, 3, (int64_t)im->first_time);
    bind_text_or_null(st, 4, im->time_origin);
    im->source_id = 0;
    im->sample_id = 0;
    return step_done(im, st, "cannot finish a source", err);
}

const pt_sink *pt_import_sink(pt_import *im)
{
    return &im->sink;
}

const pt_error *pt_import_error(const pt_import *im)
{
    return &im->error;
}

int64_t pt_import_case_id(const pt_import *im)
{
    return im->case_id;
}

int64_t pt_import_bundle_row(const pt_import *im)
{
    return im->bundle_id;
}

const pt_import_counts *pt_import_get_counts(const pt_import *im)
{
    return &im->counts;
}

pt_status pt_import_commit(pt_import *im, pt_import_hook hook, void *hook_ctx, pt_error *err)
{
    pt_archive *a = im->a;
    int64_t case_id = im->case_id;
    pt_status rc = pt_import_end_source(im, err);
    size_t i;

    if (rc != PT_OK) {
        pt_import_abort(im);
        return rc;
    }
    /* Finalize first: a COMMIT must not find pending statements. */
    for (i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(im->st[i]);
        im->st[i] = NULL;
    }
    pt_tag_intern_close(im->tags);
    im->tags = NULL;
    pt_row_batch_close(im->rows);
    im->rows = NULL;
    import_free(im);
    rc = hook != NULL ? hook(a, case_id, hook_ctx, err) : PT_OK;
    if (rc != PT_OK) {
        pt_archive_rollback(a);
        return rc;
    }
    return pt_archive_commit(a, err);
}

void pt_import_abort(pt_import *im)
{
    pt_archive *a;
    if (im == NULL)
        return;
    a = im->a;
    import_free(im);
    pt_archive_rollback(a);
}
