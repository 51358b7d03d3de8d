/* test_etl_real.c - the three real traces read with the values in
 * shared/data/real/etl/README.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl_file.h"
#include "etl_kernel.h"
#include "etl_reader.h"
#include "etl_stats.h"
#include "pt_sha256.h"
#include "pt_source.h"
#include "pt_test.h"
#include "etl_test_util.h"

/* End of buffer 0 in the file, for counting the header buffer's events. */
static uint64_t buffer0_end;

typedef struct walk_counts {
    etl_stats stats;
    uint64_t *by_hook;              /* 65536 kernel hooks */
    uint64_t image_sys64, image_perf64;
    uint64_t image_pid0_sys64;
    int npid0;
    etl_image pid0[3];              /* first three ProcessId-0 images */
    uint64_t pid0_ts[3];
    uint64_t buffer0_events;
    char evh_guid[40];
} walk_counts;

static pt_status count_event(void *ctx, const etl_event *ev)
{
    walk_counts *w = ctx;
    etl_stats_add(&w->stats, ev, 0);
    if (ev->offset < buffer0_end)
        w->buffer0_events++;
    if (ev->kind == ETL_HK_EVH64 && w->evh_guid[0] == '\0') {
        const uint8_t *g = ev->raw + 0x18;
        snprintf(w->evh_guid, sizeof w->evh_guid,
                 "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", pt_le32(g), pt_le16(g + 4),
                 pt_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
    }
    if (!ev->kernel)
        return PT_OK;
    w->by_hook[ev->hook]++;
    if ((ev->hook >> 8) == ETL_GROUP_IMAGE &&
        (ev->hook == 0x140A || ev->hook == 0x1402 || ev->hook == 0x1403 || ev->hook == 0x1404)) {
        etl_image img;
        if (ev->kind == ETL_HK_SYS64)
            w->image_sys64++;
        if (ev->kind == ETL_HK_PERF64)
            w->image_perf64++;
        if (etl_decode_image(ev, &img) == 0 && img.pid == 0) {
            if (ev->kind == ETL_HK_SYS64)
                w->image_pid0_sys64++;
            if (w->npid0 < 3) {
                w->pid0_ts[w->npid0] = ev->ts;
                w->pid0[w->npid0++] = img;
            }
        }
    }
    return PT_OK;
}


typedef struct opened {
    pt_source *src;
    etl_file *f;
} opened;

static int open_trace(const char *path, const void *mem, size_t len, opened *o)
{
    pt_error err;
    o->src = NULL;
    o->f = NULL;
    if (mem != NULL) {
        if (pt_source_open_memory(mem, len, path, &o->src, &err) != PT_OK)
            return -1;
    } else if (pt_source_open_file(path, &o->src, &err) != PT_OK) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    if (etl_file_open(o->src, &o->f, &err) != PT_OK) {
        fprintf(stderr, "%s\n", err.message);
        pt_source_close(o->src);
        return -1;
    }
    return 0;
}

static void close_trace(opened *o)
{
    etl_file_close(o->f);
    pt_source_close(o->src);
}

static void walk(opened *o, int merged, walk_counts *w)
{
    pt_error err;
    memset(w, 0, sizeof *w);
    etl_stats_init(&w->stats);
    w->by_hook = calloc(65536, sizeof *w->by_hook);
    buffer0_end = etl_file_buffer(o->f, 0)->size;
    PT_CHECK(etl_file_walk(o->f, merged, count_event, w, &err) == PT_OK);
}

static char *utc(uint64_t ft, char buf[32])
{
    return pt_filetime_format(ft, buf);
}

/* ---- ShutdownPerfDiagLogger.etl ---- */

static void test_shutdown_container(void)
{
    opened o;
    const etl_logfile *lf;
    size_t i, n21 = 0, n20 = 0;
    if (open_trace(PT_REAL("etl/ShutdownPerfDiagLogger.etl"), NULL, 0, &o) != 0) {
        PT_CHECK(0);
        return;
    }
    lf = etl_file_logfile(o.f);
    PT_CHECK_U64(etl_file_buffer_count(o.f), 49);
    PT_CHECK_U64(lf->buffers_written, 49);
    PT_CHECK_U64(lf->buffer_size, 65536);
    PT_CHECK_U64(lf->pointer_size, 8);
    PT_CHECK(lf->ptr64);
    PT_CHECK_U64(lf->cpus, 2);
    PT_CHECK_U64(lf->build, 18362);
    PT_CHECK_STR(lf->logger_name, "PerfDiag Logger");
    PT_CHECK_U64(lf->log_file_mode, 0x02000080);
    PT_CHECK_U64(lf->events_lost, 0);
    PT_CHECK_U64(lf->perf_freq, 10000000);
    PT_CHECK_U64(lf->clock_type, 1);
    PT_CHECK_U64(lf->start_time, 132273542277445790ull);
    PT_CHECK_U64(etl_file_compressed_count(o.f), 0);
    PT_CHECK_U64(etl_file_buffer(o.f, 0)->type, ETL_BUFTYPE_HEADER);
    for (i = 0; i < etl_file_buffer_count(o.f); i++) {
        PT_CHECK_U64(etl_file_buffer(o.f, i)->size, 65536);
        n21 += etl_file_buffer(o.f, i)->flags == 0x21;
        n20 += etl_file_buffer(o.f, i)->flags == 0x20;
    }
    PT_CHECK_U64(n21, 2);
    PT_CHECK_U64(n20, 47);
    PT_CHECK(!etl_file_damaged(o.f));
    close_trace(&o);
}

static void test_shutdown_events(void)
{
    opened o;
    walk_counts w;
    char buf[32];
    int merged;
    static const char *const names[3] = {"\\SystemRoot\\system32\\ntoskrnl.exe",
                                         "\\SystemRoot\\system32\\hal.dll",
                                         "\\SystemRoot\\system32\\kd.dll"};
    static const uint64_t bases[3] = {0xfffff802424ab000ull, 0xfffff80242408000ull,
                                      0xfffff80243000000ull};
    static const uint64_t sizes[3] = {0xab6000, 0xa3000, 0xb000};
    if (open_trace(PT_REAL("etl/ShutdownPerfDiagLogger.etl"), NULL, 0, &o) != 0) {
        PT_CHECK(0);
        return;
    }
    for (merged = 0; merged <= 1; merged++) {
        int i;
        walk(&o, merged, &w);
        PT_CHECK_U64(w.stats.events, 17078);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_SYS64], 8433);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_PERF64], 8645);
        PT_CHECK_U64(w.stats.image_load, 0);
        PT_CHECK_U64(w.stats.image_unload, 4791);
        PT_CHECK_U64(w.stats.image_dcstart, 6745);
        PT_CHECK_U64(w.stats.image_dcend, 2145);
        PT_CHECK_U64(w.stats.image_pid0[0], 0);
        PT_CHECK_U64(w.stats.image_pid0[1], 3);
        PT_CHECK_U64(w.stats.image_pid0[2], 196);
        PT_CHECK_U64(w.stats.image_pid0[3], 193);
        PT_CHECK_U64(w.image_sys64, 4791 + 389);
        PT_CHECK_U64(w.image_perf64, 8501);
        /* every ProcessId-0 image record (unloads included) is SYS64 */
        PT_CHECK_U64(w.image_pid0_sys64, 392);
        PT_CHECK_U64(w.stats.stack_walk, 0);
        PT_CHECK_U64(w.stats.first_ts, 6365537);
        PT_CHECK_U64(w.stats.last_ts, 295245457871ull);
        /* file order: 31 inversions; merged: none */
        PT_CHECK_U64(w.stats.inversions, merged ? 0 : 31);
        if (!merged)
            PT_CHECK_U64(w.stats.last_file_ts, 295245457871ull);
        PT_CHECK_U64(w.npid0, 3);
        for (i = 0; i < 3 && i < w.npid0; i++) {
            PT_CHECK_STR(w.pid0[i].name, names[i]);
            PT_CHECK_U64(w.pid0[i].base, bases[i]);
            PT_CHECK_U64(w.pid0[i].size, sizes[i]);
        }
        PT_CHECK_U64(w.by_hook[0x0501], 350);
        PT_CHECK_U64(w.by_hook[0x0502], 1032);
        PT_CHECK_U64(w.by_hook[0x0503], 1175);
        PT_CHECK_U64(w.by_hook[0x0504], 501);
        PT_CHECK_U64(w.by_hook[0x0302], 60);
        PT_CHECK_U64(w.by_hook[0x0303], 94);
        PT_CHECK_U64(w.by_hook[0x0304], 37);
        PT_CHECK_U64(w.by_hook[0x030A], 72);
        PT_CHECK_U64(w.by_hook[0x030B], 60);
        PT_CHECK_U64(w.by_hook[0x0327], 5);
        PT_CHECK_U64(w.by_hook[0x0000], 1);
        PT_CHECK_U64(w.by_hook[0x0005], 3);
        PT_CHECK_U64(w.by_hook[0x0008], 2);
        PT_CHECK_U64(w.by_hook[0x0020], 2);
        PT_CHECK_U64(w.by_hook[0x0050], 1);
        PT_CHECK_U64(w.by_hook[0x1421], 1);
        PT_CHECK_U64(w.by_hook[0x1422], 1);
        free(w.by_hook);
    }
    PT_CHECK_STR(utc(etl_file_logfile(o.f)->start_time, buf), "2020-02-28T09:03:47.7445790Z");
    PT_CHECK_STR(utc(etl_file_filetime(o.f, 295245457871ull), buf),
                 "2020-02-28T17:15:51.6538124Z");
    PT_CHECK_U64(etl_file_filetime(o.f, 6365537), 132273542277445790ull);
    close_trace(&o);
}

