/* test_case_report.c - pt_case_build_report on a case whose content the
 * test made: a generated series, a tag file entry, a !vm sample, a warning,
 * and an older case with the same suspect. */
#include <math.h>

#include "analysis.h"
#include "archive_fixture.h"
#include "case_report.h"
#include "pt_test.h"

#define SAMPLES 10u
#define TAGS 50u

/* A second bundle for the case: a tag file entry, a !vm sample, a warning. */
static pt_status load_extras(pt_archive *a, pt_error *err)
{
    pt_import *im = NULL;
    const pt_sink *sink;
    pt_tag_desc d;
    pt_sample_info info;
    pt_counter usage = {"NonPagedPool Usage", "Kb", 4000000};
    pt_counter max = {"NonPagedPool Max", "Kb", 3000000}; /* below usage: looks wrong */
    pt_status rc = pt_import_begin(a, "report-case", &im, err);

    if (rc != PT_OK)
        return rc;
    rc = fixture_bundle_source(im, "e7e7", "pooltag.txt", "pooltag", err);
    sink = pt_import_sink(im);
    memset(&d, 0, sizeof d);
    d.tag = fixture_tag("Leak");
    d.pattern = "Leak";
    d.binary = "myfault.sys";
    d.description = "Leaky test driver";
    d.origin = "pooltag.txt";
    d.line = 7;
    if (rc == PT_OK)
        rc = sink->tag_desc(sink->ctx, &d);
    if (rc == PT_OK)
        rc = sink->warning(sink->ctx, "pooltag.txt", 0x40, "a line without a tag");
    memset(&info, 0, sizeof info);
    info.kind = PT_KIND_VM;
    info.source = "vm.txt";
    if (rc == PT_OK)
        rc = sink->begin_sample(sink->ctx, &info);
    if (rc == PT_OK)
        rc = sink->counter(sink->ctx, &usage);
    if (rc == PT_OK)
        rc = sink->counter(sink->ctx, &max);
    if (rc == PT_OK)
        rc = sink->end_sample(sink->ctx);
    if (rc != PT_OK) {
        pt_import_abort(im);
        return rc;
    }
    return pt_import_commit(im, pt_analysis_store_suspects, NULL, err);
}

