/* case_report_etl.c - the report's leaked allocations from the case's pool
 * traces: the allocations still outstanding at the end of each ETL trace
 * (archive rows of its closing sample), grouped by etl_leaks_group by tag,
 * pool and the first stack frame outside the kernel's pool code.
 *
 * Each group is a report leaked stack; its driver is "stack" evidence, the
 * strongest there is, so it goes first among the suspect's candidates
 * (case_report_drivers.c later adds the driver files' metadata to it).  A
 * tag with leaked allocations whose series does not say "leaking" gets the
 * verdict "leaked-allocations", and becomes a suspect if it was not one. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "case_report_internal.h"
#include "etl_leaks.h"
#include "pt_byteorder.h"

#define VERDICT_LEAKED_ALLOCATIONS "leaked-allocations"

/* Leaked stacks shown per trace (the largest; the verdicts use them all). */
#define ETL_REPORT_STACKS_PER_TRACE 25
/* A trace's closing sample is loaded whole; these bound it (the reader
 * keeps at most this many outstanding allocations and distinct stacks). */
#define ETL_REPORT_MAX_ALLOCS (64u * 1024 * 1024)
#define ETL_REPORT_MAX_STACKS (16u * 1024 * 1024)
#define ETL_REPORT_MAX_MODULES (1u * 1024 * 1024)
/* Deepest stack a walk records (the ETW limit is 192 frames). */
#define ETL_REPORT_MAX_DEPTH 1024u

/* The closing sample of one trace, as etl_leaks_group takes it. */
typedef struct etl_trace {
    int64_t sample_id;
    const char *name;          /* the source name, for messages (arena) */
    pt_allocation *allocs;
    size_t nallocs;
    pt_stack *stacks;          /* frames owned, sorted by stack id */
    size_t nstacks;
    pt_module *mods;           /* names owned */
    size_t nmods;
} etl_trace;

static void trace_free(etl_trace *t)
{
    size_t i;
    for (i = 0; i < t->nstacks; i++)
        free((void *)t->stacks[i].frames);
    for (i = 0; i < t->nmods; i++)
        free((void *)t->mods[i].name);
    free(t->allocs);
    free(t->stacks);
    free(t->mods);
    memset(t, 0, sizeof *t);
}

/* Prepares sql, binds the sample id, and counts its rows with count_sql
 * into *n (refusing more than limit); the caller steps *st. */
static pt_status trace_query(report_ctx *c, const etl_trace *t, const char *count_sql,
                             const char *sql, uint64_t limit, const char *what, size_t *n,
                             sqlite3_stmt **st)
{
    sqlite3_stmt *q = NULL;
    int64_t count = -1;
    pt_status rc = pt_archive_prepare(c->a, count_sql, &q, c->err);

    *st = NULL;
    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(q, 1, t->sample_id);
    if (sqlite3_step(q) == SQLITE_ROW)
        count = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (count < 0)
        return pt_archive_db_error(c->a, c->err, what);
    if ((uint64_t)count > limit)
        return pt_error_set(c->err, PT_ERR_LIMIT, pt_archive_path(c->a), PT_NO_OFFSET,
                            "trace %s (sample %" PRId64 "): %" PRId64 " %s, more than the "
                            "report reads (%" PRIu64 ")",
                            t->name, t->sample_id, count, what, limit);
    *n = (size_t)count;
    rc = pt_archive_prepare(c->a, sql, st, c->err);
    if (rc == PT_OK)
        sqlite3_bind_int64(*st, 1, t->sample_id);
    return rc;
}

/* Ends a row loop: the statement must have run to its end with exactly
 * the rows counted before (one transaction-free read, nothing else
 * writes the archive while a report is built). */
