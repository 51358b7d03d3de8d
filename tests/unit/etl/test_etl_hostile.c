/* test_etl_hostile.c - damaged and hostile traces: buffer sizes out of
 * range, events crossing buffer ends, compressed buffers that inflate
 * wrong, unknown header kinds, files cut mid-buffer, wild timestamps, and
 * random damage.  Each gives a clear error or a result marked partial,
 * never a crash or a hang. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl_file.h"
#include "etl_reader.h"
#include "etl_stats.h"
#include "etlgen.h"
#include "pt_byteorder.h"
#include "pt_source.h"
#include "pt_test.h"
#include "etl_test_util.h"

typedef struct trace {
    char *data;
    size_t len;
    etlgen_truth truth;
} trace;

static int make(int compress, int ptr64, uint64_t steps, uint32_t buffer_size, trace *t)
{
    etlgen_config c;
    FILE *f = open_memstream(&t->data, &t->len);
    etlgen_defaults(&c);
    c.compress = compress;
    c.ptr64 = ptr64;
    c.steps = steps;
    c.buffer_size = buffer_size;
    if (f == NULL)
        return -1;
    if (etlgen_write(&c, f, &t->truth) != 0) {
        fclose(f);
        free(t->data);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

typedef struct outcome {
    pt_status st;
    char message[1024];
    int nsamples, nwarnings;
    char variant[32];
    char first_warning[256];
} outcome;

static outcome read_bytes(const void *data, size_t len, int partial_ok)
{
    outcome o;
    pt_source *src;
    pt_error err;
    capture cap;
    pt_sink sink;
    pt_read_options opt;
    memset(&o, 0, sizeof o);
    if (pt_source_open_memory(data, len, "bad.etl", &src, &err) != PT_OK) {
        o.st = PT_ERR_INTERNAL;
        return o;
    }
    capture_init(&cap, &sink);
    memset(&opt, 0, sizeof opt);
    opt.partial_ok = partial_ok;
    pt_error_clear(&err);
    o.st = pt_reader_etl.read(src, &opt, &sink, &err);
    snprintf(o.message, sizeof o.message, "%s", err.message);
    o.nsamples = cap.nsamples;
    o.nwarnings = cap.nwarnings;
    snprintf(o.first_warning, sizeof o.first_warning, "%s", cap.first_warning);
    if (cap.nsamples > 0)
        snprintf(o.variant, sizeof o.variant, "%s", capture_last(&cap)->variant);
    capture_free(&cap);
    pt_source_close(src);
    return o;
}

/* Damage is an error naming the file and offset without partial_ok, and
 * a result marked partial with a warning with it. */
static void expect_partial(const void *data, size_t len, const char *words)
{
    outcome strict = read_bytes(data, len, 0), lax = read_bytes(data, len, 1);
    PT_CHECK(strict.st == PT_ERR_CORRUPT);
    PT_CHECK(strstr(strict.message, "bad.etl: offset 0x") == strict.message);
    PT_CHECK(strstr(strict.message, words) != NULL);
    if (strstr(strict.message, words) == NULL)
        fprintf(stderr, "  message: %s\n", strict.message);
    PT_CHECK_U64(strict.nsamples, 0);
    PT_CHECK(lax.st == PT_OK);
    PT_CHECK_STR(lax.variant, "etl-partial");
    PT_CHECK(lax.nwarnings >= 1);
}

static void test_not_etl(void)
{
    static const char text[] = "Pool Used:\n NonPaged Paged\n Tag Allocs Used Allocs Used\n";
    uint8_t zeros[4096];
    outcome o = read_bytes(text, sizeof text - 1, 1);
    PT_CHECK(o.st == PT_ERR_FORMAT);
    PT_CHECK(pt_reader_etl.probe((const uint8_t *)text, sizeof text - 1) == 0);
    memset(zeros, 0, sizeof zeros);
    o = read_bytes(zeros, sizeof zeros, 1);
    PT_CHECK(o.st == PT_ERR_FORMAT);
    PT_CHECK(pt_reader_etl.probe(zeros, sizeof zeros) == 0);
    o = read_bytes(zeros, 10, 1);
    PT_CHECK(o.st == PT_ERR_FORMAT);
}

