/* dump_reduce.c - the recording source and the reduced range set. */
#include "dump_reduce.h"

#include <stdlib.h>
#include <string.h>

#include "dump_reader.h"

typedef struct recorder {
    pt_source *inner;
    dump_range_set *set;
    size_t cap;
    int failed; /* out of memory while recording */
} recorder;

static pt_status record_read(pt_source *src, uint64_t off, void *buf, size_t len, pt_error *err)
{
    recorder *r = src->impl;
    dump_range_set *s = r->set;
    pt_status st = pt_source_read(r->inner, off, buf, len, err);
    s->reads++;
    if (len == 0)
        return st;
    /* Extend the last range when reads run on (the common case). */
    if (s->count > 0 && off >= s->ranges[s->count - 1].offset &&
        off <= s->ranges[s->count - 1].offset + s->ranges[s->count - 1].length) {
        dump_range *last = &s->ranges[s->count - 1];
        if (off + len > last->offset + last->length)
            last->length = off + len - last->offset;
        return st;
    }
    if (s->count == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 256;
        dump_range *n = realloc(s->ranges, ncap * sizeof *n);
        if (n == NULL) {
            r->failed = 1;
            return st;
        }
        s->ranges = n;
        r->cap = ncap;
    }
    s->ranges[s->count].offset = off;
    s->ranges[s->count].length = len;
    s->count++;
    return st;
}

/* pt_source_close frees the name and the source itself. */
static void record_close(pt_source *src)
{
    free(src->impl);
    src->impl = NULL;
}

pt_status dump_recording_source_open(pt_source *inner, dump_range_set *set, pt_source **out,
                                     pt_error *err)
{
    pt_source *s = calloc(1, sizeof *s);
    recorder *r = calloc(1, sizeof *r);
    *out = NULL;
    if (s == NULL || r == NULL || (s->name = strdup(inner->name)) == NULL) {
        free(s);
        free(r);
        return pt_error_set(err, PT_ERR_NOMEM, inner->name, PT_NO_OFFSET, "out of memory");
    }
    memset(set, 0, sizeof *set);
    r->inner = inner;
    r->set = set;
    s->size = inner->size;
    s->read_at = record_read;
    s->close = record_close;
    s->impl = r;
    *out = s;
    return PT_OK;
}

static int cmp_range(const void *a, const void *b)
{
    uint64_t x = ((const dump_range *)a)->offset, y = ((const dump_range *)b)->offset;
    return x < y ? -1 : x > y;
}

pt_status dump_range_set_finish(dump_range_set *set, uint64_t file_size, pt_error *err)
{
    size_t i, n = 0;
    (void)err;
    for (i = 0; i < set->count; i++) {
        dump_range *r = &set->ranges[i];
        uint64_t start = r->offset / DUMP_REDUCE_BLOCK * DUMP_REDUCE_BLOCK;
        uint64_t end = (r->offset + r->length + DUMP_REDUCE_BLOCK - 1) / DUMP_REDUCE_BLOCK *
                       DUMP_REDUCE_BLOCK;
        if (end > file_size)
            end = file_size;
        r->offset = start;
        r->length = end > start ? end - start : 0;
    }
    qsort(set->ranges, set->count, sizeof *set->ranges, cmp_range);
    set->bytes = 0;
    for (i = 0; i < set->count; i++) {
        dump_range *r = &set->ranges[i];
        if (r->length == 0)
            continue;
        if (n > 0 && r->offset <= set->ranges[n - 1].offset + set->ranges[n - 1].length) {
            dump_range *last = &set->ranges[n - 1];
            if (r->offset + r->length > last->offset + last->length)
                last->length = r->offset + r->length - last->offset;
        } else {
            set->ranges[n++] = *r;
        }
    }
    set->count = n;
    for (i = 0; i < n; i++)
        set->bytes += set->ranges[i].length;
    return PT_OK;
}

void dump_range_set_free(dump_range_set *set)
{
    free(set->ranges);
    memset(set, 0, sizeof *set);
}

static pt_status ignore_fact(void *ctx, const char *name, const char *value)
{
    (void)ctx;
    (void)name;
    (void)value;
    return PT_OK;
}

pt_status dump_reduce_ranges(pt_source *src, const pt_read_options *opt, dump_range_set *set,
                             pt_error *err)
{
    pt_source *rec = NULL;
    pt_read_options o;
    pt_sink sink;
    pt_error e2;
    pt_status st;
    recorder *r;

    st = dump_recording_source_open(src, set, &rec, err);
    if (st != PT_OK)
        return st;
    if (opt != NULL)
        o = *opt;
    else
        memset(&o, 0, sizeof o);
    o.partial_ok = 1;
    memset(&sink, 0, sizeof sink);
    /* Always the file header: probing and detection read it. */
    {
        size_t n = src->size < PT_PROBE_BYTES ? (size_t)src->size : PT_PROBE_BYTES;
        if (n > 0) {
            uint8_t *buf = malloc(n);
            if (buf == NULL) {
                pt_source_close(rec);
                return pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET,
                                    "out of memory");
            }
            st = pt_source_read(rec, 0, buf, n, err);
            free(buf);
            if (st != PT_OK)
                goto out;
        }
    }
    st = pt_reader_dump.read(rec, &o, &sink, &e2);
    if (st == PT_ERR_IO || st == PT_ERR_NOMEM) {
        *err = e2;
        goto out;
    }
    st = pt_reader_dump.describe(rec, &o, ignore_fact, NULL, &e2);
    if (st == PT_ERR_IO || st == PT_ERR_NOMEM) {
        *err = e2;
        goto out;
    }
    r = rec->impl;
    if (r->failed) {
        st = pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET,
                          "out of memory recording the dump's reads");
        goto out;
    }
    st = dump_range_set_finish(set, src->size, err);
out:
    pt_source_close(rec);
    if (st != PT_OK)
        dump_range_set_free(set);
    return st;
}