/* ---- SelfDescribingSingleEvent.etl ---- */

static void test_selfdescribing(void)
{
    opened o;
    walk_counts w;
    const etl_logfile *lf;
    char buf[32];
    int merged;
    if (open_trace(PT_REAL("etl/SelfDescribingSingleEvent.etl"), NULL, 0, &o) != 0) {
        PT_CHECK(0);
        return;
    }
    lf = etl_file_logfile(o.f);
    PT_CHECK_U64(etl_file_buffer_count(o.f), 3);
    PT_CHECK_U64(lf->buffers_written, 3);
    PT_CHECK_U64(lf->buffer_size, 65536);
    PT_CHECK_U64(lf->pointer_size, 8);
    PT_CHECK_U64(lf->cpus, 12);
    PT_CHECK_U64(lf->build, 22000);
    PT_CHECK_STR(lf->logger_name, "Relogger");
    PT_CHECK_STR(lf->logfile_name, "[multiple files]");
    PT_CHECK_U64(lf->log_file_mode, 0x04010001);
    PT_CHECK_U64(etl_file_compressed_count(o.f), 2);
    PT_CHECK_U64(etl_file_buffer(o.f, 0)->size, 0x400);
    PT_CHECK_U64(etl_file_buffer(o.f, 1)->size, 0x1809);
    PT_CHECK_U64(etl_file_buffer(o.f, 2)->size, 0xE2);
    PT_CHECK_U64(etl_file_buffer(o.f, 2)->offset, 0x1C09);
    PT_CHECK_U64(etl_file_buffer(o.f, 1)->saved_offset, 0x1C00);
    PT_CHECK_U64(etl_file_buffer(o.f, 2)->saved_offset, 0xF0);
    PT_CHECK_U64(etl_file_buffer(o.f, 0)->saved_offset, 0x1B8);
    PT_CHECK_U64(etl_file_buffer(o.f, 0)->filled, 0x208);
    PT_CHECK_U64(etl_file_buffer(o.f, 0)->flags, 0x01);
    PT_CHECK_U64(etl_file_buffer(o.f, 1)->flags, 0x60);
    PT_CHECK_U64(etl_file_buffer(o.f, 2)->flags, 0x61);
    for (merged = 0; merged <= 1; merged++) {
        walk(&o, merged, &w);
        PT_CHECK_U64(w.stats.events, 23);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_SYS64], 4);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_FULL64], 18);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_EVH64], 1);
        PT_CHECK_U64(w.by_hook[0x0000], 1);
        PT_CHECK_U64(w.by_hook[0x0050], 3);
        /* Offset (not SavedOffset) bounds the header buffer: 2 events */
        PT_CHECK_U64(w.buffer0_events, 2);
        PT_CHECK_STR(w.evh_guid, "a61ea624-4944-55fc-c2a8-37838829438d");
        PT_CHECK_U64(w.stats.first_ts, 6459791009101ull);
        PT_CHECK_U64(w.stats.last_ts, 6459824663701ull);
        PT_CHECK_U64(w.stats.inversions, merged ? 0 : 1);
        if (!merged)
            PT_CHECK_U64(w.stats.last_file_ts, 6459804190760ull);
        free(w.by_hook);
    }
    PT_CHECK_U64(etl_file_payload_bytes(o.f), (0x208 - 0x48) + (0x1C00 - 0x48) + (0xF0 - 0x48));
    PT_CHECK_STR(utc(lf->start_time, buf), "2022-04-20T21:27:15.2722435Z");
    PT_CHECK_STR(utc(etl_file_filetime(o.f, 6459824663701ull), buf),
                 "2022-04-20T21:27:18.6377035Z");
    PT_CHECK(!etl_file_damaged(o.f));
    close_trace(&o);
}

