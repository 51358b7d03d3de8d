/* fuzz_text.c - libFuzzer target for one text reader (FUZZ_READER names
 * it): probe and read any bytes; the reader must return a status, never
 * crash, and keep its records in order (rows and counters only inside a
 * sample, samples not nested, strings always set where promised). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text_readers.h"

#ifndef FUZZ_READER
#define FUZZ_READER pt_reader_poolused
#endif

typedef struct fuzz_state {
    int open;
} fuzz_state;

static void broken(void)
{
    __builtin_trap();
}

static pt_status on_begin(void *ctx, const pt_sample_info *info)
{
    fuzz_state *f = ctx;
    if (f->open || info->source == NULL || info->variant == NULL)
        broken();
    f->open = 1;
    return PT_OK;
}

static pt_status on_end(void *ctx)
{
    fuzz_state *f = ctx;
    if (!f->open)
        broken();
    f->open = 0;
    return PT_OK;
}

static pt_status on_row(void *ctx, const pt_tag_row *row)
{
    fuzz_state *f = ctx;
    if (!f->open || row->tag_text == NULL || (unsigned)row->pool > PT_POOL_SESSION_PAGED)
        broken();
    /* touch every string so ASan sees a bad pointer */
    if (strlen(row->tag_text) > 8 || (row->description && strlen(row->description) > 65536) ||
        (row->binary && strlen(row->binary) > 65536))
        broken();
    return PT_OK;
}

static pt_status on_counter(void *ctx, const pt_counter *c)
{
    fuzz_state *f = ctx;
    if (!f->open || c->name == NULL || c->unit == NULL || strlen(c->name) > 1024)
        broken();
    return PT_OK;
}

static pt_status on_desc(void *ctx, const pt_tag_desc *d)
{
    (void)ctx;
    if (d->pattern == NULL || d->origin == NULL || strlen(d->pattern) > 16 ||
        (d->description && strlen(d->description) > 65536) ||
        (d->binary && strlen(d->binary) > 65536))
        broken();
    return PT_OK;
}

static pt_status on_warning(void *ctx, const char *source, uint64_t offset, const char *msg)
{
    (void)ctx;
    (void)offset;
    if (source == NULL || msg == NULL)
        broken();
    return PT_OK;
}

static pt_status on_fact(void *ctx, const char *name, const char *value)
{
    (void)ctx;
    if (name == NULL || value == NULL || strlen(value) > 65536)
        broken();
    return PT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pt_reader *reader = &FUZZ_READER;
    pt_source *src = NULL;
    pt_read_options opt;
    pt_error err;
    pt_sink sink;
    fuzz_state state;
    pt_status st;

    (void)reader->probe(data, size < PT_PROBE_BYTES ? size : PT_PROBE_BYTES);
    if (pt_source_open_memory(data, size, "fuzz", &src, &err) != PT_OK)
        return 0;
    memset(&opt, 0, sizeof opt);
    memset(&sink, 0, sizeof sink);
    memset(&state, 0, sizeof state);
    sink.ctx = &state;
    sink.begin_sample = on_begin;
    sink.end_sample = on_end;
    sink.tag_row = on_row;
    sink.counter = on_counter;
    sink.tag_desc = on_desc;
    sink.warning = on_warning;
    st = reader->read(src, &opt, &sink, &err);
    /* a reader that succeeds closes its last sample */
    if (st == PT_OK && state.open)
        broken();
    if (st != PT_OK && err.message[0] == '\0')
        broken();
    if (reader->describe != NULL) {
        pt_source_close(src);
        if (pt_source_open_memory(data, size, "fuzz", &src, &err) != PT_OK)
            return 0;
        (void)reader->describe(src, &opt, on_fact, NULL, &err);
    }
    pt_source_close(src);
    return 0;
}
