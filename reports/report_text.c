/* report_text.c - safe text and number formatting for the renderers. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_text.h"

void report_buf_free(report_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static int report_buf_reserve(report_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    size_t cap = b->cap ? b->cap : 64;
    char *p;

    if (need <= b->cap)
        return 0;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int report_buf_append(report_buf *b, const char *s, size_t n)
{
    if (report_buf_reserve(b, n) != 0)
        return -1;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if not valid.
 * Rejects overlong forms, surrogates and code points past U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t avail, uint32_t *cp)
{
    size_t n, i;
    uint32_t c = s[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        c &= 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

static int xml_char_allowed(uint32_t cp)
{
    if (cp < 0x20)
        return cp == 0x09 || cp == 0x0A || cp == 0x0D;
    return cp != 0xFFFE && cp != 0xFFFF;
}

const char *report_clean(report_buf *b, const char *s, int *oom)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len, i = 0;

    if (s == NULL)
        return NULL;
    len = strlen(s);
    b->len = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = utf8_sequence(p + i, len - i, &cp);
        if (report_buf_reserve(b, 4) != 0) {
            *oom = 1;
            return NULL;
        }
        if (n > 0 && xml_char_allowed(cp)) {
            memcpy(b->data + b->len, p + i, n);
            b->len += n;
            i += n;
        } else {
            /* Not representable in XML: keep the byte visible, as tags do. */
            snprintf(b->data + b->len, 5, "\\x%02X", p[i]);
            b->len += 4;
            i++;
        }
    }
    if (report_buf_reserve(b, 0) != 0) {
        *oom = 1;
        return NULL;
    }
    b->data[b->len] = '\0';
    return b->data;
}

const char *report_tag_text(pt_tag tag, const char *tag_text, char out[PT_TAG_TEXT_MAX])
{
    size_t i, len = tag_text != NULL ? strlen(tag_text) : 0;

    /* The source's text when it is a tag's text (printable ASCII, at most
     * four \xNN escapes long); anything else is not shown as a tag. */
    if (len == 0 || len >= PT_TAG_TEXT_MAX)
        return pt_tag_format(tag, out);
    for (i = 0; i < len; i++)
        if ((unsigned char)tag_text[i] < 0x20 || (unsigned char)tag_text[i] > 0x7E)
            return pt_tag_format(tag, out);
    return tag_text;
}

char *report_tag_hex(pt_tag tag, char out[16])
{
    snprintf(out, 16, "0x%08" PRIX32, tag);
    return out;
}

char *report_bytes_human(uint64_t bytes, char out[32])
{
    static const char *const units[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)bytes;
    int u = -1;

    if (bytes < 1024) {
        snprintf(out, 32, "%" PRIu64 " byte%s", bytes, bytes == 1 ? "" : "s");
        return out;
    }
    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        u++;
    }
    /* Round first so 1023.96 MB does not print as "1024.0 MB". */
    if (v >= 999.95 && u < 5) {
        v /= 1024.0;
        u++;
    }
    if (v < 100.0)
        snprintf(out, 32, "%.1f %s", v, units[u]);
    else
        snprintf(out, 32, "%.0f %s", v, units[u]);
    return out;
}

char *report_rate_human(double bytes_per_hour, char out[40])
{
    char b[32];
    double mag = fabs(bytes_per_hour);

    if (!isfinite(bytes_per_hour)) {
        snprintf(out, 40, "unknown");
        return out;
    }
    report_bytes_human(mag >= 1.8e19 ? UINT64_MAX : (uint64_t)(mag + 0.5), b);
    snprintf(out, 40, "%s%s/h", bytes_per_hour < 0 && mag >= 0.5 ? "-" : "", b);
    return out;
}

char *report_count(uint64_t n, char out[32])
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%" PRIu64, n);
    int i, o = 0;

    for (i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return out;
}

char *report_percent(double share, char out[16])
{
    double pct = share * 100.0;

    if (!isfinite(pct))
        snprintf(out, 16, "?");
    else if (pct < 10.0 && pct > -10.0)
        snprintf(out, 16, "%.1f%%", pct);
    else
        snprintf(out, 16, "%.0f%%", pct);
    return out;
}

char *report_hours_human(double hours, char out[32])
{
    if (!isfinite(hours) || hours < 0)
        snprintf(out, 32, "unknown");
    else if (hours < 1.0)
        snprintf(out, 32, "%.0f min", hours * 60.0);
    else if (hours < 48.0)
        snprintf(out, 32, "%.1f h", hours);
    else
        snprintf(out, 32, "%.1f days", hours / 24.0);
    return out;
}

char *report_double(double v, int decimals, char out[48])
{
    if (isnan(v))
        snprintf(out, 48, "NaN");
    else if (isinf(v))
        snprintf(out, 48, v > 0 ? "INF" : "-INF");
    else
        snprintf(out, 48, "%.*f", decimals, v);
    return out;
}

char *report_time_short(pt_filetime t, char out[32])
{
    time_t secs;
    struct tm tm;

    if (t == 0) {
        snprintf(out, 32, "unknown");
        return out;
    }
    secs = (time_t)pt_filetime_to_unix(t);
    if (gmtime_r(&secs, &tm) == NULL) {
        snprintf(out, 32, "unknown");
        return out;
    }
    /* The modulos bound each field's width for the compiler's sake. */
    snprintf(out, 32, "%04u-%02u-%02u %02u:%02u UTC", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
             (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u);
    return out;
}

/* Writes len bytes to path; an error names the path and the reason. */
pt_status report_write_file(const char *path, const void *data, size_t len, pt_error *err)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL)
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot write the report: %s",
                            strerror(errno));
    ok = fwrite(data, 1, len, f) == len;
    if (fclose(f) != 0)
        ok = 0;
    if (!ok) {
        int saved = errno;
        remove(path);
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot write the report: %s",
                            strerror(saved));
    }
    return PT_OK;
}

