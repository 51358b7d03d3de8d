/* test_etl_gen.c - generated pool traces (tests/gen/etlgen.c) read back
 * with their ground truth checked exactly: x64 and x86, 1 to 7 CPUs,
 * compressed or not, stack walks or stack keys, SYSTEM or PERFINFO pool
 * headers, the Server 2003 opcodes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl_analysis.h"
#include "etl_decompress.h"
#include "etl_file.h"
#include "etl_kernel.h"
#include "etl_leaks.h"
#include "etl_reader.h"
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

static int make_trace(const etlgen_config *c, trace *t)
{
    FILE *f = open_memstream(&t->data, &t->len);
    if (f == NULL)
        return -1;
    if (etlgen_write(c, f, &t->truth) != 0) {
        fclose(f);
        free(t->data);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

typedef struct variant {
    const char *name;
    int ptr64, cpus, compress, stack_mode, perfinfo, server2003;
    uint64_t steps;
} variant;

static const variant variants[] = {
    {"x64 4cpu walks perf", 1, 4, 0, 1, 1, 0, 20000},
    {"x64 4cpu walks perf xpress", 1, 4, 1, 1, 1, 0, 20000},
    {"x64 7cpu keys system", 1, 7, 0, 2, 0, 0, 30000},
    {"x64 2cpu keys xpress", 1, 2, 1, 2, 1, 0, 15000},
    {"x86 3cpu walks system", 0, 3, 0, 1, 0, 0, 20000},
    {"x86 4cpu keys xpress", 0, 4, 1, 2, 1, 0, 20000},
    {"x86 1cpu no stacks", 0, 1, 0, 0, 1, 0, 5000},
    {"x64 server2003 walks", 1, 2, 0, 1, 0, 1, 8000},
    {"x64 3cpu walks compact", 1, 3, 0, 1, 2, 0, 12000},
    {"x86 2cpu keys compact xpress", 0, 2, 1, 2, 2, 0, 12000},
};

typedef struct feed_ctx {
    etl_analysis *a;
    pt_error *err;
} feed_ctx;

static pt_status feed(void *ctx, const etl_event *ev)
{
    feed_ctx *fc = ctx;
    return etl_analysis_event(fc->a, ev, fc->err);
}

static void config_of(const variant *v, etlgen_config *c)
{
    etlgen_defaults(c);
    c->ptr64 = v->ptr64;
    c->cpus = (unsigned)v->cpus;
    c->compress = v->compress;
    c->stack_mode = v->stack_mode;
    c->perfinfo = v->perfinfo;
    c->server2003 = v->server2003;
    c->steps = v->steps;
}

static void check_variant(const variant *v)
{
    etlgen_config c;
    trace t;
    pt_source *src;
    pt_error err;
    etl_file *f;
    etl_analysis *a;
    const etl_stats *s;
    const etl_pool_totals *tot;
    capture cap;
    pt_sink sink;
    pt_read_options opt;
    const cap_sample *last;
    uint64_t val;
    int i, failures = pt_test_failures;

    config_of(v, &c);
    if (make_trace(&c, &t) != 0) {
        PT_CHECK(0);
        return;
    }
    if (pt_source_open_memory(t.data, t.len, v->name, &src, &err) != PT_OK) {
        PT_CHECK(0);
        free(t.data);
        return;
    }
    /* the container and the counts */
    PT_CHECK(etl_file_open(src, &f, &err) == PT_OK);
    PT_CHECK_U64(etl_file_buffer_count(f), t.truth.buffers);
    PT_CHECK_U64(etl_file_logfile(f)->buffers_written, t.truth.buffers);
    PT_CHECK_U64(etl_file_compressed_count(f), t.truth.compressed_buffers);
    PT_CHECK_U64(etl_file_logfile(f)->ptr64, v->ptr64);
    PT_CHECK_U64(etl_file_logfile(f)->start_time, t.truth.start_filetime);
    PT_CHECK(etl_analysis_create(f, v->server2003, &a, &err) == PT_OK);
    {
        feed_ctx fc;
        fc.a = a;
        fc.err = &err;
        PT_CHECK(etl_file_walk(f, 1, feed, &fc, &err) == PT_OK);
    }
    s = etl_analysis_stats(a);
    tot = etl_analysis_totals(a);
    PT_CHECK_U64(s->events, t.truth.events);
    PT_CHECK_U64(s->inversions, 0);
    PT_CHECK_U64(s->first_ts, t.truth.first_ts);
    PT_CHECK_U64(s->last_ts, t.truth.last_ts);
    PT_CHECK_U64(s->pool_alloc, t.truth.pool_allocs);
    PT_CHECK_U64(s->pool_free, t.truth.pool_frees);
    PT_CHECK_U64(s->pool_alloc_session, t.truth.session_allocs);
    PT_CHECK_U64(s->pool_free_session, t.truth.session_frees);
    PT_CHECK_U64(s->stack_walk, t.truth.stack_walks);
    PT_CHECK_U64(s->stack_key_kernel, t.truth.key_refs);
    PT_CHECK_U64(s->image_dcstart + s->image_dcend, t.truth.images);
    if (v->perfinfo == 2) /* every pool event has a compact header */
        PT_CHECK_U64(s->by_kind[v->ptr64 ? ETL_HK_COMPACT64 : ETL_HK_COMPACT32],
                     t.truth.pool_allocs + t.truth.pool_frees + t.truth.session_allocs +
                         t.truth.session_frees);
    PT_CHECK_U64(tot->allocs, t.truth.pool_allocs + t.truth.session_allocs);
    PT_CHECK_U64(tot->frees, t.truth.pool_frees + t.truth.session_frees);
    PT_CHECK_U64(tot->aifi, t.truth.aifi);
    PT_CHECK_U64(tot->aifi_bytes, t.truth.aifi_bytes);
    PT_CHECK_U64(tot->aofi, t.truth.aofi);
    PT_CHECK_U64(tot->lost_frees, 0);
    PT_CHECK_U64(tot->bigpool_allocs, t.truth.bigpool_allocs);
    PT_CHECK_U64(tot->stacks_joined, t.truth.stack_walks + t.truth.key_refs);
    PT_CHECK_U64(tot->stacks_unjoined, 0);
    PT_CHECK_U64(tot->kernel_images, t.truth.kernel_images);
    PT_CHECK_U64(tot->malformed, 0);
    PT_CHECK(!etl_file_damaged(f));
    etl_analysis_free(a);
    etl_file_close(f);

    /* the reader's samples */
    capture_init(&cap, &sink);
    memset(&opt, 0, sizeof opt);
    opt.display_name = "trace.etl";
    PT_CHECK(pt_reader_etl.read(src, &opt, &sink, &err) == PT_OK);
    PT_CHECK_U64(cap.order_errors, 0);
    PT_CHECK_U64(cap.nwarnings, 0);
    /* ~100 samples: between half and all of ETL_SAMPLES_MAX, plus the end */
    PT_CHECK(cap.nsamples >= (int)ETL_SAMPLES_MAX / 2 && cap.nsamples <= (int)ETL_SAMPLES_MAX + 1);
    last = capture_last(&cap);
    if (last != NULL) {
        const cap_row *leak = sample_row(last, "Leak", PT_POOL_NONPAGED);
        const char *balanced[4] = {"Bal1", "Bal2", "Big ", "Sess"};
        const pt_pool bpool[4] = {PT_POOL_NONPAGED, PT_POOL_PAGED, PT_POOL_NONPAGED,
                                  PT_POOL_SESSION_PAGED};
        PT_CHECK_STR(last->variant, "etl");
        PT_CHECK(leak != NULL);
        if (leak != NULL) {
            PT_CHECK_U64(leak->allocs, t.truth.leak_allocs);
            PT_CHECK_U64(leak->frees, 0);
            PT_CHECK_U64(leak->outstanding, t.truth.leak_allocs);
            PT_CHECK_U64(leak->bytes, t.truth.leak_bytes);
            PT_CHECK_U64(leak->has, PT_HAS_ALLOCS | PT_HAS_FREES | PT_HAS_OUTSTANDING |
                                        PT_HAS_BYTES);
        }
        for (i = 0; i < 4; i++) {
            const cap_row *r = sample_row(last, balanced[i], bpool[i]);
            if (v->server2003 && i == 3) {
                PT_CHECK(r == NULL);
                continue;
            }
            PT_CHECK(r != NULL);
            if (r != NULL) {
                PT_CHECK_U64(r->outstanding, 0);
                PT_CHECK_U64(r->bytes, 0);
                PT_CHECK_U64(r->allocs, r->frees);
                PT_CHECK(r->allocs > 0);
            }
        }
        PT_CHECK(sample_counter(last, "AIFO allocations", &val) && val == t.truth.leak_allocs);
        PT_CHECK(sample_counter(last, "AIFO bytes", &val) && val == t.truth.leak_bytes);
        PT_CHECK(sample_counter(last, "AIFI allocations", &val) && val == t.truth.aifi);
        PT_CHECK(sample_counter(last, "AIFI bytes", &val) && val == t.truth.aifi_bytes);
        PT_CHECK(sample_counter(last, "AOFI allocations", &val) && val == t.truth.aofi);
        PT_CHECK(sample_counter(last, "AOFO allocations", &val) && val == 0);
        PT_CHECK(sample_counter(last, "big-pool allocations", &val) &&
                 val == t.truth.bigpool_allocs);
        PT_CHECK(sample_counter(last, "lost frees", &val) && val == 0);
        PT_CHECK_U64(last->time,
                     t.truth.start_filetime + (t.truth.last_ts - t.truth.first_ts));
    }
    /* the series: time rises, Leak never falls, and grows at the known
     * rate (leak_size per leak_every steps, within 2%) */
    {
        uint64_t prev_time = 0, prev_out = 0, first_time = 0, first_bytes = 0;
        uint64_t last_time = 0, last_bytes = 0;
        int ordered = 1, monotone = 1;
        for (i = 0; i < cap.nsamples; i++) {
            const cap_row *r = sample_row(&cap.samples[i], "Leak", PT_POOL_NONPAGED);
            uint64_t out = r ? r->outstanding : 0;
            if (cap.samples[i].time <= prev_time)
                ordered = 0;
            if (out < prev_out)
                monotone = 0;
            if (i == 1) {
                first_time = cap.samples[i].time;
                first_bytes = r ? r->bytes : 0;
            }
            last_time = cap.samples[i].time;
            last_bytes = r ? r->bytes : 0;
            prev_time = cap.samples[i].time;
            prev_out = out;
        }
        PT_CHECK(ordered);
        PT_CHECK(monotone);
        if (last_time > first_time && t.truth.leak_allocs > 10) {
            /* measured bytes per tick vs the generator's leak rate */
            double rate = (double)(last_bytes - first_bytes) / (double)(last_time - first_time);
            double ticks_per_step = (double)(t.truth.last_ts - t.truth.first_ts) /
                                    (double)c.steps;
            double expect = (double)c.leak_size / ((double)c.leak_every * ticks_per_step);
            PT_CHECK(rate > expect * 0.97 && rate < expect * 1.03);
        }
    }
    /* each series sample holds exactly the Leak allocations made before
     * its time (they are never freed; their times come with them) */
    {
        size_t k, exact = 1;
        for (i = 0; i + 1 < cap.nsamples; i++) {
            const cap_row *r = sample_row(&cap.samples[i], "Leak", PT_POOL_NONPAGED);
            uint64_t before = 0;
            for (k = 0; k < cap.leaks.nallocs; k++)
                before += cap.leaks.allocs[k].time < cap.samples[i].time;
            if ((r ? r->outstanding : 0) != before || (r ? r->bytes : 0) != before * c.leak_size)
                exact = 0;
        }
        PT_CHECK(exact);
    }
    /* outstanding allocations, stacks, images, and the leak grouping */
    PT_CHECK_U64(cap.leaks.nallocs, t.truth.leak_allocs);
    PT_CHECK_U64(cap.leaks.nmods, t.truth.kernel_images);
    {
        size_t k, with_stack = 0;
        etl_leak_group *g = NULL;
        size_t ng = 0;
        for (k = 0; k < cap.leaks.nallocs; k++) {
            PT_CHECK(cap.leaks.allocs[k].tag == pt_tag_from_bytes((const uint8_t *)"Leak"));
            with_stack += cap.leaks.allocs[k].stack_id != 0;
            if (k > 0)
                PT_CHECK(cap.leaks.allocs[k].time >= cap.leaks.allocs[k - 1].time);
        }
        PT_CHECK_U64(with_stack, v->stack_mode ? t.truth.leak_allocs : 0);
        PT_CHECK(etl_leaks_group(cap.leaks.allocs, cap.leaks.nallocs, cap.leaks.stacks,
                                 cap.leaks.nstacks, cap.leaks.mods, cap.leaks.nmods, &g, &ng,
                                 &err) == PT_OK);
        PT_CHECK_U64(ng, 1);
        if (ng >= 1) {
            PT_CHECK(g[0].tag == pt_tag_from_bytes((const uint8_t *)"Leak"));
            PT_CHECK_U64(g[0].count, t.truth.leak_allocs);
            PT_CHECK_U64(g[0].bytes, t.truth.leak_bytes);
            if (v->stack_mode) {
                char line[256], want[256];
                PT_CHECK_STR(etl_leaks_basename(g[0].module), "myfault.sys");
                PT_CHECK_U64(g[0].offset, t.truth.leak_offset);
                snprintf(want, sizeof want,
                         "tag 'Leak' (nonpaged): %llu outstanding allocations, %llu bytes, "
                         "allocated from myfault.sys+0x13f6",
                         (unsigned long long)t.truth.leak_allocs,
                         (unsigned long long)t.truth.leak_bytes);
                PT_CHECK_STR(etl_leaks_format(&g[0], line, sizeof line), want);
                PT_CHECK(g[0].stack_id != 0);
            } else {
                PT_CHECK_STR(g[0].module, "no stack");
            }
        }
        free(g);
        /* every frame of a leak stack maps to an image and an offset */
        if (v->stack_mode && cap.leaks.nstacks > 0) {
            const pt_stack *st = NULL;
            const char *mod;
            uint64_t off;
            for (k = 0; k < cap.leaks.nstacks; k++)
                if (cap.leaks.stacks[k].stack_id == cap.leaks.allocs[0].stack_id)
                    st = &cap.leaks.stacks[k];
            PT_CHECK(st != NULL && st->depth == 4);
            if (st != NULL && st->depth == 4) {
                PT_CHECK(etl_leaks_frame(cap.leaks.mods, cap.leaks.nmods, st->frames[0], &mod,
                                         &off) == 0);
                PT_CHECK(etl_leaks_is_kernel_image(mod));
                PT_CHECK_U64(off, 0x3000);
                PT_CHECK(etl_leaks_frame(cap.leaks.mods, cap.leaks.nmods, st->frames[2], &mod,
                                         &off) == 0);
                PT_CHECK_STR(etl_leaks_basename(mod), "myfault.sys");
                PT_CHECK_U64(off, 0x13F6);
            }
            if (st != NULL && ng >= 1) {
                char text[256];
                PT_CHECK_STR(etl_leaks_stack_text(st, cap.leaks.mods, cap.leaks.nmods, text,
                                                  sizeof text),
                             "ntoskrnl.exe+0x3000 < ntoskrnl.exe+0x3180 < myfault.sys+0x13f6 < "
                             "ntoskrnl.exe+0x9000");
                PT_CHECK_STR(etl_leaks_stack_text(st, cap.leaks.mods, cap.leaks.nmods, text, 10),
                             "ntoskrnl.");
            }
            PT_CHECK(etl_leaks_frame(cap.leaks.mods, cap.leaks.nmods, 0x1000, &mod, &off) < 0);
            PT_CHECK(mod == NULL && off == 0x1000);
        }
        for (k = 0; k < cap.leaks.nmods; k++) {
            if (strstr(cap.leaks.mods[k].name, "myfault.sys") != NULL) {
                PT_CHECK_U64(cap.leaks.mods[k].size, 0x8000);
                PT_CHECK_U64(cap.leaks.mods[k].checksum, 0x1002);
                PT_CHECK_U64(cap.leaks.mods[k].timestamp, 0x5F000002);
                PT_CHECK_U64(cap.leaks.mods[k].base,
                             v->ptr64 ? 0xFFFFF80250000000ull : 0x8B000000ull);
            }
            PT_CHECK(strstr(cap.leaks.mods[k].name, "notepad") == NULL);
        }
    }
    capture_free(&cap);
    pt_source_close(src);
    free(t.data);
    if (pt_test_failures != failures)
        fprintf(stderr, "  (variant %s)\n", v->name);
}

