/* analysis_pools.c - pool usage against limits, from the counters the
 * sources print (!vm in pages and Kb, the poolmon header in K). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analysis_pools.h"

enum {
    F_NP, F_NPNX, F_NP_MAX, F_P, F_P_MAX, F_PHYS, F_COMMIT, F_LIMIT, F_COUNT
};

/* Counter names as the sources print them (compared ignoring case). */
static const struct {
    const char *name;
    int field;
} COUNTER_FIELDS[] = {
    {"NonPagedPool Usage", F_NP},     {"Pool N", F_NP},
    {"NonPagedPoolNx Usage", F_NPNX}, {"NonPagedPool Max", F_NP_MAX},
    {"NonPagedPool Maximum", F_NP_MAX}, {"PagedPool Usage", F_P},
    {"Pool P", F_P},                  {"PagedPool Maximum", F_P_MAX},
    {"PagedPool Max", F_P_MAX},       {"Physical Memory", F_PHYS},
    {"Memory", F_PHYS},               {"Committed pages", F_COMMIT},
    {"Commit", F_COMMIT},             {"Commit limit", F_LIMIT},
    {"Limit", F_LIMIT},
};

typedef struct sample_counters {
    uint64_t v[F_COUNT];     /* bytes */
    int prio[F_COUNT];       /* 0 absent, 1 from pages, 2 from an exact unit */
    const char *np_name;
} sample_counters;

typedef struct counter_scan {
    sample_counters cur, latest;
    pt_filetime t0;
    int timed;
    double x;
    double fx[2][5];        /* per pool (np, p): n, mean_x, mean_y, cxy, m2x */
} counter_scan;

static int field_of(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof COUNTER_FIELDS / sizeof COUNTER_FIELDS[0]; i++)
        if (strcasecmp(name, COUNTER_FIELDS[i].name) == 0)
            return COUNTER_FIELDS[i].field;
    return -1;
}

static void fit_point(double *f, double x, double y)
{
    double dx;
    f[0] += 1;
    dx = x - f[1];
    f[1] += dx / f[0];
    f[2] += (y - f[2]) / f[0];
    f[3] += dx * (y - f[2]);
    f[4] += dx * (x - f[1]);
}

static void finish_sample(counter_scan *cs)
{
    sample_counters *c = &cs->cur;
    int i;

    if (cs->timed && c->prio[F_NP] != 0)
        fit_point(cs->fx[0], cs->x, (double)(c->v[F_NP] + c->v[F_NPNX]));
    if (cs->timed && c->prio[F_P] != 0)
        fit_point(cs->fx[1], cs->x, (double)c->v[F_P]);
    if (c->prio[F_NP] != 0 && c->prio[F_NPNX] == 0)
        c->v[F_NPNX] = 0, c->prio[F_NPNX] = c->prio[F_NP];
    for (i = 0; i < F_COUNT; i++) {
        if (c->prio[i] != 0) {
            cs->latest.v[i] = c->v[i];
            cs->latest.prio[i] = c->prio[i];
        }
    }
    memset(c, 0, sizeof *c);
}

static void add_counter(counter_scan *cs, const char *name, const char *unit, uint64_t value)
{
    int field = field_of(name), ok, prio;
    uint64_t bytes;

    if (field < 0)
        return;
    bytes = pt_counter_bytes(value, unit, &ok);
    if (!ok)
        return;
    prio = strcasecmp(unit, "pages") == 0 ? 1 : 2;
    if (prio >= cs->cur.prio[field]) {
        cs->cur.v[field] = bytes;
        cs->cur.prio[field] = prio;
    }
}

static pt_status scan_counters(pt_archive *a, int64_t case_id, counter_scan *cs, pt_error *err)
{
    static const char *const sql =
        "SELECT s.id, s.time, c.name, c.unit, c.value FROM samples s "
        "JOIN counters c ON c.sample_id = s.id WHERE s.case_id = ?1 ORDER BY s.time, s.id";
    sqlite3_stmt *st = NULL;
    int64_t sample_id = 0;
    pt_status rc = pt_archive_prepare(a, sql, &st, err);
    int step;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        pt_filetime t = (pt_filetime)sqlite3_column_int64(st, 1);
        const char *name = (const char *)sqlite3_column_text(st, 2);
        const char *unit = (const char *)sqlite3_column_text(st, 3);
        if (id != sample_id) {
            if (sample_id != 0)
                finish_sample(cs);
            sample_id = id;
            if (t != 0 && cs->t0 == 0)
                cs->t0 = t;
            cs->timed = t != 0;
            cs->x = cs->timed ? (double)(int64_t)(t - cs->t0) / 36000000000.0 : 0.0;
        }
        if (name != NULL && unit != NULL)
            add_counter(cs, name, unit, (uint64_t)sqlite3_column_int64(st, 4));
    }
    if (sample_id != 0)
        finish_sample(cs);
    if (step != SQLITE_DONE)
        rc = pt_archive_db_error(a, err, "cannot read the counters");
    sqlite3_finalize(st);
    return rc;
}

static double fx_slope(const double *f)
{
    return f[0] >= 2 && f[4] > 0 ? f[3] / f[4] : NAN;
}

/* The limit a pool can really reach: modern Windows prints a virtual
 * range as the maximum (4294967296 pages); nonpaged pool cannot outgrow
 * physical memory, paged pool cannot outgrow the commit limit.  max_bytes
 * becomes that limit, and the note says what was printed. */
