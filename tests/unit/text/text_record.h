/* text_record.h - a recording sink for the text reader tests: keeps every
 * record a reader emits so a test can look values up afterwards. */
#ifndef TEXT_RECORD_H
#define TEXT_RECORD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_evidence.h"
#include "pt_reader.h"
#include "pt_source.h"

typedef struct rec_row {
    unsigned sample;
    pt_tag tag;
    char tag_text[16];
    pt_pool pool;
    uint32_t has;
    uint64_t allocs, frees, outstanding, bytes;
    char *description, *binary;
} rec_row;

typedef struct rec_counter {
    unsigned sample;
    char *name, *unit;
    uint64_t value;
} rec_counter;

typedef struct rec_desc {
    pt_tag tag;
    char *pattern, *binary, *description, *origin;
    uint64_t line;
} rec_desc;

typedef struct rec_sample {
    pt_source_kind kind;
    char variant[64];
    char source[256];
    pt_filetime time;
    char time_origin[32];
} rec_sample;

typedef struct recording {
    rec_row *rows;
    size_t nrows, caprows;
    rec_counter *counters;
    size_t ncounters, capcounters;
    rec_desc *descs;
    size_t ndescs, capdescs;
    rec_sample samples[64];
    unsigned nsamples;
    unsigned open;          /* begin without end */
    unsigned nested;        /* begin while open: a reader bug */
    unsigned orphan;        /* a row or counter outside a sample */
    unsigned nwarnings;
    char last_warning[512];
} recording;

static inline char *rec_dup(const char *s)
{
    char *p;
    if (s == NULL)
        return NULL;
    p = malloc(strlen(s) + 1);
    if (p != NULL)
        strcpy(p, s);
    return p;
}

#define REC_GROW(arr, n, cap)                                                   \
    do {                                                                        \
        if ((n) == (cap)) {                                                     \
            size_t nc = (cap) ? (cap) * 2 : 64;                                 \
            void *np = realloc((arr), nc * sizeof *(arr));                      \
            if (np == NULL)                                                     \
                return PT_ERR_NOMEM;                                            \
            (arr) = np;                                                         \
            (cap) = nc;                                                         \
        }                                                                       \
    } while (0)

static inline pt_status rec_begin(void *ctx, const pt_sample_info *info)
{
    recording *r = ctx;
    rec_sample *s;
    if (r->open)
        r->nested++;
    r->open = 1;
    if (r->nsamples == 64)
        return PT_OK;
    s = &r->samples[r->nsamples++];
    s->kind = info->kind;
    snprintf(s->variant, sizeof s->variant, "%s", info->variant ? info->variant : "");
    snprintf(s->source, sizeof s->source, "%s", info->source ? info->source : "");
    s->time = info->time;
    snprintf(s->time_origin, sizeof s->time_origin, "%s",
             info->time_origin ? info->time_origin : "");
    return PT_OK;
}

static inline pt_status rec_end(void *ctx)
{
    recording *r = ctx;
    if (!r->open)
        r->nested++;
    r->open = 0;
    return PT_OK;
}

static inline pt_status rec_row_cb(void *ctx, const pt_tag_row *row)
{
    recording *r = ctx;
    rec_row *o;
    if (!r->open)
        r->orphan++;
    REC_GROW(r->rows, r->nrows, r->caprows);
    o = &r->rows[r->nrows++];
    memset(o, 0, sizeof *o);
    o->sample = r->nsamples;
    o->tag = row->tag;
    snprintf(o->tag_text, sizeof o->tag_text, "%s", row->tag_text ? row->tag_text : "");
    o->pool = row->pool;
    o->has = row->has;
    o->allocs = row->allocs;
    o->frees = row->frees;
    o->outstanding = row->outstanding;
    o->bytes = row->bytes;
    o->description = rec_dup(row->description);
    o->binary = rec_dup(row->binary);
    return PT_OK;
}

static inline pt_status rec_counter_cb(void *ctx, const pt_counter *c)
{
    recording *r = ctx;
    rec_counter *o;
    if (!r->open)
        r->orphan++;
    REC_GROW(r->counters, r->ncounters, r->capcounters);
    o = &r->counters[r->ncounters++];
    o->sample = r->nsamples;
    o->name = rec_dup(c->name);
    o->unit = rec_dup(c->unit);
    o->value = c->value;
    return PT_OK;
}

