/* text_pooltag.c - the pooltag.txt / localtag.txt reader.
 *
 * pooltag.txt (the debugger's triage file) holds one tag per line:
 *
 *   rem <PoolTag> - <binary-name> - <Description>
 *   AdSv - vmsrvc.sys   - Virtual Machines Additions Service
 *   Cc   - nt!cc        - Cache Manager allocations (catch-all)
 *   ARPC - <unknown>    - ATM ARP Client
 *   Ntf? - ntfs.sys     - (wildcards ? and * are kept as written)
 *   //  comment lines, and "rem" lines
 *
 * and, in some copies, two-field lines "Tag - Description" or
 * "Tag - binary" (poolmon /c writes localtag.txt as "Tag - driver"),
 * and indented lines (sub-items under a heading), read like the others.
 * A field is a binary when it looks like one: a file name with a dot
 * ("afd.sys"), an "nt!xx" component, or "<multiple>".  "<unknown>"
 * means no binary and is left out.  Each entry records the file it came
 * from and its line number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_readers.h"
#include "text_util.h"

#define PTAG_FIELD_MAX 1024

typedef struct ptag_state {
    const pt_sink *sink;
    const char *name;
    uint64_t line_off;
    unsigned long line_no;
    uint64_t entries;
    uint64_t skipped;
} ptag_state;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* "rem", "rem ..." and "//..." lines, and blank ones. */
static int ptag_is_comment(const char *p)
{
    if (*p == '\0' || (p[0] == '/' && p[1] == '/') || *p == ';' || *p == '#')
        return 1;
    return text_starts_with_ci(p, "rem") && (p[3] == '\0' || is_blank(p[3]));
}

/* Looks like a binary name rather than prose. */
static int ptag_is_binary(const char *f)
{
    const char *dot;
    if (strcmp(f, "<multiple>") == 0 || strcmp(f, "<unknown>") == 0)
        return 1;
    if (strchr(f, ' ') != NULL || f[0] == '\0')
        return 0;
    if (strchr(f, '!') != NULL)
        return 1; /* nt!cc, nt!ps */
    dot = strrchr(f, '.');
    return dot != NULL && dot != f && dot[1] != '\0';
}

/* The pattern's tag value: up to four characters, padded with blanks as
 * Windows pads short tags; '?' and '*' stay as they are (the pattern
 * field keeps the text).  0 when the pattern is longer. */
static pt_tag ptag_value(const char *pattern)
{
    pt_tag tag = 0;
    size_t n = strlen(pattern);
    if (n >= 1 && n <= 4 && pt_tag_parse(pattern, n, &tag) == 0)
        return tag;
    return 0;
}

/* One entry line: "PATTERN - A [- B]". */
static pt_status ptag_line(ptag_state *st, char *line, size_t len)
{
    char fields[3][PTAG_FIELD_MAX];
    const char *p = text_skip_blanks(line);
    const char *sep;
    pt_tag_desc d;
    int nf = 0;

    len = text_strip_remark(line, len);
    len = text_rtrim(line, len);
    if (ptag_is_comment(p))
        return PT_OK;
    /* split at the first two " - " (descriptions may hold more) */
    while (nf < 2 && (sep = strstr(p, " - ")) != NULL) {
        text_collapse(p, (size_t)(sep - p), fields[nf], PTAG_FIELD_MAX);
        nf++;
        p = sep + 3;
    }
    if (nf == 0) {
        /* "Tag -" with nothing after, or a line that is not an entry */
        st->skipped++;
        return pt_sink_warning(st->sink, st->name, st->line_off,
                               "line %lu: not a \"Tag - binary - description\" line, skipped",
                               st->line_no);
    }
    text_collapse(p, strlen(p), fields[nf], PTAG_FIELD_MAX);
    nf++;
    if (fields[0][0] == '\0' || strchr(fields[0], ' ') != NULL || strlen(fields[0]) > 16) {
        st->skipped++;
        return pt_sink_warning(st->sink, st->name, st->line_off,
                               "line %lu: \"%.40s\" is not a tag pattern, skipped",
                               st->line_no, fields[0]);
    }
    memset(&d, 0, sizeof d);
    d.pattern = fields[0];
    d.tag = ptag_value(fields[0]);
    d.origin = st->name;
    d.line = st->line_no;
    if (nf == 3) {
        d.binary = fields[1];
        d.description = fields[2];
    } else if (ptag_is_binary(fields[1])) {
        d.binary = fields[1];
        d.description = NULL;
    } else {
        d.description = fields[1];
    }
    if (d.binary != NULL && (d.binary[0] == '\0' || strcmp(d.binary, "<unknown>") == 0))
        d.binary = NULL;
    if (d.description != NULL && d.description[0] == '\0')
        d.description = NULL;
    st->entries++;
    return pt_sink_tag_desc(st->sink, &d);
}

