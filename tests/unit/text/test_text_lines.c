/* test_text_lines.c - text_clean_line (eight bytes at a time) against a
 * byte-by-byte model of its rules on every byte value;
 * text_line_next_clean gives the same lines, offsets
 * and line numbers as pt_line_reader_next followed by text_clean_line, on
 * input built to hit its edges: lines across the reader's 64 KiB buffer,
 * CRLF and lone CRs, a line longer than PT_MAX_LINE, a byte-order mark,
 * control bytes and no-break spaces, empty lines, no final newline. */
#include <stdlib.h>
#include <string.h>

#include "pt_test.h"
#include "text_util.h"

/* Builds the input: about 300 KiB of lines of varying length. */
static char *build_input(size_t *size)
{
    size_t cap = 600000, n = 0, i, k;
    char *s = malloc(cap);
    unsigned seed = 12345;

    if (s == NULL)
        return NULL;
    memcpy(s, "\xEF\xBB\xBF" "Tag  Type\r\n", 14);
    n = 14;
    for (i = 0; n < 300000; i++) {
        size_t len;
        seed = seed * 1103515245u + 12345u;
        len = (seed >> 16) % 200;
        for (k = 0; k < len; k++)
            s[n++] = (char)(' ' + (k * 7 + i) % 95);
        if (i % 37 == 0)
            s[n++] = '\t';
        if (i % 41 == 0) {
            s[n++] = (char)0xC2;
            s[n++] = (char)0xA0;
            s[n++] = 0x01;
        }
        if (i % 5 == 0)
            s[n++] = '\r';
        if (i % 13 == 0)
            s[n++] = '\r';
        s[n++] = '\n';
        if (i % 17 == 0)
            s[n++] = '\n';
    }
    /* A line longer than PT_MAX_LINE, cut by both. */
    memset(s + n, 'x', PT_MAX_LINE + 100);
    n += PT_MAX_LINE + 100;
    memcpy(s + n, "\r\nlast line without a newline", 29);
    n += 29;
    *size = n;
    return s;
}

static void test_same_lines_as_the_line_reader(void)
{
    size_t size, got_len, want_len, raw_len, lines = 0;
    char *input = build_input(&size);
    char *got = malloc(TEXT_LINE_MAX + 1), *want = malloc(TEXT_LINE_MAX + 1);
    pt_source *a = NULL, *b = NULL;
    pt_line_reader la, lb;
    pt_error err;
    const char *raw;
    int ra, rb;

    PT_CHECK(input != NULL && got != NULL && want != NULL);
    if (input == NULL || got == NULL || want == NULL)
        return;
    PT_CHECK(pt_source_open_memory(input, size, "a", &a, &err) == PT_OK);
    PT_CHECK(pt_source_open_memory(input, size, "b", &b, &err) == PT_OK);
    PT_CHECK(pt_line_reader_init(&la, a, &err) == PT_OK);
    PT_CHECK(pt_line_reader_init(&lb, b, &err) == PT_OK);
    for (;;) {
        ra = text_line_next_clean(&la, got, &got_len, &err);
        rb = pt_line_reader_next(&lb, &raw, &raw_len, &err);
        PT_CHECK(ra == rb);
        if (ra != 1 || rb != 1)
            break;
        want_len = text_clean_line(raw, raw_len, want);
        lines++;
        PT_CHECK_U64(got_len, want_len);
        PT_CHECK(memcmp(got, want, want_len + 1) == 0);
        PT_CHECK_U64(la.line_off, lb.line_off);
        PT_CHECK_U64(la.line_no, lb.line_no);
        if (got_len != want_len || la.line_off != lb.line_off)
            break;
    }
    PT_CHECK(ra == 0);
    PT_CHECK(lines > 2000);
    PT_CHECK_STR(got, "last line without a newline");
    pt_line_reader_free(&la);
    pt_line_reader_free(&lb);
    pt_source_close(a);
    pt_source_close(b);
    free(input);
    free(got);
    free(want);
}

/* The rules, one byte at a time: printable ASCII kept, C2 A0 and control
 * bytes (but TAB) made spaces, other bytes kept, a leading BOM dropped. */
static size_t model_clean(const unsigned char *in, size_t len, char *out)
{
    size_t i = 0, n = 0;
    if (len >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF)
        i = 3;
    for (; i < len; i++) {
        if (in[i] == 0xC2 && i + 1 < len && in[i + 1] == 0xA0) {
            out[n++] = ' ';
            i++;
        } else if (in[i] == '\t') {
            out[n++] = '\t';
        } else if (in[i] < 0x20 || in[i] == 0x7F) {
            out[n++] = ' ';
        } else {
            out[n++] = (char)in[i];
        }
    }
    out[n] = '\0';
    return n;
}

static void test_clean_line_matches_the_rules(void)
{
    unsigned char in[300];
    char got[320], want[320];
    unsigned seed = 7, round;
    size_t len, i;

    for (round = 0; round < 20000; round++) {
        seed = seed * 1103515245u + 12345u;
        len = (seed >> 16) % sizeof in;
        for (i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly printable, with every other byte value now and then */
            in[i] = (seed >> 24) % 16 != 0 ? (unsigned char)(0x20 + (seed >> 16) % 95)
                                            : (unsigned char)(seed >> 8);
        }
        if (round % 7 == 0 && len >= 3) {
            in[0] = 0xEF;
            in[1] = 0xBB;
            in[2] = 0xBF;
        }
        if (round % 5 == 0 && len >= 20) {
            in[len / 2] = 0xC2;
            in[len / 2 + 1] = 0xA0;
        }
        PT_CHECK_U64(text_clean_line((const char *)in, len, got),
                     model_clean(in, len, want));
        PT_CHECK(strcmp(got, want) == 0);
        if (strcmp(got, want) != 0)
            break;
    }
}

PT_TEST_MAIN(PT_TEST(test_clean_line_matches_the_rules),
             PT_TEST(test_same_lines_as_the_line_reader))
