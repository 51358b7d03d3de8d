/* case_report_dump.c - what the report says about crash dumps (issue 4).
 *
 * A triage (small memory) dump holds the driver list and the bugcheck but
 * no pool tracker tables: a case whose only evidence is such dumps has no
 * tag usage at all, and the report says so instead of an empty verdict.
 * The loaded modules (rc_modules) are tied to the driver files collected
 * from disk by name, TimeDateStamp and SizeOfImage: a file on disk that is
 * not the image that was loaded gets a note. */
#include <string.h>

#include "case_report_internal.h"

/* samples.kind of a dump sample (pt_source_kind). */
#define DUMP_SAMPLE_KIND PT_KIND_DUMP

typedef struct dump_sample_counts {
    int64_t dumps;           /* dump samples of the case */
    int64_t dumps_no_pool;   /* of those, with no tag rows */
    int64_t triage;          /* of those, small memory (triage) dumps */
    int64_t samples_pool;    /* samples of any kind with tag rows */
} dump_sample_counts;

static pt_status count_dump_samples(report_ctx *c, dump_sample_counts *n)
{
    static const char *const sql =
        "SELECT COALESCE(SUM(kind = ?2), 0), COALESCE(SUM(kind = ?2 AND row_count = 0), 0), "
        "COALESCE(SUM(kind = ?2 AND variant LIKE 'dump-triage-%'), 0), "
        "COALESCE(SUM(row_count > 0), 0) FROM samples WHERE case_id = ?1";
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(c->a, sql, &st, c->err);

    memset(n, 0, sizeof *n);
    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, c->case_id);
    sqlite3_bind_int(st, 2, DUMP_SAMPLE_KIND);
    if (sqlite3_step(st) == SQLITE_ROW) {
        n->dumps = sqlite3_column_int64(st, 0);
        n->dumps_no_pool = sqlite3_column_int64(st, 1);
        n->triage = sqlite3_column_int64(st, 2);
        n->samples_pool = sqlite3_column_int64(st, 3);
    } else {
        rc = pt_archive_db_error(c->a, c->err, "cannot count the dump samples");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Puts a warning first: it explains the rest of the report. */
static pt_status prepend_warning(report_ctx *c, const char *text)
{
    pt_report *r = c->r;
    size_t cap = 8;
    const char **grown;

    if (text == NULL)
        return rc_nomem(c);
    /* a capacity that rc_warnings' doubling scheme also assumes */
    while (cap < r->warning_count + 1)
        cap *= 2;
    grown = pt_arena_grow(&r->arena, NULL, 0, cap, sizeof *grown);
    if (grown == NULL)
        return rc_nomem(c);
    if (r->warning_count > 0)
        memcpy(grown + 1, r->warnings, r->warning_count * sizeof *grown);
    grown[0] = text;
    r->warnings = grown;
    r->warning_count++;
    return PT_OK;
}

static pt_status dump_pool_warning(report_ctx *c)
{
    dump_sample_counts n;
    const char *kind;
    pt_status rc = count_dump_samples(c, &n);

    if (rc != PT_OK || n.dumps_no_pool == 0)
        return rc;
    kind = n.triage == n.dumps_no_pool ? "triage (small memory) dump"
                                        : "crash dump without readable pool data";
    if (n.samples_pool == 0) {
        /* nothing in the case has tag usage: no verdict can be given */
        c->r->summary = rc_printf(c,
                                  "No verdict: this case holds only %lld %s%s, which hold%s "
                                  "the loaded drivers and the bugcheck but no pool usage by "
                                  "tag. Collect a kernel or complete memory dump, or poolmon / "
                                  "!poolused output, to find the leaking tag.",
                                  (long long)n.dumps_no_pool, kind,
                                  n.dumps_no_pool == 1 ? "" : "s",
                                  n.dumps_no_pool == 1 ? "s" : "");
        return prepend_warning(
            c, rc_printf(c,
                         "The case's only evidence is %lld %s%s: no pool tracker tables, "
                         "big pool allocations or memory counters, so no tag can be "
                         "named as leaking.",
                         (long long)n.dumps_no_pool, kind, n.dumps_no_pool == 1 ? "" : "s"));
    }
    return prepend_warning(
        c, rc_printf(c,
                     "%lld %s%s of this case hold%s no pool data: %s add%s the loaded "
                     "drivers and the bugcheck, not tag usage.",
                     (long long)n.dumps_no_pool, kind, n.dumps_no_pool == 1 ? "" : "s",
                     n.dumps_no_pool == 1 ? "s" : "", n.dumps_no_pool == 1 ? "it" : "they",
                     n.dumps_no_pool == 1 ? "s" : ""));
}

/* "\SystemRoot\system32\drivers\x.sys" -> "x.sys" */
static const char *module_base_name(const char *name)
{
    const char *p, *base = name;
    for (p = name; *p != '\0'; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    return base;
}

/* The disk note of one module: NULL when no readable driver file of that
 * name was collected, or when one of them is the image that was loaded. */
static pt_status module_disk_note(report_ctx *c, sqlite3_stmt *st, pt_report_module *m)
{
    int64_t disk_timestamp = 0, disk_size = 0;
    int found = 0, same = 0, step;

    sqlite3_bind_int64(st, 1, c->case_id);
    sqlite3_bind_text(st, 2, module_base_name(m->name), -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t ts = sqlite3_column_int64(st, 0), size = sqlite3_column_int64(st, 1);
        if ((uint32_t)ts == m->timestamp && (uint64_t)size == m->size)
            same = 1;
        if (!found) {
            disk_timestamp = ts;
            disk_size = size;
            found = 1;
        }
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
        return pt_archive_db_error(c->a, c->err, "cannot read the collected drivers");
    m->disk_note = NULL;
    if (!found || same)
        return PT_OK;
    m->disk_note = rc_printf(c, "loaded timestamp 0x%08X size 0x%llX, on disk 0x%08X 0x%llX",
                             (unsigned)m->timestamp, (unsigned long long)m->size,
                             (unsigned)(uint32_t)disk_timestamp,
                             (unsigned long long)(uint64_t)disk_size);
    return m->disk_note != NULL ? PT_OK : rc_nomem(c);
}

static pt_status module_disk_notes(report_ctx *c)
{
    /* driver files that could not be read as PE have no SizeOfImage */
    static const char *const sql =
        "SELECT timestamp, size_of_image FROM drivers WHERE case_id = ?1 AND "
        "name = ?2 COLLATE NOCASE AND size_of_image != 0 ORDER BY id";
    sqlite3_stmt *st = NULL;
    size_t i;
    pt_status rc;

    if (c->r->module_count == 0)
        return PT_OK;
    rc = pt_archive_prepare(c->a, sql, &st, c->err);
    for (i = 0; rc == PT_OK && i < c->r->module_count; i++)
        if (c->r->modules[i].name != NULL)
            rc = module_disk_note(c, st, &c->r->modules[i]);
    sqlite3_finalize(st);
    return rc;
}

pt_status rc_dump_evidence(report_ctx *c)
{
    pt_status rc = dump_pool_warning(c);
    if (rc == PT_OK)
        rc = module_disk_notes(c);
    return rc;
}