/* ---- net.4.5.2.x64.etl (inside the zip) ---- */

static uint8_t *net_trace(size_t *len)
{
    static uint8_t *data;
    static size_t data_len;
    if (data == NULL) {
        uint8_t d[PT_SHA256_LEN];
        char hex[PT_SHA256_HEX_LEN + 1];
        data = zip_extract(PT_REAL("etl/net.4.5.2.x64.etl.zip"), "net.4.5.2.x64.etl",
                           &data_len);
        PT_CHECK(data != NULL);
        if (data == NULL)
            return NULL;
        PT_CHECK_U64(data_len, 4879401);
        pt_sha256_buffer(data, data_len, d);
        pt_sha256_hex(d, hex);
        PT_CHECK_STR(hex, "50da7f725f80f88a7622b37f9826844a790cb0c4f64e351fa1f38cf24916889a");
    }
    *len = data_len;
    return data;
}

static void test_net_container(void)
{
    opened o;
    const etl_logfile *lf;
    size_t len, i, n60 = 0, n61 = 0;
    uint32_t min = UINT32_MAX, max = 0;
    uint8_t *data = net_trace(&len);
    if (data == NULL || open_trace("net.4.5.2.x64.etl", data, len, &o) != 0) {
        PT_CHECK(0);
        return;
    }
    lf = etl_file_logfile(o.f);
    PT_CHECK_U64(etl_file_buffer_count(o.f), 360);
    PT_CHECK_U64(lf->buffers_written, 360);
    PT_CHECK_U64(lf->buffer_size, 65536);
    PT_CHECK_U64(lf->pointer_size, 8);
    PT_CHECK_U64(lf->cpus, 8);
    PT_CHECK_U64(lf->build, 9200);
    PT_CHECK_U64(lf->version[0], 6);
    PT_CHECK_U64(lf->version[1], 2);
    PT_CHECK_STR(lf->logger_name, "Relogger");
    PT_CHECK_U64(lf->log_file_mode, 0x04010001);
    PT_CHECK_U64(etl_file_compressed_count(o.f), 359);
    PT_CHECK_U64(etl_file_buffer(o.f, 0)->size, 0x200);
    PT_CHECK_U64(etl_file_buffer(o.f, 0)->saved_offset, 0x1B8);
    PT_CHECK_U64(etl_file_buffer(o.f, 0)->flags, 0x01);
    PT_CHECK_U64(etl_file_buffer(o.f, 1)->offset, 0x200);
    PT_CHECK_U64(etl_file_buffer(o.f, 1)->size, 0x3AA8);
    PT_CHECK_U64(etl_file_buffer(o.f, 1)->saved_offset, 0xFFB0);
    for (i = 1; i < etl_file_buffer_count(o.f); i++) {
        const etl_buffer_info *b = etl_file_buffer(o.f, i);
        if (b->size < min)
            min = b->size;
        if (b->size > max)
            max = b->size;
        n60 += b->flags == 0x60;
        n61 += b->flags == 0x61;
    }
    PT_CHECK_U64(min, 317);
    PT_CHECK_U64(max, 36924);
    PT_CHECK_U64(n60, 358);
    PT_CHECK_U64(n61, 1);
    close_trace(&o);
}

