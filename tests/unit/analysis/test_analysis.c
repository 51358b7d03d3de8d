/* test_analysis.c - growth, persistence, verdicts and pools on cases whose
 * truth the test knows: the generated series, a single snapshot with the
 * 2012 R2 seed case's !poolused numbers, its !vm counters. */
#include <math.h>

#include "analysis.h"
#include "analysis_pools.h"
#include "archive_fixture.h"
#include "pt_test.h"

static pt_archive *fresh_archive(const char *name, char *path, size_t size)
{
    pt_archive *a = NULL;
    pt_error err;
    fixture_path(name, path, size);
    if (pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) != PT_OK)
        fprintf(stderr, "%s\n", err.message);
    return a;
}

static const pt_trend *find_trend(const pt_case_analysis *an, const char *tag, size_t *rank)
{
    size_t i;
    for (i = 0; i < an->trend_count; i++) {
        if (an->trends[i].tag == fixture_tag(tag)) {
            *rank = i + 1;
            return &an->trends[i];
        }
    }
    return NULL;
}

static void test_series_ranks_the_steady_grower_first(void)
{
    char path[4096];
    pt_archive *a = fresh_archive("analysis-series.db", path, sizeof path);
    pt_case_analysis an;
    pt_error err;
    const pt_trend *leak, *big;
    size_t rank = 0, big_rank = 0, i, leaking = 0;
    int64_t case_id = 0;
    const unsigned samples = 60, tags = 3000;

    PT_CHECK(a != NULL);
    if (a == NULL)
        return;
    PT_CHECK(fixture_load_series(a, "series", samples, tags, NULL, &err) == PT_OK);
    PT_CHECK(pt_archive_case_id(a, "series", &case_id, &err) == PT_OK);
    PT_CHECK(pt_case_analyze(a, case_id, &an, &err) == PT_OK);
    PT_CHECK_U64(an.tag_samples, samples);
    PT_CHECK_U64(an.trend_count, tags);
    leak = find_trend(&an, SERIES_LEAK_TAG, &rank);
    PT_CHECK(leak != NULL);
    if (leak != NULL) {
        double per_hour = SERIES_LEAK_STEP * 3600.0 / SERIES_INTERVAL_SECONDS;
        PT_CHECK_U64(rank, 1);
        PT_CHECK_STR(leak->verdict, PT_VERDICT_LEAKING);
        PT_CHECK(fabs(leak->growth_bytes_per_hour - per_hour) < 1.0);
        PT_CHECK(leak->persistence == 1.0);
        PT_CHECK_U64(leak->samples, samples);
        PT_CHECK_U64(leak->bytes, SERIES_LEAK_START + (uint64_t)(samples - 1) * SERIES_LEAK_STEP);
        PT_CHECK_U64(leak->outstanding, leak->bytes / SERIES_LEAK_ALLOC);
    }
    big = find_trend(&an, SERIES_BIG_TAG, &big_rank);
    PT_CHECK(big != NULL);
    if (big != NULL) {
        PT_CHECK_STR(big->verdict, PT_VERDICT_LARGE);
        PT_CHECK(big->growth_bytes_per_hour == 0.0);
        PT_CHECK(big->share > 0.10);
        PT_CHECK(big_rank > rank);
    }
    for (i = 0; i < an.trend_count; i++)
        leaking += strcmp(an.trends[i].verdict, PT_VERDICT_LEAKING) == 0;
    PT_CHECK_U64(leaking, 1); /* no wandering tag is called a leak */
    pt_case_analysis_free(&an);
    pt_archive_close(a);
    unlink(path);
}

/* The 2012 R2 seed case's !poolused /t5 2 rows (seed/README.md). */
static const struct {
    const char *tag;
    uint64_t allocs, bytes;
} SEED_2012R2_ROWS[] = {
    {"MPP.", 49781288, 10354777664ull}, {"VoSm", 3689, 240181440},
    {"Mdl ", 81341, 170719024},         {"ConT", 387, 140668928},
    {"Cont", 1112, 106383968},
};

