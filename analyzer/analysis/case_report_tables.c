/* case_report_tables.c - the report's tables: tags of the last sample,
 * series of the top tags, counters, sources, past cases, warnings, modules. */
#include <stdio.h>
#include <string.h>

#include "analysis_pools.h"
#include "case_report_internal.h"

/* Runs sql (bound to the case id) and calls row for each result row. */
static pt_status each_row(report_ctx *c, const char *sql, int64_t bind2,
                          pt_status (*row)(report_ctx *, sqlite3_stmt *), const char *what)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(c->a, sql, &st, c->err);
    int step;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, c->case_id);
    if (sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_int64(st, 2, bind2);
    while (rc == PT_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = row(c, st);
    if (rc == PT_OK && step != SQLITE_DONE)
        rc = pt_archive_db_error(c->a, c->err, what);
    sqlite3_finalize(st);
    return rc;
}

/* Appends one zeroed element to an arena array; NULL when out of memory.
 * The capacity is implied by the count (8, then powers of two), so a
 * table of thousands of tags is copied log(n) times, not n times. */
static void *append(report_ctx *c, void **array, size_t *count, size_t elem)
{
    size_t n = *count;
    if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
        void *grown = pt_arena_grow(&c->r->arena, *array, n, n == 0 ? 8 : n * 2, elem);
        if (grown == NULL)
            return NULL;
        *array = grown;
    }
    (*count)++;
    return (char *)*array + elem * n;
}

static const char *col(report_ctx *c, sqlite3_stmt *st, int i)
{
    return rc_strdup(c, (const char *)sqlite3_column_text(st, i));
}

/* ---- tags of the last sample ---- */

static pt_status tag_row(report_ctx *c, sqlite3_stmt *st)
{
    pt_report *r = c->r;
    pt_report_tag *t = append(c, (void **)&r->tags, &r->tag_count, sizeof *t);
    const pt_desc_entry *e;

    if (t == NULL)
        return rc_nomem(c);
    t->tag = (pt_tag)sqlite3_column_int64(st, 0);
    t->tag_text = col(c, st, 1);
    t->pool = (pt_pool)sqlite3_column_int(st, 2);
    t->has = (uint32_t)sqlite3_column_int(st, 3);
    t->allocs = (uint64_t)sqlite3_column_int64(st, 4);
    t->frees = (uint64_t)sqlite3_column_int64(st, 5);
    t->outstanding = (uint64_t)sqlite3_column_int64(st, 6);
    t->bytes = (uint64_t)sqlite3_column_int64(st, 7);
    t->binary = col(c, st, 9);
    if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
        /* A description the evidence printed itself (!poolused). */
        const char *source = (const char *)sqlite3_column_text(st, 10);
        t->description = col(c, st, 8);
        t->description_origin =
            rc_printf(c, "%s output, %s",
                      sqlite3_column_int(st, 11) == PT_KIND_POOLUSED
                          ? "!poolused"
                          : pt_source_kind_name((pt_source_kind)sqlite3_column_int(st, 11)),
                      source != NULL ? source : "evidence");
    } else if ((e = pt_desc_table_find(&c->descs, t->tag)) != NULL && e->description != NULL) {
        t->description = rc_strdup(c, e->description);
        t->description_origin = rc_printf(c, "%s, line %llu", e->origin != NULL ? e->origin : "tag file",
                                          (unsigned long long)e->line);
    }
    return PT_OK;
}

pt_status rc_tags(report_ctx *c)
{
    static const char *const sql =
        "SELECT t.value, t.text, r.pool, r.has, r.allocs, r.frees, r.outstanding, r.bytes, "
        "r.description, r.binary, s.source_name, s.kind FROM samples s "
        "JOIN tag_rows r ON " PT_SAMPLE_TAG_ROWS " JOIN tags t ON t.id = r.tag_id "
        "WHERE s.case_id = ?1 AND s.id = ?2 ORDER BY r.bytes DESC, t.value, r.pool";
    pt_status rc;
    size_t top;

    if (c->an.last_sample_id == 0)
        return PT_OK;
    rc = each_row(c, sql, c->an.last_sample_id, tag_row, "cannot read the tag table");
    /* The top tags are the largest that hold bytes: !poolused lists a
     * nonpaged-only tag with a paged row of 0 / 0, which stays in the full
     * table but is no top tag.  Rows are sorted by bytes, largest first. */
    for (top = 0; top < c->r->tag_count && top < REPORT_TOP_TAGS; top++)
        if (c->r->tags[top].bytes == 0)
            break;
    c->r->top_tag_count = top;
    return rc;
}

