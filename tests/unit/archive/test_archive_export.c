/* test_archive_export.c - the CSV export, byte for byte, on a small case
 * with a description holding a comma, one holding quotes, a tag with a
 * non-printable byte, session pool, a counter in two units and a module. */
#include "analysis.h"
#include "archive_export.h"
#include "archive_fixture.h"
#include "pt_test.h"

static pt_status load_small_case(pt_archive *a, pt_error *err)
{
    static const struct {
        const char *text;
        pt_pool pool;
        uint32_t has;
        uint64_t allocs, frees, outstanding, bytes;
        const char *description, *binary;
    } rows[] = {
        {"MPP.", PT_POOL_NONPAGED, PT_HAS_OUTSTANDING | PT_HAS_BYTES, 0, 0, 49781288,
         10354777664ull, "UNKNOWN pooltag ' MPP', please update pooltag.txt", NULL},
        {"VoSm", PT_POOL_NONPAGED, PT_HAS_OUTSTANDING | PT_HAS_BYTES, 0, 0, 3689, 240181440,
         "Bitmap allocations", "volsnap.sys"},
        {"Ab\x01" "c", PT_POOL_SESSION_PAGED, 0x0F, 5, 3, 2, 64, "say \"hi\"", NULL},
    };
    pt_import *im = NULL;
    const pt_sink *sink;
    pt_sample_info info;
    pt_counter pages = {"NonPagedPool Usage", "pages", 3250905};
    pt_counter kb = {"NonPagedPool Usage", "Kb", 13003620};
    pt_module mod = {"\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff80000000000ull, 8388608,
                     0x5E7A1B2Cu, 0x00801234u};
    pt_status rc = pt_import_begin(a, "csv", &im, err);
    size_t i;

    if (rc != PT_OK)
        return rc;
    rc = fixture_bundle_source(im, "c5c5", "poolused.txt", "poolused", err);
    sink = pt_import_sink(im);
    memset(&info, 0, sizeof info);
    info.kind = PT_KIND_POOLUSED;
    info.source = "poolused.txt";
    if (rc == PT_OK)
        rc = sink->begin_sample(sink->ctx, &info);
    for (i = 0; i < 3 && rc == PT_OK; i++) {
        pt_tag_row row;
        memset(&row, 0, sizeof row);
        row.tag = fixture_tag(rows[i].text);
        row.tag_text = rows[i].text;
        row.pool = rows[i].pool;
        row.has = rows[i].has;
        row.allocs = rows[i].allocs;
        row.frees = rows[i].frees;
        row.outstanding = rows[i].outstanding;
        row.bytes = rows[i].bytes;
        row.description = rows[i].description;
        row.binary = rows[i].binary;
        rc = sink->tag_row(sink->ctx, &row);
    }
    if (rc == PT_OK)
        rc = sink->end_sample(sink->ctx);
    info.kind = PT_KIND_VM;
    info.source = "vm.txt";
    PT_CHECK(pt_filetime_parse("2021-02-21T01:38:22Z", &info.time) == 0);
    if (rc == PT_OK)
        rc = sink->begin_sample(sink->ctx, &info);
    if (rc == PT_OK)
        rc = sink->counter(sink->ctx, &pages);
    if (rc == PT_OK)
        rc = sink->counter(sink->ctx, &kb);
    if (rc == PT_OK)
        rc = sink->module(sink->ctx, &mod);
    if (rc == PT_OK)
        rc = sink->end_sample(sink->ctx);
    if (rc != PT_OK) {
        pt_import_abort(im);
        return rc;
    }
    return pt_import_commit(im, pt_analysis_store_suspects, NULL, err);
}

static void check_export(pt_archive *a, int64_t case_id,
                         pt_status (*fn)(pt_archive *, int64_t, FILE *, pt_error *),
                         const char *expected)
{
    char path[4096];
    FILE *f;
    unsigned char *got;
    size_t len;
    pt_error err;

    fixture_path("export.csv", path, sizeof path);
    f = fopen(path, "wb");
    PT_CHECK(f != NULL);
    if (f == NULL)
        return;
    PT_CHECK(fn(a, case_id, f, &err) == PT_OK);
    fclose(f);
    got = fixture_slurp(path, &len);
    PT_CHECK(got != NULL && len == strlen(expected) && memcmp(got, expected, len) == 0);
    if (got != NULL && (len != strlen(expected) || memcmp(got, expected, len) != 0))
        fprintf(stderr, "got:\n%.*s\nexpected:\n%s\n", (int)len, (const char *)got, expected);
    free(got);
    unlink(path);
}

static void test_csv_byte_exact(void)
{
    char path[4096];
    pt_archive *a = NULL;
    pt_error err;
    int64_t case_id = 0;

    fixture_path("export.db", path, sizeof path);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(load_small_case(a, &err) == PT_OK);
    PT_CHECK(pt_archive_case_id(a, "csv", &case_id, &err) == PT_OK);
    check_export(a, case_id, pt_export_tags_csv,
                 "sample,time,source,tag,pool,allocs,frees,outstanding,bytes,description,binary\r\n"
                 "1,,poolused.txt,MPP.,nonpaged,,,49781288,10354777664,"
                 "\"UNKNOWN pooltag ' MPP', please update pooltag.txt\",\r\n"
                 "1,,poolused.txt,VoSm,nonpaged,,,3689,240181440,Bitmap allocations,volsnap.sys\r\n"
                 "1,,poolused.txt,Ab\\x01c,session-paged,5,3,2,64,\"say \"\"hi\"\"\",\r\n");
    check_export(a, case_id, pt_export_counters_csv,
                 "sample,time,source,name,value,unit\r\n"
                 "2,2021-02-21T01:38:22.0000000Z,vm.txt,NonPagedPool Usage,3250905,pages\r\n"
                 "2,2021-02-21T01:38:22.0000000Z,vm.txt,NonPagedPool Usage,13003620,Kb\r\n");
    check_export(a, case_id, pt_export_suspects_csv,
                 "rank,tag,pool,bytes,growth_bytes_per_hour,persistence,share,verdict\r\n"
                 "1,MPP.,nonpaged,10354777664,0,0.0000,0.9773,large\r\n");
    check_export(a, case_id, pt_export_modules_csv,
                 "sample,name,base,size,timestamp,checksum\r\n"
                 "2,\\SystemRoot\\system32\\ntoskrnl.exe,0xfffff80000000000,8388608,0x5e7a1b2c,"
                 "0x00801234\r\n");
    pt_archive_close(a);
    unlink(path);
}

PT_TEST_MAIN(PT_TEST(test_csv_byte_exact))