static void test_variants(void)
{
    size_t i;
    for (i = 0; i < sizeof variants / sizeof variants[0]; i++)
        check_variant(&variants[i]);
}

/* The describe facts of a generated trace. */
typedef struct facts {
    char names[96][48];
    char values[96][200];
    int n;
} facts;

static pt_status add_fact(void *ctx, const char *name, const char *value)
{
    facts *f = ctx;
    if (f->n < 96) {
        snprintf(f->names[f->n], 48, "%s", name);
        snprintf(f->values[f->n], 200, "%s", value);
        f->n++;
    }
    return PT_OK;
}

static const char *fact(const facts *f, const char *name)
{
    int i;
    for (i = 0; i < f->n; i++)
        if (strcmp(f->names[i], name) == 0)
            return f->values[i];
    return NULL;
}

static void test_describe(void)
{
    etlgen_config c;
    trace t;
    pt_source *src;
    pt_error err;
    facts *f = calloc(1, sizeof *f);
    char buf[64];
    etlgen_defaults(&c);
    c.ptr64 = 0;
    c.compress = 1;
    c.stack_mode = 2;
    if (f == NULL || make_trace(&c, &t) != 0 ||
        pt_source_open_memory(t.data, t.len, "g.etl", &src, &err) != PT_OK) {
        PT_CHECK(0);
        free(f);
        return;
    }
    PT_CHECK(pt_reader_etl.probe((const uint8_t *)t.data, t.len) > 50);
    PT_CHECK(pt_reader_etl.describe(src, NULL, add_fact, f, &err) == PT_OK);
    PT_CHECK_STR(fact(f, "pointer size"), "4");
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)t.truth.buffers);
    PT_CHECK_STR(fact(f, "buffers"), buf);
    PT_CHECK_STR(fact(f, "compressed"), "yes");
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)t.truth.events);
    PT_CHECK_STR(fact(f, "events"), buf);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)t.truth.pool_allocs);
    PT_CHECK_STR(fact(f, "pool alloc"), buf);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)t.truth.session_frees);
    PT_CHECK_STR(fact(f, "pool session free"), buf);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)t.truth.key_refs);
    PT_CHECK_STR(fact(f, "stack key kernel"), buf);
    PT_CHECK_STR(fact(f, "start time"), "2024-01-01T00:00:00.0000000Z");
    PT_CHECK_STR(fact(f, "buffers lost"), "0");
    pt_source_close(src);
    free(t.data);
    free(f);
}

