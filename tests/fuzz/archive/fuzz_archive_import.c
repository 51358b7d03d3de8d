/* fuzz_archive_import.c - libFuzzer target: arbitrary bytes as a bundle,
 * imported into a fresh archive, then the case report built from it.
 * Checks the archive's promises on hostile input: no crash, a status that
 * is OK or a clear error, and after a failure no bundle row left behind. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "archive.h"
#include "archive_import.h"
#include "case_report.h"

static int64_t count_bundles(pt_archive *a)
{
    sqlite3_stmt *st = NULL;
    pt_error err;
    int64_t n = -1;
    if (pt_archive_prepare(a, "SELECT count(*) FROM bundles", &st, &err) == PT_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char bundle[64], db[64];
    pt_archive *a = NULL;
    pt_import_options opt;
    pt_import_result res;
    pt_report report;
    pt_error err;
    FILE *f;
    pt_status rc;

    snprintf(bundle, sizeof bundle, "/tmp/fuzz-archive-%ld.ptb", (long)getpid());
    snprintf(db, sizeof db, "/tmp/fuzz-archive-%ld.db", (long)getpid());
    unlink(db);
    f = fopen(bundle, "wb");
    if (f == NULL)
        return 0;
    if (size > 0 && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return 0;
    }
    fclose(f);
    if (pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err) != PT_OK)
        abort();
    memset(&opt, 0, sizeof opt);
    opt.case_name = "fuzz";
    opt.partial_ok = 1;
    opt.after_load = pt_analysis_store_suspects;
    rc = pt_archive_import_bundle(a, bundle, &opt, &res, &err);
    if (rc != PT_OK && (err.code != rc || err.message[0] == '\0' || count_bundles(a) != 0))
        abort(); /* a failure must say why and leave nothing behind */
    if (rc == PT_OK) {
        pt_report_init(&report);
        if (pt_case_build_report(a, "fuzz", &report, &err) != PT_OK && err.message[0] == '\0')
            abort();
        pt_report_free(&report);
    }
    pt_archive_close(a);
    unlink(db);
    unlink(bundle);
    return 0;
}
