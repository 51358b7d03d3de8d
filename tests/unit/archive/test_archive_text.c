/* test_archive_text.c - every real text output in shared/data/real/text,
 * bundled and imported: the archive holds the values its README.md lists,
 * the analysis reads the pools from the counters, and the report model
 * marks the wrapped PagedPool Commit of vm-01 as looking wrong. */
#include "analysis.h"
#include "archive_fixture.h"
#include "bundle.h"
#include "case_report.h"
#include "pt_test.h"

static char real_dir[2048];
static char db_path[4096];
static pt_archive *archive;

/* Bundles one real file as a member of the given kind and imports it as
 * case `name`. */
static int64_t import_real(const char *rel, const char *kind, const char *name)
{
    char file[4096], bundle[4096];
    pt_bundle_info info;
    pt_bundle_writer *w = NULL;
    pt_source *src = NULL;
    pt_import_options opt;
    pt_import_result res;
    pt_error err;
    pt_status rc;

    snprintf(file, sizeof file, "%s/text/%s", real_dir, rel);
    fixture_path(name, bundle, sizeof bundle);
    memset(&info, 0, sizeof info);
    info.collector_version = "test";
    rc = pt_bundle_writer_open(bundle, &info, &w, &err);
    if (rc == PT_OK)
        rc = pt_source_open_file(file, &src, &err);
    if (rc == PT_OK)
        rc = pt_bundle_add_source(w, rel, kind, src, NULL, 0, &err);
    pt_source_close(src);
    if (rc == PT_OK)
        rc = pt_bundle_writer_close(w, &err);
    else if (w != NULL)
        pt_bundle_writer_abort(w);
    memset(&opt, 0, sizeof opt);
    opt.case_name = name;
    opt.after_load = pt_analysis_store_suspects;
    if (rc == PT_OK)
        rc = pt_archive_import_bundle(archive, bundle, &opt, &res, &err);
    unlink(bundle);
    if (rc != PT_OK) {
        fprintf(stderr, "%s: %s\n", rel, err.message);
        return -1;
    }
    return res.case_id;
}

typedef struct row_values {
    int64_t allocs, frees, outstanding, bytes;
    char binary[64];
    int found;
} row_values;

/* The row of a tag (as shown) and pool in a case's last tag sample. */
static row_values row_of(int64_t case_id, const char *tag_text, pt_pool pool)
{
    static const char *const sql =
        "SELECT r.allocs, r.frees, r.outstanding, r.bytes, r.binary FROM samples s "
        "JOIN tag_rows r ON " PT_SAMPLE_TAG_ROWS " JOIN tags t ON t.id = r.tag_id "
        "WHERE s.case_id = ?1 AND t.text = ?2 AND r.pool = ?3";
    row_values v;
    sqlite3_stmt *st = NULL;
    pt_error err;

    memset(&v, 0, sizeof v);
    v.allocs = v.frees = v.outstanding = v.bytes = -1;
    if (pt_archive_prepare(archive, sql, &st, &err) != PT_OK)
        return v;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_text(st, 2, tag_text, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, (int)pool);
    if (sqlite3_step(st) == SQLITE_ROW) {
        v.found = 1;
        v.allocs = sqlite3_column_int64(st, 0);
        v.frees = sqlite3_column_int64(st, 1);
        v.outstanding = sqlite3_column_int64(st, 2);
        v.bytes = sqlite3_column_int64(st, 3);
        if (sqlite3_column_text(st, 4) != NULL)
            snprintf(v.binary, sizeof v.binary, "%s", (const char *)sqlite3_column_text(st, 4));
    }
    sqlite3_finalize(st);
    return v;
}

