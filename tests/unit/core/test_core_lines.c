/* The line reader: lines split at LF with CRs stripped, a last line without
 * its newline, an empty input, lines cut at PT_MAX_LINE, lines that cross
 * the reader's buffer refills; each line's offset and number. */
#include <stdlib.h>
#include <string.h>

#include "pt_source.h"
#include "pt_test.h"

/* One line the reader should return. */
typedef struct expect_line {
    size_t len;
    char first, last; /* first and last bytes, when len > 0 */
    uint64_t off;
} expect_line;

/* Reads data through a memory source and checks every line against want. */
static void check_lines(const char *data, size_t size, const expect_line *want, size_t count)
{
    pt_source *src = NULL;
    pt_line_reader lr;
    pt_error err;
    const char *line = NULL;
    size_t len = 0, i;

    pt_error_clear(&err);
    PT_CHECK(pt_source_open_memory(data, size, "lines.txt", &src, &err) == PT_OK);
    if (src == NULL)
        return;
    PT_CHECK(pt_line_reader_init(&lr, src, &err) == PT_OK);
    for (i = 0; i < count; i++) {
        PT_CHECK(pt_line_reader_next(&lr, &line, &len, &err) == 1);
        PT_CHECK_U64(len, want[i].len);
        PT_CHECK_U64(lr.line_off, want[i].off);
        PT_CHECK_U64(lr.line_no, i + 1);
        PT_CHECK(line[len] == '\0');
        if (len > 0 && len == want[i].len) {
            PT_CHECK(line[0] == want[i].first);
            PT_CHECK(line[len - 1] == want[i].last);
        }
    }
    PT_CHECK(pt_line_reader_next(&lr, &line, &len, &err) == 0);
    PT_CHECK(pt_line_reader_next(&lr, &line, &len, &err) == 0);
    PT_CHECK_U64(lr.line_no, count);
    pt_line_reader_free(&lr);
    pt_source_close(src);
}

static void test_empty_input(void)
{
    check_lines("", 0, NULL, 0);
}

static void test_lf_crlf_and_last_line(void)
{
    static const char text[] = "ab\r\ncd\n\r\n\nx\ry\r\r\nlast";
    static const expect_line want[] = {
        {2, 'a', 'b', 0},  /* CR before LF stripped */
        {2, 'c', 'd', 4},  /* plain LF */
        {0, 0, 0, 7},      /* a line that is only CR */
        {0, 0, 0, 9},      /* an empty line */
        {3, 'x', 'y', 10}, /* a CR inside the line stays, both CRs at its end go */
        {4, 'l', 't', 16}, /* the last line without a newline */
    };
    const char *line = NULL;
    pt_source *src = NULL;
    pt_line_reader lr;
    pt_error err;
    size_t len = 0, i;

    check_lines(text, sizeof text - 1, want, sizeof want / sizeof want[0]);
    /* the exact bytes of the line with the inner CR */
    pt_error_clear(&err);
    PT_CHECK(pt_source_open_memory(text, sizeof text - 1, "lines.txt", &src, &err) == PT_OK);
    PT_CHECK(pt_line_reader_init(&lr, src, &err) == PT_OK);
    for (i = 0; i < 5; i++)
        PT_CHECK(pt_line_reader_next(&lr, &line, &len, &err) == 1);
    PT_CHECK_STR(line, "x\ry");
    pt_line_reader_free(&lr);
    pt_source_close(src);
}

static void test_only_newline(void)
{
    static const expect_line want[] = {{0, 0, 0, 0}};
    check_lines("\n", 1, want, 1);
}

/* A long line is cut at PT_MAX_LINE; the bytes past the cut are dropped up
 * to its newline and the next line starts right after it. */
static void test_cut_at_max_line(void)
{
    size_t long_len = 3 * (size_t)PT_MAX_LINE + 123; /* spans several refills */
    size_t size = long_len + 1 + 3 + 1 + PT_MAX_LINE + 2;
    char *data = malloc(size);
    size_t p = 0;
    expect_line want[3];

    PT_CHECK(data != NULL);
    if (data == NULL)
        return;
    data[p++] = 'A';
    memset(data + p, 'b', long_len - 1);
    p += long_len - 1;
    data[PT_MAX_LINE - 1] = 'Z'; /* the last byte kept */
    data[p++] = '\n';
    memcpy(data + p, "mid\n", 4);
    p += 4;
    /* exactly PT_MAX_LINE bytes then CRLF: kept whole, CR stripped */
    data[p] = 'C';
    memset(data + p + 1, 'd', PT_MAX_LINE - 2);
    data[p + PT_MAX_LINE - 1] = 'E';
    data[p + PT_MAX_LINE] = '\r';
    data[p + PT_MAX_LINE + 1] = '\n';
    want[0] = (expect_line){PT_MAX_LINE, 'A', 'Z', 0};
    want[1] = (expect_line){3, 'm', 'd', long_len + 1};
    want[2] = (expect_line){PT_MAX_LINE, 'C', 'E', long_len + 5};
    check_lines(data, size, want, 3);
    free(data);
}

/* A line cut at PT_MAX_LINE whose kept part ends in CR loses the CR too. */
static void test_cut_line_ending_in_cr(void)
{
    size_t size = (size_t)PT_MAX_LINE + 10;
    char *data = malloc(size);
    expect_line want[1];

    PT_CHECK(data != NULL);
    if (data == NULL)
        return;
    memset(data, 'q', size);
    data[PT_MAX_LINE - 1] = '\r';
    want[0] = (expect_line){PT_MAX_LINE - 1, 'q', 'q', 0};
    check_lines(data, size, want, 1);
    free(data);
}

/* Short lines that straddle the reader's 64 KiB buffer: every line comes
 * back whole, at its offset. */
static void test_lines_across_refills(void)
{
    enum { LINES = 30000 };
    size_t size = 0, i;
    char *data = malloc((size_t)LINES * 8);
    expect_line *want = malloc(LINES * sizeof *want);

    PT_CHECK(data != NULL && want != NULL);
    if (data == NULL || want == NULL) {
        free(data);
        free(want);
        return;
    }
    for (i = 0; i < LINES; i++) {
        size_t len = 1 + i % 5; /* 1..5 bytes, then CRLF on odd lines */
        want[i] = (expect_line){len, (char)('a' + i % 26), (char)('A' + i % 26), size};
        memset(data + size, 'm', len);
        data[size] = want[i].first;
        data[size + len - 1] = want[i].last;
        if (len == 1)
            want[i].first = want[i].last;
        size += len;
        if (i % 2)
            data[size++] = '\r';
        data[size++] = '\n';
    }
    check_lines(data, size, want, LINES);
    free(data);
    free(want);
}

PT_TEST_MAIN(PT_TEST(test_empty_input), PT_TEST(test_lf_crlf_and_last_line),
             PT_TEST(test_only_newline), PT_TEST(test_cut_at_max_line),
             PT_TEST(test_cut_line_ending_in_cr), PT_TEST(test_lines_across_refills))
