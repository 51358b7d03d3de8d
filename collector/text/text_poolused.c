/* text_poolused.c - the `!poolused` reader.
 *
 * What the debugger extension prints (kdexts, every version since XP):
 *
 *   0: kd> !poolused [Flags [Tag]]      (also LiveKd's "/t5 2": top 5)
 *   ..........                          (progress dots, cache messages)
 *      Sorting by  Tag | NonPaged Pool Consumed | Paged Pool Consumed
 *     Pool Used:                        (old layout only)
 *               NonPaged            Paged
 *    Tag    Allocs     Used    Allocs     Used
 *    1394        1      520         0        0UNKNOWN pooltag '1394', ...
 *    TOTAL     3570214 209120008     38769 13066104
 *
 * Flag 1 (verbose) prints eight columns, "Allocs Frees Diff Used" per
 * pool; flag 8 shows the session pool.  The old layout (XP/2003) prints
 * " %c%c%c%c %8ld %8I64ld  %8ld %8I64ld" and glues the description to the
 * last number; newer ones use wider columns and a TAB before it.  Without
 * flag 1 "Allocs" is the number of outstanding allocations (Allocs minus
 * Frees), which is poolmon's Diff.
 *
 * Columns are read by position when the header line kept its alignment
 * (a number ends where its header word ends, unless it is wider than its
 * field and pushes the rest right), which is the only way to split
 * "01394 OHCI..." into 0 and "1394 OHCI...".  When the blanks were
 * collapsed by a mail or web page the row is read by words, and a last
 * number with a leading zero ("01394") is taken as 0 plus text, since the
 * debugger never prints leading zeros.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_kdlog.h"
#include "text_readers.h"
#include "text_util.h"

#define PU_MAX_COLS 8
#define PU_DESC_MAX 1024

typedef enum pu_field { PU_ALLOCS, PU_FREES, PU_DIFF, PU_USED } pu_field;

static const char *const pu_field_names[] = {"Allocs", "Frees", "Diff", "Used"};

typedef struct pu_header {
    int ncols;                  /* 4, or 8 when verbose */
    pu_field field[PU_MAX_COLS];
    size_t col_end[PU_MAX_COLS]; /* offset just past each header word */
    size_t tag_col;             /* offset of "Tag" */
    int aligned;                /* header kept its column blanks */
    int has_diff;               /* verbose: Allocs is cumulative */
} pu_header;

typedef struct pu_row {
    char tag_shown[8];          /* as printed, trailing blanks removed */
    size_t tag_len;
    uint64_t value[PU_MAX_COLS];
    const char *rest;           /* text after the last number */
} pu_row;

typedef struct pu_state {
    text_part_ctx part; /* first: text_kd_read fills it in */
    /* the command, when its prompt line is there */
    unsigned flags;
    int top_n;
    int tag_filter;
    int session;
    /* the current table */
    int in_sample;
    int have_header;
    int table_expected;         /* after the command or "Sorting by" */
    pu_header hdr;
    int incomplete;             /* top-N, "..." cut, or a row not read */
    uint64_t rows;
    uint64_t sum[PU_MAX_COLS];
    int sum_overflow;
    uint64_t samples;
    uint64_t total_rows;
    char variant[64];
} pu_state;

/* ---- small parsers ---- */