static pt_status trace_query_end(report_ctx *c, sqlite3_stmt *st, int step, size_t got,
                                 size_t want, const char *what)
{
    pt_status rc = PT_OK;
    if (step != SQLITE_DONE)
        rc = pt_archive_db_error(c->a, c->err, what);
    else if (got != want)
        rc = pt_error_set(c->err, PT_ERR_INTERNAL, pt_archive_path(c->a), PT_NO_OFFSET,
                          "%s changed while the report read them", what);
    sqlite3_finalize(st);
    return rc;
}

static pt_status load_allocations(report_ctx *c, etl_trace *t)
{
    sqlite3_stmt *st = NULL;
    size_t n = 0, want;
    int step = SQLITE_DONE;
    pt_status rc = trace_query(
        c, t, "SELECT count(*) FROM allocations WHERE sample_id = ?1",
        "SELECT tag, pool, size, freed, stack_id, time, address FROM allocations "
        "WHERE sample_id = ?1 ORDER BY rowid",
        ETL_REPORT_MAX_ALLOCS, "allocations", &want, &st);

    if (rc != PT_OK)
        return rc;
    t->allocs = calloc(want ? want : 1, sizeof *t->allocs);
    if (t->allocs == NULL) {
        sqlite3_finalize(st);
        return rc_nomem(c);
    }
    while (n < want && (step = sqlite3_step(st)) == SQLITE_ROW) {
        pt_allocation *a = &t->allocs[n];
        int64_t pool = sqlite3_column_int64(st, 1);
        if (pool < PT_POOL_NONPAGED || pool > PT_POOL_SESSION_PAGED) {
            sqlite3_finalize(st);
            return pt_error_set(c->err, PT_ERR_CORRUPT, pt_archive_path(c->a), PT_NO_OFFSET,
                                "trace %s (sample %" PRId64 "): allocation %lu has pool type "
                                "%" PRId64 ", which is none of the four",
                                t->name, t->sample_id, (unsigned long)n, pool);
        }
        n++;
        a->tag = (pt_tag)sqlite3_column_int64(st, 0);
        a->pool = (pt_pool)pool;
        a->size = (uint64_t)sqlite3_column_int64(st, 2);
        a->freed = sqlite3_column_int64(st, 3) != 0;
        a->stack_id = (uint64_t)sqlite3_column_int64(st, 4);
        a->time = (pt_filetime)sqlite3_column_int64(st, 5);
        a->address = (uint64_t)sqlite3_column_int64(st, 6);
    }
    if (n == want && step == SQLITE_ROW)
        step = sqlite3_step(st);
    t->nallocs = n;
    return trace_query_end(c, st, step, n, want, "allocations");
}

/* One stacks row: depth little-endian 64-bit frames, checked against the
 * blob's length before they are decoded. */
static pt_status decode_stack(report_ctx *c, const etl_trace *t, sqlite3_stmt *st, pt_stack *s)
{
    int64_t depth = sqlite3_column_int64(st, 1);
    const uint8_t *blob = sqlite3_column_blob(st, 2);
    int len = sqlite3_column_bytes(st, 2);
    uint64_t *frames;
    int64_t i;

    s->stack_id = (uint64_t)sqlite3_column_int64(st, 0);
    if (depth < 0 || (uint64_t)depth > ETL_REPORT_MAX_DEPTH || len < 0 ||
        (uint64_t)len != (uint64_t)depth * 8 || (depth > 0 && blob == NULL))
        return pt_error_set(c->err, PT_ERR_CORRUPT, pt_archive_path(c->a), PT_NO_OFFSET,
                            "trace %s (sample %" PRId64 "): stack %" PRIu64 " has depth %" PRId64
                            " but %d bytes of frames",
                            t->name, t->sample_id, s->stack_id, depth, len);
    frames = malloc(depth > 0 ? (size_t)depth * sizeof *frames : 1);
    if (frames == NULL)
        return rc_nomem(c);
    for (i = 0; i < depth; i++)
        frames[i] = pt_le64(blob + i * 8);
    s->depth = (uint32_t)depth;
    s->frames = frames;
    return PT_OK;
}