/* ---- series of the top tags ---- */

/* The tags charted over time, chosen before the analysis scans the rows
 * so that the one scan collects their points: the case's stored suspects
 * (recomputed at every import), then the largest tags of the last sample. */
static pt_status add_want(report_ctx *c, pt_tag tag, pt_pool pool, size_t capacity)
{
    pt_series_want *w;
    size_t i;

    for (i = 0; i < c->want_count; i++)
        if (c->wants[i].tag == tag && c->wants[i].pool == pool)
            return PT_OK;
    if (c->want_count == REPORT_SERIES_TAGS)
        return PT_OK;
    w = &c->wants[c->want_count];
    memset(w, 0, sizeof *w);
    w->tag = tag;
    w->pool = pool;
    w->capacity = capacity;
    w->times = rc_array(c, capacity, sizeof *w->times);
    w->bytes = rc_array(c, capacity, sizeof *w->bytes);
    if (w->times == NULL || w->bytes == NULL)
        return rc_nomem(c);
    c->want_count++;
    return PT_OK;
}

static pt_status want_rows(report_ctx *c, const char *sql, size_t capacity)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(c->a, sql, &st, c->err);

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, c->case_id);
    while (rc == PT_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = add_want(c, (pt_tag)sqlite3_column_int64(st, 0), (pt_pool)sqlite3_column_int(st, 1),
                      capacity);
    sqlite3_finalize(st);
    return rc;
}

pt_status rc_pick_series(report_ctx *c)
{
    sqlite3_stmt *st = NULL;
    int64_t tag_samples = 0;
    pt_status rc = pt_archive_prepare(
        c->a, "SELECT count(*) FROM samples WHERE case_id = ?1 AND row_count > 0", &st, c->err);

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, c->case_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        tag_samples = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (tag_samples < 2)
        return PT_OK;
    rc = want_rows(c,
                   "SELECT tag, pool FROM suspects WHERE case_id = ?1 ORDER BY rank LIMIT 5",
                   (size_t)tag_samples);
    if (rc == PT_OK)
        rc = want_rows(c,
                       /* by match key, as the analysis groups them; rows
                        * of 0 bytes (!poolused's other pool) are no top tag */
                       "SELECT coalesce(t.match_value, t.value), r.pool FROM samples s "
                       "JOIN tag_rows r ON " PT_SAMPLE_TAG_ROWS " "
                       "JOIN tags t ON t.id = r.tag_id WHERE s.id = "
                       "(SELECT id FROM samples WHERE case_id = ?1 AND row_count > 0 "
                       "ORDER BY time DESC, id DESC LIMIT 1) AND r.bytes > 0 "
                       "ORDER BY r.bytes DESC LIMIT 10",
                       (size_t)tag_samples);
    return rc;
}

pt_status rc_series(report_ctx *c)
{
    pt_report *r = c->r;
    size_t i, k;

    r->series = rc_array(c, c->want_count, sizeof *r->series);
    if (c->want_count == 0 || r->series == NULL)
        return c->want_count == 0 ? PT_OK : rc_nomem(c);
    for (i = 0; i < c->want_count; i++) {
        const pt_series_want *w = &c->wants[i];
        pt_report_series *s = &r->series[r->series_count];
        char text[PT_TAG_TEXT_MAX];
        if (w->count == 0)
            continue;
        s->tag = w->tag;
        s->pool = w->pool;
        s->tag_text = rc_strdup(c, pt_tag_format(s->tag, text));
        for (k = 0; k < c->an.trend_count; k++)
            if (c->an.trends[k].tag == s->tag && c->an.trends[k].pool == s->pool)
                s->tag_text = rc_strdup(c, c->an.trends[k].tag_text);
        s->point_count = w->count;
        s->times = w->times;
        s->bytes = w->bytes;
        r->series_count++;
    }
    return PT_OK;
}