static int word_is(const char *p, const char *word)
{
    size_t n = strlen(word);
    size_t i;
    for (i = 0; i < n; i++) {
        char a = p[i], b = word[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return p[n] == '\0' || p[n] == ' ' || p[n] == '\t' || p[n] == ':';
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A line of only dots or a "[snip]"-like marker: the author cut the
 * output here. */
static int is_cut_marker(const char *collapsed)
{
    const char *p = collapsed;
    if (*p == '[')
        return strstr(p, "snip") != NULL || strstr(p, "...") != NULL;
    if (*p != '.')
        return 0;
    while (*p == '.' || *p == ' ')
        p++;
    return *p == '\0';
}

/* ---- the command line ---- */

/* "!poolused /t5 2 Leak": flags are hex, as the extension reads them. */
static void pu_parse_command(pu_state *st, const char *args)
{
    const char *p = text_skip_blanks(args);
    int have_flags = 0;

    st->flags = 0;
    st->top_n = 0;
    st->tag_filter = 0;
    st->session = 0;
    while (*p != '\0') {
        const char *w = p;
        size_t n = 0;
        while (w[n] != '\0' && !is_blank(w[n]))
            n++;
        if ((w[0] == '/' || w[0] == '-') && n >= 2 && (w[1] == 't' || w[1] == 'T')) {
            const char *q = w + 2;
            uint64_t v = 0;
            if (q == w + n) { /* "/t 5" */
                q = text_skip_blanks(w + n);
                n = (size_t)(q - w);
                while (is_digit(w[n]))
                    n++;
            }
            if (text_parse_u64(&q, &v) > 0 && v > 0)
                st->top_n = v > 1000000 ? 1000000 : (int)v;
        } else if (!have_flags) {
            char *end = NULL;
            char tmp[32];
            size_t m = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
            memcpy(tmp, w, m);
            tmp[m] = '\0';
            unsigned long v = strtoul(tmp, &end, 16);
            if (end != NULL && *end == '\0' && m > 0) {
                st->flags = (unsigned)v;
                have_flags = 1;
            } else {
                st->tag_filter = 1;
            }
        } else {
            st->tag_filter = 1;
        }
        p = text_skip_blanks(w + n);
    }
    if (st->flags & 8u)
        st->session = 1;
}

/* ---- the header ---- */

static int pu_parse_header(pu_state *st, const char *line)
{
    pu_header h;
    const char *p = text_skip_blanks(line);
    int k;

    memset(&h, 0, sizeof h);
    if (!word_is(p, "Tag"))
        return 0;
    h.tag_col = (size_t)(p - line);
    p += 3;
    while (*p != '\0') {
        const char *q = text_skip_blanks(p);
        if (q - p >= 2)
            h.aligned = 1;
        p = q;
        if (*p == '\0')
            break;
        for (k = 0; k < 4; k++)
            if (word_is(p, pu_field_names[k]))
                break;
        if (k == 4 || h.ncols == PU_MAX_COLS)
            return 0;
        h.field[h.ncols] = (pu_field)k;
        p += strlen(pu_field_names[k]);
        h.col_end[h.ncols] = (size_t)(p - line);
        if (k == PU_DIFF)
            h.has_diff = 1;
        h.ncols++;
    }
    if (h.ncols != 4 && h.ncols != 8)
        return 0;
    st->hdr = h;
    return 1;
}

/* ---- rows ---- */

/* Reads the numbers by column position; 0 when the row does not line up
 * with the header (then it is read by words). */
static int pu_row_aligned(const pu_header *h, const char *line, size_t len, pu_row *row)
{
    size_t pos, shift = 0;
    int i;

    if (len < h->tag_col + 5)
        return 0;
    for (pos = 0; pos < h->tag_col; pos++)
        if (!is_blank(line[pos]))
            return 0;
    if (is_blank(line[h->tag_col]) || !is_blank(line[h->tag_col + 4]))
        return 0;
    memcpy(row->tag_shown, line + h->tag_col, 4);
    row->tag_shown[4] = '\0';
    pos = h->tag_col + 4;
    for (i = 0; i < h->ncols; i++) {
        size_t expect = h->col_end[i] + shift, s, e;
        while (pos < len && is_blank(line[pos]))
            pos++;
        s = pos;
        while (pos < len && is_digit(line[pos]))
            pos++;
        e = pos;
        if (e == s || e < expect || s == h->tag_col + 4)
            return 0;
        if (e > expect) {
            if (i == h->ncols - 1 && s < expect)
                e = expect; /* digits glued to the description */
            else
                shift += e - expect;
        }
        if (e - s > 20)
            return 0;
        {
            char num[24];
            const char *q = num;
            memcpy(num, line + s, e - s);
            num[e - s] = '\0';
            if (text_parse_u64(&q, &row->value[i]) <= 0)
                return 0;
        }
        pos = e;
    }
    row->rest = line + pos;
    return 1;
}

/* Reads the row word by word (blanks collapsed). */
static int pu_row_words(const pu_header *h, const char *line, pu_row *row)
{
    const char *p = text_skip_blanks(line), *t = p;
    size_t n = 0;
    int i;

    while (t[n] != '\0' && !is_blank(t[n]))
        n++;
    if (n == 0 || n > 4)
        return 0;
    memcpy(row->tag_shown, t, n);
    row->tag_shown[n] = '\0';
    p = t + n;
    for (i = 0; i < h->ncols; i++) {
        const char *s;
        int d;
        if (!is_blank(*p))
            return 0;
        p = text_skip_blanks(p);
        s = p;
        d = text_parse_u64(&p, &row->value[i]);
        if (d <= 0)
            return 0;
        if (i < h->ncols - 1) {
            if (!is_blank(*p))
                return 0;
        } else if (d > 1 && s[0] == '0') {
            /* "01394 OHCI": 0, then a description that starts with digits */
            row->value[i] = 0;
            p = s + 1;
        }
    }
    row->rest = p;
    return 1;
}

/* Splits the text after the numbers into a description and a binary.
 * `UNKNOWN pooltag 'xxxx', ...` leaves both NULL and gives the quoted tag
 * text back in *quoted (4 bytes) for the tag value. */
static void pu_split_description(const char *rest, char *desc, const char **description,
                                 const char **binary, char quoted[5])
{
    static const char unknown[] = "UNKNOWN pooltag '";
    const char *b;
    size_t n;

    *description = NULL;
    *binary = NULL;
    quoted[0] = '\0';
    n = text_collapse(rest, strlen(rest), desc, PU_DESC_MAX);
    if (n == 0)
        return;
    if (strncmp(desc, unknown, sizeof unknown - 1) == 0) {
        /* The quoted text is taken from the raw line: blanks matter. */
        const char *q = strstr(rest, unknown);
        if (q != NULL) {
            q += sizeof unknown - 1;
            if (strlen(q) >= 5 && q[4] == '\'') {
                memcpy(quoted, q, 4);
                quoted[4] = '\0';
            }
        }
        return;
    }
    b = strstr(desc, ", Binary:");
    if (b != NULL) {
        char *cut = desc + (b - desc);
        const char *bin = text_skip_blanks(b + 9);
        *cut = '\0';
        text_rtrim(desc, (size_t)(cut - desc));
        *binary = *bin != '\0' ? bin : NULL;
    }
    *description = desc[0] != '\0' ? desc : NULL;
}

static int printable(unsigned char c)
{
    return c >= 0x20 && c < 0x7F;
}

/* The raw tag value behind the text the debugger printed.
 *
 * The extension prints each tag byte with isprint() or '.', so a '.' in
 * the column may be a real dot or a byte that is not printable.  The
 * UNKNOWN message tells them apart: it prints the tag as a C string in a
 * four-column field, right-aligned, so a tag that ends in NUL bytes comes
 * out with that many leading blanks ("MPP." -> ' MPP', "rx.." -> '  rx').
 * When the message lines up that way the trailing dots are NUL bytes;
 * when it repeats the dot ('.UMD' -> '.UMD') the dot is real; a byte the
 * message shows where the column shows '.' is taken from the message.
 * Without a message (a known tag), trailing dots are taken as NUL bytes,
 * the usual cause (a tag written as a three-letter literal), and dots
 * elsewhere as real dots.  So "MPP." is the value 0x0050504D ('M','P',
 * 'P',0): different from 'MPP ' (0x2050504D).  Tag-to-driver matching
 * must allow that a '.' in a shown tag can stand for any unprintable
 * byte, and that the printed text (tag_text) is what the user saw. */
static pt_tag pu_tag_value(const char *shown, size_t shown_len, const char *quoted)
{
    uint8_t b[4] = {' ', ' ', ' ', ' '};
    size_t i;
    int k;

    for (i = 0; i < 4 && i < shown_len; i++)
        b[i] = (uint8_t)shown[i];
    if (quoted != NULL && strlen(quoted) == 4) {
        for (k = 0; k < 4; k++) {
            int ok = 1, j;
            for (j = 0; j < k && ok; j++)
                ok = quoted[j] == ' ' && b[3 - j] == '.';
            for (j = 0; j < 4 - k && ok; j++) {
                unsigned char q = (unsigned char)quoted[k + j];
                ok = q == b[j] || (b[j] == '.' && !printable(q));
            }
            if (ok) {
                for (j = 0; j < 4 - k; j++)
                    b[j] = (uint8_t)quoted[k + j];
                for (j = 4 - k; j < 4; j++)
                    b[j] = 0;
                return pt_tag_from_bytes(b);
            }
        }
    }
    for (k = 3; k >= 0 && b[k] == '.'; k--)
        b[k] = 0;
    return pt_tag_from_bytes(b);
}

static pt_status pu_emit_row(pu_state *st, const pu_row *row)
{
    char desc[PU_DESC_MAX], quoted[5];
    const char *description, *binary;
    pt_tag_row r;
    int half, i;
    pt_status rc;

    pu_split_description(row->rest, desc, &description, &binary, quoted);
    memset(&r, 0, sizeof r);
    r.tag = pu_tag_value(row->tag_shown, row->tag_len, quoted[0] ? quoted : NULL);
    r.tag_text = row->tag_shown;
    r.description = description;
    r.binary = binary;
    for (half = 0; half < 2; half++) {
        int per = st->hdr.ncols / 2;
        r.pool = st->session ? (half ? PT_POOL_SESSION_PAGED : PT_POOL_SESSION_NONPAGED)
                             : (half ? PT_POOL_PAGED : PT_POOL_NONPAGED);
        r.has = 0;
        r.allocs = r.frees = r.outstanding = r.bytes = 0;
        for (i = half * per; i < (half + 1) * per; i++) {
            uint64_t v = row->value[i];
            switch (st->hdr.field[i]) {
            case PU_ALLOCS:
                if (st->hdr.has_diff) {
                    r.allocs = v;
                    r.has |= PT_HAS_ALLOCS;
                } else {
                    r.outstanding = v;
                    r.has |= PT_HAS_OUTSTANDING;
                }
                break;
            case PU_FREES:
                r.frees = v;
                r.has |= PT_HAS_FREES;
                break;
            case PU_DIFF:
                r.outstanding = v;
                r.has |= PT_HAS_OUTSTANDING;
                break;
            case PU_USED:
                r.bytes = v;
                r.has |= PT_HAS_BYTES;
                break;
            }
        }
        rc = pt_sink_tag_row(st->part.sink, &r);
        if (rc != PT_OK)
            return rc;
    }
    for (i = 0; i < st->hdr.ncols; i++) {
        if (st->sum[i] > UINT64_MAX - row->value[i])
            st->sum_overflow = 1;
        else
            st->sum[i] += row->value[i];
    }
    st->rows++;
    st->total_rows++;
    return PT_OK;
}

/* Reads a row by position or by words; 0 when the line is not one. */
static int pu_try_row(const pu_state *st, const char *line, size_t len, pu_row *row)
{
    size_t n;

    memset(row, 0, sizeof *row);
    if (!(st->hdr.aligned && pu_row_aligned(&st->hdr, line, len, row)) &&
        !pu_row_words(&st->hdr, line, row))
        return 0;
    n = strlen(row->tag_shown);
    while (n > 0 && row->tag_shown[n - 1] == ' ')
        n--;
    row->tag_shown[n] = '\0';
    row->tag_len = n;
    return n > 0;
}

/* A row read by words with the columns the command prints (flag 1:
 * eight), for rows pasted without their header line. */
static int pu_headerless_row(pu_state *st, const char *line, size_t len, pu_row *row)
{
    static const pu_field verbose[PU_MAX_COLS] = {PU_ALLOCS, PU_FREES, PU_DIFF, PU_USED,
                                                  PU_ALLOCS, PU_FREES, PU_DIFF, PU_USED};
    static const pu_field summary[4] = {PU_ALLOCS, PU_USED, PU_ALLOCS, PU_USED};
    pu_header saved = st->hdr;
    int verbose_flag = (st->flags & 1u) != 0, i;

    memset(&st->hdr, 0, sizeof st->hdr);
    st->hdr.ncols = verbose_flag ? 8 : 4;
    st->hdr.has_diff = verbose_flag;
    for (i = 0; i < st->hdr.ncols; i++)
        st->hdr.field[i] = verbose_flag ? verbose[i] : summary[i];
    if (pu_try_row(st, line, len, row))
        return 1;
    st->hdr = saved;
    return 0;
}

/* ---- the TOTAL line ---- */

static pt_status pu_total(pu_state *st, const char *line)
{
    const char *p = strstr(line, "TOTAL") + 5;
    uint64_t v[PU_MAX_COLS];
    int i;
    pt_status rc;

    for (i = 0; i < st->hdr.ncols; i++) {
        p = text_skip_blanks(p);
        if (text_parse_u64(&p, &v[i]) <= 0)
            return pt_sink_warning(st->part.sink, st->part.name, st->part.line_off,
                                   "line %lu: TOTAL line not readable, ignored",
                                   st->part.line_no);
    }
    for (i = 0; i < st->hdr.ncols; i++) {
        char name[64];
        pt_counter c;
        int paged = i >= st->hdr.ncols / 2;
        snprintf(name, sizeof name, "%sTOTAL %s %s", st->session ? "Session " : "",
                 paged ? "Paged" : "NonPaged", pu_field_names[st->hdr.field[i]]);
        c.name = name;
        c.unit = st->hdr.field[i] == PU_USED ? "bytes" : "count";
        c.value = v[i];
        rc = pt_sink_counter(st->part.sink, &c);
        if (rc != PT_OK)
            return rc;
    }
    /* The cross-check only means something when every row is here. */
    if (st->incomplete || st->top_n > 0 || st->sum_overflow)
        return PT_OK;
    for (i = 0; i < st->hdr.ncols; i++) {
        if (v[i] != st->sum[i]) {
            int paged = i >= st->hdr.ncols / 2;
            rc = pt_sink_warning(st->part.sink, st->part.name, st->part.line_off,
                                 "line %lu: TOTAL %s %s is %llu but the rows add up to %llu",
                                 st->part.line_no, paged ? "Paged" : "NonPaged",
                                 pu_field_names[st->hdr.field[i]], (unsigned long long)v[i],
                                 (unsigned long long)st->sum[i]);
            if (rc != PT_OK)
                return rc;
        }
    }
    return PT_OK;
}

/* ---- samples ---- */

static pt_status pu_end_sample(pu_state *st)
{
    if (!st->in_sample)
        return PT_OK;
    st->in_sample = 0;
    st->table_expected = 0;
    st->have_header = 0;
    return pt_sink_end_sample(st->part.sink);
}

static pt_status pu_begin_sample(pu_state *st)
{
    pt_sample_info info;
    const char *layout;
    size_t lead = st->hdr.col_end[0] - st->hdr.tag_col;

    if (!st->hdr.aligned)
        layout = "collapsed";
    else if ((st->hdr.ncols == 4 && lead == 13) || (st->hdr.ncols == 8 && lead == 13))
        layout = "old";
    else
        layout = "new";
    snprintf(st->variant, sizeof st->variant, "poolused-%s%s%s", layout,
             st->hdr.ncols == 8 ? "-verbose" : "", st->session ? "-session" : "");
    memset(&info, 0, sizeof info);
    info.kind = PT_KIND_POOLUSED;
    info.source = st->part.name;
    info.variant = st->variant;
    if (*st->part.file_time != 0) {
        info.time = *st->part.file_time;
        info.time_origin = "file";
    } else {
        text_default_time(st->part.opt, &info.time, &info.time_origin);
    }
    st->in_sample = 1;
    st->rows = 0;
    st->incomplete = 0;
    st->sum_overflow = 0;
    memset(st->sum, 0, sizeof st->sum);
    st->samples++;
    return pt_sink_begin_sample(st->part.sink, &info);
}

/* ---- one line ---- */

static pt_status pu_line(pu_state *st, char *line, size_t len)
{
    pu_row row;
    char col[256];
    const char *cmd;
    size_t clen;

    len = text_strip_remark(line, len);
    len = text_rtrim(line, len);
    /* Rows are most lines: try them first (no other line reads as one). */
    if (st->have_header && pu_try_row(st, line, len, &row))
        return pu_emit_row(st, &row);
    clen = text_collapse(line, len, col, sizeof col);
    if (clen == 0)
        return PT_OK;
    cmd = strstr(line, "!poolused");
    if (cmd != NULL) {
        pt_status rc = pu_end_sample(st);
        if (rc != PT_OK)
            return rc;
        pu_parse_command(st, cmd + 9);
        st->table_expected = 1;
        return PT_OK;
    }
    if (strncmp(col, "Sorting by", 10) == 0) {
        st->table_expected = 1;
        if (strstr(col, "ession") != NULL)
            st->session = 1;
        if (st->have_header && st->rows > 0) {
            pt_status rc = pu_end_sample(st);
            if (rc != PT_OK)
                return rc;
        }
        return PT_OK;
    }
    if (!st->have_header || st->rows == 0) {
        if (pu_parse_header(st, line)) {
            pt_status rc;
            if (st->in_sample) {
                rc = pu_end_sample(st);
                if (rc != PT_OK)
                    return rc;
            }
            st->have_header = 1;
            return pu_begin_sample(st);
        }
    }
    if (!st->have_header && st->table_expected && pu_headerless_row(st, line, len, &row)) {
        /* rows pasted without their header line: the columns the
         * command's flags print */
        pt_status rc = pu_begin_sample(st);
        st->have_header = 1;
        if (rc != PT_OK)
            return rc;
        rc = pt_sink_warning(st->part.sink, st->part.name, st->part.line_off,
                             "line %lu: rows without a header line, read as %d columns",
                             st->part.line_no, st->hdr.ncols);
        if (rc != PT_OK)
            return rc;
        return pu_emit_row(st, &row);
    }
    if (!st->have_header)
        return PT_OK; /* debugger noise before the table */
    if (strncmp(col, "TOTAL ", 6) == 0)
        return pu_total(st, line);
    if (is_cut_marker(col)) {
        st->incomplete = 1;
        return PT_OK;
    }
    if (strncmp(col, "Pool Used", 9) == 0 || strncmp(col, "NonPaged", 8) == 0)
        return PT_OK;
    st->incomplete = 1;
    return pt_sink_warning(st->part.sink, st->part.name, st->part.line_off,
                           "line %lu: not a !poolused row, skipped", st->part.line_no);
}

/* ---- the part of a debugger log ---- */

static pt_status pu_part_line(void *state, char *line, size_t len)
{
    return pu_line(state, line, len);
}

static pt_status pu_part_end_sample(void *state)
{
    return pu_end_sample(state);
}

static pt_status pu_finish(void *state, pt_error *err)
{
    const pu_state *st = state;
    if (st->samples == 0 || st->total_rows == 0)
        return pt_error_set(err, PT_ERR_FORMAT, st->part.name, PT_NO_OFFSET,
                            st->samples == 0
                                ? "no !poolused table (Tag Allocs Used header) found"
                                : "!poolused table has no rows");
    return PT_OK;
}

const text_part text_part_poolused = {sizeof(pu_state), pu_part_line, pu_part_end_sample,
                                      pu_finish};

static pt_status poolused_read(pt_source *src, const pt_read_options *opt,
                               const pt_sink *sink, pt_error *err)
{
    return text_kd_read(src, opt, sink, err, TEXT_KD_POOLUSED);
}

/* A table header line ("Tag Allocs Used"), plus the "Sorting by" line,
 * the command, or the UNKNOWN / Binary descriptions. */
static int poolused_probe_text(const uint8_t *head, size_t len)
{
    static const char *const header[] = {"Tag", "Allocs", "Used", NULL};
    static const char *const poolmon_header[] = {"Tag", "Type", "Allocs", NULL};
    int score = 0;

    if (!text_looks_textual(head, len) || !text_line_has_all(head, len, header) ||
        text_line_has_all(head, len, poolmon_header))
        return 0;
    score = 40;
    if (text_contains(head, len, "!poolused"))
        score += 30;
    if (text_contains(head, len, "Sorting by"))
        score += 30;
    if (text_contains(head, len, "please update pooltag.txt") ||
        text_contains(head, len, ", Binary:"))
        score += 20;
    if (score < 60)
        return 0;
    return score > 100 ? 100 : score;
}

/* What poolused_describe has told so far. */
typedef struct pu_facts {
    pt_fact_fn fact;
    void *ctx;
    int commands, sorts;
} pu_facts;

/* Each command and its sort order (a log may hold several). */
static pt_status pu_describe_line(void *state, const char *col)
{
    pu_facts *facts = state;
    if (strstr(col, "!poolused") != NULL && facts->commands++ < 8)
        return facts->fact(facts->ctx, "command", strstr(col, "!poolused"));
    if (strncmp(col, "Sorting by", 10) == 0 && facts->sorts++ < 8)
        return facts->fact(facts->ctx, "sort", text_skip_blanks(col + 10));
    return PT_OK;
}

/* Facts beyond the records: the command, its sort and layout. */
static pt_status poolused_describe(pt_source *src, const pt_read_options *opt,
                                   pt_fact_fn fact, void *ctx, pt_error *err)
{
    pu_facts facts = {fact, ctx, 0, 0};
    (void)opt;
    return text_describe_lines(src, 1, 0, pu_describe_line, &facts, err);
}

/* Probes the text as it is, or narrowed when it is UTF-16LE. */
static int poolused_probe(const uint8_t *head, size_t len)
{
    return text_reader_probe(head, len, poolused_probe_text);
}

const pt_reader pt_reader_poolused = {
    .kind = PT_KIND_POOLUSED,
    .name = "poolused",
    .probe = poolused_probe,
    .read = poolused_read,
    .describe = poolused_describe,
};