static pt_status count_event(void *ctx, const etl_event *ev)
{
    etl_stats_add(ctx, ev, 0);
    return PT_OK;
}

static void test_cut_mid_buffer(void)
{
    trace t;
    if (make(0, 1, 3000, 0x2000, &t) != 0) {
        PT_CHECK(0);
        return;
    }
    /* inside a buffer's events, and inside a buffer header */
    expect_partial(t.data, t.len - 1000, "file cut inside");
    expect_partial(t.data, t.len - 0x2000 + 0x20, "into a buffer header");
    /* the events before the cut are kept */
    {
        pt_source *src;
        pt_error err;
        etl_file *f;
        etl_stats whole, cut;
        size_t last = t.len - 0x2000;
        PT_CHECK(pt_source_open_memory(t.data, last, "a.etl", &src, &err) == PT_OK);
        PT_CHECK(etl_file_open(src, &f, &err) == PT_OK);
        etl_stats_init(&whole);
        PT_CHECK(etl_file_walk(f, 1, count_event, &whole, &err) == PT_OK);
        PT_CHECK(!etl_file_damaged(f));
        etl_file_close(f);
        pt_source_close(src);
        PT_CHECK(pt_source_open_memory(t.data, last + 0x1000, "b.etl", &src, &err) == PT_OK);
        PT_CHECK(etl_file_open(src, &f, &err) == PT_OK);
        etl_stats_init(&cut);
        PT_CHECK(etl_file_walk(f, 1, count_event, &cut, &err) == PT_OK);
        PT_CHECK(etl_file_damaged(f));
        PT_CHECK(cut.events > whole.events);
        etl_file_close(f);
        pt_source_close(src);
    }
    /* only the header buffer left: no damage, no pool data */
    {
        outcome o = read_bytes(t.data, 0x2000, 0);
        PT_CHECK(o.st == PT_OK);
        PT_CHECK_U64(o.nsamples, 1);
    }
    free(t.data);
}

static void test_buffer_size_out_of_range(void)
{
    trace t;
    static const uint32_t bad[] = {0, 0x10, 0x47, 0x7FFFFFFFu, 0xFFFFFFFFu, 0x1000001u};
    size_t i;
    if (make(0, 1, 3000, 0x2000, &t) != 0) {
        PT_CHECK(0);
        return;
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *copy = malloc(t.len);
        memcpy(copy, t.data, t.len);
        pt_put_le32(copy + 3 * 0x2000, bad[i]);
        expect_partial(copy, t.len, "out of range");
        free(copy);
    }
    free(t.data);
}

/* Finds the first pool event (hook 0x0E2x) in buffer b of an uncompressed
 * generated trace; returns its file offset or 0. */
static size_t find_event(const uint8_t *d, size_t len, size_t b, uint32_t bufsize, int pool)
{
    size_t off = b * bufsize + 0x48, end = b * bufsize + pt_le32(d + b * bufsize + 0x30);
    while (off + 8 <= end && end <= len) {
        uint16_t size = pt_le16(d + off + 4), hook = pt_le16(d + off + 6);
        if (!pool || (hook >> 8) == 0x0E)
            return off;
        off += (size + 7u) & ~7u;
    }
    return 0;
}

static void test_event_crossing_buffer_end(void)
{
    trace t;
    size_t ev;
    if (make(0, 1, 3000, 0x2000, &t) != 0) {
        PT_CHECK(0);
        return;
    }
    ev = find_event((uint8_t *)t.data, t.len, 2, 0x2000, 1);
    PT_CHECK(ev != 0);
    pt_put_le16((uint8_t *)t.data + ev + 4, 0xFFF0);
    expect_partial(t.data, t.len, "crossing the buffer end");
    /* size 0 must not loop */
    pt_put_le16((uint8_t *)t.data + ev + 4, 0);
    expect_partial(t.data, t.len, "crossing the buffer end");
    /* filled length past the buffer */
    pt_put_le32((uint8_t *)t.data + 2 * 0x2000 + 0x30, 0x3000);
    pt_put_le32((uint8_t *)t.data + 2 * 0x2000 + 0x04, 0x3000);
    expect_partial(t.data, t.len, "filled length");
    free(t.data);
}

