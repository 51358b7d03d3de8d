/* etl_reader.c - the pt_reader entry points for ETW traces: probe, read
 * (pool analysis into samples) and describe (a tracerpt -summary). */
#include "etl_reader.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "etl_analysis.h"
#include "etl_file.h"
#include "etl_stats.h"
#include "pt_byteorder.h"

/* The first buffer's first event is a SYSTEM_TRACE_HEADER at 0x48 with
 * hook 0x0000 (the logfile header): marker xx xx 01|02 C0; the buffer
 * size at +0 is at least the header. */
static int etl_probe(const uint8_t *head, size_t len)
{
    uint32_t size;
    if (len < ETL_BUF_HEADER_SIZE + 0x20)
        return 0;
    if (head[0x48 + 3] != 0xC0 || (head[0x48 + 2] != 0x01 && head[0x48 + 2] != 0x02))
        return 0;
    if (pt_le16(head + 0x48 + 6) != 0x0000)
        return 0;
    size = pt_le32(head);
    if (size < ETL_BUF_HEADER_SIZE + 0x20 || size > ETL_MAX_BUFFER_SIZE)
        return 0;
    return 95;
}

typedef struct read_ctx {
    etl_analysis *analysis;
    pt_error *err;
} read_ctx;

static pt_status feed(void *ctx, const etl_event *ev)
{
    read_ctx *rc = ctx;
    return etl_analysis_event(rc->analysis, ev, rc->err);
}

static pt_status emit_notes(etl_file *f, const pt_sink *sink, const char *source)
{
    size_t i;
    for (i = 0; i < etl_file_note_count(f); i++) {
        const etl_note *n = etl_file_note(f, i);
        pt_status st = pt_sink_warning(sink, source, n->offset, "%s", n->text);
        if (st != PT_OK)
            return st;
    }
    if (etl_file_notes_dropped(f) > 0)
        return pt_sink_warning(sink, source, PT_NO_OFFSET, "%llu further notes not shown",
                               (unsigned long long)etl_file_notes_dropped(f));
    return PT_OK;
}

/* The first damage note as an error (when partial results are not
 * wanted). */
static pt_status damage_error(etl_file *f, pt_source *src, pt_error *err)
{
    size_t i;
    for (i = 0; i < etl_file_note_count(f); i++) {
        const etl_note *n = etl_file_note(f, i);
        if (n->damage)
            return pt_error_set(err, PT_ERR_CORRUPT, src->name, n->offset,
                                "%s (read with partial results allowed to keep the rest)",
                                n->text);
    }
    return pt_error_set(err, PT_ERR_CORRUPT, src->name, PT_NO_OFFSET, "trace is damaged");
}

static pt_status etl_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                          pt_error *err)
{
    etl_file *f = NULL;
    read_ctx rc;
    const char *source = (opt != NULL && opt->display_name != NULL) ? opt->display_name
                                                                    : src->name;
    pt_status st;
    int partial;

    rc.analysis = NULL;
    rc.err = err;
    st = etl_file_open(src, &f, err);
    if (st != PT_OK)
        goto out;
    st = etl_analysis_create(f, -1, &rc.analysis, err);
    if (st != PT_OK)
        goto out;
    etl_file_set_lookahead(f, etl_analysis_lookahead, rc.analysis);
    st = etl_file_walk(f, 1, feed, &rc, err);
    if (st != PT_OK) {
        pt_error_prefix(err, "%s", src->name);
        goto out;
    }
    partial = etl_file_damaged(f);
    if (partial && (opt == NULL || !opt->partial_ok)) {
        st = damage_error(f, src, err);
        goto out;
    }
    st = emit_notes(f, sink, source);
    if (st != PT_OK)
        goto out;
    st = etl_analysis_emit(rc.analysis, sink, source, partial ? "etl-partial" : "etl", err);
out:
    etl_analysis_free(rc.analysis);
    etl_file_close(f);
    return st;
}

/* ---- describe ---- */

typedef struct describe_ctx {
    etl_stats stats;
    int server2003;
} describe_ctx;

static pt_status count(void *ctx, const etl_event *ev)
{
    describe_ctx *dc = ctx;
    etl_stats_add(&dc->stats, ev, dc->server2003);
    return PT_OK;
}

static pt_status fact_u64(pt_fact_fn fact, void *ctx, const char *name, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    return fact(ctx, name, buf);
}

static pt_status fact_hex(pt_fact_fn fact, void *ctx, const char *name, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return fact(ctx, name, buf);
}

static pt_status fact_time(pt_fact_fn fact, void *ctx, const char *name, uint64_t ft)
{
    char buf[32];
    return fact(ctx, name, pt_filetime_format(ft, buf));
}

#define FACT(expr)               \
    do {                         \
        st = (expr);             \
        if (st != PT_OK)         \
            goto out;            \
    } while (0)

