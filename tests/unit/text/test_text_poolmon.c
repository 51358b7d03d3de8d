/* test_text_poolmon.c - the poolmon reader against the real screens
 * (values from ../shared/data/real/text/README.md) and generated series. */
#include "text_fixture.h"
#include "text_readers.h"

#define NP PT_POOL_NONPAGED
#define PG PT_POOL_PAGED
#define ALL_FIELDS (PT_HAS_ALLOCS | PT_HAS_FREES | PT_HAS_OUTSTANDING | PT_HAS_BYTES)

static const rec_row *check_row(const recording *r, const char *tag, pt_pool pool,
                                uint64_t allocs, uint64_t frees, uint64_t diff, uint64_t bytes)
{
    const rec_row *row = rec_find_row(r, tag, pool);
    PT_CHECK(row != NULL);
    if (row == NULL) {
        fprintf(stderr, "  missing row %s %s\n", tag, pt_pool_name(pool));
        return NULL;
    }
    PT_CHECK_U64(row->has, ALL_FIELDS);
    PT_CHECK_U64(row->allocs, allocs);
    PT_CHECK_U64(row->frees, frees);
    PT_CHECK_U64(row->outstanding, diff);
    PT_CHECK_U64(row->bytes, bytes);
    return row;
}

static void check_k(const recording *r, const char *name, uint64_t value)
{
    PT_CHECK_U64(rec_counter_value(r, name, "K"), value);
}

static void test_ntf_mapped(void)
{
    recording r;
    pt_error err;
    const rec_row *row;

    PT_CHECK_U64(rec_read_file(&pt_reader_poolmon, PT_REAL("text/poolmon-01-msdocs-ntf-mapped.txt"),
                               &r, &err),
                 PT_OK);
    PT_CHECK_U64(r.nsamples, 1);
    PT_CHECK_STR(r.samples[0].variant, "poolmon-screen");
    check_k(&r, "Memory", 260620);
    check_k(&r, "Avail", 65152);
    PT_CHECK_U64(rec_counter_value(&r, "PageFlts", "count"), 85);
    check_k(&r, "InRam Krnl", 2116);
    check_k(&r, "InRam P", 19560);
    check_k(&r, "Commit", 237688);
    check_k(&r, "Limit", 640916);
    check_k(&r, "Peak", 260632);
    check_k(&r, "Pool N", 8500);
    check_k(&r, "Pool P", 33024);
    PT_CHECK_U64(r.nrows, 13);
    PT_CHECK_STR(r.rows[0].tag_text, "NtFA");
    PT_CHECK_STR(r.rows[12].tag_text, "NtFv");
    row = check_row(&r, "NtFA", NP, 9112, 9112, 0, 0);
    if (row != NULL) {
        PT_CHECK_STR(row->binary, "ntfs.sys");
        PT_CHECK_STR(row->description, "AttrSup.c");
    }
    row = check_row(&r, "NtFB", PG, 3996, 3986, 10, 252088);
    if (row != NULL)
        PT_CHECK_U64(row->bytes / row->outstanding, 25208); /* Per Alloc */
    PT_CHECK_U64(r.nwarnings, 0);
    rec_free(&r);
}