/* The decompressors against the generator's compressor and hand-made
 * LZNT1 chunks. */
static void test_decompressors(void)
{
    static uint8_t in[200000], z[240000], out[200000];
    size_t sizes[] = {0, 1, 3, 31, 32, 33, 300, 5000, 70000, 200000};
    size_t i, k;
    uint32_t x = 12345;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int pattern;
        for (pattern = 0; pattern < 3; pattern++) {
            size_t zl;
            long n;
            for (k = 0; k < sizes[i]; k++) {
                x = x * 1103515245u + 12345u;
                in[k] = pattern == 0 ? (uint8_t)(x >> 24)            /* random */
                        : pattern == 1 ? (uint8_t)'A'                 /* one long run */
                                       : (uint8_t)((k % 37) ^ (k / 999)); /* repeats */
            }
            zl = etlgen_xpress_compress(in, sizes[i], z, sizeof z);
            PT_CHECK(zl > 0);
            n = etl_xpress_decompress(z, zl, out, sizes[i]);
            PT_CHECK_U64(n, sizes[i]);
            PT_CHECK(memcmp(in, out, sizes[i]) == 0);
            if (sizes[i] > 0) /* one byte short of room: an error, not an overrun */
                PT_CHECK(etl_xpress_decompress(z, zl, out, sizes[i] - 1) < 0 ||
                         pattern == 0);
        }
    }
    {
        /* "abcabcabc": literals a b c, then a copy of 6 from offset 3;
         * a stored chunk "xyz"; the end marker */
        static const uint8_t lz[] = {0x05, 0xB0, 0x08, 'a', 'b', 'c', 0x03, 0x20,
                                     0x02, 0x30, 'x', 'y', 'z', 0x00, 0x00};
        long n = etl_lznt1_decompress(lz, sizeof lz, out, sizeof out);
        PT_CHECK_U64(n, 12);
        PT_CHECK(n == 12 && memcmp(out, "abcabcabcxyz", 12) == 0);
        /* a copy before the start of the chunk is refused */
        {
            static const uint8_t bad[] = {0x03, 0xB0, 0x01, 0x03, 0x20, 0x00};
            PT_CHECK(etl_lznt1_decompress(bad, sizeof bad, out, sizeof out) < 0);
        }
        /* an XPRESS match before the output start is refused */
        {
            static const uint8_t bad[] = {0x00, 0x00, 0x00, 0x80, 0x08, 0x00};
            PT_CHECK(etl_xpress_decompress(bad, sizeof bad, out, sizeof out) < 0);
        }
    }
}

