/* analysis_store.c - the suspects table: recomputed after each import. */
#include <stdio.h>

#include "analysis.h"
#include "tag_descriptions.h"

/* The driver the evidence names for a suspect: the source's own binary
 * column, else the tag file's binary field. */
static void suspect_driver(const pt_trend *t, const pt_desc_table *descs, char *out,
                           size_t size)
{
    const pt_desc_entry *e;
    out[0] = '\0';
    if (t->binary[0] != '\0') {
        pt_binary_driver_name(t->binary, out, size);
        return;
    }
    e = pt_desc_table_find(descs, t->tag);
    if (e != NULL && e->binary != NULL)
        pt_binary_driver_name(e->binary, out, size);
}

static pt_status insert_suspects(pt_archive *a, int64_t case_id, const pt_case_analysis *an,
                                 const pt_desc_table *descs, pt_error *err)
{
    static const char *const sql =
        "INSERT INTO suspects(case_id, rank, tag, tag_text, pool, verdict, bytes, "
        "outstanding, growth_bytes_per_hour, persistence, share, samples, score, driver, "
        "reason, computed_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(a, sql, &st, err);
    char now[32];
    size_t i;

    if (rc != PT_OK)
        return rc;
    pt_archive_now(now);
    for (i = 0; i < an->suspect_count; i++) {
        const pt_trend *t = &an->trends[i];
        char driver[128];
        suspect_driver(t, descs, driver, sizeof driver);
        sqlite3_bind_int64(st, 1, case_id);
        sqlite3_bind_int64(st, 2, (int64_t)i + 1);
        sqlite3_bind_int64(st, 3, (int64_t)t->tag);
        sqlite3_bind_text(st, 4, t->tag_text, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, (int)t->pool);
        sqlite3_bind_text(st, 6, t->verdict, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, (int64_t)t->bytes);
        sqlite3_bind_int64(st, 8, (int64_t)t->outstanding);
        sqlite3_bind_double(st, 9, t->growth_bytes_per_hour);
        sqlite3_bind_double(st, 10, t->persistence);
        sqlite3_bind_double(st, 11, t->share);
        sqlite3_bind_int(st, 12, (int)t->samples);
        sqlite3_bind_double(st, 13, t->score);
        if (driver[0] != '\0')
            sqlite3_bind_text(st, 14, driver, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 14);
        sqlite3_bind_text(st, 15, t->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 16, now, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = pt_archive_db_error(a, err, "cannot store a suspect");
            break;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

pt_status pt_analysis_store_suspects(pt_archive *a, int64_t case_id, void *ctx, pt_error *err)
{
    pt_case_analysis an;
    pt_desc_table descs;
    sqlite3_stmt *del = NULL;
    pt_status rc;

    (void)ctx;
    rc = pt_case_analyze(a, case_id, &an, err);
    if (rc != PT_OK)
        return rc;
    rc = pt_archive_prepare(a, "DELETE FROM suspects WHERE case_id = ?1", &del, err);
    if (rc == PT_OK) {
        sqlite3_bind_int64(del, 1, case_id);
        if (sqlite3_step(del) != SQLITE_DONE)
            rc = pt_archive_db_error(a, err, "cannot clear the case's suspects");
        sqlite3_finalize(del);
    }
    if (rc == PT_OK)
        rc = pt_desc_table_load(a, case_id, &descs, err);
    if (rc == PT_OK) {
        rc = insert_suspects(a, case_id, &an, &descs, err);
        pt_desc_table_free(&descs);
    }
    pt_case_analysis_free(&an);
    return rc;
}