static pt_status describe_header(etl_file *f, pt_fact_fn fact, void *ctx)
{
    const etl_logfile *lf = etl_file_logfile(f);
    char buf[64];
    pt_status st;
    FACT(fact_u64(fact, ctx, "pointer size", lf->ptr64 ? 8 : 4));
    FACT(fact_u64(fact, ctx, "buffer size", lf->buffer_size));
    FACT(fact_u64(fact, ctx, "buffers", etl_file_buffer_count(f)));
    FACT(fact_u64(fact, ctx, "buffers written (header)", lf->buffers_written));
    FACT(fact_u64(fact, ctx, "compressed buffers", etl_file_compressed_count(f)));
    FACT(fact(ctx, "compressed",
              (etl_file_compressed_count(f) > 0 || (lf->log_file_mode & ETL_LOGFILE_COMPRESSED))
                  ? "yes"
                  : "no"));
    snprintf(buf, sizeof buf, "%u.%u", lf->version[0], lf->version[1]);
    FACT(fact(ctx, "os version", buf));
    FACT(fact_u64(fact, ctx, "build", lf->build));
    FACT(fact_u64(fact, ctx, "processors", lf->cpus));
    FACT(fact_hex(fact, ctx, "log file mode", lf->log_file_mode));
    FACT(fact(ctx, "logger name", lf->logger_name));
    FACT(fact_u64(fact, ctx, "clock type", lf->clock_type));
    FACT(fact_u64(fact, ctx, "clock frequency", lf->perf_freq));
    FACT(fact_u64(fact, ctx, "buffers lost", lf->buffers_lost));
    FACT(fact_u64(fact, ctx, "events lost", lf->events_lost));
out:
    return st;
}

static pt_status describe_counts(etl_file *f, const etl_stats *s, pt_fact_fn fact,
                                 void *ctx)
{
    pt_status st = PT_OK;
    char name[64];
    int k;
    FACT(fact_time(fact, ctx, "start time", etl_file_filetime(f, s->first_ts)));
    FACT(fact_time(fact, ctx, "end time", etl_file_filetime(f, s->last_ts)));
    FACT(fact_u64(fact, ctx, "first timestamp", s->first_ts));
    FACT(fact_u64(fact, ctx, "last timestamp", s->last_ts));
    FACT(fact_u64(fact, ctx, "events", s->events));
    for (k = 0; k < ETL_HK_COUNT; k++) {
        if (s->by_kind[k] == 0)
            continue;
        snprintf(name, sizeof name, "events %s", etl_header_kind_name((etl_header_kind)k));
        FACT(fact_u64(fact, ctx, name, s->by_kind[k]));
    }
    FACT(fact_u64(fact, ctx, "pool alloc", s->pool_alloc));
    FACT(fact_u64(fact, ctx, "pool session alloc", s->pool_alloc_session));
    FACT(fact_u64(fact, ctx, "pool free", s->pool_free));
    FACT(fact_u64(fact, ctx, "pool session free", s->pool_free_session));
    FACT(fact_u64(fact, ctx, "pool other", s->pool_other));
    FACT(fact_u64(fact, ctx, "stack walk", s->stack_walk));
    FACT(fact_u64(fact, ctx, "stack key kernel", s->stack_key_kernel));
    FACT(fact_u64(fact, ctx, "stack key user", s->stack_key_user));
    FACT(fact_u64(fact, ctx, "stack key definitions",
                  s->stack_create + s->stack_key_delete + s->stack_key_rundown));
    FACT(fact_u64(fact, ctx, "image load", s->image_load));
    FACT(fact_u64(fact, ctx, "image unload", s->image_unload));
    FACT(fact_u64(fact, ctx, "image dcstart", s->image_dcstart));
    FACT(fact_u64(fact, ctx, "image dcend", s->image_dcend));
    FACT(fact_u64(fact, ctx, "kernel image events",
                  s->image_pid0[0] + s->image_pid0[1] + s->image_pid0[2] + s->image_pid0[3]));
    {
        size_t i, lost = 0, damage = 0;
        for (i = 0; i < etl_file_buffer_count(f); i++)
            if (etl_file_buffer(f, i)->flags &
                (ETL_BUFFLAG_EVENTS_LOST | ETL_BUFFLAG_BUFFER_LOST))
                lost++;
        for (i = 0; i < etl_file_note_count(f); i++)
            if (etl_file_note(f, i)->damage)
                damage++;
        FACT(fact_u64(fact, ctx, "buffers flagged lost", lost));
        FACT(fact_u64(fact, ctx, "damage notes", damage));
        for (i = 0; i < etl_file_note_count(f); i++) {
            char text[200];
            const etl_note *n = etl_file_note(f, i);
            snprintf(text, sizeof text, "0x%" PRIx64 ": %s", n->offset, n->text);
            FACT(fact(ctx, n->damage ? "damage" : "note", text));
        }
    }
out:
    return st;
}

static pt_status etl_describe(pt_source *src, const pt_read_options *opt, pt_fact_fn fact,
                              void *ctx, pt_error *err)
{
    etl_file *f = NULL;
    describe_ctx dc;
    const etl_logfile *lf;
    pt_status st;

    (void)opt;
    st = etl_file_open(src, &f, err);
    if (st != PT_OK)
        return st;
    lf = etl_file_logfile(f);
    etl_stats_init(&dc.stats);
    dc.server2003 = lf->version[0] < 6 || (lf->version[0] == 6 && lf->version[1] < 1);
    st = etl_file_walk(f, 0, count, &dc, err);
    if (st == PT_OK)
        st = describe_header(f, fact, ctx);
    if (st == PT_OK)
        st = describe_counts(f, &dc.stats, fact, ctx);
    if (st != PT_OK && err != NULL && err->code == PT_OK)
        pt_error_set(err, st, src->name, PT_NO_OFFSET, "describe stopped");
    etl_file_close(f);
    return st;
}

const pt_reader pt_reader_etl = {
    PT_KIND_ETL, "etl", etl_probe, etl_read, etl_describe,
};
