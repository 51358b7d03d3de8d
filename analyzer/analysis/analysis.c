/* analysis.c - trends per tag and pool over a case's samples, ranked. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "analysis_pools.h"
#include "archive_tags.h"

#define LEAK_MIN_SAMPLES 3u
#define LEAK_MIN_PERSISTENCE 0.8
#define GROW_MIN_PERSISTENCE 0.6
#define GROW_MIN_T 4.0 /* slope at least 4 standard errors above zero */
#define GROW_MIN_BYTES (64.0 * 1024.0)
#define LARGE_MIN_SHARE 0.10
#define LARGE_MIN_BYTES (1024.0 * 1024.0)
#define HOURS_PER_FILETIME (1.0 / 36000000000.0)

/* Least squares by Welford's updates: stable with large byte counts. */
typedef struct fit {
    unsigned n;
    double mean_x, mean_y, cxy, m2x, m2y;
    double first_x, last_x;
} fit;

static void fit_add(fit *f, double x, double y)
{
    double dx, old_mean_y = f->mean_y;
    if (f->n == 0)
        f->first_x = x;
    f->last_x = x;
    f->n++;
    dx = x - f->mean_x;
    f->mean_x += dx / f->n;
    f->mean_y += (y - f->mean_y) / f->n;
    f->cxy += dx * (y - f->mean_y);
    f->m2x += dx * (x - f->mean_x);
    f->m2y += (y - old_mean_y) * (y - f->mean_y);
}

static double fit_slope(const fit *f)
{
    return f->n >= 2 && f->m2x > 0 ? f->cxy / f->m2x : 0.0;
}

/* The slope over its standard error: how sure the growth is not noise
 * (infinite for points exactly on a rising line). */
static double fit_t(const fit *f)
{
    double slope = fit_slope(f), sse, se;
    if (f->n < 3 || f->m2x <= 0)
        return 0.0;
    sse = f->m2y - slope * f->cxy;
    if (sse <= f->m2y * 1e-12)
        return slope > 0 ? INFINITY : 0.0;
    se = sqrt(sse / (f->n - 2) / f->m2x);
    return slope / se;
}

typedef struct trend_acc {
    pt_trend t;
    fit f;
    uint64_t prev_bytes;
    unsigned grew;
    unsigned last_index;     /* index of the tag sample it was last seen in */
    int64_t tag_id;          /* tags row of the text in t.tag_text */
    int text_is_key;         /* t.tag_text is of a row whose raw value is the key */
    /* the point of the sample being read, not yet committed */
    int pending, cur_timed;
    unsigned cur_index;
    uint64_t cur_bytes, cur_outstanding;
    double cur_x;
    int used;
} trend_acc;

typedef struct trend_map {
    trend_acc *slots;
    size_t cap, used;
} trend_map;

static uint64_t trend_key(pt_tag tag, pt_pool pool)
{
    uint64_t k = ((uint64_t)tag << 2) | (uint64_t)pool;
    k *= 0x9E3779B97F4A7C15ull;
    return k ^ (k >> 31);
}

