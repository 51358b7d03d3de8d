/* text_util.c - helpers shared by the text readers. */
#include "text_util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t text_clean_line(const char *in, size_t len, char *out)
{
    size_t i = 0, n = 0;

    if (len > TEXT_LINE_MAX)
        len = TEXT_LINE_MAX;
    /* A byte-order mark at the start of a file saved by Notepad. */
    if (len >= 3 && (unsigned char)in[0] == 0xEF && (unsigned char)in[1] == 0xBB &&
        (unsigned char)in[2] == 0xBF)
        i = 3;
    for (; i < len; i++) {
        unsigned char c;
        /* Eight printable ASCII bytes at a time (nearly every byte of an
         * output): a byte below 0x20 borrows into its high bit, 0x7F
         * carries into it, and 0x80 and up have it set already. */
        while (len - i >= 8) {
            uint64_t x;
            memcpy(&x, in + i, 8);
            if (((x - 0x2020202020202020ull) | (x + 0x0101010101010101ull) | x) &
                0x8080808080808080ull)
                break;
            memcpy(out + n, in + i, 8);
            n += 8;
            i += 8;
        }
        if (i >= len)
            break;
        c = (unsigned char)in[i];
        if (c >= 0x20 && c < 0x7F) {
            out[n++] = (char)c;
            continue;
        }
        if (c == 0xC2 && i + 1 < len && (unsigned char)in[i + 1] == 0xA0) {
            out[n++] = ' ';
            i++;
        } else if (c == '\t') {
            out[n++] = '\t';
        } else if (c < 0x20 || c == 0x7F) {
            out[n++] = ' ';
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = '\0';
    return n;
}

size_t text_strip_remark(char *s, size_t len)
{
    size_t i;
    for (i = 2; i + 1 < len; i++) {
        if (s[i] == '/' && s[i + 1] == '/' && (s[i - 1] == ' ' || s[i - 1] == '\t') &&
            (s[i - 2] == ' ' || s[i - 2] == '\t')) {
            s[i] = '\0';
            return text_rtrim(s, i);
        }
    }
    return len;
}

size_t text_rtrim(char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    s[len] = '\0';
    return len;
}

const char *text_skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

size_t text_collapse(const char *s, size_t len, char *out, size_t cap)
{
    size_t i, n = 0;
    int pending_space = 0;

    if (cap == 0)
        return 0;
    for (i = 0; i < len && s[i] != '\0'; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t') {
            pending_space = n > 0;
            continue;
        }
        if (pending_space && n + 1 < cap)
            out[n++] = ' ';
        pending_space = 0;
        if (n + 1 < cap)
            out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

int text_parse_u64(const char **p, uint64_t *value)
{
    const char *s = *p;
    uint64_t v = 0;
    int digits = 0, overflow = 0;

    /* 19 digits never overflow: no check for them (a million rows a second). */
    while (digits < 19 && *s >= '0' && *s <= '9') {
        v = v * 10 + (unsigned)(*s - '0');
        digits++;
        s++;
    }
    while (*s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s - '0');
        if (v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && d > UINT64_MAX % 10))
            overflow = 1;
        else
            v = v * 10 + d;
        digits++;
        s++;
    }
    *p = s;
    if (overflow)
        return -1;
    *value = v;
    return digits;
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int match_at(const uint8_t *hay, size_t len, size_t at, const char *needle,
                    size_t nlen)
{
    size_t j;
    if (nlen > len - at)
        return 0;
    for (j = 0; j < nlen; j++)
        if (lower(hay[at + j]) != lower((unsigned char)needle[j]))
            return 0;
    return 1;
}

int text_contains(const uint8_t *hay, size_t len, const char *needle)
{
    size_t nlen = strlen(needle), i;
    if (nlen == 0 || nlen > len)
        return nlen == 0;
    for (i = 0; i + nlen <= len; i++)
        if (match_at(hay, len, i, needle, nlen))
            return 1;
    return 0;
}

unsigned text_count_lines_with(const uint8_t *hay, size_t len, const char *needle)
{
    size_t nlen = strlen(needle), i = 0;
    unsigned count = 0;

    while (i < len) {
        size_t end = i;
        while (end < len && hay[end] != '\n')
            end++;
        size_t k;
        for (k = i; nlen > 0 && k + nlen <= end; k++) {
            if (match_at(hay, end, k, needle, nlen)) {
                count++;
                break;
            }
        }
        i = end + 1;
    }
    return count;
}

static int contains_cs(const uint8_t *s, size_t len, const char *word)
{
    size_t n = strlen(word), i;
    for (i = 0; n <= len && i + n <= len; i++)
        if (memcmp(s + i, word, n) == 0)
            return 1;
    return 0;
}

int text_line_has_all(const uint8_t *hay, size_t len, const char *const *words)
{
    size_t i = 0;
    while (i < len) {
        size_t end = i, k;
        int all = 1;
        while (end < len && hay[end] != '\n')
            end++;
        for (k = 0; words[k] != NULL && all; k++)
            all = contains_cs(hay + i, end - i, words[k]);
        if (all)
            return 1;
        i = end + 1;
    }
    return 0;
}

int text_looks_textual(const uint8_t *head, size_t len)
{
    size_t i, controls = 0;
    if (len == 0)
        return 0;
    for (i = 0; i < len; i++) {
        uint8_t c = head[i];
        if (c == 0)
            return 0;
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
            controls++;
    }
    /* Terminal captures carry a few escape bytes; binary files many. */
    return controls * 50 < len + 50;
}

void text_default_time(const pt_read_options *opt, pt_filetime *time,
                       const char **origin)
{
    *time = 0;
    *origin = NULL;
    if (opt == NULL)
        return;
    if (opt->sample_time != 0) {
        *time = opt->sample_time;
        *origin = "command-line";
    } else if (opt->file_mtime != 0) {
        *time = opt->file_mtime;
        *origin = "mtime";
    }
}

const char *text_source_name(const pt_source *src, const pt_read_options *opt)
{
    if (opt != NULL && opt->display_name != NULL)
        return opt->display_name;
    return src->name;
}

/* ---- time stamp lines ---- */

static const char *const month_names[] = {"january", "february", "march",     "april",
                                          "may",     "june",     "july",      "august",
                                          "september", "october", "november", "december"};

int text_starts_with_ci(const char *s, const char *prefix)
{
    while (*prefix != '\0') {
        if (lower((unsigned char)*s) != lower((unsigned char)*prefix))
            return 0;
        s++;
        prefix++;
    }
    return 1;
}

/* "Tuesday, January 2, 2024 10:00:00 AM" */
static int parse_long_date(const char *s, pt_filetime *time)
{
    char month[16], ampm[3] = "";
    int day, year, h, mi, sec = 0, n = 0, m;
    const char *comma = strchr(s, ',');
    char iso[40];

    if (comma == NULL)
        return 0;
    s = text_skip_blanks(comma + 1);
    if (sscanf(s, "%15[A-Za-z] %d, %d %d:%d:%d %n", month, &day, &year, &h, &mi, &sec,
               &n) < 6)
        return 0;
    s += n;
    if (sscanf(s, "%2[AaPpMm]", ampm) == 1) {
        if (h < 1 || h > 12)
            return 0;
        if (lower(ampm[0]) == 'p' && h != 12)
            h += 12;
        if (lower(ampm[0]) == 'a' && h == 12)
            h = 0;
        s += 2;
    }
    s = text_skip_blanks(s);
    if (*s != '\0')
        return 0;
    for (m = 0; m < 12; m++)
        if (text_starts_with_ci(month_names[m], month) && strlen(month) == strlen(month_names[m]))
            break;
    if (m == 12 || year < 1601 || year > 9999)
        return 0;
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d", year, m + 1, day, h, mi, sec);
    return pt_filetime_parse(iso, time) == 0;
}

int text_parse_time_line(const char *line, pt_filetime *time)
{
    static const char *const labels[] = {"sample time:", "timestamp:", "date:", "time:"};
    char buf[64];
    const char *s = text_skip_blanks(line);
    size_t i, n;

    for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (text_starts_with_ci(s, labels[i])) {
            s = text_skip_blanks(s + strlen(labels[i]));
            break;
        }
    }
    n = text_collapse(s, strlen(s), buf, sizeof buf);
    if (n == 0 || n >= sizeof buf - 1)
        return 0;
    if (isdigit((unsigned char)buf[0])) {
        /* 2024/01/02 is written by some scripts; make it ISO. */
        if (n >= 10 && buf[4] == '/' && buf[7] == '/') {
            buf[4] = '-';
            buf[7] = '-';
        }
        return pt_filetime_parse(buf, time) == 0;
    }
    return parse_long_date(buf, time);
}

/* ---- UTF-16LE files ---- */

static int is_utf16le(const uint8_t *head, size_t len)
{
    return len >= 2 && head[0] == 0xFF && head[1] == 0xFE;
}

static uint8_t narrow_unit(uint8_t lo, uint8_t hi)
{
    if (hi == 0 && lo == 0xA0)
        return ' ';
    if (hi != 0 || lo >= 0x80)
        return '?';
    return lo;
}

size_t text_probe_view(const uint8_t *head, size_t len, const uint8_t **view, uint8_t **tmp)
{
    size_t n, i;

    *tmp = NULL;
    *view = head;
    if (!is_utf16le(head, len))
        return len;
    n = (len - 2) / 2;
    *tmp = malloc(n > 0 ? n : 1);
    if (*tmp == NULL)
        return 0;
    for (i = 0; i < n; i++)
        (*tmp)[i] = narrow_unit(head[2 + 2 * i], head[3 + 2 * i]);
    *view = *tmp;
    return n;
}

typedef struct narrow_impl {
    pt_source *under;
} narrow_impl;

static pt_status narrow_read_at(pt_source *src, uint64_t off, void *buf, size_t len,
                                pt_error *err)
{
    narrow_impl *impl = src->impl;
    uint8_t tmp[8192], *out = buf;
    size_t done = 0;

    while (done < len) {
        size_t part = len - done < sizeof tmp / 2 ? len - done : sizeof tmp / 2, i;
        pt_status st = pt_source_read(impl->under, 2 + 2 * (off + done), tmp, 2 * part, err);
        if (st != PT_OK)
            return st;
        for (i = 0; i < part; i++)
            out[done + i] = narrow_unit(tmp[2 * i], tmp[2 * i + 1]);
        done += part;
    }
    return PT_OK;
}

static void narrow_close(pt_source *src)
{
    free(src->impl);
}

pt_status text_open_view(pt_source *src, pt_source **view, pt_error *err)
{
    uint8_t bom[2];
    pt_source *v;
    narrow_impl *impl;
    size_t n;

    *view = src;
    if (src->size < 2 || pt_source_read(src, 0, bom, 2, NULL) != PT_OK ||
        !is_utf16le(bom, 2))
        return PT_OK;
    v = calloc(1, sizeof *v);
    impl = calloc(1, sizeof *impl);
    n = strlen(src->name) + 1;
    if (v != NULL)
        v->name = malloc(n);
    if (v == NULL || impl == NULL || v->name == NULL) {
        if (v != NULL)
            free(v->name);
        free(v);
        free(impl);
        return pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
    }
    /* same name, so messages name the file the user gave */
    memcpy(v->name, src->name, n);
    impl->under = src;
    v->size = (src->size - 2) / 2;
    v->read_at = narrow_read_at;
    v->close = narrow_close;
    v->impl = impl;
    *view = v;
    return PT_OK;
}

pt_status text_lines_open(pt_source *src, pt_line_reader *lr, pt_source **view,
                          pt_error *err)
{
    pt_status st = text_open_view(src, view, err);
    if (st != PT_OK) {
        memset(lr, 0, sizeof *lr);
        return st;
    }
    st = pt_line_reader_init(lr, *view, err);
    if (st != PT_OK && *view != src) {
        pt_source_close(*view);
        *view = src;
    }
    return st;
}

void text_lines_close(pt_line_reader *lr, pt_source *src, pt_source *view)
{
    pt_line_reader_free(lr);
    if (view != NULL && view != src)
        pt_source_close(view);
}

int text_line_next_clean(pt_line_reader *lr, char *out, size_t *len, pt_error *err)
{
    const char *raw = lr->buf + lr->buf_pos, *nl;
    size_t avail = lr->buf_len - lr->buf_pos, n;
    int r;

    nl = avail != 0 ? memchr(raw, '\n', avail) : NULL;
    if (nl == NULL) {
        /* The line runs past the buffer (or the buffer is used up): the
         * line reader refills it and joins the pieces. */
        r = pt_line_reader_next(lr, &raw, &n, err);
        if (r == 1)
            *len = text_clean_line(raw, n, out);
        return r;
    }
    lr->line_off = lr->pos - avail;
    n = (size_t)(nl - raw);
    lr->buf_pos += n + 1;
    /* As pt_line_reader_next: cut at PT_MAX_LINE, then drop trailing CRs. */
    if (n > PT_MAX_LINE)
        n = PT_MAX_LINE;
    while (n > 0 && raw[n - 1] == '\r')
        n--;
    lr->line_no++;
    *len = text_clean_line(raw, n, out);
    return 1;
}

int text_reader_probe(const uint8_t *head, size_t len, text_probe_fn probe_text)
{
    uint8_t *tmp = NULL;
    const uint8_t *view = head;
    size_t n = text_probe_view(head, len, &view, &tmp);
    int score = n > 0 ? probe_text(view, n) : 0;
    free(tmp);
    return score;
}

pt_status text_read_lines(pt_source *src, const char *name, text_line_fn line_fn, void *state,
                          pt_error *err)
{
    pt_line_reader lr;
    pt_source *view = NULL;
    char *clean = NULL;
    size_t n = 0;
    pt_status rc;
    int r;

    rc = text_lines_open(src, &lr, &view, err);
    if (rc != PT_OK)
        return rc;
    clean = malloc(TEXT_LINE_MAX + 1);
    if (clean == NULL) {
        rc = pt_error_set(err, PT_ERR_NOMEM, name, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    while ((r = text_line_next_clean(&lr, clean, &n, err)) == 1) {
        rc = line_fn(state, clean, n, lr.line_off, lr.line_no);
        if (rc != PT_OK) {
            if (err != NULL && err->code == PT_OK)
                pt_error_set(err, rc, name, lr.line_off, "stopped by the record sink");
            goto out;
        }
    }
    if (r < 0)
        rc = err != NULL && err->code != PT_OK ? err->code : PT_ERR_IO;
out:
    free(clean);
    text_lines_close(&lr, src, view);
    return rc;
}

pt_status text_describe_lines(pt_source *src, int strip_remark, unsigned long max_lines,
                              text_describe_line_fn line_fn, void *state, pt_error *err)
{
    pt_line_reader lr;
    pt_source *view = NULL;
    char *clean = malloc(TEXT_LINE_MAX + 1);
    size_t n = 0;
    unsigned long lines = 0;
    pt_status rc;
    int r = 0;

    if (clean == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
    rc = text_lines_open(src, &lr, &view, err);
    if (rc != PT_OK) {
        free(clean);
        return rc;
    }
    while (rc == PT_OK && (max_lines == 0 || lines++ < max_lines) &&
           (r = text_line_next_clean(&lr, clean, &n, err)) == 1) {
        char col[TEXT_DESCRIBE_COL];
        if (strip_remark)
            n = text_strip_remark(clean, n);
        text_collapse(clean, n, col, sizeof col);
        rc = line_fn(state, col);
    }
    if (rc == PT_OK && r < 0)
        rc = err != NULL && err->code != PT_OK ? err->code : PT_ERR_IO;
    text_lines_close(&lr, src, view);
    free(clean);
    return rc;
}

/* ---- "Debug session time:" ---- */

int text_parse_debug_session_time(const char *line, pt_filetime *time)
{
    static const char label[] = "Debug session time:";
    const char *p = strstr(line, label), *zone;
    char wday[8], mon[8], iso[40];
    int day, h, mi, sec, year, n = 0, m, sign = 1, zh = 0, zm = 0;
    unsigned frac = 0;
    pt_filetime t;

    if (p == NULL)
        return 0;
    p += sizeof label - 1;
    if (sscanf(p, " %7s %7s %d %d:%d:%d%n", wday, mon, &day, &h, &mi, &sec, &n) != 6)
        return 0;
    p += n;
    if (*p == '.') {
        unsigned scale = 1000000;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            frac += (unsigned)(*p - '0') * scale;
            scale /= 10;
        }
    }
    if (sscanf(p, " %d%n", &year, &n) != 1)
        return 0;
    p += n;
    for (m = 0; m < 12; m++)
        if (text_starts_with_ci(month_names[m], mon) && strlen(mon) == 3)
            break;
    if (m == 12 || year < 1601 || year > 9999 || day < 1 || day > 31)
        return 0;
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d", year, m + 1, day, h, mi, sec);
    if (pt_filetime_parse(iso, &t) != 0)
        return 0;
    t += frac;
    /* "(UTC - 8:00)" or "(GMT-8)": local time = UTC + offset */
    zone = strstr(p, "UTC");
    if (zone == NULL)
        zone = strstr(p, "GMT");
    if (zone != NULL) {
        zone = text_skip_blanks(zone + 3);
        if (*zone == '-' || *zone == '+') {
            sign = *zone == '-' ? -1 : 1;
            zone = text_skip_blanks(zone + 1);
            if (sscanf(zone, "%d:%d", &zh, &zm) < 1 || zh > 14 || zm > 59)
                return 0;
        }
    }
    {
        int64_t offset = ((int64_t)zh * 3600 + zm * 60) * 10000000;
        if (sign > 0) {
            if ((uint64_t)offset > t)
                return 0;
            t -= (uint64_t)offset;
        } else {
            t += (uint64_t)offset;
        }
    }
    *time = t;
    return 1;
}
