/* text_poolmon.c - the poolmon reader: console screens copied out of a
 * window, and `/n` (poolsnap.log) or `/b` snapshots.
 *
 *   Memory:  260620K Avail:   65152K  PageFlts:    85   InRam Krnl: 2116K P:19560K
 *   Commit: 237688K Limit: 640916K Peak: 260632K            Pool N: 8500K P:33024K
 *   System pool information        | Session 0 pool information
 *                                  | All sessions pool information
 *   Tag  Type     Allocs            Frees            Diff   Bytes      Per Alloc  Mapped_Driver
 *   NtFA Nonp       9112 (   0)      9112 (   0)     0       0 (     0)      0 [ntfs.sys  -  AttrSup.c]
 *
 * The two header lines become counters named "Memory", "Avail",
 * "PageFlts" (a count), "InRam Krnl", "InRam P", "Commit", "Limit",
 * "Peak", "Pool N" and "Pool P", in unit "K" as printed.  The "( )"
 * columns (change since the last refresh) are read and dropped; a number
 * may touch the ")" before it when the column overflows
 * ("126693501 ( 128)126675442").  The Mapped_Driver column holds
 * "[binary - description]" from pooltag.txt (/g), "[binary]" from
 * localtag.txt (/c), a plain "[description]", or "Unknown Driver"; text
 * cut at the console's right edge is kept as far as it goes.
 *
 * A file may hold several screens; each screen (a header-line or title
 * group followed by rows) is one sample.  Its time is taken from a time
 * stamp line written before it (see text_parse_time_line for the forms),
 * else from the command line, else from the file's modification time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_readers.h"
#include "text_util.h"

#define PM_MAX_PENDING 16
#define PM_NAME_MAX 32
#define PM_TEXT_MAX 512

typedef struct pm_pending_counter {
    char name[PM_NAME_MAX];
    char unit[8];
    uint64_t value;
} pm_pending_counter;

typedef struct pm_state {
    const pt_read_options *opt;
    const pt_sink *sink;
    const char *name;
    uint64_t line_off;
    unsigned long line_no;
    /* the screen being read */
    int in_sample;
    int have_header;
    int session;            /* session or all-sessions pool */
    int changes_seen;       /* rows carry "( )" columns: a console screen */
    size_t tag_col;         /* offset of "Tag" in the header */
    uint64_t rows_in_screen;
    pm_pending_counter pending[PM_MAX_PENDING];
    int npending;
    int have_title;
    pt_filetime stamp;      /* from a time stamp line, for the next screen */
    char variant[48];
    uint64_t samples;
    uint64_t total_rows;
} pm_state;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ---- samples ---- */

static pt_status pm_end_screen(pm_state *st)
{
    pt_status rc = PT_OK;
    if (st->in_sample)
        rc = pt_sink_end_sample(st->sink);
    st->in_sample = 0;
    st->have_header = 0;
    st->have_title = 0;
    st->npending = 0;
    st->session = 0;
    st->changes_seen = 0;
    st->rows_in_screen = 0;
    return rc;
}

/* The sample begins at its first row, when the variant is known; the
 * header counters wait until then. */
static pt_status pm_begin_sample(pm_state *st)
{
    pt_sample_info info;
    pt_status rc;
    int i;

    memset(&info, 0, sizeof info);
    snprintf(st->variant, sizeof st->variant, "poolmon-%s%s",
             st->changes_seen ? "screen" : "snapshot", st->session ? "-session" : "");
    info.kind = PT_KIND_POOLMON;
    info.source = st->name;
    info.variant = st->variant;
    if (st->stamp != 0) {
        info.time = st->stamp;
        info.time_origin = "file";
    } else {
        text_default_time(st->opt, &info.time, &info.time_origin);
    }
    st->stamp = 0;
    rc = pt_sink_begin_sample(st->sink, &info);
    if (rc != PT_OK)
        return rc;
    st->in_sample = 1;
    st->samples++;
    for (i = 0; i < st->npending; i++) {
        pt_counter c;
        c.name = st->pending[i].name;
        c.unit = st->pending[i].unit;
        c.value = st->pending[i].value;
        rc = pt_sink_counter(st->sink, &c);
        if (rc != PT_OK)
            return rc;
    }
    st->npending = 0;
    return PT_OK;
}