static inline pt_status rec_desc_cb(void *ctx, const pt_tag_desc *d)
{
    recording *r = ctx;
    rec_desc *o;
    REC_GROW(r->descs, r->ndescs, r->capdescs);
    o = &r->descs[r->ndescs++];
    o->tag = d->tag;
    o->pattern = rec_dup(d->pattern);
    o->binary = rec_dup(d->binary);
    o->description = rec_dup(d->description);
    o->origin = rec_dup(d->origin);
    o->line = d->line;
    return PT_OK;
}

static inline pt_status rec_warning(void *ctx, const char *source, uint64_t offset,
                             const char *message)
{
    recording *r = ctx;
    (void)source;
    (void)offset;
    r->nwarnings++;
    snprintf(r->last_warning, sizeof r->last_warning, "%s", message);
    if (getenv("PT_TEST_VERBOSE") != NULL)
        fprintf(stderr, "warning: %s\n", message);
    return PT_OK;
}

static inline void rec_free(recording *r)
{
    size_t i;
    for (i = 0; i < r->nrows; i++) {
        free(r->rows[i].description);
        free(r->rows[i].binary);
    }
    for (i = 0; i < r->ncounters; i++) {
        free(r->counters[i].name);
        free(r->counters[i].unit);
    }
    for (i = 0; i < r->ndescs; i++) {
        free(r->descs[i].pattern);
        free(r->descs[i].binary);
        free(r->descs[i].description);
        free(r->descs[i].origin);
    }
    free(r->rows);
    free(r->counters);
    free(r->descs);
    memset(r, 0, sizeof *r);
}

static inline pt_sink rec_sink(recording *r)
{
    pt_sink s;
    memset(&s, 0, sizeof s);
    s.ctx = r;
    s.begin_sample = rec_begin;
    s.end_sample = rec_end;
    s.tag_row = rec_row_cb;
    s.counter = rec_counter_cb;
    s.tag_desc = rec_desc_cb;
    s.warning = rec_warning;
    return s;
}

/* Runs a reader over a file or a buffer into a fresh recording. */
static inline pt_status rec_read_source(const pt_reader *reader, pt_source *src, recording *r,
                                 const pt_read_options *opt, pt_error *err)
{
    pt_sink s;
    pt_read_options def;
    memset(r, 0, sizeof *r);
    memset(&def, 0, sizeof def);
    s = rec_sink(r);
    return reader->read(src, opt ? opt : &def, &s, err);
}

static inline pt_status rec_read_file(const pt_reader *reader, const char *path, recording *r,
                               pt_error *err)
{
    pt_source *src = NULL;
    pt_status st;
    memset(r, 0, sizeof *r);
    st = pt_source_open_file(path, &src, err);
    if (st != PT_OK)
        return st;
    st = rec_read_source(reader, src, r, NULL, err);
    pt_source_close(src);
    return st;
}

static inline pt_status rec_read_buffer(const pt_reader *reader, const void *data, size_t len,
                                 recording *r, pt_error *err)
{
    pt_source *src = NULL;
    pt_status st;
    memset(r, 0, sizeof *r);
    st = pt_source_open_memory(data, len, "buffer", &src, err);
    if (st != PT_OK)
        return st;
    st = rec_read_source(reader, src, r, NULL, err);
    pt_source_close(src);
    return st;
}

static inline const rec_row *rec_find_row(const recording *r, const char *tag_text, pt_pool pool)
{
    size_t i;
    for (i = 0; i < r->nrows; i++)
        if (strcmp(r->rows[i].tag_text, tag_text) == 0 && r->rows[i].pool == pool)
            return &r->rows[i];
    return NULL;
}

/* The value of a counter, or UINT64_MAX - 1 when it is missing (so a
 * check against a real value fails loudly). */
static inline uint64_t rec_counter_value(const recording *r, const char *name, const char *unit)
{
    size_t i;
    for (i = 0; i < r->ncounters; i++)
        if (strcmp(r->counters[i].name, name) == 0 && strcmp(r->counters[i].unit, unit) == 0)
            return r->counters[i].value;
    return UINT64_MAX - 1;
}

static inline size_t rec_rows_in_pool(const recording *r, pt_pool pool)
{
    size_t i, n = 0;
    for (i = 0; i < r->nrows; i++)
        n += r->rows[i].pool == pool;
    return n;
}

#endif