/* Header kinds the real samples lack: sizes and payloads from hand-made
 * headers (section 2 of the brief). */
static void test_event_headers(void)
{
    uint8_t e[0x100];
    etl_event ev;

    /* compact 64-bit: 0x18-byte header */
    memset(e, 0, sizeof e);
    e[2] = 0x04; e[3] = 0xC0;
    pt_put_le16(e + 4, 0x18 + 24);
    pt_put_le16(e + 6, 0x0E20);
    pt_put_le32(e + 8, 77);
    pt_put_le64(e + 0x10, 123456789);
    PT_CHECK(etl_event_parse(e, sizeof e, &ev) == 0);
    PT_CHECK(ev.kind == ETL_HK_COMPACT64 && ev.kernel && ev.ptr64 && ev.has_thread);
    PT_CHECK_U64(ev.hook, 0x0E20);
    PT_CHECK_U64(ev.tid, 77);
    PT_CHECK_U64(ev.ts, 123456789);
    PT_CHECK_U64(ev.payload_len, 24);
    PT_CHECK(ev.payload == e + 0x18);

    /* PERFINFO 32-bit with a PEBS value and two PMC counters: 0x10 + 8 + 16 */
    memset(e, 0, sizeof e);
    pt_put_le16(e, 0x8000 | 0x0200 | 2);
    e[2] = 0x10; e[3] = 0xC0;
    pt_put_le16(e + 4, 0x28 + 16);
    pt_put_le16(e + 6, 0x0E22);
    pt_put_le64(e + 8, 42);
    PT_CHECK(etl_event_parse(e, sizeof e, &ev) == 0);
    PT_CHECK(ev.kind == ETL_HK_PERF32 && !ev.ptr64 && !ev.has_thread);
    PT_CHECK_U64(ev.version, 2);
    PT_CHECK_U64(ev.payload_len, 16);
    PT_CHECK(ev.payload == e + 0x28);
    PT_CHECK_U64(ev.ts, 42);

    /* instance 64-bit: 0x48-byte header, size at +0 */
    memset(e, 0, sizeof e);
    pt_put_le16(e, 0x48 + 8);
    e[2] = 0x15; e[3] = 0xC0;
    pt_put_le64(e + 0x10, 99);
    PT_CHECK(etl_event_parse(e, sizeof e, &ev) == 0);
    PT_CHECK(ev.kind == ETL_HK_INSTANCE64 && ev.ptr64 && !ev.kernel);
    PT_CHECK_U64(ev.payload_len, 8);
    PT_CHECK_U64(ev.ts, 99);
    e[2] = 0x0B;
    PT_CHECK(etl_event_parse(e, sizeof e, &ev) == 0 && ev.kind == ETL_HK_INSTANCE32);

    /* EVENT_HEADER 32-bit with two extended items (0x18 and 0x10 bytes) */
    memset(e, 0, sizeof e);
    pt_put_le16(e, 0x50 + 0x18 + 0x10 + 4);
    e[2] = 0x12; e[3] = 0xC0;
    pt_put_le16(e + 4, 0x0001 | 0x0020);
    pt_put_le16(e + 0x50, 0x18);
    pt_put_le16(e + 0x50 + 2, 5);
    pt_put_le16(e + 0x50 + 4, 1);          /* another item follows */
    pt_put_le16(e + 0x50 + 6, 0x10);
    pt_put_le16(e + 0x68, 0x10);
    pt_put_le16(e + 0x68 + 2, 1);
    pt_put_le16(e + 0x68 + 6, 0x08);
    PT_CHECK(etl_event_parse(e, sizeof e, &ev) == 0);
    PT_CHECK(ev.kind == ETL_HK_EVH32 && !ev.ptr64);
    PT_CHECK_U64(ev.payload_len, 4);
    PT_CHECK(ev.payload == e + 0x78);
    /* an item running past the event is malformed */
    pt_put_le16(e + 0x68, 0x40);
    PT_CHECK(etl_event_parse(e, sizeof e, &ev) < 0);

    /* WPP message header: flags 0x80 without 0x40, size at +0 */
    memset(e, 0, sizeof e);
    pt_put_le16(e, 0x20);
    e[3] = 0x80;
    PT_CHECK(etl_event_parse(e, sizeof e, &ev) == 0 && ev.kind == ETL_HK_WPP);
    PT_CHECK_U64(ev.size, 0x20);

    /* sizes smaller than the header or past the buffer */
    memset(e, 0, sizeof e);
    e[2] = 0x02; e[3] = 0xC0;
    pt_put_le16(e + 4, 0x10);
    PT_CHECK(etl_event_parse(e, sizeof e, &ev) < 0);
    pt_put_le16(e + 4, 0x200);
    PT_CHECK(etl_event_parse(e, sizeof e, &ev) < 0);
    PT_CHECK(etl_event_parse(e, 4, &ev) < 0);
}