/* ---- the two header lines ---- */

static void pm_pending_add(pm_state *st, const char *name, const char *unit,
                           uint64_t value)
{
    pm_pending_counter *c;
    if (st->npending == PM_MAX_PENDING)
        return;
    c = &st->pending[st->npending++];
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->unit, sizeof c->unit, "%s", unit);
    c->value = value;
}

/* "Memory:  260620K Avail:   65152K  PageFlts:    85   InRam Krnl: 2116K P:19560K":
 * label, colon, number, optional K.  "P" is named after the label before
 * it ("InRam P", "Pool P"). */
static pt_status pm_header_counters(pm_state *st, const char *line)
{
    const char *p = text_skip_blanks(line);
    char prev[PM_NAME_MAX] = "";

    while (*p != '\0') {
        const char *colon = strchr(p, ':');
        char label[PM_NAME_MAX], name[PM_NAME_MAX];
        uint64_t value = 0;
        const char *v;
        int d;

        if (colon == NULL || colon - p >= PM_NAME_MAX)
            break;
        text_collapse(p, (size_t)(colon - p), label, sizeof label);
        v = text_skip_blanks(colon + 1);
        d = text_parse_u64(&v, &value);
        if (d == 0)
            break;
        if (d < 0)
            return pt_sink_warning(st->sink, st->name, st->line_off,
                                   "line %lu: %s: number too large, not kept", st->line_no,
                                   label);
        if (strcmp(label, "P") == 0 && strncmp(prev, "InRam", 5) == 0)
            snprintf(name, sizeof name, "InRam P");
        else if (strcmp(label, "P") == 0 && strncmp(prev, "Pool", 4) == 0)
            snprintf(name, sizeof name, "Pool P");
        else
            snprintf(name, sizeof name, "%s", label);
        if (*v == 'K' || *v == 'k') {
            pm_pending_add(st, name, "K", value);
            v++;
        } else {
            pm_pending_add(st, name, "count", value);
        }
        snprintf(prev, sizeof prev, "%s", label);
        p = text_skip_blanks(v);
    }
    return PT_OK;
}

/* ---- rows ---- */

typedef struct pm_row {
    char tag[8];
    size_t tag_len;
    int paged;
    uint64_t num[5];        /* allocs, frees, diff, bytes, per alloc */
    int diff_negative;
    int nnum;
    const char *mapped;     /* rest of the line */
} pm_row;

/* The type word after the tag; returns its length or 0. */
static size_t pm_type_word(const char *p, int *paged)
{
    if (strncmp(p, "Nonp", 4) == 0) {
        *paged = 0;
        return 4;
    }
    if (strncmp(p, "Paged", 5) == 0) {
        *paged = 1;
        return 5;
    }
    return 0;
}

/* Finds the tag and type.  The tag is the four columns under "Tag" when
 * the row starts there (it may hold blanks: "Dh 1"), else the word before
 * the type. */