/* ---- counters: the latest sample of each kind that has counters ---- */

typedef struct counter_sample {
    const pt_report_counter *first;
    size_t count;
} counter_sample;

static int counter_lookup(void *ctx, const char *name, const char *unit, uint64_t *value)
{
    const counter_sample *cs = ctx;
    size_t i;
    for (i = 0; i < cs->count; i++) {
        if (strcmp(cs->first[i].name, name) == 0 && strcmp(cs->first[i].unit, unit) == 0) {
            *value = cs->first[i].value;
            return 1;
        }
    }
    return 0;
}

static pt_status counter_row(report_ctx *c, sqlite3_stmt *st)
{
    pt_report *r = c->r;
    pt_report_counter *k = append(c, (void **)&r->counters, &r->counter_count, sizeof *k);
    char when[32];

    if (k == NULL)
        return rc_nomem(c);
    k->sample = rc_printf(c, "%s (%s)", sqlite3_column_text(st, 0) != NULL
                                            ? (const char *)sqlite3_column_text(st, 0) : "sample",
                          pt_filetime_format((pt_filetime)sqlite3_column_int64(st, 1), when));
    k->name = col(c, st, 2);
    k->unit = col(c, st, 3);
    k->value = (uint64_t)sqlite3_column_int64(st, 4);
    return PT_OK;
}

pt_status rc_counters(report_ctx *c)
{
    static const char *const sql =
        "WITH latest AS (SELECT (SELECT s2.id FROM samples s2 WHERE s2.case_id = ?1 "
        "  AND s2.kind = k.kind AND EXISTS (SELECT 1 FROM counters c2 WHERE c2.sample_id = s2.id) "
        "  ORDER BY s2.time DESC, s2.id DESC LIMIT 1) AS id "
        "  FROM (SELECT DISTINCT kind FROM samples WHERE case_id = ?1) k) "
        "SELECT s.source_name, s.time, c.name, c.unit, c.value FROM counters c "
        "JOIN samples s ON s.id = c.sample_id WHERE s.id IN (SELECT id FROM latest) "
        "ORDER BY s.time, s.id, c.seq";
    pt_report *r = c->r;
    size_t i, start = 0;
    pt_status rc = each_row(c, sql, 0, counter_row, "cannot read the counters");

    if (rc != PT_OK)
        return rc;
    /* Each sample's counters are judged against the same sample's others. */
    for (i = 1; i <= r->counter_count; i++) {
        if (i == r->counter_count || strcmp(r->counters[i].sample, r->counters[start].sample) != 0) {
            counter_sample cs = {&r->counters[start], i - start};
            size_t k;
            for (k = start; k < i; k++)
                r->counters[k].looks_wrong =
                    pt_counter_looks_wrong(r->counters[k].name, r->counters[k].unit,
                                           r->counters[k].value, counter_lookup, &cs);
            start = i;
        }
    }
    return PT_OK;
}

/* ---- sources ---- */

static pt_status source_row(report_ctx *c, sqlite3_stmt *st)
{
    pt_report *r = c->r;
    pt_report_source *s = append(c, (void **)&r->sources, &r->source_count, sizeof *s);
    char when[32];
    pt_filetime t;

    if (s == NULL)
        return rc_nomem(c);
    s->name = col(c, st, 0);
    s->kind = col(c, st, 1);
    s->variant = col(c, st, 2);
    s->size = (uint64_t)sqlite3_column_int64(st, 3);
    s->sha256 = col(c, st, 4);
    s->bundle = rc_printf(c, "%s (sha256 %s)", sqlite3_column_text(st, 5),
                          sqlite3_column_text(st, 6));
    t = (pt_filetime)sqlite3_column_int64(st, 7);
    s->sample_time = t != 0 ? rc_strdup(c, pt_filetime_format(t, when)) : NULL;
    s->partial = sqlite3_column_int(st, 8) != 0;
    return PT_OK;
}