/* LZNT1-compressed buffers (stored chunks) read like XPRESS ones: the
 * reader falls back when XPRESS does not give the exact length. */
static void test_lznt1_buffers(void)
{
    etlgen_config c;
    trace t;
    uint8_t *out;
    size_t in_off = 0, out_len = 0, nbuf = 0;
    pt_source *src;
    pt_error err;
    capture a, b;
    pt_sink sa, sb;
    etlgen_defaults(&c);
    c.buffer_size = 0x2000;
    c.steps = 3000;
    if (make_trace(&c, &t) != 0) {
        PT_CHECK(0);
        return;
    }
    out = malloc(t.len * 2);
    while (in_off + 0x48 <= t.len) {
        const uint8_t *bf = (const uint8_t *)t.data + in_off;
        uint32_t size = pt_le32(bf), filled = pt_le32(bf + 0x30);
        uint8_t *ob = out + out_len;
        if (nbuf++ == 0) {
            memcpy(ob, bf, size);
            out_len += size;
        } else {
            uint32_t at = 0x48, pos = 0x48;
            memcpy(ob, bf, 0x48);
            while (pos < filled) {
                uint32_t n = filled - pos < 4096 ? filled - pos : 4096;
                pt_put_le16(ob + at, (uint16_t)(0x3000 | (n - 1)));
                memcpy(ob + at + 2, bf + pos, n);
                at += 2 + n;
                pos += n;
            }
            pt_put_le32(ob, at);
            pt_put_le32(ob + 0x04, filled);
            pt_put_le16(ob + 0x34, (uint16_t)(pt_le16(ob + 0x34) | 0x40));
            out_len += at;
        }
        in_off += size;
    }
    capture_init(&a, &sa);
    capture_init(&b, &sb);
    PT_CHECK(pt_source_open_memory(t.data, t.len, "plain.etl", &src, &err) == PT_OK);
    PT_CHECK(pt_reader_etl.read(src, NULL, &sa, &err) == PT_OK);
    pt_source_close(src);
    PT_CHECK(pt_source_open_memory(out, out_len, "lznt1.etl", &src, &err) == PT_OK);
    PT_CHECK(pt_reader_etl.read(src, NULL, &sb, &err) == PT_OK);
    pt_source_close(src);
    PT_CHECK_U64(b.nwarnings, 0);
    PT_CHECK_U64(a.nsamples, b.nsamples);
    PT_CHECK_U64(b.leaks.nallocs, t.truth.leak_allocs);
    if (a.nsamples == b.nsamples && a.nsamples > 0)
        PT_CHECK(memcmp(capture_last(&a), capture_last(&b), sizeof(cap_sample)) == 0);
    capture_free(&a);
    capture_free(&b);
    free(out);
    free(t.data);
}