static const char *pm_tag_and_type(pm_state *st, const char *line, pm_row *row)
{
    const char *start = text_skip_blanks(line);
    size_t col = (size_t)(start - line), n, tl;
    const char *p;

    if (*start == '\0')
        return NULL;
    if (st->have_header && col == st->tag_col && strlen(start) > 5 &&
        is_blank(start[4])) {
        p = text_skip_blanks(start + 4);
        if ((tl = pm_type_word(p, &row->paged)) != 0) {
            memcpy(row->tag, start, 4);
            n = 4;
            goto found;
        }
    }
    /* by words: tag of 1..4 characters, then the type */
    for (n = 0; start[n] != '\0' && !is_blank(start[n]); n++)
        ;
    if (n == 0 || n > 4)
        return NULL;
    p = text_skip_blanks(start + n);
    if ((tl = pm_type_word(p, &row->paged)) == 0) {
        /* blanks collapsed in a tag with a blank inside: "Dh 1 Paged" */
        size_t m = 0;
        if (p != start + n + 1)
            return NULL;
        while (p[m] != '\0' && !is_blank(p[m]))
            m++;
        if (m == 0 || n + 1 + m > 4)
            return NULL;
        n += 1 + m;
        p = text_skip_blanks(start + n);
        if ((tl = pm_type_word(p, &row->paged)) == 0)
            return NULL;
    }
    memcpy(row->tag, start, n);
found:
    while (n > 0 && row->tag[n - 1] == ' ')
        n--;
    row->tag[n] = '\0';
    row->tag_len = n;
    return p + tl;
}

static int pm_parse_row(pm_state *st, const char *line, pm_row *row)
{
    const char *p;

    memset(row, 0, sizeof *row);
    p = pm_tag_and_type(st, line, row);
    if (p == NULL || row->tag_len == 0)
        return 0;
    for (;;) {
        const char *q = text_skip_blanks(p);
        uint64_t v;
        int neg = 0, d;
        if (*q == '(') {
            /* a change column: "(   -184)"; read and dropped */
            q = text_skip_blanks(q + 1);
            if (*q == '-' || *q == '+')
                q++;
            d = text_parse_u64(&q, &v);
            q = text_skip_blanks(q);
            if (d == 0 || *q != ')')
                return 0;
            st->changes_seen = 1;
            p = q + 1;
            continue;
        }
        if (row->nnum == 5)
            break;
        if (*q == '-' && is_digit(q[1])) {
            neg = 1;
            q++;
        }
        if (!is_digit(*q))
            break;
        d = text_parse_u64(&q, &v);
        if (d < 0)
            return 0;
        if (*q != '\0' && !is_blank(*q) && *q != '(')
            return 0;
        if (neg) {
            if (row->nnum != 2)
                return 0;
            row->diff_negative = 1;
        }
        row->num[row->nnum++] = v;
        p = q;
    }
    if (row->nnum < 4)
        return 0;
    row->mapped = text_skip_blanks(p);
    return 1;
}

/* "[ntfs.sys  -  AttrSup.c]" -> binary "ntfs.sys", description "AttrSup.c";
 * "[el90xbc5]" -> binary; "[Font related stuff]" -> description;
 * "Unknown Driver" -> neither. */
static void pm_split_mapped(const char *mapped, char *buf, const char **binary,
                            const char **description)
{
    char *dash, *close;
    size_t n;

    *binary = NULL;
    *description = NULL;
    if (*mapped != '[')
        return;
    n = text_collapse(mapped + 1, strlen(mapped + 1), buf, PM_TEXT_MAX);
    close = strrchr(buf, ']');
    if (close != NULL) {
        *close = '\0';
        n = text_rtrim(buf, (size_t)(close - buf));
    }
    if (n == 0)
        return;
    dash = strstr(buf, " - ");
    if (dash != NULL) {
        *dash = '\0';
        text_rtrim(buf, (size_t)(dash - buf));
        *binary = buf[0] != '\0' ? buf : NULL;
        *description = dash[3] != '\0' ? text_skip_blanks(dash + 3) : NULL;
    } else if (strchr(buf, ' ') == NULL) {
        *binary = buf;
    } else {
        *description = buf;
    }
}

