/* tool_history.c - `pooltriage history --tag TAG | --driver NAME [--db FILE]`:
 * the cases where a tag or a driver was a suspect (the suspects table is
 * recomputed at each import, so this is a query). */
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "pt_evidence.h"
#include "pt_tag.h"
#include "tool.h"

static const char *const BY_TAG_SQL =
    "SELECT c.name, x.rank, x.tag_text, x.pool, x.verdict, x.bytes, x.growth_bytes_per_hour, "
    "x.driver, c.created_at FROM suspects x JOIN cases c ON c.id = x.case_id "
    "WHERE x.tag = ?1 OR x.tag_text = ?2 ORDER BY c.created_at, c.name, x.rank";

static const char *const BY_DRIVER_SQL =
    "SELECT c.name, x.rank, x.tag_text, x.pool, x.verdict, x.bytes, x.growth_bytes_per_hour, "
    "x.driver, c.created_at FROM suspects x JOIN cases c ON c.id = x.case_id "
    "WHERE x.driver = ?2 COLLATE NOCASE OR x.driver = ?2 || '.sys' COLLATE NOCASE "
    "ORDER BY c.created_at, c.name, x.rank";

static int print_rows(sqlite3_stmt *st)
{
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *driver = (const char *)sqlite3_column_text(st, 7);
        if (n++ == 0)
            printf("%-24s %4s %-8s %-16s %-8s %15s %15s  %-16s %s\n", "CASE", "RANK", "TAG",
                   "POOL", "VERDICT", "BYTES", "BYTES/HOUR", "DRIVER", "CASE CREATED");
        printf("%-24s %4d %-8s %-16s %-8s %15lld %15.0f  %-16s %s\n", sqlite3_column_text(st, 0),
               sqlite3_column_int(st, 1), sqlite3_column_text(st, 2),
               pt_pool_name((pt_pool)sqlite3_column_int(st, 3)), sqlite3_column_text(st, 4),
               (long long)sqlite3_column_int64(st, 5), sqlite3_column_double(st, 6),
               driver != NULL ? driver : "-", sqlite3_column_text(st, 8));
    }
    return n;
}

int tool_history(int argc, char **argv)
{
    const char *db = NULL, *tag_text = NULL, *driver = NULL;
    pt_archive *a = NULL;
    sqlite3_stmt *st = NULL;
    pt_error err;
    pt_tag tag = 0;
    int i, n;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (strcmp(argv[i], "--tag") == 0 && i + 1 < argc)
            tag_text = argv[++i];
        else if (strcmp(argv[i], "--driver") == 0 && i + 1 < argc)
            driver = argv[++i];
        else
            return tool_usage(argv[0]);
    }
    if ((tag_text == NULL) == (driver == NULL))
        return tool_usage(argv[0]);
    pt_error_clear(&err);
    if (tag_text != NULL && pt_tag_parse(tag_text, strlen(tag_text), &tag) != 0) {
        pt_error_set(&err, PT_ERR_USAGE, NULL, PT_NO_OFFSET,
                     "'%s' is not a pool tag (1 to 4 characters, or \\xNN escapes)", tag_text);
        return tool_fail(&err);
    }
    if (pt_archive_open(tool_archive_path(db), PT_ARCHIVE_OPEN_EXISTING, &a, &err) != PT_OK)
        return tool_fail(&err);
    if (pt_archive_prepare(a, tag_text != NULL ? BY_TAG_SQL : BY_DRIVER_SQL, &st, &err) != PT_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, (int64_t)tag);
    sqlite3_bind_text(st, 2, tag_text != NULL ? tag_text : driver, -1, SQLITE_STATIC);
    n = print_rows(st);
    if (n == 0)
        printf("no case in %s has %s '%s' as a suspect\n", pt_archive_path(a),
               tag_text != NULL ? "tag" : "driver", tag_text != NULL ? tag_text : driver);
    sqlite3_finalize(st);
    pt_archive_close(a);
    return 0;
fail:
    sqlite3_finalize(st);
    pt_archive_close(a);
    return tool_fail(&err);
}