static uint64_t effective_limit(pt_pool_state *ps, uint64_t ceiling, const char *ceiling_name)
{
    uint64_t printed = ps->max_bytes;

    if (printed != 0 && ceiling != 0 && printed > ceiling) {
        snprintf(ps->note, sizeof ps->note,
                 "the maximum printed (%llu MiB) is above %s, which is the real limit",
                 (unsigned long long)(printed >> 20), ceiling_name);
        ps->max_bytes = ceiling;
    } else if (printed == 0 && ceiling != 0) {
        snprintf(ps->note, sizeof ps->note, "no maximum printed: %s is the limit", ceiling_name);
        ps->max_bytes = ceiling;
    }
    return ps->max_bytes;
}

static void set_pool(pt_pool_state *ps, const sample_counters *l, int usage_field,
                     int max_field, double counter_slope, double tag_slope)
{
    if (l->prio[usage_field] != 0) {
        ps->usage_bytes = l->v[usage_field] + (usage_field == F_NP ? l->v[F_NPNX] : 0);
        ps->usage_origin = usage_field == F_NP ? "NonPagedPool counters" : "PagedPool counters";
        ps->present = 1;
    } else {
        ps->usage_bytes = ps->tagged_bytes;
        ps->usage_origin = "tag sum";
    }
    ps->max_bytes = l->prio[max_field] != 0 ? l->v[max_field] : 0;
    ps->growth_bytes_per_hour = !isnan(counter_slope) ? counter_slope
                                : !isnan(tag_slope)   ? tag_slope
                                                      : 0.0;
}

static void set_exhaustion(pt_pool_state *ps, uint64_t limit)
{
    if (ps->max_bytes != 0 && ps->usage_bytes > ps->max_bytes)
        snprintf(ps->note, sizeof ps->note,
                 "usage is above the maximum the system printed: a value looks wrong");
    ps->hours_to_exhaustion = -1;
    if (limit > ps->usage_bytes && ps->growth_bytes_per_hour > 0)
        ps->hours_to_exhaustion =
            (double)(limit - ps->usage_bytes) / ps->growth_bytes_per_hour;
}

pt_status pt_analysis_pool_limits(pt_archive *a, pt_case_analysis *an,
                                  const double tag_slopes[4], pt_error *err)
{
    counter_scan cs;
    const sample_counters *l = &cs.latest;
    uint64_t limit;
    pt_status rc;
    int p;

    memset(&cs, 0, sizeof cs);
    rc = scan_counters(a, an->case_id, &cs, err);
    if (rc != PT_OK)
        return rc;
    an->physical_bytes = l->v[F_PHYS];
    an->commit_bytes = l->v[F_COMMIT];
    an->commit_limit_bytes = l->v[F_LIMIT];
    set_pool(&an->pools[PT_POOL_NONPAGED], l, F_NP, F_NP_MAX, fx_slope(cs.fx[0]),
             tag_slopes[PT_POOL_NONPAGED]);
    set_pool(&an->pools[PT_POOL_PAGED], l, F_P, F_P_MAX, fx_slope(cs.fx[1]),
             tag_slopes[PT_POOL_PAGED]);
    limit = effective_limit(&an->pools[PT_POOL_NONPAGED], an->physical_bytes, "physical memory");
    set_exhaustion(&an->pools[PT_POOL_NONPAGED], limit);
    limit = effective_limit(&an->pools[PT_POOL_PAGED], an->commit_limit_bytes, "the commit limit");
    set_exhaustion(&an->pools[PT_POOL_PAGED], limit);
    for (p = PT_POOL_SESSION_NONPAGED; p <= PT_POOL_SESSION_PAGED; p++) {
        pt_pool_state *ps = &an->pools[p];
        ps->usage_bytes = ps->tagged_bytes;
        ps->usage_origin = "tag sum";
        ps->growth_bytes_per_hour = isnan(tag_slopes[p]) ? 0.0 : tag_slopes[p];
        ps->hours_to_exhaustion = -1;
    }
    return PT_OK;
}

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay != '\0'; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* "NonPagedPool Usage" -> "NonPagedPool": the pool part of a usage name. */
static int pool_part(const char *name, char *out, size_t size)
{
    const char *sp = strchr(name, ' ');
    size_t len;
    if (sp == NULL || (strcasecmp(sp + 1, "Usage") != 0 && strcasecmp(sp + 1, "Used") != 0))
        return 0;
    len = (size_t)(sp - name);
    if (len + 1 > size)
        return 0;
    memcpy(out, name, len);
    out[len] = '\0';
    return 1;
}

int pt_counter_looks_wrong(const char *name, const char *unit, uint64_t value,
                           pt_counter_lookup lookup, void *ctx)
{
    char pool[64], max_name[80];
    uint64_t other;

    if (value >= (1ull << 63))
        return 1;
    if (lookup == NULL)
        return 0;
    if (pool_part(name, pool, sizeof pool)) {
        snprintf(max_name, sizeof max_name, "%s Max", pool);
        if (lookup(ctx, max_name, unit, &other) && value > other)
            return 1;
        snprintf(max_name, sizeof max_name, "%s Maximum", pool);
        if (lookup(ctx, max_name, unit, &other) && value > other)
            return 1;
    }
    if (contains_nocase(name, "commit") && !contains_nocase(name, "limit") &&
        lookup(ctx, "Commit limit", unit, &other) && value > other)
        return 1;
    return 0;
}