static void test_session0(void)
{
    recording r;
    pt_error err;
    const rec_row *row;

    PT_CHECK_U64(rec_read_file(&pt_reader_poolmon,
                               PT_REAL("text/poolmon-04-msdocs-session0-mapped.txt"), &r, &err),
                 PT_OK);
    PT_CHECK_STR(r.samples[0].variant, "poolmon-screen-session");
    check_k(&r, "Memory", 523572);
    check_k(&r, "Avail", 235876);
    check_k(&r, "Commit", 185040);
    check_k(&r, "Limit", 1279764);
    check_k(&r, "Peak", 987356);
    check_k(&r, "Pool N", 14684);
    check_k(&r, "Pool P", 19124);
    PT_CHECK_U64(r.nrows, 16);
    PT_CHECK_U64(rec_rows_in_pool(&r, PT_POOL_SESSION_PAGED), 16);
    PT_CHECK_STR(r.rows[0].tag_text, "Bmfd");
    PT_CHECK_STR(r.rows[15].tag_text, "Gdbr");
    row = check_row(&r, "Bmfd", PT_POOL_SESSION_PAGED, 421, 396, 25, 57832);
    if (row != NULL)
        PT_CHECK_U64(row->bytes / row->outstanding, 2313);
    if (row != NULL) {
        PT_CHECK_STR(row->description, "Font related stuff");
        PT_CHECK(row->binary == NULL);
    }
    row = check_row(&r, "Gcac", PT_POOL_SESSION_PAGED, 4722, 4666, 56, 305400);
    if (row != NULL)
        PT_CHECK_U64(row->bytes / row->outstanding, 5453);
    /* every Per Alloc read and equal to Bytes / Diff */
    PT_CHECK_U64(r.nwarnings, 0);
    row = check_row(&r, "Dh 1", PT_POOL_SESSION_PAGED, 37, 35, 2, 224);
    if (row != NULL) {
        const uint8_t b[4] = {'D', 'h', ' ', '1'};
        PT_CHECK_U64(row->tag, pt_tag_from_bytes(b));
        PT_CHECK(row->description == NULL && row->binary == NULL); /* Unknown Driver */
    }
    rec_free(&r);
}

static void test_x64_hid(void)
{
    recording r;
    pt_error err;
    const rec_row *row;

    PT_CHECK_U64(rec_read_file(&pt_reader_poolmon,
                               PT_REAL("text/poolmon-07-msdocs-x64-hid-mapped.txt"), &r, &err),
                 PT_OK);
    check_k(&r, "Memory", 33473120);
    check_k(&r, "Avail", 20055132);
    check_k(&r, "Commit", 15035764);
    check_k(&r, "Limit", 67027552);
    check_k(&r, "Peak", 16677444);
    check_k(&r, "Pool N", 1023400);
    check_k(&r, "Pool P", 1955448);
    PT_CHECK_U64(r.nrows, 3);
    row = check_row(&r, "HidC", PG, 1667, 1659, 8, 896);
    if (row != NULL) {
        PT_CHECK_STR(row->binary, "hidclass.sys");
        PT_CHECK_STR(row->description, "HID Class d"); /* cut at the console edge */
    }
    check_row(&r, "HidC", NP, 17375, 17256, 119, 19808);
    rec_free(&r);
}

static void test_book_b(void)
{
    recording r;
    pt_error err;

    PT_CHECK_U64(rec_read_file(&pt_reader_poolmon,
                               PT_REAL("text/poolmon-11-amf-book-vi-poolmon-b-win7x86.txt"), &r,
                               &err),
                 PT_OK);
    check_k(&r, "Memory", 2096696);
    check_k(&r, "Avail", 1150336);
    PT_CHECK_U64(rec_counter_value(&r, "PageFlts", "count"), 8135);
    check_k(&r, "Commit", 1535208);
    check_k(&r, "Limit", 4193392);
    check_k(&r, "Peak", 2779016);
    check_k(&r, "Pool N", 43452);
    check_k(&r, "Pool P", 187796);
    PT_CHECK_U64(r.nrows, 20);
    PT_CHECK_STR(r.rows[0].tag_text, "CM31");
    check_row(&r, "CM31", PG, 169392, 153744, 15648, 74838016);
    check_row(&r, "File", NP, 126693501, 126675442, 18059, 3311048);
    check_row(&r, "MmSt", PG, 673616, 656049, 17567, 28286672);
    /* every Per Alloc (CM31 4782, File 183, MmSt 1610) read and equal to
     * Bytes / Diff, every "( )" column read */
    PT_CHECK_U64(r.nwarnings, 0);
    rec_free(&r);
}