static void test_net_events(void)
{
    opened o;
    walk_counts w;
    size_t len;
    char buf[32];
    int merged;
    uint8_t *data = net_trace(&len);
    static const char *const names[3] = {"\\SystemRoot\\system32\\ntoskrnl.exe",
                                         "\\SystemRoot\\system32\\hal.dll",
                                         "\\SystemRoot\\system32\\kd.dll"};
    static const uint64_t bases[3] = {0xfffff80021489000ull, 0xfffff8002141d000ull,
                                      0xfffff80020aec000ull};
    static const uint64_t sizes[3] = {0x748000, 0x6c000, 0x9000};
    if (data == NULL || open_trace("net.4.5.2.x64.etl", data, len, &o) != 0) {
        PT_CHECK(0);
        return;
    }
    for (merged = 0; merged <= 1; merged++) {
        int i;
        walk(&o, merged, &w);
        PT_CHECK_U64(w.stats.events, 179474);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_SYS32], 2);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_SYS64], 3189);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_PERF64], 100157);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_FULL32], 27);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_FULL64], 7956);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_EVH32], 33378);
        PT_CHECK_U64(w.stats.by_kind[ETL_HK_EVH64], 34765);
        PT_CHECK_U64(w.stats.image_load, 0);
        PT_CHECK_U64(w.stats.image_unload, 32);
        PT_CHECK_U64(w.stats.image_dcstart, 1763);
        PT_CHECK_U64(w.stats.image_dcend, 1766);
        PT_CHECK_U64(w.stats.image_pid0[1], 0);
        PT_CHECK_U64(w.stats.image_pid0[2], 141);
        PT_CHECK_U64(w.stats.image_pid0[3], 141);
        PT_CHECK_U64(w.image_sys64, 32 + 282);
        PT_CHECK_U64(w.image_pid0_sys64, 282);
        PT_CHECK_U64(w.image_perf64, 3247);
        PT_CHECK_U64(w.stats.stack_walk, 252);
        PT_CHECK_U64(w.stats.stack_key_delete, 1909);
        PT_CHECK_U64(w.stats.stack_key_rundown, 1012);
        PT_CHECK_U64(w.stats.stack_key_kernel, 2061);
        PT_CHECK_U64(w.stats.stack_key_user, 7046);
        PT_CHECK_U64(w.by_hook[0x0F2E], 79528);
        PT_CHECK_U64(w.stats.first_ts, 1942608875ull);
        PT_CHECK_U64(w.stats.last_ts, 2068424523ull);
        PT_CHECK_U64(w.stats.inversions, merged ? 0 : 94);
        if (!merged)
            PT_CHECK_U64(w.stats.last_file_ts, 2048290647ull);
        PT_CHECK_U64(w.npid0, 3);
        for (i = 0; i < 3 && i < w.npid0; i++) {
            PT_CHECK_STR(w.pid0[i].name, names[i]);
            PT_CHECK_U64(w.pid0[i].base, bases[i]);
            PT_CHECK_U64(w.pid0[i].size, sizes[i]);
        }
        free(w.by_hook);
    }
    /* 23,016,304 bytes from the 359 compressed buffers, plus the header
     * buffer's 0x1B8 - 0x48 */
    PT_CHECK_U64(etl_file_payload_bytes(o.f), 23016304u + 0x1B8 - 0x48);
    PT_CHECK_STR(utc(etl_file_logfile(o.f)->start_time, buf), "2020-07-29T00:07:00.6236167Z");
    PT_CHECK_STR(utc(etl_file_filetime(o.f, 2068424523ull), buf),
                 "2020-07-29T00:07:13.2051815Z");
    PT_CHECK_STR(utc(etl_file_logfile(o.f)->end_time, buf), "2020-07-29T00:07:10.6935923Z");
    PT_CHECK(!etl_file_damaged(o.f));
    close_trace(&o);
}