/* The WPA classes for a window in the middle of the trace, against a
 * pairing done here independently (sort by address, session, time). */
typedef struct pool_rec {
    uint64_t addr, ts, size;
    uint32_t session;
    int alloc;
} pool_rec;

typedef struct rec_list {
    pool_rec *r;
    size_t n, cap;
} rec_list;

static pt_status collect_pool(void *ctx, const etl_event *ev)
{
    rec_list *l = ctx;
    etl_pool_event pe;
    if (!ev->kernel || (ev->hook >> 8) != ETL_GROUP_POOL || etl_decode_pool(ev, 0, &pe) != 0)
        return PT_OK;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->r = realloc(l->r, l->cap * sizeof *l->r);
        if (l->r == NULL)
            return PT_ERR_NOMEM;
    }
    l->r[l->n].addr = pe.entry;
    l->r[l->n].ts = ev->ts;
    l->r[l->n].size = pe.size;
    l->r[l->n].session = pe.session_id;
    l->r[l->n].alloc = pe.op == ETL_POOL_ALLOC;
    l->n++;
    return PT_OK;
}

static int by_addr_time(const void *x, const void *y)
{
    const pool_rec *a = x, *b = y;
    if (a->addr != b->addr)
        return a->addr < b->addr ? -1 : 1;
    if (a->session != b->session)
        return a->session < b->session ? -1 : 1;
    return a->ts < b->ts ? -1 : a->ts > b->ts;
}