static pt_status pm_emit_row(pm_state *st, const pm_row *row)
{
    char buf[PM_TEXT_MAX];
    pt_tag_row r;
    uint8_t bytes[4] = {' ', ' ', ' ', ' '};
    pt_status rc;

    if (!st->in_sample) {
        rc = pm_begin_sample(st);
        if (rc != PT_OK)
            return rc;
    }
    memcpy(bytes, row->tag, row->tag_len);
    memset(&r, 0, sizeof r);
    r.tag = pt_tag_from_bytes(bytes);
    r.tag_text = row->tag;
    if (st->session)
        r.pool = row->paged ? PT_POOL_SESSION_PAGED : PT_POOL_SESSION_NONPAGED;
    else
        r.pool = row->paged ? PT_POOL_PAGED : PT_POOL_NONPAGED;
    r.allocs = row->num[0];
    r.frees = row->num[1];
    r.outstanding = row->num[2];
    r.bytes = row->num[3];
    r.has = PT_HAS_ALLOCS | PT_HAS_FREES | PT_HAS_BYTES;
    if (!row->diff_negative)
        r.has |= PT_HAS_OUTSTANDING;
    pm_split_mapped(row->mapped, buf, &r.binary, &r.description);
    rc = pt_sink_tag_row(st->sink, &r);
    if (rc != PT_OK)
        return rc;
    st->rows_in_screen++;
    st->total_rows++;
    if (row->diff_negative)
        return pt_sink_warning(st->sink, st->name, st->line_off,
                               "line %lu: %s: Diff is negative, not kept", st->line_no,
                               row->tag);
    if (row->num[0] >= row->num[1] && row->num[0] - row->num[1] != row->num[2])
        return pt_sink_warning(st->sink, st->name, st->line_off,
                               "line %lu: %s: Allocs - Frees is not Diff", st->line_no,
                               row->tag);
    /* Per Alloc is Bytes / Diff, rounded down (0 when Diff is 0) */
    if (row->nnum == 5 && row->num[2] > 0 && row->num[3] / row->num[2] != row->num[4])
        return pt_sink_warning(st->sink, st->name, st->line_off,
                               "line %lu: %s: Per Alloc is not Bytes / Diff", st->line_no,
                               row->tag);
    return PT_OK;
}

/* ---- one line ---- */

static pt_status pm_line(pm_state *st, char *line, size_t len)
{
    char col[512];
    pt_filetime t;
    pm_row row;
    pt_status rc;

    len = text_rtrim(line, len);
    /* Rows are nearly every line of a long series: try them first. */
    if (st->have_header && pm_parse_row(st, line, &row))
        return pm_emit_row(st, &row);
    if (text_collapse(line, len, col, sizeof col) == 0)
        return PT_OK;
    if (text_starts_with_ci(col, "Memory:") || text_starts_with_ci(col, "Commit:")) {
        if (text_starts_with_ci(col, "Memory:") || st->rows_in_screen > 0) {
            rc = pm_end_screen(st);
            if (rc != PT_OK)
                return rc;
        }
        return pm_header_counters(st, line);
    }
    if (strstr(col, "pool information") != NULL) {
        if (st->rows_in_screen > 0) {
            rc = pm_end_screen(st);
            if (rc != PT_OK)
                return rc;
        }
        st->have_title = 1;
        st->session =
            text_starts_with_ci(col, "Session") || text_starts_with_ci(col, "All sessions");
        return PT_OK;
    }
    if (text_starts_with_ci(col, "Tag Type")) {
        const char *tag = strstr(line, "Tag");
        if (st->rows_in_screen > 0) {
            int session = st->session;
            rc = pm_end_screen(st);
            if (rc != PT_OK)
                return rc;
            st->session = session;
        }
        st->have_header = 1;
        st->tag_col = (size_t)(tag - line);
        return PT_OK;
    }
    if (text_parse_time_line(line, &t)) {
        if (st->rows_in_screen > 0) {
            rc = pm_end_screen(st);
            if (rc != PT_OK)
                return rc;
        }
        st->stamp = t;
        return PT_OK;
    }
    if (!st->have_header)
        return PT_OK; /* the command line, other text */
    if (col[0] == '[' || col[0] == '.')
        return PT_OK; /* "[snip]", "..." */
    return pt_sink_warning(st->sink, st->name, st->line_off,
                           "line %lu: not a poolmon row, skipped", st->line_no);
}

