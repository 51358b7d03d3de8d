/* tool_show.c - `pooltriage show CASE [--db FILE]`: what the archive holds
 * for a case: bundles, sources, samples, suspects, warnings. */
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "pt_evidence.h"
#include "tool.h"

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s != NULL ? s : "-";
}

static const char *col_time(sqlite3_stmt *st, int i, char buf[32])
{
    return pt_filetime_format((pt_filetime)sqlite3_column_int64(st, i), buf);
}

static pt_status show_bundles(pt_archive *a, int64_t case_id, pt_error *err)
{
    sqlite3_stmt *st = NULL, *src = NULL;
    pt_status rc = pt_archive_prepare(
        a,
        "SELECT id, file_name, sha256, collector_version, host, created, partial, imported_at "
        "FROM bundles WHERE case_id = ?1 ORDER BY id",
        &st, err);
    if (rc == PT_OK)
        rc = pt_archive_prepare(a,
                                "SELECT member, kind, variant, size, sha256, sample_time, "
                                "time_origin, partial FROM sources WHERE bundle_id = ?1 "
                                "ORDER BY id",
                                &src, err);
    if (rc != PT_OK)
        goto out;
    sqlite3_bind_int64(st, 1, case_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char t[32];
        printf("bundle %s%s\n  sha256 %s\n  collector %s, host %s, created %s, imported %s\n",
               col_text(st, 1), sqlite3_column_int(st, 6) ? " (partial)" : "", col_text(st, 2),
               col_text(st, 3), col_text(st, 4), col_time(st, 5, t), col_text(st, 7));
        sqlite3_bind_int64(src, 1, sqlite3_column_int64(st, 0));
        while (sqlite3_step(src) == SQLITE_ROW) {
            char ts[32];
            printf("  %-40s %-9s %-22s %10lld bytes  sample %s (%s)%s\n    sha256 %s\n",
                   col_text(src, 0), col_text(src, 1), col_text(src, 2),
                   (long long)sqlite3_column_int64(src, 3), col_time(src, 5, ts),
                   col_text(src, 6), sqlite3_column_int(src, 7) ? " partial" : "",
                   col_text(src, 4));
        }
        sqlite3_reset(src);
    }
out:
    sqlite3_finalize(st);
    sqlite3_finalize(src);
    return rc;
}

static pt_status show_counts(pt_archive *a, int64_t case_id, pt_error *err)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(
        a,
        "SELECT count(*), min(NULLIF(time, 0)), max(time), "
        "sum(row_count), "
        "(SELECT count(*) FROM counters c JOIN samples s ON s.id = c.sample_id "
        " WHERE s.case_id = ?1), "
        "(SELECT count(*) FROM tag_descriptions WHERE case_id = ?1), "
        "(SELECT count(*) FROM warnings WHERE case_id = ?1) "
        "FROM samples WHERE case_id = ?1",
        &st, err);
    char t1[32], t2[32];

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        printf("\n%lld samples from %s to %s: %lld tag rows, %lld counters, "
               "%lld tag descriptions, %lld warnings\n",
               (long long)sqlite3_column_int64(st, 0), col_time(st, 1, t1), col_time(st, 2, t2),
               (long long)sqlite3_column_int64(st, 3), (long long)sqlite3_column_int64(st, 4),
               (long long)sqlite3_column_int64(st, 5), (long long)sqlite3_column_int64(st, 6));
    sqlite3_finalize(st);
    return PT_OK;
}

static pt_status show_suspects(pt_archive *a, int64_t case_id, pt_error *err)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(
        a,
        "SELECT rank, tag_text, pool, verdict, bytes, growth_bytes_per_hour, persistence, "
        "share, driver, reason FROM suspects WHERE case_id = ?1 ORDER BY rank",
        &st, err);
    int n = 0;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    printf("\nsuspects:\n");
    while (sqlite3_step(st) == SQLITE_ROW) {
        printf("  %2d. '%s' %-16s %-8s %15lld bytes  %+.0f bytes/hour  persistence %.2f  "
               "share %.2f%s%s\n      %s\n",
               sqlite3_column_int(st, 0), col_text(st, 1),
               pt_pool_name((pt_pool)sqlite3_column_int(st, 2)), col_text(st, 3),
               (long long)sqlite3_column_int64(st, 4), sqlite3_column_double(st, 5),
               sqlite3_column_double(st, 6), sqlite3_column_double(st, 7),
               sqlite3_column_type(st, 8) != SQLITE_NULL ? "  driver " : "",
               sqlite3_column_type(st, 8) != SQLITE_NULL ? col_text(st, 8) : "",
               col_text(st, 9));
        n++;
    }
    if (n == 0)
        printf("  none: no tag grows or holds a large share of its pool\n");
    sqlite3_finalize(st);
    return PT_OK;
}

static pt_status show_warnings(pt_archive *a, int64_t case_id, pt_error *err)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(
        a, "SELECT source_name, offset, message FROM warnings WHERE case_id = ?1 ORDER BY id",
        &st, err);
    int n = 0;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == 0)
            printf("\nwarnings:\n");
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            printf("  %s: offset 0x%llx: %s\n", col_text(st, 0),
                   (unsigned long long)sqlite3_column_int64(st, 1), col_text(st, 2));
        else
            printf("  %s: %s\n", col_text(st, 0), col_text(st, 2));
    }
    sqlite3_finalize(st);
    return PT_OK;
}

int tool_show(int argc, char **argv)
{
    const char *db = NULL, *case_name = NULL;
    pt_archive *a = NULL;
    pt_error err;
    int64_t case_id;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (argv[i][0] != '-' && case_name == NULL)
            case_name = argv[i];
        else
            return tool_usage(argv[0]);
    }
    if (case_name == NULL)
        return tool_usage(argv[0]);
    pt_error_clear(&err);
    if (pt_archive_open(tool_archive_path(db), PT_ARCHIVE_OPEN_EXISTING, &a, &err) != PT_OK)
        return tool_fail(&err);
    if (pt_archive_case_id(a, case_name, &case_id, &err) != PT_OK)
        goto fail;
    printf("case %s\n\n", case_name);
    if (show_bundles(a, case_id, &err) != PT_OK || show_counts(a, case_id, &err) != PT_OK ||
        show_suspects(a, case_id, &err) != PT_OK || show_warnings(a, case_id, &err) != PT_OK)
        goto fail;
    pt_archive_close(a);
    return 0;
fail:
    pt_archive_close(a);
    return tool_fail(&err);
}