/* ---- the reader on real traces: describe facts and the closing sample ---- */

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

static void test_net_reader(void)
{
    size_t len;
    uint8_t *data = net_trace(&len);
    pt_source *src;
    pt_error err;
    facts *f = calloc(1, sizeof *f);
    capture cap;
    pt_sink sink;
    pt_read_options opt;
    const cap_sample *last;
    uint64_t v = 1;
    if (data == NULL || f == NULL ||
        pt_source_open_memory(data, len, "net.4.5.2.x64.etl", &src, &err) != PT_OK) {
        PT_CHECK(0);
        free(f);
        return;
    }
    PT_CHECK(pt_reader_etl.probe(data, 65536) > 50);
    PT_CHECK(pt_reader_etl.describe(src, NULL, add_fact, f, &err) == PT_OK);
    PT_CHECK_STR(fact(f, "pointer size"), "8");
    PT_CHECK_STR(fact(f, "buffer size"), "65536");
    PT_CHECK_STR(fact(f, "buffers"), "360");
    PT_CHECK_STR(fact(f, "compressed buffers"), "359");
    PT_CHECK_STR(fact(f, "compressed"), "yes");
    PT_CHECK_STR(fact(f, "start time"), "2020-07-29T00:07:00.6236167Z");
    PT_CHECK_STR(fact(f, "end time"), "2020-07-29T00:07:13.2051815Z");
    PT_CHECK_STR(fact(f, "events"), "179474");
    PT_CHECK_STR(fact(f, "events EVH32"), "33378");
    PT_CHECK_STR(fact(f, "stack walk"), "252");
    PT_CHECK_STR(fact(f, "image dcstart"), "1763");
    PT_CHECK_STR(fact(f, "kernel image events"), "282");
    PT_CHECK_STR(fact(f, "pool alloc"), "0");
    PT_CHECK_STR(fact(f, "buffers flagged lost"), "0");

    capture_init(&cap, &sink);
    memset(&opt, 0, sizeof opt);
    PT_CHECK(pt_reader_etl.read(src, &opt, &sink, &err) == PT_OK);
    PT_CHECK_U64(cap.order_errors, 0);
    PT_CHECK_U64(cap.nsamples, 1); /* no pool events: only the closing sample */
    last = capture_last(&cap);
    PT_CHECK(last != NULL && strcmp(last->variant, "etl") == 0);
    PT_CHECK(sample_counter(last, "pool allocations", &v) && v == 0);
    /* kernel images: the 141 ProcessId-0 modules, each once */
    PT_CHECK_U64(cap.leaks.nmods, 141);
    if (cap.leaks.nmods >= 3) {
        PT_CHECK_STR(cap.leaks.mods[0].name, "\\SystemRoot\\system32\\ntoskrnl.exe");
        PT_CHECK_U64(cap.leaks.mods[0].base, 0xfffff80021489000ull);
        PT_CHECK_U64(cap.leaks.mods[0].size, 0x748000);
    }
    PT_CHECK_U64(cap.leaks.nallocs, 0);
    capture_free(&cap);
    pt_source_close(src);
    free(f);
}

static void test_shutdown_reader(void)
{
    pt_source *src;
    pt_error err;
    capture cap;
    pt_sink sink;
    if (pt_source_open_file(PT_REAL("etl/ShutdownPerfDiagLogger.etl"), &src, &err) != PT_OK) {
        PT_CHECK(0);
        return;
    }
    capture_init(&cap, &sink);
    PT_CHECK(pt_reader_etl.read(src, NULL, &sink, &err) == PT_OK);
    PT_CHECK_U64(cap.nsamples, 1);
    /* 196 DCStart + 193 DCEnd + 3 unloads of kernel modules: at least 193
     * distinct, ntoskrnl first */
    PT_CHECK(cap.leaks.nmods >= 193 && cap.leaks.nmods <= 196);
    if (cap.leaks.nmods > 0)
        PT_CHECK_U64(cap.leaks.mods[0].base, 0xfffff802424ab000ull);
    capture_free(&cap);
    pt_source_close(src);
}

PT_TEST_MAIN(PT_TEST(test_shutdown_container), PT_TEST(test_shutdown_events),
             PT_TEST(test_selfdescribing), PT_TEST(test_net_container),
             PT_TEST(test_net_events), PT_TEST(test_net_reader), PT_TEST(test_shutdown_reader))
