/* case_report.c - the report model of one case, from the archive:
 * summary, facts, suspects with reasons and candidates, pools. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "archive_tags.h"
#include "case_report_internal.h"

pt_status rc_nomem(report_ctx *c)
{
    return pt_error_set(c->err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory for the report");
}

char *rc_strdup(report_ctx *c, const char *s)
{
    return s != NULL ? pt_arena_strdup(&c->r->arena, s) : NULL;
}

char *rc_printf(report_ctx *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return pt_arena_strdup(&c->r->arena, buf);
}

void *rc_array(report_ctx *c, size_t count, size_t elem)
{
    if (count == 0)
        return NULL;
    if (count > SIZE_MAX / elem)
        return NULL;
    return pt_arena_alloc(&c->r->arena, count * elem);
}

void rc_format_bytes(double v, char *out, size_t size)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (fabs(v) >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(out, size, "%.0f bytes", v);
    else
        snprintf(out, size, "%.1f %s", v, units[u]);
}

/* A driver candidate from a binary text ("[ntfs.sys - AttrSup.c]"). */
static void add_candidate(report_ctx *c, pt_report_suspect *s, const char *binary,
                          const char *evidence, const char *detail)
{
    char name[128];
    pt_report_candidate *cand;
    size_t i;

    pt_binary_driver_name(binary, name, sizeof name);
    if (name[0] == '\0')
        return;
    for (i = 0; i < s->candidate_count; i++)
        if (strcmp(s->candidates[i].driver, name) == 0)
            return;
    s->candidates = pt_arena_grow(&c->r->arena, s->candidates, s->candidate_count,
                                  s->candidate_count + 1, sizeof *s->candidates);
    if (s->candidates == NULL) {
        s->candidate_count = 0;
        return;
    }
    cand = &s->candidates[s->candidate_count++];
    memset(cand, 0, sizeof *cand);
    cand->driver = rc_strdup(c, name);
    cand->evidence = evidence;
    cand->detail = rc_strdup(c, detail);
    cand->third_party = -1;
}

static void describe_suspect(report_ctx *c, pt_report_suspect *s, const pt_trend *t)
{
    const pt_desc_entry *e = pt_desc_table_find(&c->descs, t->tag);
    size_t i;

    if (e != NULL && e->description != NULL) {
        s->description = rc_strdup(c, e->description);
        s->description_origin = rc_printf(c, "%s, line %llu", e->origin != NULL ? e->origin : "tag file",
                                          (unsigned long long)e->line);
    }
    /* The source's own description (the !poolused text) when no tag file has
     * one; the table's rows have raw tags, the trend the match key. */
    for (i = 0; s->description == NULL && i < c->r->tag_count; i++) {
        const pt_report_tag *rt = &c->r->tags[i];
        if (pt_tag_match_key(rt->tag) == t->tag && rt->pool == t->pool &&
            rt->description != NULL) {
            s->description = rt->description;
            s->description_origin = rt->description_origin;
        }
    }
    if (t->binary[0] != '\0')
        add_candidate(c, s, t->binary, "binary-column",
                      rc_printf(c, "the source names it beside the tag: %s", t->binary));
    if (e != NULL && e->binary != NULL)
        add_candidate(c, s, e->binary, "tagfile",
                      rc_printf(c, "%s line %llu: %s", e->origin != NULL ? e->origin : "tag file",
                                (unsigned long long)e->line, e->pattern));
}

static pt_status build_suspects(report_ctx *c)
{
    pt_report *r = c->r;
    size_t i;

    r->suspect_count = c->an.suspect_count;
    r->suspects = rc_array(c, r->suspect_count, sizeof *r->suspects);
    if (r->suspect_count != 0 && r->suspects == NULL)
        return rc_nomem(c);
    for (i = 0; i < r->suspect_count; i++) {
        const pt_trend *t = &c->an.trends[i];
        pt_report_suspect *s = &r->suspects[i];
        s->rank = (int)i + 1;
        s->tag = t->tag;
        s->tag_text = rc_strdup(c, t->tag_text);
        s->pool = t->pool;
        s->verdict = t->verdict;
        s->bytes = t->bytes;
        s->outstanding = t->outstanding;
        s->growth_bytes_per_hour = t->growth_bytes_per_hour;
        s->persistence = t->persistence;
        s->share = t->share;
        s->samples = t->samples;
        s->reason = rc_strdup(c, t->reason);
        describe_suspect(c, s, t);
    }
    return PT_OK;
}