static pt_status load_snapshot(pt_archive *a, pt_error *err)
{
    pt_import *im = NULL;
    const pt_sink *sink;
    pt_sample_info info;
    pt_status rc = pt_import_begin(a, "ws2012r2", &im, err);
    size_t i;

    if (rc != PT_OK)
        return rc;
    rc = fixture_bundle_source(im, "2012", "ws2012r2-livekd-poolused-t5-2.txt", "poolused", err);
    sink = pt_import_sink(im);
    memset(&info, 0, sizeof info);
    info.kind = PT_KIND_POOLUSED;
    info.source = "ws2012r2-livekd-poolused-t5-2.txt";
    if (rc == PT_OK)
        rc = sink->begin_sample(sink->ctx, &info);
    for (i = 0; i < 5 && rc == PT_OK; i++) {
        pt_tag_row row;
        memset(&row, 0, sizeof row);
        row.tag = fixture_tag(SEED_2012R2_ROWS[i].tag);
        row.tag_text = SEED_2012R2_ROWS[i].tag;
        row.pool = PT_POOL_NONPAGED;
        row.has = PT_HAS_OUTSTANDING | PT_HAS_BYTES;
        row.outstanding = SEED_2012R2_ROWS[i].allocs;
        row.bytes = SEED_2012R2_ROWS[i].bytes;
        rc = sink->tag_row(sink->ctx, &row);
    }
    if (rc == PT_OK)
        rc = sink->end_sample(sink->ctx);
    if (rc != PT_OK) {
        pt_import_abort(im);
        return rc;
    }
    return pt_import_commit(im, pt_analysis_store_suspects, NULL, err);
}

static void test_single_snapshot_says_large_not_leaking(void)
{
    char path[4096];
    pt_archive *a = fresh_archive("analysis-snapshot.db", path, sizeof path);
    pt_case_analysis an;
    pt_error err;
    int64_t case_id = 0;
    size_t i;

    PT_CHECK(a != NULL);
    if (a == NULL)
        return;
    PT_CHECK(load_snapshot(a, &err) == PT_OK);
    PT_CHECK(pt_archive_case_id(a, "ws2012r2", &case_id, &err) == PT_OK);
    PT_CHECK(pt_case_analyze(a, case_id, &an, &err) == PT_OK);
    PT_CHECK_U64(an.tag_samples, 1);
    PT_CHECK(an.trend_count == 5);
    if (an.trend_count == 5) {
        PT_CHECK_STR(an.trends[0].tag_text, "MPP.");
        PT_CHECK_STR(an.trends[0].verdict, PT_VERDICT_LARGE);
        PT_CHECK_U64(an.trends[0].bytes, 10354777664ull);
        /* 10354777664 of the five rows' 11012731024 bytes. */
        PT_CHECK(fabs(an.trends[0].share - 10354777664.0 / 11012731024.0) < 1e-9);
        PT_CHECK_U64(an.suspect_count, 1);
    }
    for (i = 0; i < an.trend_count; i++)
        PT_CHECK(strcmp(an.trends[i].verdict, PT_VERDICT_LEAKING) != 0 &&
                 strcmp(an.trends[i].verdict, PT_VERDICT_GROWING) != 0);
    PT_CHECK_U64(an.pools[PT_POOL_NONPAGED].tagged_bytes, 11012731024ull);
    pt_case_analysis_free(&an);
    {
        /* The stored suspects say the same: the import hook ran. */
        sqlite3_stmt *st = NULL;
        PT_CHECK(pt_archive_prepare(a, "SELECT tag_text, verdict, rank FROM suspects", &st,
                                    &err) == PT_OK);
        PT_CHECK(sqlite3_step(st) == SQLITE_ROW);
        PT_CHECK_STR((const char *)sqlite3_column_text(st, 0), "MPP.");
        PT_CHECK_STR((const char *)sqlite3_column_text(st, 1), "large");
        PT_CHECK(sqlite3_step(st) == SQLITE_DONE);
        sqlite3_finalize(st);
    }
    pt_archive_close(a);
    unlink(path);
}

