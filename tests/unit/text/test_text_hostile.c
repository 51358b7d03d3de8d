/* test_text_hostile.c - every text reader over every real file (its own
 * and the others'), over garbage, over lines longer than the line limit,
 * and with a sink that stops early: a result or a clear error, never a
 * crash, a hang or a record outside a sample. */
#include "text_fixture.h"
#include "text_readers.h"

static const pt_reader *const text_readers[] = {&pt_reader_poolused, &pt_reader_vm,
                                                &pt_reader_poolmon, &pt_reader_pooltag};

static const char *const real_files[] = {
    "seed/ws2003-x86-lkd-poolused-t5-2.txt", "seed/ws2012r2-livekd-poolused-t5-2.txt",
    "seed/ws2003-x86-lkd-vm1.txt", "seed/ws2012r2-livekd-vm4.txt",
    "text/poolmon-11-amf-book-vi-poolmon-b-win7x86.txt",
    "text/vm-01-insightengineering-triage-win11.txt", "seed/ws2003-findstr-Leak.txt"};

static void test_cross_reading(void)
{
    size_t i, k;
    for (i = 0; i < sizeof real_files / sizeof real_files[0]; i++) {
        for (k = 0; k < 4; k++) {
            recording r;
            pt_error err;
            pt_status st;
            pt_error_clear(&err);
            st = rec_read_file(text_readers[k], PT_REAL(real_files[i]), &r, &err);
            if (st != PT_OK) {
                PT_CHECK(err.message[0] != '\0');
                PT_CHECK(strstr(err.message, real_files[i]) != NULL);
            }
            PT_CHECK_U64(r.nested + r.orphan, 0);
            rec_free(&r);
        }
    }
}

/* A deterministic byte soup built from pieces of the formats. */
static void test_garbage(void)
{
    static const char *const pieces[] = {
        "Tag ", "Allocs ", "Used ", "Type ", "Nonp ", "Paged ", "( ", ") ", "TOTAL ",
        "Sorting by ", "!poolused ", "123456789012345678901234 ", "0", "7 ", "\t", "\n",
        "\r\n", " - ", "rem ", "//", ":", "NonPagedPool Usage: ", "Kb)", "K ", "[", "]",
        "*** ", "Memory: ", "P:", "UNKNOWN pooltag '", "'", ", Binary: ", "\xC2\xA0", "\xFF",
        "Session ID ", "pool information\n", "...\n", "-"};
    static char buf[65536];
    uint32_t seed = 12345;
    int round;
    size_t k;

    for (round = 0; round < 300; round++) {
        size_t n = 0;
        while (n < sizeof buf - 64) {
            const char *p;
            seed = seed * 1103515245u + 12345u;
            p = pieces[(seed >> 8) % (sizeof pieces / sizeof pieces[0])];
            if ((seed >> 20) % 97 == 0 && round % 3 == 0)
                break;
            memcpy(buf + n, p, strlen(p));
            n += strlen(p);
            if (n > (size_t)(round * 200 + 100))
                break;
        }
        for (k = 0; k < 4; k++) {
            recording r;
            pt_error err;
            pt_status st = rec_read_buffer(text_readers[k], buf, n, &r, &err);
            PT_CHECK(st == PT_OK || st == PT_ERR_FORMAT);
            PT_CHECK_U64(r.nested + r.orphan, 0);
            (void)text_readers[k]->probe((const uint8_t *)buf, n);
            rec_free(&r);
        }
    }
}

/* A line longer than the line reader keeps is cut, not a crash. */
static void test_long_lines(void)
{
    size_t n = 3 * PT_MAX_LINE, i, k;
    char *buf = malloc(n + 200);
    PT_CHECK(buf != NULL);
    if (buf == NULL)
        return;
    i = (size_t)sprintf(buf, " Sorting by Tag\n Tag    Allocs     Used    Allocs     Used\n"
                             " Leak        1      520         0        0");
    memset(buf + i, 'x', n - i);
    memcpy(buf + n, "\nNonPagedPool Usage: 5 ( 20 Kb)\n", 32);
    n += 32;
    for (k = 0; k < 4; k++) {
        recording r;
        pt_error err;
        pt_status st = rec_read_buffer(text_readers[k], buf, n, &r, &err);
        PT_CHECK(st == PT_OK || st == PT_ERR_FORMAT);
        if (text_readers[k] == &pt_reader_poolused) {
            PT_CHECK_U64(st, PT_OK);
            PT_CHECK_U64(r.nrows, 2);
        }
        rec_free(&r);
    }
    free(buf);
}

/* A sink that says stop: the reader stops and returns that status. */
static int stop_after;
static pt_status stopping_row(void *ctx, const pt_tag_row *row)
{
    (void)ctx;
    (void)row;
    return --stop_after > 0 ? PT_OK : PT_ERR_LIMIT;
}
static pt_status stopping_counter(void *ctx, const pt_counter *c)
{
    (void)ctx;
    (void)c;
    return --stop_after > 0 ? PT_OK : PT_ERR_LIMIT;
}
static pt_status stopping_desc(void *ctx, const pt_tag_desc *d)
{
    (void)ctx;
    (void)d;
    return --stop_after > 0 ? PT_OK : PT_ERR_LIMIT;
}

static void test_sink_stops(void)
{
    static const struct {
        const pt_reader *reader;
        const char *path;
        int data;
    } cases[] = {
        {&pt_reader_poolused, "text/poolused-04-msdocs-poolused0-xp-total.txt", 0},
        {&pt_reader_vm, "text/vm-01-insightengineering-triage-win11.txt", 0},
        {&pt_reader_poolmon, "text/poolmon-01-msdocs-ntf-mapped.txt", 0},
        {&pt_reader_pooltag, "text/pooltag-sample.txt", 1},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pt_source *src = NULL;
        pt_sink sink;
        pt_read_options opt;
        pt_error err;
        const char *path = cases[i].data ? PT_DATA(cases[i].path) : PT_REAL(cases[i].path);
        memset(&sink, 0, sizeof sink);
        memset(&opt, 0, sizeof opt);
        sink.tag_row = stopping_row;
        sink.counter = stopping_counter;
        sink.tag_desc = stopping_desc;
        stop_after = 3;
        PT_CHECK_U64(pt_source_open_file(path, &src, &err), PT_OK);
        pt_error_clear(&err);
        PT_CHECK_U64(cases[i].reader->read(src, &opt, &sink, &err), PT_ERR_LIMIT);
        PT_CHECK(stop_after == 0);
        PT_CHECK(err.message[0] != '\0');
        pt_source_close(src);
    }
}

PT_TEST_MAIN(PT_TEST(test_cross_reading), PT_TEST(test_garbage), PT_TEST(test_long_lines),
             PT_TEST(test_sink_stops))