static void test_unknown_header_kind(void)
{
    trace t;
    size_t ev;
    uint16_t size;
    pt_source *src;
    pt_error err;
    etl_file *f;
    etl_stats st;
    outcome o;
    if (make(0, 1, 3000, 0x2000, &t) != 0) {
        PT_CHECK(0);
        return;
    }
    ev = find_event((uint8_t *)t.data, t.len, 2, 0x2000, 1);
    size = pt_le16((uint8_t *)t.data + ev + 4);
    /* kind 0x0C with a readable size at +0: skipped, noted, not damage */
    ((uint8_t *)t.data)[ev + 2] = 0x0C;
    pt_put_le16((uint8_t *)t.data + ev, size);
    o = read_bytes(t.data, t.len, 0);
    PT_CHECK(o.st == PT_OK);
    PT_CHECK_STR(o.variant, "etl");
    PT_CHECK(o.nwarnings >= 1);
    PT_CHECK(strstr(o.first_warning, "unknown event header kind 0x0c") != NULL);
    PT_CHECK(pt_source_open_memory(t.data, t.len, "u.etl", &src, &err) == PT_OK);
    PT_CHECK(etl_file_open(src, &f, &err) == PT_OK);
    etl_stats_init(&st);
    PT_CHECK(etl_file_walk(f, 1, count_event, &st, &err) == PT_OK);
    PT_CHECK_U64(st.by_kind[ETL_HK_UNKNOWN], 1);
    PT_CHECK_U64(st.events, t.truth.events);
    PT_CHECK(!etl_file_damaged(f));
    etl_file_close(f);
    pt_source_close(src);
    /* the same kind with no size: the rest of the buffer is damage */
    pt_put_le16((uint8_t *)t.data + ev, 2);
    expect_partial(t.data, t.len, "malformed");
    free(t.data);
}

static void test_compressed_inflates_wrong(void)
{
    trace t;
    uint8_t *d;
    size_t b2;
    if (make(1, 1, 3000, 0x2000, &t) != 0) {
        PT_CHECK(0);
        return;
    }
    d = (uint8_t *)t.data;
    /* buffer 1 starts after the header buffer; buffer 2 after it */
    b2 = 0x2000 + pt_le32(d + 0x2000);
    PT_CHECK(pt_le16(d + b2 + 0x34) & 0x40);
    /* claims more uncompressed bytes than the stream makes */
    {
        uint8_t *copy = malloc(t.len);
        memcpy(copy, d, t.len);
        pt_put_le32(copy + b2 + 0x04, pt_le32(copy + b2 + 0x04) + 0x100);
        expect_partial(copy, t.len, "does not inflate");
        /* an absurd SavedOffset */
        pt_put_le32(copy + b2 + 0x04, 0xFFFFFFF0u);
        expect_partial(copy, t.len, "out of range");
        free(copy);
    }
    /* a match reaching before the start: first flag word all matches */
    {
        uint8_t *copy = malloc(t.len);
        memcpy(copy, d, t.len);
        pt_put_le32(copy + b2 + 0x48, 0xFFFFFFFFu);
        pt_put_le16(copy + b2 + 0x4C, 0xFFF8);
        expect_partial(copy, t.len, "does not inflate");
        free(copy);
    }
    /* the header buffer compressed: not a trace we can read */
    {
        uint8_t *copy = malloc(t.len);
        outcome o;
        memcpy(copy, d, t.len);
        pt_put_le16(copy + 0x34, 0x41);
        o = read_bytes(copy, t.len, 1);
        PT_CHECK(o.st == PT_ERR_FORMAT);
        free(copy);
    }
    free(t.data);
}

