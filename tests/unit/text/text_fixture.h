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

/* The text as UTF-16LE with a byte-order mark (PowerShell's `>`):
 * UTF-8 sequences become their code point (BMP only). */
static inline char *fx_utf16(const char *in, size_t len, size_t *out_len)
{
    unsigned char *out = malloc(2 * len + 2);
    size_t i = 0, n = 0;
    if (out == NULL)
        return NULL;
    out[n++] = 0xFF;
    out[n++] = 0xFE;
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        unsigned cp = c;
        size_t k = 1;
        if (c >= 0xE0 && i + 2 < len) {
            cp = ((c & 0x0Fu) << 12) | (((unsigned char)in[i + 1] & 0x3Fu) << 6) |
                 ((unsigned char)in[i + 2] & 0x3Fu);
            k = 3;
        } else if (c >= 0xC0 && i + 1 < len) {
            cp = ((c & 0x1Fu) << 6) | ((unsigned char)in[i + 1] & 0x3Fu);
            k = 2;
        }
        out[n++] = (unsigned char)(cp & 0xFF);
        out[n++] = (unsigned char)(cp >> 8);
        i += k;
    }
    *out_len = n;
    return (char *)out;
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

/* Reads a file as it is and as UTF-16LE; both must give the same
 * records, and the reader's probe must recognize both. */
static inline void fx_check_utf16_same(const pt_reader *reader, const char *path)
{
    size_t len = 0, ulen = 0;
    char *raw = fx_slurp(path, &len), *u16;
    recording a, b;
    pt_error err;
    PT_CHECK(raw != NULL);
    if (raw == NULL)
        return;
    u16 = fx_utf16(raw, len, &ulen);
    PT_CHECK(reader->probe((const uint8_t *)u16, ulen) > 0);
    PT_CHECK_U64(rec_read_buffer(reader, raw, len, &a, &err), PT_OK);
    PT_CHECK_U64(rec_read_buffer(reader, u16, ulen, &b, &err), PT_OK);
    PT_CHECK(a.nrows + a.ncounters + a.ndescs > 0);
    PT_CHECK(fx_same_records(&a, &b));
    rec_free(&a);
    rec_free(&b);
    free(u16);
    free(raw);
}

#endif
