/* etl_test_util.h - helpers shared by the ETL tests: a sink that keeps
 * what the reader emits, the zip member extractor for the published
 * trace, and event counting callbacks. */
#ifndef ETL_TEST_UTIL_H
#define ETL_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "etl_leaks.h"
#include "pt_byteorder.h"
#include "pt_evidence.h"

/* ---- a capturing sink ---- */

#define CAP_MAX_SAMPLES 512
#define CAP_MAX_ROWS 64
#define CAP_MAX_COUNTERS 32

typedef struct cap_row {
    pt_tag tag;
    pt_pool pool;
    uint32_t has;
    uint64_t allocs, frees, outstanding, bytes;
} cap_row;

typedef struct cap_sample {
    pt_filetime time;
    char variant[32];
    int nrows;
    cap_row rows[CAP_MAX_ROWS];
    int ncounters;
    char counter_names[CAP_MAX_COUNTERS][48];
    uint64_t counter_values[CAP_MAX_COUNTERS];
} cap_sample;

typedef struct capture {
    cap_sample *samples;
    int nsamples;
    int open;
    int order_errors;       /* records outside begin/end */
    int nwarnings;
    char first_warning[256];
    etl_leak_collector leaks;
    pt_sink leak_sink;
} capture;

static pt_status cap_begin(void *ctx, const pt_sample_info *info)
{
    capture *c = ctx;
    cap_sample *s;
    if (c->open || c->nsamples >= CAP_MAX_SAMPLES) {
        c->order_errors++;
        return PT_ERR_INTERNAL;
    }
    s = &c->samples[c->nsamples++];
    memset(s, 0, sizeof *s);
    s->time = info->time;
    snprintf(s->variant, sizeof s->variant, "%s", info->variant ? info->variant : "");
    if (info->kind != PT_KIND_ETL)
        c->order_errors++;
    c->open = 1;
    return PT_OK;
}

static pt_status cap_row_cb(void *ctx, const pt_tag_row *r)
{
    capture *c = ctx;
    cap_sample *s = &c->samples[c->nsamples - 1];
    if (!c->open || s->nrows >= CAP_MAX_ROWS) {
        c->order_errors++;
        return PT_OK;
    }
    s->rows[s->nrows].tag = r->tag;
    s->rows[s->nrows].pool = r->pool;
    s->rows[s->nrows].has = r->has;
    s->rows[s->nrows].allocs = r->allocs;
    s->rows[s->nrows].frees = r->frees;
    s->rows[s->nrows].outstanding = r->outstanding;
    s->rows[s->nrows].bytes = r->bytes;
    s->nrows++;
    return PT_OK;
}

static pt_status cap_counter(void *ctx, const pt_counter *k)
{
    capture *c = ctx;
    cap_sample *s = &c->samples[c->nsamples - 1];
    if (!c->open || s->ncounters >= CAP_MAX_COUNTERS) {
        c->order_errors++;
        return PT_OK;
    }
    snprintf(s->counter_names[s->ncounters], 48, "%s", k->name);
    s->counter_values[s->ncounters++] = k->value;
    return PT_OK;
}

static pt_status cap_module(void *ctx, const pt_module *m)
{
    capture *c = ctx;
    return c->leak_sink.module(c->leak_sink.ctx, m);
}
static pt_status cap_alloc(void *ctx, const pt_allocation *a)
{
    capture *c = ctx;
    return c->leak_sink.allocation(c->leak_sink.ctx, a);
}
static pt_status cap_stack(void *ctx, const pt_stack *st)
{
    capture *c = ctx;
    return c->leak_sink.stack(c->leak_sink.ctx, st);
}
static pt_status cap_end(void *ctx)
{
    capture *c = ctx;
    if (!c->open)
        c->order_errors++;
    c->open = 0;
    return PT_OK;
}
static pt_status cap_warning(void *ctx, const char *source, uint64_t offset, const char *msg)
{
    capture *c = ctx;
    (void)source;
    (void)offset;
    if (c->nwarnings++ == 0)
        snprintf(c->first_warning, sizeof c->first_warning, "%s", msg);
    return PT_OK;
}

