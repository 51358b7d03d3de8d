/* fuzz_etl.c - the ETL container, merge and pool analysis over arbitrary
 * bytes: read (partial results allowed) into a sink that checks the record
 * order, then describe. */
#include <stdint.h>
#include <stdlib.h>

#include "etl_reader.h"
#include "pt_source.h"

typedef struct order {
    int open;
} order;

static pt_status begin(void *ctx, const pt_sample_info *info)
{
    order *o = ctx;
    (void)info;
    if (o->open)
        abort(); /* samples never nest */
    o->open = 1;
    return PT_OK;
}

static pt_status end(void *ctx)
{
    order *o = ctx;
    if (!o->open)
        abort();
    o->open = 0;
    return PT_OK;
}

/* Read every frame so the sanitizer sees any bad pointer. */
static volatile uint64_t frame_sum;

static pt_status stack(void *ctx, const pt_stack *s)
{
    uint32_t i;
    (void)ctx;
    for (i = 0; i < s->depth; i++)
        frame_sum += s->frames[i];
    return PT_OK;
}

static pt_status fact(void *ctx, const char *name, const char *value)
{
    (void)ctx;
    (void)name;
    (void)value;
    return PT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pt_source *src;
    pt_error err;
    pt_read_options opt = {0};
    pt_sink sink = {0};
    order o = {0};

    pt_reader_etl.probe(data, size);
    if (pt_source_open_memory(data, size, "fuzz.etl", &src, &err) != PT_OK)
        return 0;
    sink.ctx = &o;
    sink.begin_sample = begin;
    sink.end_sample = end;
    sink.stack = stack;
    opt.partial_ok = 1;
    if (pt_reader_etl.read(src, &opt, &sink, &err) == PT_OK && o.open)
        abort();
    pt_reader_etl.describe(src, &opt, fact, NULL, &err);
    pt_source_close(src);
    return 0;
}