static int64_t counter_of(int64_t case_id, const char *name, const char *unit)
{
    static const char *const sql =
        "SELECT c.value FROM samples s JOIN counters c ON c.sample_id = s.id "
        "WHERE s.case_id = ?1 AND c.name = ?2 AND c.unit = ?3";
    sqlite3_stmt *st = NULL;
    pt_error err;
    int64_t v = -1;
    if (pt_archive_prepare(archive, sql, &st, &err) != PT_OK)
        return v;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, unit, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

#define CHECK_OUT(id, tag, pool, out, b)                                     \
    do {                                                                     \
        row_values v_ = row_of(id, tag, pool);                               \
        PT_CHECK(v_.found);                                                  \
        PT_CHECK_U64(v_.outstanding, out);                                   \
        PT_CHECK_U64(v_.bytes, b);                                           \
    } while (0)

#define CHECK_FULL(id, tag, pool, a, f, out, b)                              \
    do {                                                                     \
        row_values v_ = row_of(id, tag, pool);                               \
        PT_CHECK(v_.found);                                                  \
        PT_CHECK_U64(v_.allocs, a);                                          \
        PT_CHECK_U64(v_.frees, f);                                           \
        PT_CHECK_U64(v_.outstanding, out);                                   \
        PT_CHECK_U64(v_.bytes, b);                                           \
    } while (0)

static void test_poolused_outputs(void)
{
    int64_t xp = import_real("poolused-04-msdocs-poolused0-xp-total.txt", "poolused", "pu04");
    int64_t w11 = import_real("poolused-06-nickkuo-amda-leak-win11.txt", "poolused", "pu06");
    int64_t wi6 = import_real("poolused-02-lordnoteworthy-wi6-np.txt", "poolused", "pu02");
    char text[64];

    PT_CHECK(xp > 0 && w11 > 0 && wi6 > 0);
    CHECK_OUT(xp, "1394", PT_POOL_NONPAGED, 1, 520);
    CHECK_OUT(xp, "1394", PT_POOL_PAGED, 0, 0);
    CHECK_OUT(xp, "ohci", PT_POOL_NONPAGED, 1, 136);
    CHECK_OUT(xp, "ohci", PT_POOL_PAGED, 0, 0);
    CHECK_OUT(xp, "usbp", PT_POOL_NONPAGED, 18, 77056);
    CHECK_OUT(xp, "usbp", PT_POOL_PAGED, 2, 96);
    CHECK_OUT(xp, "hibr", PT_POOL_PAGED, 1, 24576);
    PT_CHECK_U64(counter_of(xp, "TOTAL NonPaged Used", "bytes"), 209120008);
    CHECK_OUT(w11, "amda", PT_POOL_NONPAGED, 5768754, 1938325232);
    CHECK_OUT(w11, "amda", PT_POOL_PAGED, 32, 9360);
    CHECK_OUT(w11, "IoWI", PT_POOL_NONPAGED, 5769999, 646239888);
    PT_CHECK_STR(row_of(w11, "IoWI", PT_POOL_NONPAGED).binary, "nt!io");
    CHECK_OUT(w11, "DAL2", PT_POOL_PAGED, 1560, 6288352);
    CHECK_OUT(wi6, "Cont", PT_POOL_NONPAGED, 1094, 6525216);
    CHECK_OUT(wi6, "EtwB", PT_POOL_PAGED, 4, 163840);
    /* One snapshot: amda is the top suspect, "large", nothing is leaking. */
    {
        sqlite3_stmt *st = NULL;
        pt_error err;
        PT_CHECK(pt_archive_prepare(archive,
                                    "SELECT tag_text, verdict FROM suspects WHERE case_id = ?1 "
                                    "AND rank = 1",
                                    &st, &err) == PT_OK);
        sqlite3_bind_int64(st, 1, w11);
        PT_CHECK(sqlite3_step(st) == SQLITE_ROW);
        snprintf(text, sizeof text, "%s %s", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
        PT_CHECK_STR(text, "amda large");
        sqlite3_finalize(st);
    }
}

static void test_poolmon_outputs(void)
{
    int64_t p01 = import_real("poolmon-01-msdocs-ntf-mapped.txt", "poolmon", "pm01");
    int64_t p04 = import_real("poolmon-04-msdocs-session0-mapped.txt", "poolmon", "pm04");
    int64_t p07 = import_real("poolmon-07-msdocs-x64-hid-mapped.txt", "poolmon", "pm07");
    int64_t p11 = import_real("poolmon-11-amf-book-vi-poolmon-b-win7x86.txt", "poolmon", "pm11");
    pt_case_analysis an;
    pt_error err;

    PT_CHECK(p01 > 0 && p04 > 0 && p07 > 0 && p11 > 0);
    CHECK_FULL(p01, "NtFA", PT_POOL_NONPAGED, 9112, 9112, 0, 0);
    CHECK_FULL(p01, "NtFB", PT_POOL_PAGED, 3996, 3986, 10, 252088);
    PT_CHECK_U64(counter_of(p01, "Pool N", "K"), 8500);
    PT_CHECK_U64(counter_of(p01, "Pool P", "K"), 33024);
    CHECK_FULL(p04, "Bmfd", PT_POOL_SESSION_PAGED, 421, 396, 25, 57832);
    CHECK_FULL(p04, "Gcac", PT_POOL_SESSION_PAGED, 4722, 4666, 56, 305400);
    CHECK_FULL(p04, "Dh 1", PT_POOL_SESSION_PAGED, 37, 35, 2, 224);
    CHECK_FULL(p07, "HidC", PT_POOL_PAGED, 1667, 1659, 8, 896);
    CHECK_FULL(p07, "HidC", PT_POOL_NONPAGED, 17375, 17256, 119, 19808);
    CHECK_FULL(p11, "CM31", PT_POOL_PAGED, 169392, 153744, 15648, 74838016);
    CHECK_FULL(p11, "File", PT_POOL_NONPAGED, 126693501, 126675442, 18059, 3311048);
    CHECK_FULL(p11, "MmSt", PT_POOL_PAGED, 673616, 656049, 17567, 28286672);
    /* The poolmon header gives the pools' usage (Pool N / Pool P, in K). */
    PT_CHECK(pt_case_analyze(archive, p11, &an, &err) == PT_OK);
    PT_CHECK_U64(an.pools[PT_POOL_NONPAGED].usage_bytes, 43452ull * 1024);
    PT_CHECK_U64(an.pools[PT_POOL_PAGED].usage_bytes, 187796ull * 1024);
    PT_CHECK_U64(an.commit_limit_bytes, 4193392ull * 1024);
    pt_case_analysis_free(&an);
}

static void test_vm_outputs(void)
{
    int64_t v01 = import_real("vm-01-insightengineering-triage-win11.txt", "vm", "vm01");
    int64_t v06 = import_real("vm-06-msdocs-vm1-xp-x86.txt", "vm", "vm06");
    int64_t v10 = import_real("vm-10-hyp3ri0n-lkd-win10-numa.txt", "vm", "vm10");
    pt_case_analysis an;
    pt_report r;
    pt_error err;
    size_t i, wrong = 0, commit_wrong = 0;

    PT_CHECK(v01 > 0 && v06 > 0 && v10 > 0);
    PT_CHECK_U64(counter_of(v01, "NonPagedPool Usage", "pages"), 268);
    PT_CHECK_U64(counter_of(v01, "NonPagedPoolNx Usage", "pages"), 36623);
    PT_CHECK_U64(counter_of(v01, "PagedPool Commit", "pages"), 18446735300397918280ull);
    PT_CHECK_U64(counter_of(v06, "NonPagedPool Max", "Kb"), 25008);
    PT_CHECK_U64(counter_of(v10, "NonPagedPoolNx Usage", "pages"), 30120);
    /* Nonpaged usage is NonPagedPool + NonPagedPoolNx (1072 + 146492 Kb). */
    PT_CHECK(pt_case_analyze(archive, v01, &an, &err) == PT_OK);
    PT_CHECK_U64(an.pools[PT_POOL_NONPAGED].usage_bytes, (1072ull + 146492ull) * 1024);
    PT_CHECK_U64(an.pools[PT_POOL_PAGED].usage_bytes, 274400ull * 1024);
    pt_case_analysis_free(&an);
    PT_CHECK(pt_case_analyze(archive, v06, &an, &err) == PT_OK);
    PT_CHECK_U64(an.pools[PT_POOL_NONPAGED].usage_bytes, 3508ull * 1024);
    PT_CHECK_U64(an.pools[PT_POOL_NONPAGED].max_bytes, 25008ull * 1024);
    PT_CHECK_U64(an.pools[PT_POOL_PAGED].max_bytes, 53248ull * 1024);
    PT_CHECK(an.pools[PT_POOL_NONPAGED].note[0] == '\0'); /* the max is plausible here */
    pt_case_analysis_free(&an);
    /* The report marks the wrapped PagedPool Commit, and only wrong values. */
    pt_report_init(&r);
    PT_CHECK(pt_case_build_report(archive, "vm01", &r, &err) == PT_OK);
    for (i = 0; i < r.counter_count; i++) {
        wrong += r.counters[i].looks_wrong != 0;
        if (r.counters[i].looks_wrong && strcmp(r.counters[i].name, "PagedPool Commit") == 0)
            commit_wrong++;
    }
    PT_CHECK(commit_wrong >= 1);
    PT_CHECK(r.counter_count > 10);
    PT_CHECK(wrong >= commit_wrong);
    pt_report_free(&r);
}

int main(void)
{
    static const pt_test_case cases[] = {
        PT_TEST(test_poolused_outputs),
        PT_TEST(test_poolmon_outputs),
        PT_TEST(test_vm_outputs),
    };
    const char *real = getenv("PT_REAL_DATA");
    pt_error err;
    int rc;

    snprintf(real_dir, sizeof real_dir, "%s", real != NULL ? real : "../shared/data/real");
    fixture_path("archive-text.db", db_path, sizeof db_path);
    if (pt_archive_open(db_path, PT_ARCHIVE_CREATE, &archive, &err) != PT_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    rc = pt_test_run(cases, sizeof cases / sizeof cases[0]);
    pt_archive_close(archive);
    unlink(db_path);
    return rc;
}