static inline void capture_init(capture *c, pt_sink *sink)
{
    memset(c, 0, sizeof *c);
    c->samples = calloc(CAP_MAX_SAMPLES, sizeof *c->samples);
    etl_leak_collector_sink(&c->leaks, &c->leak_sink);
    memset(sink, 0, sizeof *sink);
    sink->ctx = c;
    sink->begin_sample = cap_begin;
    sink->tag_row = cap_row_cb;
    sink->counter = cap_counter;
    sink->module = cap_module;
    sink->allocation = cap_alloc;
    sink->stack = cap_stack;
    sink->end_sample = cap_end;
    sink->warning = cap_warning;
}

static inline void capture_free(capture *c)
{
    free(c->samples);
    etl_leak_collector_free(&c->leaks);
}

static inline const cap_sample *capture_last(const capture *c)
{
    return c->nsamples > 0 ? &c->samples[c->nsamples - 1] : NULL;
}

static inline const cap_row *sample_row(const cap_sample *s, const char *tag4, pt_pool pool)
{
    int i;
    pt_tag t = pt_tag_from_bytes((const uint8_t *)tag4);
    for (i = 0; s != NULL && i < s->nrows; i++)
        if (s->rows[i].tag == t && s->rows[i].pool == pool)
            return &s->rows[i];
    return NULL;
}

static inline int sample_counter(const cap_sample *s, const char *name, uint64_t *v)
{
    int i;
    for (i = 0; s != NULL && i < s->ncounters; i++)
        if (strcmp(s->counter_names[i], name) == 0) {
            *v = s->counter_values[i];
            return 1;
        }
    return 0;
}

/* ---- one member of a zip file (stored or deflated), into memory ---- */

static inline uint8_t *zip_extract(const char *zip_path, const char *member, size_t *out_len)
{
    FILE *f = fopen(zip_path, "rb");
    uint8_t *z = NULL, *out = NULL;
    long n;
    size_t i, eocd = 0, cd, entries, at;
    int found_eocd = 0;

    *out_len = 0;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 22 || (z = malloc((size_t)n)) == NULL || fread(z, 1, (size_t)n, f) != (size_t)n)
        goto fail;
    for (i = (size_t)n - 22 + 1; i-- > 0;)
        if (pt_le32(z + i) == 0x06054b50u) {
            eocd = i;
            found_eocd = 1;
            break;
        }
    if (!found_eocd)
        goto fail;
    entries = pt_le16(z + eocd + 10);
    cd = pt_le32(z + eocd + 16);
    for (at = cd; entries-- > 0 && at + 46 <= (size_t)n;) {
        size_t nl = pt_le16(z + at + 28), el = pt_le16(z + at + 30), cl = pt_le16(z + at + 32);
        size_t csize = pt_le32(z + at + 20), usize = pt_le32(z + at + 24);
        size_t lho = pt_le32(z + at + 42);
        unsigned method = pt_le16(z + at + 10);
        if (at + 46 + nl <= (size_t)n && nl == strlen(member) &&
            memcmp(z + at + 46, member, nl) == 0) {
            size_t data;
            if (lho + 30 > (size_t)n)
                goto fail;
            data = lho + 30 + pt_le16(z + lho + 26) + pt_le16(z + lho + 28);
            if (data + csize > (size_t)n || (out = malloc(usize ? usize : 1)) == NULL)
                goto fail;
            if (method == 0 && csize == usize) {
                memcpy(out, z + data, usize);
            } else if (method == 8) {
                z_stream s;
                memset(&s, 0, sizeof s);
                if (inflateInit2(&s, -15) != Z_OK)
                    goto fail;
                s.next_in = z + data;
                s.avail_in = (uInt)csize;
                s.next_out = out;
                s.avail_out = (uInt)usize;
                if (inflate(&s, Z_FINISH) != Z_STREAM_END || s.total_out != usize) {
                    inflateEnd(&s);
                    goto fail;
                }
                inflateEnd(&s);
            } else {
                goto fail;
            }
            *out_len = usize;
            free(z);
            fclose(f);
            return out;
        }
        at += 46 + nl + el + cl;
    }
fail:
    free(z);
    free(out);
    fclose(f);
    return NULL;
}

#endif