static pt_status build_pools(report_ctx *c)
{
    pt_report *r = c->r;
    int p;

    r->pools = rc_array(c, 4, sizeof *r->pools);
    if (r->pools == NULL)
        return rc_nomem(c);
    for (p = 0; p < 4; p++) {
        const pt_pool_state *ps = &c->an.pools[p];
        pt_report_pool *rp;
        if (!ps->present && ps->usage_bytes == 0)
            continue;
        rp = &r->pools[r->pool_count++];
        rp->name = ps->name;
        rp->usage_bytes = ps->usage_bytes;
        rp->max_bytes = ps->max_bytes;
        rp->growth_bytes_per_hour = ps->growth_bytes_per_hour;
        rp->hours_to_exhaustion = ps->hours_to_exhaustion;
        rp->note = ps->note[0] != '\0' ? rc_strdup(c, ps->note)
                   : strcmp(ps->usage_origin, "tag sum") == 0
                       ? "usage is the sum of the tags (no counter in the evidence)"
                       : NULL;
    }
    return PT_OK;
}

/* The summary when a pool trace, not the series, convicts the top tag:
 * the allocations it left outstanding and the driver whose stack made the
 * largest group of them. */
static void build_leak_summary(report_ctx *c, const pt_report_suspect *s)
{
    pt_report *r = c->r;
    const pt_report_leaked_stack *top = NULL;
    uint64_t count = 0, total = 0;
    char bytes[32], where[160] = "";
    size_t i;

    for (i = 0; i < r->leaked_stack_count; i++) {
        const pt_report_leaked_stack *l = &r->leaked_stacks[i];
        if (l->tag != s->tag || l->pool != s->pool)
            continue;
        count += l->count;
        total += l->bytes;
        if (top == NULL || l->bytes > top->bytes)
            top = l;
    }
    if (top != NULL && top->module != NULL)
        snprintf(where, sizeof where, ", most of them allocated from %s+0x%llx", top->module,
                 (unsigned long long)top->offset);
    rc_format_bytes((double)total, bytes, sizeof bytes);
    r->summary = rc_printf(c, "Tag '%s' (%s) left %llu allocations (%s) outstanding at the "
                              "end of the pool trace%s: leaked allocations.",
                           s->tag_text, pt_pool_name(s->pool), (unsigned long long)count,
                           bytes, where);
}

/* " The strongest candidate is X (vendor version, evidence, third-party)."
 * plus the known issue that names X, when the evidence ties a driver to
 * the top suspect by its code or its stacks; nothing for weaker evidence,
 * which the candidate table shows with its caveats. */
static const char *summary_attribution(report_ctx *c, const pt_report_suspect *s)
{
    const pt_report *r = c->r;
    const pt_report_candidate *d = s->candidate_count > 0 ? &s->candidates[0] : NULL;
    const char *known = "";
    size_t i;

    if (d == NULL || d->driver == NULL || d->evidence == NULL ||
        (strcmp(d->evidence, "stack") != 0 && strcmp(d->evidence, "callsite") != 0))
        return "";
    for (i = 0; i < r->advisory_count; i++) {
        const pt_report_advisory *adv = &r->advisories[i];
        if (adv->driver != NULL && strcasecmp(adv->driver, d->driver) == 0) {
            known = rc_printf(c, " A known issue matches it%s%s%s%s.",
                              adv->fixed_version ? ": fixed in " : "",
                              adv->fixed_version ? adv->fixed_version : "",
                              adv->reference ? ", see " : "",
                              adv->reference ? adv->reference : "");
            break;
        }
    }
    return rc_printf(c, " The strongest candidate is %s (%s%s%s, %s evidence%s).%s", d->driver,
                     d->vendor ? d->vendor : "vendor unknown", d->file_version ? " " : "",
                     d->file_version ? d->file_version : "",
                     strcmp(d->evidence, "stack") == 0 ? "allocation stack" : "call-site",
                     d->third_party == 1 ? ", third-party" : "", known ? known : "");
}