static void test_report_model(void)
{
    char path[4096];
    pt_archive *a = NULL;
    pt_report r;
    pt_error err;
    size_t i;

    fixture_path("case-report.db", path, sizeof path);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    /* An older case with the same leak, under another bundle identity. */
    PT_CHECK(fixture_load_series(a, "older", 4, TAGS, pt_analysis_store_suspects, &err) ==
             PT_OK);
    PT_CHECK(pt_archive_exec(a, "UPDATE bundles SET sha256 = 'older' WHERE sha256 = '5e51e5'",
                             &err) == PT_OK);
    PT_CHECK(fixture_load_series(a, "report-case", SAMPLES, TAGS, pt_analysis_store_suspects,
                                 &err) == PT_OK);
    PT_CHECK(load_extras(a, &err) == PT_OK);

    pt_report_init(&r);
    PT_CHECK(pt_case_build_report(a, "report-case", &r, &err) == PT_OK);
    PT_CHECK_STR(r.case_name, "report-case");
    PT_CHECK_U64(r.sample_count, SAMPLES + 1);
    PT_CHECK(r.summary != NULL && strstr(r.summary, "'Leak'") != NULL &&
             strstr(r.summary, "leaking") != NULL);
    PT_CHECK(r.suspect_count >= 2);
    if (r.suspect_count >= 2) {
        const pt_report_suspect *s = &r.suspects[0];
        PT_CHECK_STR(s->tag_text, "Leak");
        PT_CHECK_STR(s->verdict, "leaking");
        PT_CHECK_U64(s->bytes, SERIES_LEAK_START + (SAMPLES - 1) * SERIES_LEAK_STEP);
        PT_CHECK(fabs(s->growth_bytes_per_hour - SERIES_LEAK_STEP * 6.0) < 1.0);
        PT_CHECK_STR(s->description, "Leaky test driver");
        PT_CHECK_STR(s->description_origin, "pooltag.txt, line 7");
        PT_CHECK(s->candidate_count == 1);
        if (s->candidate_count == 1) {
            PT_CHECK_STR(s->candidates[0].driver, "myfault.sys");
            PT_CHECK_STR(s->candidates[0].evidence, "tagfile");
        }
        /* The large flat tag is a suspect for its size, never a leak. */
        for (i = 1; i < r.suspect_count && strcmp(r.suspects[i].tag_text, "Big ") != 0; i++)
            PT_CHECK(strcmp(r.suspects[i].verdict, "leaking") != 0);
        PT_CHECK(i < r.suspect_count);
        if (i < r.suspect_count)
            PT_CHECK_STR(r.suspects[i].verdict, "large");
    }
    /* The full tag table of the last tag sample, largest first. */
    PT_CHECK_U64(r.tag_count, TAGS);
    PT_CHECK_U64(r.top_tag_count, 10);
    if (r.tag_count == TAGS) {
        PT_CHECK_STR(r.tags[0].tag_text, "Big ");
        PT_CHECK_U64(r.tags[0].bytes, SERIES_BIG_BYTES);
        for (i = 1; i < r.tag_count; i++)
            PT_CHECK(r.tags[i - 1].bytes >= r.tags[i].bytes);
    }
    /* Series: the suspects first, one point per tag sample. */
    PT_CHECK(r.series_count == 5);
    if (r.series_count == 5) {
        PT_CHECK_STR(r.series[0].tag_text, "Leak");
        PT_CHECK_U64(r.series[0].point_count, SAMPLES);
        PT_CHECK_U64(r.series[0].bytes[SAMPLES - 1],
                     SERIES_LEAK_START + (SAMPLES - 1) * SERIES_LEAK_STEP);
        PT_CHECK_U64(r.series[0].times[1] - r.series[0].times[0],
                     (uint64_t)SERIES_INTERVAL_SECONDS * 10000000u);
    }
    /* Counters of the latest !vm sample; usage above max looks wrong. */
    PT_CHECK_U64(r.counter_count, 2);
    if (r.counter_count == 2) {
        PT_CHECK_STR(r.counters[0].name, "NonPagedPool Usage");
        PT_CHECK(r.counters[0].looks_wrong == 1);
        PT_CHECK(r.counters[1].looks_wrong == 0);
    }
    PT_CHECK(r.pool_count >= 2);
    if (r.pool_count >= 1) {
        PT_CHECK_STR(r.pools[0].name, "NonPagedPool");
        PT_CHECK_U64(r.pools[0].usage_bytes, 4000000ull * 1024);
        PT_CHECK(r.pools[0].note != NULL && strstr(r.pools[0].note, "looks wrong") != NULL);
    }
    PT_CHECK_U64(r.source_count, 2);
    PT_CHECK_U64(r.warning_count, 1);
    if (r.warning_count == 1)
        PT_CHECK_STR(r.warnings[0], "pooltag.txt: offset 0x40: a line without a tag");
    PT_CHECK(r.past_case_count >= 1);
    if (r.past_case_count >= 1) {
        PT_CHECK_STR(r.past_cases[0].case_name, "older");
        PT_CHECK_STR(r.past_cases[0].tag_text, "Leak");
        PT_CHECK_STR(r.past_cases[0].verdict, "leaking");
    }
    pt_report_free(&r);

    pt_report_init(&r);
    PT_CHECK(pt_case_build_report(a, "no-such-case", &r, &err) == PT_ERR_NOT_FOUND);
    pt_report_free(&r);
    pt_archive_close(a);
    unlink(path);
}

PT_TEST_MAIN(PT_TEST(test_report_model))