/* The 2012 R2 !vm 4 counters (seed/README.md), as the !vm reader emits them. */
static pt_status load_vm(pt_archive *a, pt_error *err)
{
    static const struct {
        const char *name, *unit;
        uint64_t value;
    } counters[] = {
        {"Physical Memory", "pages", 6288149},     {"Physical Memory", "Kb", 25152596},
        {"NonPagedPool Usage", "pages", 3250905},  {"NonPagedPool Usage", "Kb", 13003620},
        {"NonPagedPool Max", "pages", 4294967296}, {"NonPagedPool Max", "Kb", 17179869184ull},
        {"PagedPool Usage", "pages", 224831},      {"PagedPool Usage", "Kb", 899324},
        {"PagedPool Maximum", "pages", 4160749568}, {"PagedPool Maximum", "Kb", 16642998272ull},
        {"Driver Commit", "pages", 55834583195ull}, {"Committed pages", "pages", 4696802},
        {"Commit limit", "pages", 12841749},
    };
    pt_import *im = NULL;
    const pt_sink *sink;
    pt_sample_info info;
    pt_status rc = pt_import_begin(a, "vm", &im, err);
    size_t i;

    if (rc != PT_OK)
        return rc;
    rc = fixture_bundle_source(im, "4444", "ws2012r2-livekd-vm4.txt", "vm", err);
    sink = pt_import_sink(im);
    memset(&info, 0, sizeof info);
    info.kind = PT_KIND_VM;
    info.source = "ws2012r2-livekd-vm4.txt";
    if (rc == PT_OK)
        rc = sink->begin_sample(sink->ctx, &info);
    for (i = 0; i < sizeof counters / sizeof counters[0] && rc == PT_OK; i++) {
        pt_counter c = {counters[i].name, counters[i].unit, counters[i].value};
        rc = sink->counter(sink->ctx, &c);
    }
    if (rc == PT_OK)
        rc = sink->end_sample(sink->ctx);
    if (rc != PT_OK) {
        pt_import_abort(im);
        return rc;
    }
    return pt_import_commit(im, NULL, NULL, err);
}

static void test_vm_pools_against_limits(void)
{
    char path[4096];
    pt_archive *a = fresh_archive("analysis-vm.db", path, sizeof path);
    pt_case_analysis an;
    pt_error err;
    int64_t case_id = 0;

    PT_CHECK(a != NULL);
    if (a == NULL)
        return;
    PT_CHECK(load_vm(a, &err) == PT_OK);
    PT_CHECK(pt_archive_case_id(a, "vm", &case_id, &err) == PT_OK);
    PT_CHECK(pt_case_analyze(a, case_id, &an, &err) == PT_OK);
    PT_CHECK_U64(an.pools[PT_POOL_NONPAGED].usage_bytes, 13003620ull * 1024);
    /* The printed maximum (17179869184 Kb) is a virtual range: physical memory
     * (25152596 Kb) is the limit. */
    PT_CHECK_U64(an.pools[PT_POOL_NONPAGED].max_bytes, 25152596ull * 1024);
    PT_CHECK_U64(an.pools[PT_POOL_PAGED].usage_bytes, 899324ull * 1024);
    PT_CHECK_U64(an.physical_bytes, 25152596ull * 1024);
    PT_CHECK_U64(an.commit_limit_bytes, 12841749ull * 4096);
    /* The printed maximum is a virtual range: physical memory is the limit. */
    PT_CHECK(strstr(an.pools[PT_POOL_NONPAGED].note, "physical memory") != NULL);
    PT_CHECK(an.pools[PT_POOL_NONPAGED].hours_to_exhaustion < 0); /* one sample: no growth */
    pt_case_analysis_free(&an);
    pt_archive_close(a);
    unlink(path);
}

static int lookup_2012(void *ctx, const char *name, const char *unit, uint64_t *value)
{
    (void)ctx;
    if (strcmp(name, "Commit limit") == 0 && strcmp(unit, "pages") == 0) {
        *value = 12841749;
        return 1;
    }
    if (strcmp(name, "NonPagedPool Max") == 0 && strcmp(unit, "pages") == 0) {
        *value = 4294967296ull;
        return 1;
    }
    return 0;
}

static void test_counters_that_look_wrong(void)
{
    /* vm-01: PagedPool Commit printed as a wrapped 64-bit value. */
    PT_CHECK(pt_counter_looks_wrong("PagedPool Commit", "pages", 18446735300397918280ull, NULL,
                                    NULL));
    /* 2012 R2: Driver Commit 55834583195 pages, above the 12841749-page commit limit. */
    PT_CHECK(pt_counter_looks_wrong("Driver Commit", "pages", 55834583195ull, lookup_2012, NULL));
    PT_CHECK(!pt_counter_looks_wrong("Committed pages", "pages", 4696802, lookup_2012, NULL));
    PT_CHECK(!pt_counter_looks_wrong("NonPagedPool Usage", "pages", 3250905, lookup_2012, NULL));
    PT_CHECK(pt_counter_looks_wrong("NonPagedPool Usage", "pages", 4294967297ull, lookup_2012,
                                    NULL));
}