static void build_summary_core(report_ctx *c);

static void build_summary(report_ctx *c)
{
    pt_report *r = c->r;
    build_summary_core(c);
    if (r->summary != NULL && r->suspect_count > 0) {
        const char *who = summary_attribution(c, &r->suspects[0]);
        if (who != NULL && who[0] != '\0')
            r->summary = rc_printf(c, "%s%s", r->summary, who);
    }
}

static void build_summary_core(report_ctx *c)
{
    pt_report *r = c->r;
    const pt_report_suspect *s = r->suspect_count > 0 ? &r->suspects[0] : NULL;
    const pt_pool_state *ps = s != NULL ? &c->an.pools[s->pool] : NULL;
    char bytes[32], rate[32], exhaust[128] = "";

    if (s == NULL) {
        r->summary = rc_printf(c, "No tag grows or holds a large share of its pool in %u "
                                  "sample%s of this case.",
                               r->sample_count, r->sample_count == 1 ? "" : "s");
        return;
    }
    rc_format_bytes((double)s->bytes, bytes, sizeof bytes);
    rc_format_bytes(s->growth_bytes_per_hour, rate, sizeof rate);
    if (ps->hours_to_exhaustion >= 0)
        snprintf(exhaust, sizeof exhaust, " At this rate %s is exhausted in about %.0f hours.",
                 ps->name, ps->hours_to_exhaustion);
    if (strcmp(s->verdict, "leaked-allocations") == 0) {
        build_leak_summary(c, s);
        return;
    }
    if (strcmp(s->verdict, PT_VERDICT_LEAKING) == 0 || strcmp(s->verdict, PT_VERDICT_GROWING) == 0)
        r->summary = rc_printf(c, "Tag '%s' (%s) is %s: %s per hour, growing in %.0f%% of the "
                                  "intervals, now %s.%s",
                               s->tag_text, pt_pool_name(s->pool), s->verdict, rate,
                               s->persistence * 100.0, bytes, exhaust);
    else
        r->summary = rc_printf(c, "Tag '%s' (%s) is large: %s, %.0f%% of the pool's tagged "
                                  "bytes. %s",
                               s->tag_text, pt_pool_name(s->pool), bytes, s->share * 100.0,
                               c->an.tag_samples <= 1
                                   ? "One snapshot shows size, not growth: collect a series "
                                     "to tell a leak from a large steady user."
                                   : "It does not grow over the series.");
}

static void add_fact(report_ctx *c, const char *name, const char *value)
{
    pt_report *r = c->r;
    pt_report_fact *f = pt_arena_grow(&r->arena, r->facts, r->fact_count, r->fact_count + 1,
                                      sizeof *f);
    if (f == NULL || value == NULL)
        return;
    r->facts = f;
    r->facts[r->fact_count].name = name;
    r->facts[r->fact_count].value = value;
    r->fact_count++;
}