static pt_status ptag_read_line(void *state, char *line, size_t len, uint64_t offset,
                                unsigned long line_no)
{
    ptag_state *st = state;
    st->line_off = offset;
    st->line_no = line_no;
    return ptag_line(st, line, len);
}

static pt_status pooltag_read(pt_source *src, const pt_read_options *opt,
                              const pt_sink *sink, pt_error *err)
{
    ptag_state st;
    pt_status rc;

    memset(&st, 0, sizeof st);
    st.sink = sink;
    st.name = text_source_name(src, opt);
    rc = text_read_lines(src, st.name, ptag_read_line, &st, err);
    if (rc == PT_OK && st.entries == 0)
        rc = pt_error_set(err, PT_ERR_FORMAT, st.name, PT_NO_OFFSET,
                          "no tag lines (\"Tag - binary - description\") found");
    return rc;
}

/* Most non-comment lines are "XXXX - ..." with a short first field. */
static int pooltag_probe_text(const uint8_t *head, size_t len)
{
    size_t i = 0;
    unsigned entries = 0, others = 0, rems = 0;

    if (!text_looks_textual(head, len))
        return 0;
    while (i < len) {
        size_t end = i, s, k, first;
        while (end < len && head[end] != '\n')
            end++;
        s = i;
        while (s < end && (head[s] == ' ' || head[s] == '\t'))
            s++;
        if (s + 3 <= end && (head[s] == 'r' || head[s] == 'R') &&
            (head[s + 1] == 'e' || head[s + 1] == 'E') &&
            (head[s + 2] == 'm' || head[s + 2] == 'M') &&
            (s + 3 == end || head[s + 3] == ' ' || head[s + 3] == '\t' ||
             head[s + 3] == '\r')) {
            rems++;
        } else if (s + 2 <= end && head[s] == '/' && head[s + 1] == '/') {
            rems++;
        } else if (s < end && !(end - s == 1 && head[s] == '\r')) {
            /* first word of 1..6 characters, then " - " */
            for (first = s; first < end && head[first] != ' ' && head[first] != '\t'; first++)
                ;
            k = first;
            while (k < end && (head[k] == ' ' || head[k] == '\t'))
                k++;
            if (first - s >= 1 && first - s <= 6 && k + 1 < end && head[k] == '-' &&
                head[k + 1] == ' ')
                entries++;
            else
                others++;
        }
        i = end + 1;
    }
    if (entries < 2 || entries < others * 4)
        return 0;
    return rems > 0 ? 90 : 70;
}

/* Probes the text as it is, or narrowed when it is UTF-16LE. */
static int pooltag_probe(const uint8_t *head, size_t len)
{
    return text_reader_probe(head, len, pooltag_probe_text);
}

const pt_reader pt_reader_pooltag = {
    .kind = PT_KIND_POOLTAG,
    .name = "pooltag",
    .probe = pooltag_probe,
    .read = pooltag_read,
    .describe = NULL,
};