static void test_units_and_patterns(void)
{
    int ok;
    char out[64];
    PT_CHECK_U64(pt_counter_bytes(3250905, "pages", &ok), 3250905ull * 4096);
    PT_CHECK(ok);
    PT_CHECK_U64(pt_counter_bytes(13003620, "Kb", &ok), 13003620ull * 1024);
    PT_CHECK_U64(pt_counter_bytes(8500, "K", &ok), 8500ull * 1024);
    pt_counter_bytes(18446735300397918280ull, "pages", &ok);
    PT_CHECK(!ok);
    pt_counter_bytes(1, "furlongs", &ok);
    PT_CHECK(!ok);
    PT_CHECK(pt_tag_pattern_match("NtF*", "NtFB"));
    PT_CHECK(pt_tag_pattern_match("Mdl", "Mdl "));
    PT_CHECK(pt_tag_pattern_match("?MPP", " MPP"));
    PT_CHECK(!pt_tag_pattern_match("NtFB", "NtFC"));
    PT_CHECK(!pt_tag_pattern_match("Mdl", "Mdlx"));
    pt_binary_driver_name("[ntfs.sys  -  AttrSup.c]", out, sizeof out);
    PT_CHECK_STR(out, "ntfs.sys");
    pt_binary_driver_name("nt!io", out, sizeof out);
    PT_CHECK_STR(out, "nt");
    pt_binary_driver_name("volsnap.sys", out, sizeof out);
    PT_CHECK_STR(out, "volsnap.sys");
}

/* One tag value listed twice in each sample under two shown texts: one
 * point per sample, the bytes added up. */
static void test_tag_shown_two_ways_is_one_point(void)
{
    char path[4096];
    pt_archive *a = fresh_archive("analysis-dup.db", path, sizeof path);
    pt_import *im = NULL;
    const pt_sink *sink;
    pt_case_analysis an;
    pt_error err;
    int64_t case_id = 0;
    unsigned s;
    pt_status rc;

    PT_CHECK(a != NULL);
    if (a == NULL)
        return;
    PT_CHECK(pt_import_begin(a, "dup", &im, &err) == PT_OK);
    rc = fixture_bundle_source(im, "d0d0", "poolmon", "poolmon", &err);
    sink = pt_import_sink(im);
    for (s = 0; s < 3 && rc == PT_OK; s++) {
        pt_sample_info info;
        pt_tag_row row;
        memset(&info, 0, sizeof info);
        info.kind = PT_KIND_POOLMON;
        info.source = "poolmon";
        info.time = pt_filetime_from_unix(series_time_unix(s), 0);
        rc = sink->begin_sample(sink->ctx, &info);
        memset(&row, 0, sizeof row);
        row.tag = fixture_tag("Dup ");
        row.pool = PT_POOL_PAGED;
        row.has = PT_HAS_BYTES;
        row.tag_text = "Dup";
        row.bytes = 100 + 200 * s;
        if (rc == PT_OK)
            rc = sink->tag_row(sink->ctx, &row);
        row.tag_text = "Dup ";
        row.bytes = 1000;
        if (rc == PT_OK)
            rc = sink->tag_row(sink->ctx, &row);
        if (rc == PT_OK)
            rc = sink->end_sample(sink->ctx);
    }
    PT_CHECK(rc == PT_OK);
    PT_CHECK(pt_import_commit(im, NULL, NULL, &err) == PT_OK);
    PT_CHECK(pt_archive_case_id(a, "dup", &case_id, &err) == PT_OK);
    PT_CHECK(pt_case_analyze(a, case_id, &an, &err) == PT_OK);
    PT_CHECK_U64(an.trend_count, 1);
    if (an.trend_count == 1) {
        PT_CHECK_U64(an.trends[0].samples, 3);
        PT_CHECK_U64(an.trends[0].intervals, 2);
        PT_CHECK_U64(an.trends[0].bytes, 1500);
        PT_CHECK_U64(an.trends[0].first_bytes, 1100);
        PT_CHECK(an.trends[0].persistence == 1.0);
        PT_CHECK(fabs(an.trends[0].growth_bytes_per_hour - 200.0 * 6) < 1e-6);
        PT_CHECK(an.trends[0].in_last);
    }
    pt_case_analysis_free(&an);
    pt_archive_close(a);
    unlink(path);
}

PT_TEST_MAIN(PT_TEST(test_tag_shown_two_ways_is_one_point),PT_TEST(test_series_ranks_the_steady_grower_first),
             PT_TEST(test_single_snapshot_says_large_not_leaking),
             PT_TEST(test_vm_pools_against_limits), PT_TEST(test_counters_that_look_wrong),
             PT_TEST(test_units_and_patterns))