static pt_status build_facts(report_ctx *c)
{
    static const char *const sql =
        "SELECT (SELECT count(*) FROM bundles WHERE case_id = ?1), "
        "(SELECT group_concat(DISTINCT host) FROM bundles WHERE case_id = ?1), "
        "(SELECT group_concat(DISTINCT collector_version) FROM bundles WHERE case_id = ?1), "
        "(SELECT count(*) FROM samples WHERE case_id = ?1), "
        "(SELECT min(NULLIF(time, 0)) FROM samples WHERE case_id = ?1), "
        "(SELECT max(time) FROM samples WHERE case_id = ?1)";
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(c->a, sql, &st, c->err);
    char buf[32];

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, c->case_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        c->r->sample_count = (unsigned)sqlite3_column_int64(st, 3);
        c->r->first_time = (pt_filetime)sqlite3_column_int64(st, 4);
        c->r->last_time = (pt_filetime)sqlite3_column_int64(st, 5);
        add_fact(c, "Host", rc_strdup(c, (const char *)sqlite3_column_text(st, 1)));
        add_fact(c, "Bundles", rc_printf(c, "%lld", (long long)sqlite3_column_int64(st, 0)));
        add_fact(c, "Collector", rc_strdup(c, (const char *)sqlite3_column_text(st, 2)));
        add_fact(c, "Samples", rc_printf(c, "%u (%u with pool tags)", c->r->sample_count,
                                         c->an.tag_samples));
        if (c->r->first_time != 0) {
            add_fact(c, "First sample", rc_strdup(c, pt_filetime_format(c->r->first_time, buf)));
            add_fact(c, "Last sample", rc_strdup(c, pt_filetime_format(c->r->last_time, buf)));
        }
    }
    sqlite3_finalize(st);
    if (c->an.physical_bytes != 0) {
        rc_format_bytes((double)c->an.physical_bytes, buf, sizeof buf);
        add_fact(c, "Physical memory", rc_strdup(c, buf));
    }
    if (c->an.commit_bytes != 0) {
        rc_format_bytes((double)c->an.commit_bytes, buf, sizeof buf);
        add_fact(c, "Committed", rc_strdup(c, buf));
    }
    if (c->an.commit_limit_bytes != 0) {
        rc_format_bytes((double)c->an.commit_limit_bytes, buf, sizeof buf);
        add_fact(c, "Commit limit", rc_strdup(c, buf));
    }
    return PT_OK;
}

pt_status pt_case_build_report(pt_archive *a, const char *case_name, pt_report *r,
                               pt_error *err)
{
    report_ctx c;
    char now[32];
    pt_status rc;

    memset(&c, 0, sizeof c);
    c.a = a;
    c.r = r;
    c.err = err;
    rc = pt_archive_case_id(a, case_name, &c.case_id, err);
    if (rc != PT_OK)
        return rc;
    rc = rc_pick_series(&c);
    if (rc != PT_OK)
        return rc;
    rc = pt_case_analyze_with_series(a, c.case_id, c.wants, c.want_count, &c.an, err);
    if (rc != PT_OK)
        return rc;
    rc = pt_desc_table_load(a, c.case_id, &c.descs, err);
    if (rc != PT_OK)
        goto out;
    pt_archive_now(now);
    r->case_name = rc_strdup(&c, case_name);
    r->generated = rc_strdup(&c, now);
    r->tool_version = PT_VERSION;
    rc = build_facts(&c);
    if (rc == PT_OK)
        rc = rc_tags(&c);
    if (rc == PT_OK)
        rc = build_suspects(&c);
    if (rc == PT_OK)
        rc = rc_etl_leaks(&c);
    if (rc == PT_OK)
        rc = build_pools(&c);
    if (rc == PT_OK)
        rc = rc_counters(&c);
    if (rc == PT_OK)
        rc = rc_series(&c);
    if (rc == PT_OK)
        rc = rc_sources(&c);
    if (rc == PT_OK)
        rc = rc_past_cases(&c);
    if (rc == PT_OK)
        rc = rc_warnings(&c);
    if (rc == PT_OK)
        rc = rc_modules(&c);
    if (rc == PT_OK)
        rc = rc_drivers(&c);
    if (rc == PT_OK)
        build_summary(&c);
    if (rc == PT_OK)
        rc = rc_dump_evidence(&c); /* after the summary: a dump-only case has no verdict */
out:
    pt_desc_table_free(&c.descs);
    pt_case_analysis_free(&c.an);
    return rc;
}
