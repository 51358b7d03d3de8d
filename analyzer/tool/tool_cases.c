/* tool_cases.c - `pooltriage cases [--db FILE]`: the cases in the archive. */
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "pt_evidence.h"
#include "tool.h"

static const char *const CASES_SQL =
    "SELECT c.name, c.created_at, "
    "(SELECT count(*) FROM bundles b WHERE b.case_id = c.id), "
    "(SELECT count(*) FROM samples s WHERE s.case_id = c.id), "
    "(SELECT min(time) FROM samples s WHERE s.case_id = c.id AND time != 0), "
    "(SELECT max(time) FROM samples s WHERE s.case_id = c.id), "
    "(SELECT tag_text || ' ' || verdict FROM suspects x WHERE x.case_id = c.id AND rank = 1) "
    "FROM cases c ORDER BY c.name";

int tool_cases(int argc, char **argv)
{
    const char *db = NULL;
    pt_archive *a = NULL;
    sqlite3_stmt *st = NULL;
    pt_error err;
    int i, step, n = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else
            return tool_usage(argv[0]);
    }
    pt_error_clear(&err);
    if (pt_archive_open(tool_archive_path(db), PT_ARCHIVE_OPEN_EXISTING, &a, &err) != PT_OK)
        return tool_fail(&err);
    if (pt_archive_prepare(a, CASES_SQL, &st, &err) != PT_OK)
        goto fail;
    printf("%-24s %-20s %7s %7s  %-28s %-28s %s\n", "CASE", "CREATED", "BUNDLES", "SAMPLES",
           "FIRST SAMPLE", "LAST SAMPLE", "TOP SUSPECT");
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char t1[32], t2[32];
        const char *top = (const char *)sqlite3_column_text(st, 6);
        printf("%-24s %-20s %7lld %7lld  %-28s %-28s %s\n", sqlite3_column_text(st, 0),
               sqlite3_column_text(st, 1), (long long)sqlite3_column_int64(st, 2),
               (long long)sqlite3_column_int64(st, 3),
               pt_filetime_format((pt_filetime)sqlite3_column_int64(st, 4), t1),
               pt_filetime_format((pt_filetime)sqlite3_column_int64(st, 5), t2),
               top != NULL ? top : "-");
        n++;
    }
    if (step != SQLITE_DONE) {
        pt_archive_db_error(a, &err, "cannot list the cases");
        goto fail;
    }
    printf("%d case%s in %s\n", n, n == 1 ? "" : "s", pt_archive_path(a));
    sqlite3_finalize(st);
    pt_archive_close(a);
    return 0;
fail:
    sqlite3_finalize(st);
    pt_archive_close(a);
    return tool_fail(&err);
}