static pt_status pm_read_line(void *state, char *line, size_t len, uint64_t offset,
                              unsigned long line_no)
{
    pm_state *st = state;
    st->line_off = offset;
    st->line_no = line_no;
    return pm_line(st, line, len);
}

static pt_status poolmon_read(pt_source *src, const pt_read_options *opt,
                              const pt_sink *sink, pt_error *err)
{
    pm_state st;
    pt_status rc;

    memset(&st, 0, sizeof st);
    st.opt = opt;
    st.sink = sink;
    st.name = text_source_name(src, opt);
    rc = text_read_lines(src, st.name, pm_read_line, &st, err);
    if (rc != PT_OK)
        return rc;
    if (st.total_rows == 0)
        return pt_error_set(err, PT_ERR_FORMAT, st.name, PT_NO_OFFSET,
                            "no poolmon rows (Tag Type Allocs Frees Diff Bytes) found");
    return pm_end_screen(&st);
}

/* The column header line ("Tag Type Allocs Frees Diff Bytes"), plus the
 * title, the Memory:/Commit: lines or the Mapped_Driver column. */
static int poolmon_probe_text(const uint8_t *head, size_t len)
{
    static const char *const header[] = {"Tag", "Type", "Allocs", "Frees", "Diff", "Bytes",
                                         NULL};
    int score = 50;

    if (!text_looks_textual(head, len) || !text_line_has_all(head, len, header))
        return 0;
    if (text_contains(head, len, "pool information"))
        score += 30;
    if (text_contains(head, len, "InRam Krnl") || text_contains(head, len, "Pool N:"))
        score += 30;
    if (text_contains(head, len, "Per Alloc"))
        score += 10;
    return score > 100 ? 100 : score;
}

/* What poolmon_describe has seen so far. */
typedef struct pm_facts {
    pt_fact_fn fact;
    void *ctx;
    unsigned long screens;
    int have_command, titles;
} pm_facts;

static pt_status pm_describe_line(void *state, const char *col)
{
    pm_facts *facts = state;
    const char *cmd;
    if (text_starts_with_ci(col, "Tag Type")) {
        facts->screens++;
    } else if (!facts->have_command && (cmd = strstr(col, "poolmon")) != NULL &&
               (cmd == col || cmd[-1] == ' ' || cmd[-1] == '>' || cmd[-1] == '\\')) {
        /* "poolmon /s0 /g", "C:\\...\\i386> poolmon.exe -b" */
        facts->have_command = 1;
        return facts->fact(facts->ctx, "command", cmd);
    } else if (facts->titles < 4 && strstr(col, "pool information") != NULL) {
        facts->titles++;
        return facts->fact(facts->ctx, "title", col);
    }
    return PT_OK;
}

/* Facts beyond the records: the command that made the capture, the pool
 * titles, how many screens the file holds.  (Poolmon lines keep "//":
 * no remark is cut.) */
static pt_status poolmon_describe(pt_source *src, const pt_read_options *opt,
                                  pt_fact_fn fact, void *ctx, pt_error *err)
{
    pm_facts facts = {fact, ctx, 0, 0, 0};
    char num[32];
    pt_status rc;

    (void)opt;
    rc = text_describe_lines(src, 0, 0, pm_describe_line, &facts, err);
    if (rc != PT_OK)
        return rc;
    snprintf(num, sizeof num, "%lu", facts.screens);
    return fact(ctx, "screens", num);
}

/* Probes the text as it is, or narrowed when it is UTF-16LE. */
static int poolmon_probe(const uint8_t *head, size_t len)
{
    return text_reader_probe(head, len, poolmon_probe_text);
}

const pt_reader pt_reader_poolmon = {
    .kind = PT_KIND_POOLMON,
    .name = "poolmon",
    .probe = poolmon_probe,
    .read = poolmon_read,
    .describe = poolmon_describe,
};