pt_status rc_sources(report_ctx *c)
{
    return each_row(c,
                    /* The file's own SHA-256 (sha256sum, certutil) where the
                     * collector recorded it; else the member hash. */
                    "SELECT src.member, src.kind, src.variant, src.size, "
                    "coalesce(src.file_sha256, src.sha256), "
                    "b.file_name, b.sha256, src.sample_time, src.partial FROM sources src "
                    "JOIN bundles b ON b.id = src.bundle_id WHERE b.case_id = ?1 "
                    "ORDER BY b.id, src.id",
                    0, source_row, "cannot read the sources");
}

/* ---- past cases with the same suspect tag ---- */

static pt_status past_row(report_ctx *c, sqlite3_stmt *st)
{
    pt_report *r = c->r;
    pt_report_past_case *p = append(c, (void **)&r->past_cases, &r->past_case_count, sizeof *p);
    if (p == NULL)
        return rc_nomem(c);
    p->case_name = col(c, st, 0);
    p->tag_text = col(c, st, 1);
    p->driver = col(c, st, 2);
    p->verdict = col(c, st, 3);
    p->when = col(c, st, 4);
    return PT_OK;
}

pt_status rc_past_cases(report_ctx *c)
{
    static const char *const sql =
        "SELECT c.name, x.tag_text, x.driver, x.verdict, c.created_at FROM suspects x "
        "JOIN cases c ON c.id = x.case_id WHERE x.case_id != ?1 AND x.tag = ?2 "
        "ORDER BY c.created_at, c.name";
    size_t i, j;

    for (i = 0; i < c->r->suspect_count; i++) {
        int seen = 0;
        for (j = 0; j < i; j++)
            seen |= c->r->suspects[j].tag == c->r->suspects[i].tag;
        if (!seen) {
            pt_status rc = each_row(c, sql, (int64_t)c->r->suspects[i].tag, past_row,
                                    "cannot read the past cases");
            if (rc != PT_OK)
                return rc;
        }
    }
    return PT_OK;
}

/* ---- warnings ---- */

static pt_status warning_row(report_ctx *c, sqlite3_stmt *st)
{
    pt_report *r = c->r;
    const char **w = append(c, (void **)&r->warnings, &r->warning_count, sizeof *w);
    const char *source = (const char *)sqlite3_column_text(st, 0);

    if (w == NULL)
        return rc_nomem(c);
    if (sqlite3_column_type(st, 1) != SQLITE_NULL)
        *w = rc_printf(c, "%s: offset 0x%llx: %s", source != NULL ? source : "evidence",
                       (unsigned long long)sqlite3_column_int64(st, 1),
                       sqlite3_column_text(st, 2));
    else
        *w = rc_printf(c, "%s: %s", source != NULL ? source : "evidence",
                       sqlite3_column_text(st, 2));
    return *w != NULL ? PT_OK : rc_nomem(c);
}

pt_status rc_warnings(report_ctx *c)
{
    return each_row(c, "SELECT source_name, offset, message FROM warnings WHERE case_id = ?1 "
                       "ORDER BY id",
                    0, warning_row, "cannot read the warnings");
}

/* ---- modules of the latest sample that has them ---- */

static pt_status module_row(report_ctx *c, sqlite3_stmt *st)
{
    pt_report *r = c->r;
    pt_report_module *m = append(c, (void **)&r->modules, &r->module_count, sizeof *m);
    if (m == NULL)
        return rc_nomem(c);
    m->name = col(c, st, 0);
    m->base = (uint64_t)sqlite3_column_int64(st, 1);
    m->size = (uint64_t)sqlite3_column_int64(st, 2);
    m->timestamp = (uint32_t)sqlite3_column_int64(st, 3);
    m->checksum = (uint32_t)sqlite3_column_int64(st, 4);
    return PT_OK;
}

pt_status rc_modules(report_ctx *c)
{
    return each_row(c,
                    "SELECT m.name, m.base, m.size, m.timestamp, m.checksum FROM modules m "
                    "WHERE m.sample_id = (SELECT s.id FROM samples s WHERE s.case_id = ?1 AND "
                    "EXISTS (SELECT 1 FROM modules m2 WHERE m2.sample_id = s.id) "
                    "ORDER BY s.time DESC, s.id DESC LIMIT 1) ORDER BY m.base",
                    0, module_row, "cannot read the modules");
}