static void test_collapsed_reads_the_same(void)
{
    fx_check_collapsed_same(&pt_reader_poolmon, PT_REAL("text/poolmon-01-msdocs-ntf-mapped.txt"));
    fx_check_collapsed_same(&pt_reader_poolmon,
                            PT_REAL("text/poolmon-04-msdocs-session0-mapped.txt"));
    fx_check_collapsed_same(&pt_reader_poolmon,
                            PT_REAL("text/poolmon-07-msdocs-x64-hid-mapped.txt"));
    fx_check_collapsed_same(&pt_reader_poolmon,
                            PT_REAL("text/poolmon-11-amf-book-vi-poolmon-b-win7x86.txt"));
}

/* A series as a capture script writes it: a time stamp, then a /n
 * snapshot (no "( )" columns), three times; one tag grows. */
static void test_series_with_stamps(void)
{
    static char buf[8192];
    static const char *const stamps[] = {"2024-03-01 10:00:00", "Date: 2024-03-01T10:30:00Z",
                                         "Friday, March 1, 2024 11:00:00 AM"};
    size_t n = 0;
    int i;
    recording r;
    pt_error err;
    char when[32];

    for (i = 0; i < 3; i++) {
        n += (size_t)snprintf(
            buf + n, sizeof buf - n,
            "%s\n Memory:16658680K Avail:12093808K  PageFlts:3178498   InRam Krnl:12356K "
            "P:254616K\n Commit:4589436K Limit:19148024K Peak:4802668K            Pool "
            "N:136516K P:260908K\n System pool information\n Tag  Type     Allocs            "
            "Frees            Diff   Bytes      Per Alloc\n\n"
            " Leak Nonp  %9d  %9d  %9d %9d  %9d\n"
            " File Nonp  %9d  %9d  %9d %9d  %9d\n\n",
            stamps[i], 1000 * (i + 1), 0, 1000 * (i + 1), 1024000 * (i + 1), 1024, 5000, 4000,
            1000, 100000, 100);
    }
    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolmon, buf, n, &r, &err), PT_OK);
    PT_CHECK_U64(r.nsamples, 3);
    PT_CHECK_U64(r.nested + r.orphan, 0);
    PT_CHECK_STR(r.samples[0].variant, "poolmon-snapshot");
    PT_CHECK_STR(r.samples[0].time_origin, "file");
    PT_CHECK_STR(pt_filetime_format(r.samples[0].time, when), "2024-03-01T10:00:00.0000000Z");
    PT_CHECK_STR(pt_filetime_format(r.samples[1].time, when), "2024-03-01T10:30:00.0000000Z");
    PT_CHECK_STR(pt_filetime_format(r.samples[2].time, when), "2024-03-01T11:00:00.0000000Z");
    PT_CHECK_U64(r.nrows, 6);
    PT_CHECK_U64(r.rows[4].bytes, 3072000);
    PT_CHECK_U64(r.rows[4].sample, 3);
    PT_CHECK_U64(rec_counter_value(&r, "PageFlts", "count"), 3178498);
    PT_CHECK_U64(r.ncounters, 30);
    rec_free(&r);
}

/* No time in the file: the command line's, else the file's mtime. */
static void test_time_fallbacks(void)
{
    static const char text[] = " System pool information\n"
                               " Tag  Type     Allocs            Frees            Diff   Bytes "
                               "     Per Alloc\n"
                               " Leak Nonp       10         0        10     10240       1024\n";
    pt_source *src = NULL;
    pt_read_options opt;
    recording r;
    pt_error err;

    PT_CHECK_U64(pt_source_open_memory(text, sizeof text - 1, "snap.txt", &src, &err), PT_OK);
    memset(&opt, 0, sizeof opt);
    opt.file_mtime = 133000000000000000ull;
    PT_CHECK_U64(rec_read_source(&pt_reader_poolmon, src, &r, &opt, &err), PT_OK);
    PT_CHECK_STR(r.samples[0].time_origin, "mtime");
    PT_CHECK_U64(r.samples[0].time, 133000000000000000ull);
    rec_free(&r);
    opt.sample_time = 133000000010000000ull;
    PT_CHECK_U64(rec_read_source(&pt_reader_poolmon, src, &r, &opt, &err), PT_OK);
    PT_CHECK_STR(r.samples[0].time_origin, "command-line");
    PT_CHECK_U64(r.samples[0].time, 133000000010000000ull);
    PT_CHECK_U64(r.ncounters, 0); /* no Memory:/Commit: lines */
    rec_free(&r);
    pt_source_close(src);
}