static void test_wild_timestamps(void)
{
    trace t;
    size_t ev, ev2;
    outcome o;
    if (make(0, 1, 3000, 0x2000, &t) != 0) {
        PT_CHECK(0);
        return;
    }
    ev = find_event((uint8_t *)t.data, t.len, 3, 0x2000, 1);
    ev2 = find_event((uint8_t *)t.data, t.len, 4, 0x2000, 1);
    /* PERFINFO timestamp at +8 */
    pt_put_le64((uint8_t *)t.data + ev + 8, UINT64_MAX);
    pt_put_le64((uint8_t *)t.data + ev2 + 8, 0);
    o = read_bytes(t.data, t.len, 0);
    PT_CHECK(o.st == PT_OK);
    PT_CHECK(o.nsamples >= 1 && o.nsamples <= 129);
    /* the CPU index at its maximum */
    pt_put_le16((uint8_t *)t.data + 3 * 0x2000 + 0x28, 0x07FF);
    o = read_bytes(t.data, t.len, 0);
    PT_CHECK(o.st == PT_OK);
    free(t.data);
}

/* Compressed buffers claiming 16 MiB each on 40 CPUs: the merge would
 * hold 640 MiB, over its limit, which is a clear error. */
static void test_merge_memory_limit(void)
{
    etlgen_config c;
    trace t;
    FILE *f;
    size_t off, n = 0;
    outcome o;
    etlgen_defaults(&c);
    c.cpus = 40;
    c.compress = 1;
    c.steps = 4000;
    c.buffer_size = 0x1000;
    f = open_memstream(&t.data, &t.len);
    if (f == NULL || etlgen_write(&c, f, &t.truth) != 0) {
        PT_CHECK(0);
        if (f != NULL)
            fclose(f);
        return;
    }
    fclose(f);
    for (off = 0; off + 0x48 <= t.len; off += pt_le32((uint8_t *)t.data + off)) {
        if (pt_le16((uint8_t *)t.data + off + 0x34) & 0x40) {
            pt_put_le32((uint8_t *)t.data + off + 0x04, 0x1000000);
            n++;
        }
        if (pt_le32((uint8_t *)t.data + off) == 0)
            break;
    }
    PT_CHECK(n >= 40);
    o = read_bytes(t.data, t.len, 1);
    PT_CHECK(o.st == PT_ERR_LIMIT);
    PT_CHECK(strstr(o.message, "merging 40 CPUs") != NULL);
    free(t.data);
}

/* Random damage: every outcome is OK, partial, or an error; nothing
 * crashes (the sanitizer build checks memory) or hangs. */
static void test_random_damage(void)
{
    int compress, i;
    uint32_t x = 0xC0FFEEu;
    for (compress = 0; compress <= 1; compress++) {
        trace t;
        uint8_t *copy;
        if (make(compress, compress, 600, 0x1000, &t) != 0) {
            PT_CHECK(0);
            return;
        }
        copy = malloc(t.len);
        for (i = 0; i < 300; i++) {
            int k, flips;
            outcome o;
            memcpy(copy, t.data, t.len);
            x = x * 1103515245u + 12345u;
            flips = 1 + (int)((x >> 16) % 16);
            for (k = 0; k < flips; k++) {
                size_t at;
                x = x * 1103515245u + 12345u;
                at = (size_t)(x >> 8) % t.len;
                x = x * 1103515245u + 12345u;
                copy[at] ^= (uint8_t)(1u + (x >> 24) % 255);
            }
            o = read_bytes(copy, t.len - (i % 7 == 0 ? (size_t)(x % 5000) : 0), 1);
            PT_CHECK(o.st == PT_OK || o.st == PT_ERR_FORMAT || o.st == PT_ERR_CORRUPT ||
                     o.st == PT_ERR_LIMIT || o.st == PT_ERR_TRUNCATED);
        }
        free(copy);
        free(t.data);
    }
}

PT_TEST_MAIN(PT_TEST(test_not_etl), PT_TEST(test_cut_mid_buffer),
             PT_TEST(test_buffer_size_out_of_range), PT_TEST(test_event_crossing_buffer_end),
             PT_TEST(test_unknown_header_kind), PT_TEST(test_compressed_inflates_wrong),
             PT_TEST(test_wild_timestamps), PT_TEST(test_merge_memory_limit),
             PT_TEST(test_random_damage))