static pt_status map_grow(trend_map *m, pt_error *err)
{
    size_t cap = m->cap != 0 ? m->cap * 2 : 4096, i;
    trend_acc *slots = calloc(cap, sizeof *slots);

    if (slots == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    for (i = 0; i < m->cap; i++) {
        size_t j;
        if (!m->slots[i].used)
            continue;
        j = (size_t)trend_key(m->slots[i].t.tag, m->slots[i].t.pool) & (cap - 1);
        while (slots[j].used)
            j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return PT_OK;
}

static pt_status map_get(trend_map *m, pt_tag tag, pt_pool pool, trend_acc **out,
                         pt_error *err)
{
    size_t j;

    if ((m->used + 1) * 2 > m->cap) {
        pt_status rc = map_grow(m, err);
        if (rc != PT_OK)
            return rc;
    }
    j = (size_t)trend_key(tag, pool) & (m->cap - 1);
    while (m->slots[j].used) {
        if (m->slots[j].t.tag == tag && m->slots[j].t.pool == pool) {
            *out = &m->slots[j];
            return PT_OK;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->slots[j].used = 1;
    m->slots[j].t.tag = tag;
    m->slots[j].t.pool = pool;
    m->used++;
    *out = &m->slots[j];
    return PT_OK;
}

/* ---- streaming the tag rows in time order ---- */

typedef struct scan {
    trend_map map;
    pt_case_analysis *an;
    unsigned index;              /* current tag sample, 1-based */
    int64_t sample_id;
    double x;                    /* hours since the first timed sample; NAN unknown */
    int timed;
    pt_filetime t0;
    uint64_t pool_sum[4];        /* tagged bytes of the current sample */
    int listed_only;             /* the sample lists only some tags (!poolused /t) */
    fit pool_fit[4];
    uint64_t (*totals)[4];       /* per tag sample: each pool's tagged bytes */
    size_t totals_cap;
    sqlite3_stmt *listed;        /* a sample's !poolused TOTAL lines */
    pt_filetime time;            /* of the current sample */
    pt_series_want *wants;       /* series collected on the way */
    size_t want_count;
} scan;

static void add_series_point(scan *s, pt_tag tag, pt_pool pool, uint64_t bytes)
{
    size_t i;
    for (i = 0; i < s->want_count; i++) {
        pt_series_want *w = &s->wants[i];
        if (w->tag != tag || w->pool != pool)
            continue;
        if (w->count > 0 && w->last_index == s->index) {
            w->bytes[w->count - 1] += bytes; /* one tag shown two ways in a sample */
        } else if (w->count < w->capacity) {
            w->times[w->count] = s->time;
            w->bytes[w->count++] = bytes;
            w->last_index = s->index;
        }
    }
}

/* !poolused prints each pool's tagged total on its TOTAL line even when it
 * lists only the top tags (/t5): a tag's share is of that total, not of the
 * listed rows' sum. */
static void add_listed_totals(scan *s, uint64_t sums[4])
{
    sqlite3_stmt *st = s->listed;
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, s->sample_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        uint64_t v = (uint64_t)sqlite3_column_int64(st, 1);
        int p = name != NULL && strcmp(name, "TOTAL Paged Used") == 0 ? PT_POOL_PAGED
                                                                      : PT_POOL_NONPAGED;
        if (v > sums[p])
            sums[p] = v;
    }
    sqlite3_reset(st);
}

static pt_status close_sample(scan *s, pt_error *err)
{
    int p;
    if (s->index == 0)
        return PT_OK;
    if (s->index > s->totals_cap) {
        size_t cap = s->totals_cap != 0 ? s->totals_cap * 2 : 256;
        uint64_t(*t)[4] = realloc(s->totals, cap * sizeof *t);
        if (t == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
        s->totals = t;
        s->totals_cap = cap;
    }
    if (s->listed_only)
        add_listed_totals(s, s->pool_sum);
    for (p = 0; p < 4; p++) {
        /* A sample listing only the top tags says nothing of the pool's growth. */
        if (s->timed && !s->listed_only)
            fit_add(&s->pool_fit[p], s->x, (double)s->pool_sum[p]);
        s->an->pools[p].tagged_bytes = s->pool_sum[p];
        s->totals[s->index - 1][p] = s->pool_sum[p];
    }
    return PT_OK;
}

static pt_status open_sample(scan *s, int64_t sample_id, pt_filetime time, int kind,
                             pt_error *err)
{
    pt_status rc = close_sample(s, err);
    if (rc != PT_OK)
        return rc;
    s->listed_only = kind == PT_KIND_POOLUSED;
    memset(s->pool_sum, 0, sizeof s->pool_sum);
    s->index++;
    s->sample_id = sample_id;
    s->time = time;
    s->timed = time != 0;
    if (time != 0 && s->t0 == 0)
        s->t0 = time;
    s->x = s->timed ? (double)(int64_t)(time - s->t0) * HOURS_PER_FILETIME : 0.0;
    if (time != 0) {
        if (s->an->first_time == 0)
            s->an->first_time = time;
        s->an->last_time = time;
    }
    s->an->tag_samples++;
    s->an->last_sample_id = sample_id;
    return PT_OK;
}

/* A tag's point of one sample is complete when the tag shows up in a
 * later sample or the scan ends (a tag may be listed twice in a sample,
 * under two shown texts): then it goes to the counts and the fit. */
static void commit_point(trend_acc *acc)
{
    pt_trend *t = &acc->t;
    uint64_t bytes = acc->cur_bytes;

    if (!acc->pending)
        return;
    acc->pending = 0;
    if (t->samples++ == 0) {
        t->first_bytes = bytes;
    } else {
        t->intervals++;
        if (bytes > acc->prev_bytes)
            acc->grew++;
    }
    acc->prev_bytes = bytes;
    acc->last_index = acc->cur_index;
    t->bytes = bytes;
    t->outstanding = acc->cur_outstanding;
    if (acc->cur_timed) {
        fit_add(&acc->f, acc->cur_x, (double)bytes);
        t->timed_samples++;
    }
}

/* raw: the row's tag as its source gave it; acc->t.tag is its match key. */
static void add_row(scan *s, trend_acc *acc, int64_t tag_id, pt_tag raw, const char *text,
                    uint64_t bytes, uint64_t outstanding, const char *binary)
{
    pt_trend *t = &acc->t;

    if (acc->pending && acc->cur_index == s->index) {
        acc->cur_bytes += bytes;
        acc->cur_outstanding += outstanding;
    } else {
        commit_point(acc);
        acc->pending = 1;
        acc->cur_index = s->index;
        acc->cur_bytes = bytes;
        acc->cur_outstanding = outstanding;
        acc->cur_x = s->x;
        acc->cur_timed = s->timed;
    }
    /* The text as the latest source shows it, preferring the sources that
     * show the key itself ('MPP ' over the debugger's 'MPP.'). */
    if (acc->tag_id != tag_id && (raw == t->tag || !acc->text_is_key)) {
        acc->tag_id = tag_id;
        acc->text_is_key = raw == t->tag;
        snprintf(t->tag_text, sizeof t->tag_text, "%s", text);
    }
    if (binary != NULL && binary[0] != '\0')
        snprintf(t->binary, sizeof t->binary, "%s", binary);
}

/* Rows in time order, by rowid range per sample (no join to tags: the
 * tag_id is resolved through the tag cache, see load_tags). */
static const char *const TAG_ROWS_SQL =
    "SELECT s.id, s.time, r.tag_id, r.pool, r.outstanding, r.bytes, r.binary, s.kind "
    "FROM samples s CROSS JOIN tag_rows r ON " PT_SAMPLE_TAG_ROWS " "
    "WHERE s.case_id = ?1 ORDER BY s.time, s.id";

/* The archive's interned tags by id (ids are dense from 1): raw value,
 * match key (rows are grouped by it) and shown text. */
typedef struct tag_cache {
    pt_tag *value, *key;
    char (*text)[40];
    int64_t count;
} tag_cache;

/* Tags are interned across all cases: some thousands to a few hundred
 * thousand (value, shown text) pairs.  More ids than this (176 MB of cache)
 * means a damaged archive, and the analysis says so instead of growing. */
#define MAX_TAG_IDS 4000000

static pt_status load_tags(pt_archive *a, tag_cache *tc, pt_error *err)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(a, "SELECT max(id) FROM tags", &st, err);
    int64_t max_id = 0;
    int step;

    if (rc != PT_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        max_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (max_id < 0 || max_id > MAX_TAG_IDS)
        return pt_error_set(err, PT_ERR_CORRUPT, pt_archive_path(a), PT_NO_OFFSET,
                            "tag ids up to %lld: the tags table looks damaged", (long long)max_id);
    tc->count = max_id + 1;
    tc->value = calloc((size_t)tc->count, sizeof *tc->value);
    tc->key = calloc((size_t)tc->count, sizeof *tc->key);
    tc->text = calloc((size_t)tc->count, sizeof *tc->text);
    if (tc->value == NULL || tc->key == NULL || tc->text == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    /* An archive held at an older schema has no match_value: computed here. */
    rc = pt_archive_prepare(a,
                            pt_archive_schema_version(a) >= PT_ARCHIVE_TAG_MATCH_VERSION
                                ? "SELECT id, value, text, match_value FROM tags"
                                : "SELECT id, value, text, NULL FROM tags",
                            &st, err);
    if (rc != PT_OK)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 2);
        if (id < 0 || id >= tc->count)
            continue;
        tc->value[id] = (pt_tag)sqlite3_column_int64(st, 1);
        tc->key[id] = sqlite3_column_type(st, 3) != SQLITE_NULL
                          ? (pt_tag)sqlite3_column_int64(st, 3)
                          : pt_tag_match_key(tc->value[id]);
        snprintf(tc->text[id], sizeof tc->text[id], "%s", text != NULL ? text : "");
    }
    if (step != SQLITE_DONE)
        rc = pt_archive_db_error(a, err, "cannot read the tags");
    sqlite3_finalize(st);
    return rc;
}

static pt_status scan_tag_rows(pt_archive *a, scan *s, pt_error *err)
{
    sqlite3_stmt *st = NULL;
    tag_cache tc = {NULL, NULL, NULL, 0};
    pt_status rc = load_tags(a, &tc, err);
    int step;

    if (rc == PT_OK)
        rc = pt_archive_prepare(a, TAG_ROWS_SQL, &st, err);
    if (rc == PT_OK)
        rc = pt_archive_prepare(a,
                                "SELECT name, value FROM counters WHERE sample_id = ?1 AND unit = "
                                "'bytes' AND name IN ('TOTAL NonPaged Used', 'TOTAL Paged Used')",
                                &s->listed, err);
    if (rc != PT_OK)
        goto out;
    sqlite3_bind_int64(st, 1, s->an->case_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t sample_id = sqlite3_column_int64(st, 0);
        int64_t tag_id = sqlite3_column_int64(st, 2);
        int pool = sqlite3_column_int(st, 3);
        uint64_t bytes = (uint64_t)sqlite3_column_int64(st, 5);
        trend_acc *acc;

        if (pool < 0 || pool > 3 || tag_id <= 0 || tag_id >= tc.count)
            continue;
        if (sample_id != s->sample_id || s->index == 0) {
            rc = open_sample(s, sample_id, (pt_filetime)sqlite3_column_int64(st, 1),
                             sqlite3_column_int(st, 7), err);
            if (rc != PT_OK)
                goto out;
        }
        rc = map_get(&s->map, tc.key[tag_id], (pt_pool)pool, &acc, err);
        if (rc != PT_OK)
            goto out;
        if (s->want_count != 0)
            add_series_point(s, tc.key[tag_id], (pt_pool)pool, bytes);
        add_row(s, acc, tag_id, tc.value[tag_id], tc.text[tag_id], bytes,
                (uint64_t)sqlite3_column_int64(st, 4),
                sqlite3_column_type(st, 6) != SQLITE_NULL
                    ? (const char *)sqlite3_column_text(st, 6) : NULL);
        s->pool_sum[pool] += bytes;
        s->an->pools[pool].present = 1;
    }
    if (step != SQLITE_DONE) {
        rc = pt_archive_db_error(a, err, "cannot read the tag rows");
        goto out;
    }
    rc = close_sample(s, err);
out:
    sqlite3_finalize(st);
    free(tc.value);
    free(tc.key);
    free(tc.text);
    return rc;
}

/* ---- verdicts ---- */

static void format_bytes(double v, char *out, size_t size)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    double a = fabs(v);
    while (a >= 1024.0 && u < 4) {
        a /= 1024.0;
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(out, size, "%.0f bytes", v);
    else
        snprintf(out, size, "%.1f %s", v, units[u]);
}

static void classify_growth(pt_trend *t, const fit *f, unsigned grew)
{
    double span = f->last_x - f->first_x;
    char rate[32], from[32], to[32];

    format_bytes(t->growth_bytes_per_hour, rate, sizeof rate);
    format_bytes((double)t->first_bytes, from, sizeof from);
    format_bytes((double)t->bytes, to, sizeof to);
    if (t->timed_samples < LEAK_MIN_SAMPLES || fit_t(f) < GROW_MIN_T)
        return;
    if (t->persistence >= LEAK_MIN_PERSISTENCE) {
        t->verdict = PT_VERDICT_LEAKING;
        t->verdict_class = 3;
        snprintf(t->reason, sizeof t->reason,
                 "grew in %u of %u intervals, %s per hour over %.1f hours (%s to %s)", grew,
                 t->intervals, rate, span, from, to);
    } else if (t->persistence >= GROW_MIN_PERSISTENCE) {
        t->verdict = PT_VERDICT_GROWING;
        t->verdict_class = 2;
        snprintf(t->reason, sizeof t->reason,
                 "grows %s per hour over %.1f hours (%s to %s), but in %u of %u intervals "
                 "only: not yet steady enough to call a leak",
                 rate, span, from, to, grew, t->intervals);
    }
}

/* pool_total: the pool's tagged bytes in the tag's latest sample, of
 * which its share is. */
static void classify(pt_trend *t, const fit *f, unsigned grew, const pt_case_analysis *an,
                     uint64_t pool_total)
{
    const pt_pool_state *pool = &an->pools[t->pool];
    double span = f->last_x - f->first_x;
    char size[32], total[32];

    t->growth_bytes_per_hour = t->timed_samples >= 2 ? fit_slope(f) : 0.0;
    t->persistence = t->intervals > 0 ? (double)grew / t->intervals : 0.0;
    t->share = pool_total > 0 ? (double)t->bytes / (double)pool_total : 0.0;
    t->verdict = PT_VERDICT_STABLE;
    t->verdict_class = 0;
    if (t->growth_bytes_per_hour > 0 && t->growth_bytes_per_hour * span >= GROW_MIN_BYTES &&
        t->bytes > t->first_bytes)
        classify_growth(t, f, grew);
    if (t->verdict_class == 0 && t->share >= LARGE_MIN_SHARE &&
        (double)t->bytes >= LARGE_MIN_BYTES) {
        t->verdict = PT_VERDICT_LARGE;
        t->verdict_class = 1;
        format_bytes((double)t->bytes, size, sizeof size);
        format_bytes((double)pool_total, total, sizeof total);
        snprintf(t->reason, sizeof t->reason,
                 t->samples <= 1
                     ? "%s, %.0f%% of the %s tagged bytes (%s) in the only sample it is "
                       "in: one snapshot shows size, not growth"
                     : "%s, %.0f%% of the %s tagged bytes (%s), without steady growth",
                 size, t->share * 100.0, pool->name, total);
    }
    if (t->verdict_class == 0) {
        format_bytes((double)t->bytes, size, sizeof size);
        snprintf(t->reason, sizeof t->reason, "%s, neither growing nor a large share", size);
    }
    t->score = t->verdict_class >= 2 ? t->growth_bytes_per_hour * t->persistence
                                      : (double)t->bytes;
}

static int trend_cmp(const void *pa, const void *pb)
{
    const pt_trend *a = pa, *b = pb;
    if (a->verdict_class != b->verdict_class)
        return a->verdict_class > b->verdict_class ? -1 : 1;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->tag != b->tag)
        return a->tag < b->tag ? -1 : 1;
    return (int)a->pool - (int)b->pool;
}

static pt_status collect_trends(scan *s, pt_case_analysis *an, pt_error *err)
{
    size_t i, n = 0;

    an->trends = calloc(s->map.used != 0 ? s->map.used : 1, sizeof *an->trends);
    if (an->trends == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    for (i = 0; i < s->map.cap; i++) {
        trend_acc *acc = &s->map.slots[i];
        if (!acc->used)
            continue;
        commit_point(acc);
        acc->t.in_last = acc->last_index == s->index;
        classify(&acc->t, &acc->f, acc->grew, an,
                 acc->last_index >= 1 && acc->last_index <= s->index
                     ? s->totals[acc->last_index - 1][acc->t.pool] : 0);
        an->trends[n++] = acc->t;
    }
    an->trend_count = n;
    qsort(an->trends, n, sizeof *an->trends, trend_cmp);
    for (i = 0; i < n && i < PT_MAX_SUSPECTS && an->trends[i].verdict_class > 0; i++)
        ;
    an->suspect_count = i;
    return PT_OK;
}

static const char *const POOL_NAMES[4] = {"NonPagedPool", "PagedPool", "SessionNonPagedPool",
                                          "SessionPagedPool"};

pt_status pt_case_analyze(pt_archive *a, int64_t case_id, pt_case_analysis *an, pt_error *err)
{
    return pt_case_analyze_with_series(a, case_id, NULL, 0, an, err);
}

pt_status pt_case_analyze_with_series(pt_archive *a, int64_t case_id, pt_series_want *wants,
                                      size_t want_count, pt_case_analysis *an, pt_error *err)
{
    scan s;
    pt_status rc;
    int p;

    memset(an, 0, sizeof *an);
    memset(&s, 0, sizeof s);
    s.wants = wants;
    s.want_count = want_count;
    an->case_id = case_id;
    for (p = 0; p < 4; p++) {
        an->pools[p].name = POOL_NAMES[p];
        an->pools[p].hours_to_exhaustion = -1;
    }
    s.an = an;
    rc = scan_tag_rows(a, &s, err);
    if (rc == PT_OK) {
        double slopes[4];
        for (p = 0; p < 4; p++)
            slopes[p] = s.pool_fit[p].n >= 2 ? fit_slope(&s.pool_fit[p]) : NAN;
        rc = pt_analysis_pool_limits(a, an, slopes, err);
    }
    /* Verdicts last, once the pools are known. */
    if (rc == PT_OK)
        rc = collect_trends(&s, an, err);
    free(s.map.slots);
    free(s.totals);
    sqlite3_finalize(s.listed);
    if (rc != PT_OK)
        pt_case_analysis_free(an);
    return rc;
}

void pt_case_analysis_free(pt_case_analysis *an)
{
    free(an->trends);
    an->trends = NULL;
    an->trend_count = an->suspect_count = 0;
}