static pt_status load_stacks(report_ctx *c, etl_trace *t)
{
    sqlite3_stmt *st = NULL;
    size_t want;
    int step = SQLITE_DONE;
    pt_status rc = trace_query(c, t, "SELECT count(*) FROM stacks WHERE sample_id = ?1",
                               "SELECT stack_id, depth, frames FROM stacks WHERE sample_id = ?1 "
                               "ORDER BY stack_id",
                               ETL_REPORT_MAX_STACKS, "stacks", &want, &st);

    if (rc != PT_OK)
        return rc;
    t->stacks = calloc(want ? want : 1, sizeof *t->stacks);
    if (t->stacks == NULL) {
        sqlite3_finalize(st);
        return rc_nomem(c);
    }
    while (rc == PT_OK && t->nstacks < want && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = decode_stack(c, t, st, &t->stacks[t->nstacks]);
        if (rc == PT_OK)
            t->nstacks++;
    }
    if (rc != PT_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    if (t->nstacks == want && step == SQLITE_ROW)
        step = sqlite3_step(st);
    return trace_query_end(c, st, step, t->nstacks, want, "stacks");
}

static pt_status load_modules(report_ctx *c, etl_trace *t)
{
    sqlite3_stmt *st = NULL;
    size_t want;
    int step = SQLITE_DONE;
    pt_status rc = trace_query(c, t, "SELECT count(*) FROM modules WHERE sample_id = ?1",
                               "SELECT name, base, size, timestamp, checksum FROM modules "
                               "WHERE sample_id = ?1 ORDER BY rowid",
                               ETL_REPORT_MAX_MODULES, "modules", &want, &st);

    if (rc != PT_OK)
        return rc;
    t->mods = calloc(want ? want : 1, sizeof *t->mods);
    if (t->mods == NULL) {
        sqlite3_finalize(st);
        return rc_nomem(c);
    }
    while (t->nmods < want && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        pt_module *m = &t->mods[t->nmods];
        char *copy = strdup(name != NULL ? name : "");
        if (copy == NULL) {
            sqlite3_finalize(st);
            return rc_nomem(c);
        }
        m->name = copy;
        m->base = (uint64_t)sqlite3_column_int64(st, 1);
        m->size = (uint64_t)sqlite3_column_int64(st, 2);
        m->timestamp = (uint32_t)sqlite3_column_int64(st, 3);
        m->checksum = (uint32_t)sqlite3_column_int64(st, 4);
        t->nmods++;
    }
    if (t->nmods == want && step == SQLITE_ROW)
        step = sqlite3_step(st);
    return trace_query_end(c, st, step, t->nmods, want, "modules");
}

static const pt_stack *find_stack(const etl_trace *t, uint64_t stack_id)
{
    size_t lo = 0, hi = t->nstacks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->stacks[mid].stack_id < stack_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->nstacks && t->stacks[lo].stack_id == stack_id ? &t->stacks[lo] : NULL;
}

/* True when the group's frame lies in an image (a driver to name). */
static int group_has_module(const etl_leak_group *g)
{
    return strcmp(g->module, "unknown") != 0 && strcmp(g->module, "no stack") != 0;
}

static pt_status add_leaked_stack(report_ctx *c, const etl_trace *t, const etl_leak_group *g)
{
    pt_report *r = c->r;
    pt_report_leaked_stack *l;
    char tag[PT_TAG_TEXT_MAX];
    const pt_stack *s = g->stack_id != 0 ? find_stack(t, g->stack_id) : NULL;

    l = pt_arena_grow(&r->arena, r->leaked_stacks, r->leaked_stack_count,
                      r->leaked_stack_count + 1, sizeof *l);
    if (l == NULL)
        return rc_nomem(c);
    r->leaked_stacks = l;
    l = &r->leaked_stacks[r->leaked_stack_count++];
    memset(l, 0, sizeof *l);
    l->tag = g->tag;
    l->tag_text = rc_strdup(c, pt_tag_format(g->tag, tag));
    l->pool = g->pool;
    l->count = g->count;
    l->bytes = g->bytes;
    l->module = rc_strdup(c, group_has_module(g) ? etl_leaks_basename(g->module) : g->module);
    l->offset = g->offset;
    if (s != NULL && s->depth > 0) {
        char text[2048];
        l->frames = rc_strdup(c, etl_leaks_stack_text(s, t->mods, t->nmods, text, sizeof text));
    }
    return l->tag_text != NULL && l->module != NULL ? PT_OK : rc_nomem(c);
}

static pt_report_suspect *find_suspect(report_ctx *c, pt_tag tag, pt_pool pool)
{
    size_t i;
    for (i = 0; i < c->r->suspect_count; i++)
        if (c->r->suspects[i].tag == tag && c->r->suspects[i].pool == pool)
            return &c->r->suspects[i];
    return NULL;
}

static const pt_trend *find_trend(report_ctx *c, pt_tag tag, pt_pool pool)
{
    size_t i;
    for (i = 0; i < c->an.trend_count; i++)
        if (c->an.trends[i].tag == tag && c->an.trends[i].pool == pool)
            return &c->an.trends[i];
    return NULL;
}

/* A suspect for a tag the series did not rank, after the others. */
static pt_report_suspect *new_suspect(report_ctx *c, pt_tag tag, pt_pool pool)
{
    pt_report *r = c->r;
    const pt_trend *tr = find_trend(c, tag, pool);
    char text[PT_TAG_TEXT_MAX];
    pt_report_suspect *s;

    if (r->suspect_count >= PT_MAX_SUSPECTS)
        return NULL;
    s = pt_arena_grow(&r->arena, r->suspects, r->suspect_count, r->suspect_count + 1,
                      sizeof *s);
    if (s == NULL)
        return NULL;
    r->suspects = s;
    s = &r->suspects[r->suspect_count];
    memset(s, 0, sizeof *s);
    s->rank = (int)++r->suspect_count;
    s->tag = tag;
    s->pool = pool;
    s->tag_text = rc_strdup(c, tr != NULL ? tr->tag_text : pt_tag_format(tag, text));
    if (tr != NULL) {
        s->growth_bytes_per_hour = tr->growth_bytes_per_hour;
        s->persistence = tr->persistence;
        s->share = tr->share;
        s->samples = tr->samples;
    }
    return s;
}

/* Totals of one (tag, pool) over a trace's groups. */
static void tag_totals(const etl_leak_group *g, size_t n, pt_tag tag, pt_pool pool,
                       uint64_t *count, uint64_t *bytes)
{
    size_t i;
    *count = *bytes = 0;
    for (i = 0; i < n; i++)
        if (g[i].tag == tag && g[i].pool == pool) {
            *count += g[i].count;
            *bytes += g[i].bytes;
        }
}

/* The verdict of a tag with leaked allocations: "leaking" stays (the series
 * says more); anything else becomes leaked-allocations with the trace's
 * totals, which the report's sentence for that verdict states. */
static pt_status mark_suspect(report_ctx *c, const etl_trace *t, pt_report_suspect *s,
                              const etl_leak_group *groups, size_t ngroups)
{
    uint64_t count, bytes;
    char human[32];

    tag_totals(groups, ngroups, s->tag, s->pool, &count, &bytes);
    if (s->verdict != NULL && strcmp(s->verdict, PT_VERDICT_LEAKING) == 0)
        return PT_OK;
    if (s->verdict != NULL && strcmp(s->verdict, VERDICT_LEAKED_ALLOCATIONS) == 0) {
        count += s->outstanding;
        bytes += s->bytes;
    }
    rc_format_bytes((double)bytes, human, sizeof human);
    s->verdict = VERDICT_LEAKED_ALLOCATIONS;
    s->outstanding = count;
    s->bytes = bytes;
    s->reason = rc_printf(c, "%" PRIu64 " allocations made during the pool trace %s were "
                             "still outstanding at its end (%s)%s",
                          count, t->name, human,
                          s->samples > 1 ? "; the series alone does not say leaking" : "");
    return s->reason != NULL ? PT_OK : rc_nomem(c);
}

/* Puts the stack's driver among the suspect's candidates, after the stack
 * candidates already there and before every weaker one; a weaker
 * candidate naming the same driver is raised to stack evidence. */
static pt_status add_stack_candidate(report_ctx *c, const etl_trace *t, pt_report_suspect *s,
                                     const etl_leak_group *g)
{
    const char *name = etl_leaks_basename(g->module);
    pt_report_candidate cand, *arr;
    size_t i, at = 0, found = s->candidate_count;

    for (i = 0; i < s->candidate_count; i++) {
        if (strcasecmp(s->candidates[i].driver, name) == 0)
            found = i;
        if (s->candidates[i].evidence != NULL && strcmp(s->candidates[i].evidence, "stack") == 0)
            at = i + 1;
    }
    if (found < at)
        return PT_OK; /* a larger group of this tag already names the driver */
    memset(&cand, 0, sizeof cand);
    if (found < s->candidate_count) {
        cand = s->candidates[found];
        memmove(&s->candidates[found], &s->candidates[found + 1],
                (s->candidate_count - found - 1) * sizeof cand);
        s->candidate_count--;
    } else {
        cand.driver = rc_strdup(c, name);
        cand.third_party = -1;
    }
    cand.evidence = "stack";
    cand.detail = rc_printf(c, "%" PRIu64 " allocation%s (%" PRIu64 " bytes) still outstanding "
                               "at the end of trace %s were allocated from %s+0x%" PRIx64,
                            g->count, g->count == 1 ? "" : "s", g->bytes, t->name, name,
                            g->offset);
    arr = pt_arena_grow(&c->r->arena, s->candidates, s->candidate_count,
                        s->candidate_count + 1, sizeof *arr);
    if (arr == NULL || cand.driver == NULL || cand.detail == NULL)
        return rc_nomem(c);
    memmove(&arr[at + 1], &arr[at], (s->candidate_count - at) * sizeof *arr);
    arr[at] = cand;
    s->candidates = arr;
    s->candidate_count++;
    return PT_OK;
}

/* Verdicts and candidates from one trace's groups (largest first). */
static pt_status judge_trace(report_ctx *c, const etl_trace *t, const etl_leak_group *groups,
                             size_t ngroups)
{
    /* suspects whose verdict this trace has set (there are at most
     * PT_MAX_SUSPECTS: the analysis and new_suspect keep to it) */
    unsigned char marked[PT_MAX_SUSPECTS];
    size_t i;
    pt_status rc = PT_OK;

    memset(marked, 0, sizeof marked);
    for (i = 0; i < ngroups && rc == PT_OK; i++) {
        const etl_leak_group *g = &groups[i];
        pt_report_suspect *s = find_suspect(c, g->tag, g->pool);
        size_t k;
        if (s == NULL)
            s = new_suspect(c, g->tag, g->pool);
        if (s == NULL)
            continue; /* the suspects are full: the leaked stack still shows it */
        k = (size_t)(s - c->r->suspects);
        if (k < PT_MAX_SUSPECTS && !marked[k]) {
            marked[k] = 1;
            rc = mark_suspect(c, t, s, groups, ngroups);
        }
        if (rc == PT_OK && group_has_module(g))
            rc = add_stack_candidate(c, t, s, g);
    }
    return rc;
}

static pt_status report_trace(report_ctx *c, etl_trace *t)
{
    etl_leak_group *groups = NULL;
    size_t ngroups = 0, i;
    pt_status rc = load_allocations(c, t);

    if (rc == PT_OK)
        rc = load_stacks(c, t);
    if (rc == PT_OK)
        rc = load_modules(c, t);
    if (rc == PT_OK)
        rc = etl_leaks_group(t->allocs, t->nallocs, t->stacks, t->nstacks, t->mods, t->nmods,
                             &groups, &ngroups, c->err);
    for (i = 0; rc == PT_OK && i < ngroups && i < ETL_REPORT_STACKS_PER_TRACE; i++)
        rc = add_leaked_stack(c, t, &groups[i]);
    if (rc == PT_OK)
        rc = judge_trace(c, t, groups, ngroups);
    free(groups);
    return rc;
}

/* A system fact per trace: its pool events and what was left at its end
 * (a trace recorded without the POOL flag says so here). */
static pt_status add_trace_fact(report_ctx *c, const char *name, sqlite3_stmt *st)
{
    pt_report *r = c->r;
    int64_t allocs = sqlite3_column_int64(st, 2), frees = sqlite3_column_int64(st, 3);
    int64_t outstanding = sqlite3_column_int64(st, 4), bytes = sqlite3_column_int64(st, 5);
    pt_report_fact *f;
    const char *value;

    if (allocs == 0 && frees == 0)
        value = rc_printf(c, "%s: no pool events (the trace was not recorded with the "
                             "kernel's POOL flag)", name);
    else
        value = rc_printf(c, "%s: %" PRId64 " pool allocations, %" PRId64 " frees; %" PRId64
                             " allocations (%" PRId64 " bytes) made during the trace still "
                             "outstanding at its end", name, allocs, frees, outstanding, bytes);
    f = pt_arena_grow(&r->arena, r->facts, r->fact_count, r->fact_count + 1, sizeof *f);
    if (f == NULL || value == NULL)
        return rc_nomem(c);
    r->facts = f;
    r->facts[r->fact_count].name = "Pool trace";
    r->facts[r->fact_count].value = value;
    r->fact_count++;
    return PT_OK;
}

pt_status rc_etl_leaks(report_ctx *c)
{
    /* The closing sample of each trace is the one with the trace's
     * counters and its outstanding allocations. */
    static const char *const sql =
        "SELECT s.id, coalesce(s.source_name, 'trace'), "
        "(SELECT value FROM counters k WHERE k.sample_id = s.id AND k.name = 'pool allocations'), "
        "(SELECT coalesce(sum(value), 0) FROM counters k WHERE k.sample_id = s.id AND "
        "k.name = 'pool frees'), "
        "(SELECT count(*) FROM allocations a WHERE a.sample_id = s.id AND a.freed = 0), "
        "(SELECT coalesce(sum(size), 0) FROM allocations a WHERE a.sample_id = s.id AND "
        "a.freed = 0) "
        "FROM samples s WHERE s.case_id = ?1 AND s.kind = ?2 AND EXISTS (SELECT 1 FROM "
        "counters k WHERE k.sample_id = s.id AND k.name = 'pool allocations') "
        "ORDER BY s.time, s.id";
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(c->a, sql, &st, c->err);
    int step = SQLITE_DONE;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, c->case_id);
    sqlite3_bind_int64(st, 2, PT_KIND_ETL);
    while (rc == PT_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        etl_trace t;
        memset(&t, 0, sizeof t);
        t.sample_id = sqlite3_column_int64(st, 0);
        t.name = rc_strdup(c, (const char *)sqlite3_column_text(st, 1));
        rc = t.name != NULL ? add_trace_fact(c, t.name, st) : rc_nomem(c);
        if (rc == PT_OK && sqlite3_column_int64(st, 4) > 0)
            rc = report_trace(c, &t);
        trace_free(&t);
    }
    if (rc == PT_OK && step != SQLITE_DONE)
        rc = pt_archive_db_error(c->a, c->err, "cannot read the traces");
    sqlite3_finalize(st);
    return rc;
}