typedef struct classes {
    uint64_t n[4], bytes[4]; /* AIFI, AIFO, AOFI, AOFO */
} classes;

static void class_of(classes *c, uint64_t t0, uint64_t t1, int aseen, uint64_t a, int fseen,
                     uint64_t f, uint64_t bytes)
{
    int ain = aseen && a >= t0 && a <= t1, abefore = !aseen || a < t0;
    int fin = fseen && f >= t0 && f <= t1, fafter = !fseen || f > t1;
    int k = ain && fin ? 0 : ain && fafter ? 1 : abefore && fin ? 2 : abefore && fafter ? 3 : -1;
    if (k >= 0) {
        c->n[k]++;
        c->bytes[k] += bytes;
    }
}

static void test_window_classes(void)
{
    etlgen_config c;
    trace t;
    pt_source *src;
    pt_error err;
    etl_file *f;
    etl_analysis *a;
    rec_list l = {NULL, 0, 0};
    classes want;
    size_t i;
    uint64_t t0, t1, span;
    pt_sink none;
    feed_ctx fc;
    const etl_pool_totals *tot;

    etlgen_defaults(&c);
    c.steps = 20000;
    c.window = 300;
    if (make_trace(&c, &t) != 0 ||
        pt_source_open_memory(t.data, t.len, "w.etl", &src, &err) != PT_OK) {
        PT_CHECK(0);
        return;
    }
    span = t.truth.last_ts - t.truth.first_ts;
    t0 = t.truth.first_ts + span / 3;
    t1 = t.truth.first_ts + 2 * span / 3;
    PT_CHECK(etl_file_open(src, &f, &err) == PT_OK);
    PT_CHECK(etl_file_walk(f, 1, collect_pool, &l, &err) == PT_OK);
    qsort(l.r, l.n, sizeof *l.r, by_addr_time);
    memset(&want, 0, sizeof want);
    for (i = 0; i < l.n;) {
        size_t j = i;
        int pending = 0;
        uint64_t pts = 0, psize = 0;
        for (; j < l.n && l.r[j].addr == l.r[i].addr && l.r[j].session == l.r[i].session; j++) {
            if (l.r[j].alloc) {
                if (pending)
                    class_of(&want, t0, t1, 1, pts, 1, l.r[j].ts, psize);
                pending = 1;
                pts = l.r[j].ts;
                psize = l.r[j].size;
            } else if (pending) {
                class_of(&want, t0, t1, 1, pts, 1, l.r[j].ts, psize);
                pending = 0;
            } else {
                class_of(&want, t0, t1, 0, 0, 1, l.r[j].ts, l.r[j].size);
            }
        }
        if (pending)
            class_of(&want, t0, t1, 1, pts, 0, 0, psize);
        i = j;
    }
    /* every class occurs in this window */
    PT_CHECK(want.n[0] > 0 && want.n[1] > 0 && want.n[2] > 0 && want.n[3] > 0);
    PT_CHECK(etl_analysis_create(f, -1, &a, &err) == PT_OK);
    etl_analysis_set_window(a, t0, t1);
    fc.a = a;
    fc.err = &err;
    PT_CHECK(etl_file_walk(f, 1, feed, &fc, &err) == PT_OK);
    memset(&none, 0, sizeof none);
    PT_CHECK(etl_analysis_emit(a, &none, "w.etl", "etl", &err) == PT_OK);
    tot = etl_analysis_totals(a);
    PT_CHECK_U64(tot->aifi, want.n[0]);
    PT_CHECK_U64(tot->aifi_bytes, want.bytes[0]);
    PT_CHECK_U64(tot->aifo, want.n[1]);
    PT_CHECK_U64(tot->aifo_bytes, want.bytes[1]);
    PT_CHECK_U64(tot->aofi, want.n[2]);
    PT_CHECK_U64(tot->aofi_bytes, want.bytes[2]);
    PT_CHECK_U64(tot->aofo, want.n[3]);
    PT_CHECK_U64(tot->aofo_bytes, want.bytes[3]);
    etl_analysis_free(a);
    etl_file_close(f);
    pt_source_close(src);
    free(l.r);
    free(t.data);
}

PT_TEST_MAIN(PT_TEST(test_window_classes), PT_TEST(test_variants), PT_TEST(test_describe), PT_TEST(test_decompressors),
             PT_TEST(test_event_headers), PT_TEST(test_lznt1_buffers))
