/* text_fixture.h - helpers for the text reader tests: read a whole file,
 * collapse its blanks as a mail client does, compare two recordings. */
#ifndef TEXT_FIXTURE_H
#define TEXT_FIXTURE_H

#include "pt_test.h"
#include "text_record.h"

/* The whole file in a malloc'd buffer (test inputs are small). */
static inline char *fx_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    *len = 0;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* Each run of blanks (space, TAB) made one space, leading blanks removed:
 * what pasting into a mail or a web page does to aligned columns. */
static inline char *fx_collapse(const char *in, size_t len, size_t *out_len)
{
    char *out = malloc(len + 1);
    size_t i, n = 0;
    int at_start = 1, blank = 0;
    if (out == NULL)
        return NULL;
    for (i = 0; i < len; i++) {
        char c = in[i];
        if (c == ' ' || c == '\t') {
            blank = 1;
            continue;
        }
        if (c == '\n' || c == '\r') {
            out[n++] = c;
            at_start = 1;
            blank = 0;
            continue;
        }
        if (blank && !at_start)
            out[n++] = ' ';
        blank = 0;
        at_start = 0;
        out[n++] = c;
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

static inline int fx_str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Same rows and counters in the same order (variants may differ). */
static inline int fx_same_records(const recording *a, const recording *b)
{
    size_t i;
    if (a->nrows != b->nrows || a->ncounters != b->ncounters || a->nsamples != b->nsamples)
        return 0;
    for (i = 0; i < a->nrows; i++) {
        const rec_row *x = &a->rows[i], *y = &b->rows[i];
        if (x->tag != y->tag || strcmp(x->tag_text, y->tag_text) != 0 || x->pool != y->pool ||
            x->has != y->has || x->allocs != y->allocs || x->frees != y->frees ||
            x->outstanding != y->outstanding || x->bytes != y->bytes ||
            !fx_str_eq(x->description, y->description) || !fx_str_eq(x->binary, y->binary)) {
            fprintf(stderr, "row %zu differs: %s/%s\n", i, x->tag_text, y->tag_text);
            return 0;
        }
    }
    for (i = 0; i < a->ncounters; i++)
        if (strcmp(a->counters[i].name, b->counters[i].name) != 0 ||
            strcmp(a->counters[i].unit, b->counters[i].unit) != 0 ||
            a->counters[i].value != b->counters[i].value) {
            fprintf(stderr, "counter %zu differs: %s/%s\n", i, a->counters[i].name,
                    b->counters[i].name);
            return 0;
        }
    return 1;
}

/* Reads a file as it is and with its blanks collapsed; both must give the
 * same records. */
static inline void fx_check_collapsed_same(const pt_reader *reader, const char *path)
{
    size_t len = 0, clen = 0;
    char *raw = fx_slurp(path, &len), *col;
    recording a, b;
    pt_error err;
    PT_CHECK(raw != NULL);
    if (raw == NULL)
        return;
    col = fx_collapse(raw, len, &clen);
    PT_CHECK_U64(rec_read_buffer(reader, raw, len, &a, &err), PT_OK);
    PT_CHECK_U64(rec_read_buffer(reader, col, clen, &b, &err), PT_OK);
    PT_CHECK(a.nrows + a.ncounters > 0);
    PT_CHECK(fx_same_records(&a, &b));
    rec_free(&a);
    rec_free(&b);
    free(col);
    free(raw);
}

#endif