static void test_all_sessions_and_bad_rows(void)
{
    static const char text[] =
        "All sessions pool information\n"
        "Tag  Type     Allocs            Frees            Diff   Bytes      Per Alloc  "
        "Mapped_Driver\n"
        "Gh05 Paged       100 (   0)        40 (   0)       60    6000 (     0)    100 "
        "[win32k.sys - GDITAG_HMGR_SPRITE_TYPE]\n"
        "Usxx Nonp          5 (   0)         2 (   0)        9     300 (     0)     33 [el90xbc5]\n"
        "Bad! Nonp        zzz (   0)\n"
        "[snip]\n";
    recording r;
    pt_error err;
    const rec_row *row;

    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolmon, text, sizeof text - 1, &r, &err), PT_OK);
    PT_CHECK_U64(r.nrows, 2);
    row = check_row(&r, "Gh05", PT_POOL_SESSION_PAGED, 100, 40, 60, 6000);
    if (row != NULL) {
        PT_CHECK_STR(row->binary, "win32k.sys");
        PT_CHECK_STR(row->description, "GDITAG_HMGR_SPRITE_TYPE");
    }
    row = rec_find_row(&r, "Usxx", PT_POOL_SESSION_NONPAGED);
    PT_CHECK(row != NULL);
    if (row != NULL)
        PT_CHECK_STR(row->binary, "el90xbc5");
    /* Allocs - Frees is not Diff on Usxx; Bad! is not a row */
    PT_CHECK_U64(r.nwarnings, 2);
    rec_free(&r);
}

static void test_truncated(void)
{
    size_t len = 0, cut;
    char *raw = fx_slurp(PT_REAL("text/poolmon-11-amf-book-vi-poolmon-b-win7x86.txt"), &len);
    recording r;
    pt_error err;

    PT_CHECK(raw != NULL);
    for (cut = 0; raw != NULL && cut <= len; cut++) {
        pt_status st = rec_read_buffer(&pt_reader_poolmon, raw, cut, &r, &err);
        PT_CHECK(st == PT_OK || st == PT_ERR_FORMAT);
        if (st == PT_ERR_FORMAT)
            PT_CHECK(strstr(err.message, "buffer") != NULL);
        PT_CHECK_U64(r.nested + r.orphan, 0);
        rec_free(&r);
    }
    free(raw);
}

/* Saved by PowerShell as UTF-16LE: read the same. */
static void test_utf16_reads_the_same(void)
{
    fx_check_utf16_same(&pt_reader_poolmon,
                        PT_REAL("text/poolmon-04-msdocs-session0-mapped.txt"));
    fx_check_utf16_same(&pt_reader_poolmon,
                        PT_REAL("text/poolmon-11-amf-book-vi-poolmon-b-win7x86.txt"));
}

PT_TEST_MAIN(PT_TEST(test_ntf_mapped), PT_TEST(test_session0), PT_TEST(test_x64_hid),
             PT_TEST(test_book_b), PT_TEST(test_collapsed_reads_the_same),
             PT_TEST(test_utf16_reads_the_same),
             PT_TEST(test_series_with_stamps), PT_TEST(test_time_fallbacks),
             PT_TEST(test_all_sessions_and_bad_rows), PT_TEST(test_truncated))
