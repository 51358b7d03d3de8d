/* pt_evidence.c - record names, sink call helpers, time conversion. */
#include "pt_evidence.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const pool_names[] = {"nonpaged", "paged", "session-nonpaged",
                                         "session-paged"};

const char *pt_pool_name(pt_pool pool)
{
    if ((unsigned)pool < sizeof pool_names / sizeof pool_names[0])
        return pool_names[pool];
    return "unknown";
}

int pt_pool_parse(const char *name, pt_pool *pool)
{
    unsigned i;
    for (i = 0; i < sizeof pool_names / sizeof pool_names[0]; i++) {
        if (strcmp(name, pool_names[i]) == 0) {
            *pool = (pt_pool)i;
            return 0;
        }
    }
    return -1;
}

static const char *const kind_names[] = {"unknown", "poolmon", "poolused", "vm",
                                         "pooltag", "dump",    "etl",      "drivers",
                                         "live",    "tagnotes"};

const char *pt_source_kind_name(pt_source_kind kind)
{
    if ((unsigned)kind < sizeof kind_names / sizeof kind_names[0])
        return kind_names[kind];
    return "unknown";
}

int pt_source_kind_parse(const char *name, pt_source_kind *kind)
{
    unsigned i;
    for (i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *kind = (pt_source_kind)i;
            return 0;
        }
    }
    return -1;
}

#define CALL(fn, ...) ((s != NULL && s->fn != NULL) ? s->fn(s->ctx, __VA_ARGS__) : PT_OK)

pt_status pt_sink_begin_sample(const pt_sink *s, const pt_sample_info *info)
{
    return CALL(begin_sample, info);
}
pt_status pt_sink_tag_row(const pt_sink *s, const pt_tag_row *row)
{
    return CALL(tag_row, row);
}
pt_status pt_sink_counter(const pt_sink *s, const pt_counter *c)
{
    return CALL(counter, c);
}
pt_status pt_sink_module(const pt_sink *s, const pt_module *m)
{
    return CALL(module, m);
}
pt_status pt_sink_allocation(const pt_sink *s, const pt_allocation *a)
{
    return CALL(allocation, a);
}
pt_status pt_sink_stack(const pt_sink *s, const pt_stack *st)
{
    return CALL(stack, st);
}
pt_status pt_sink_end_sample(const pt_sink *s)
{
    return (s != NULL && s->end_sample != NULL) ? s->end_sample(s->ctx) : PT_OK;
}
pt_status pt_sink_tag_desc(const pt_sink *s, const pt_tag_desc *d)
{
    return CALL(tag_desc, d);
}

pt_status pt_sink_driver(const pt_sink *s, const struct pt_driver_record *d)
{
    return CALL(driver, d);
}

pt_status pt_sink_warning(const pt_sink *s, const char *source, uint64_t offset,
                          const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (s == NULL || s->warning == NULL)
        return PT_OK;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return s->warning(s->ctx, source, offset, msg);
}

/* Seconds between 1601-01-01 and 1970-01-01. */
#define EPOCH_DIFF 11644473600LL

pt_filetime pt_filetime_from_unix(int64_t seconds, uint32_t nanoseconds)
{
    if (seconds < -EPOCH_DIFF)
        return 0;
    return (pt_filetime)(seconds + EPOCH_DIFF) * 10000000u + nanoseconds / 100u;
}

int64_t pt_filetime_to_unix(pt_filetime ft)
{
    return (int64_t)(ft / 10000000u) - EPOCH_DIFF;
}

/* Days from civil date, proleptic Gregorian (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

char *pt_filetime_format(pt_filetime ft, char out[32])
{
    char text[96];
    int64_t secs, days, y;
    unsigned m, d, rem;

    if (ft == 0) {
        snprintf(out, 32, "unknown");
        return out;
    }
    secs = (int64_t)(ft / 10000000u) - EPOCH_DIFF;
    days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    rem = (unsigned)(secs - days * 86400);
    civil_from_days(days, &y, &m, &d);
    /* Formatted into room for any value the compiler can imagine (the real
     * text is 28 characters), then copied: keeps gcc's -Wformat-truncation
     * quiet without hiding a real overflow. */
    snprintf(text, sizeof text, "%04lld-%02u-%02uT%02u:%02u:%02u.%07uZ", (long long)y, m, d,
             rem / 3600, rem / 60 % 60, rem % 60, (unsigned)(ft % 10000000u));
    snprintf(out, 32, "%.31s", text);
    return out;
}

int pt_filetime_parse(const char *text, pt_filetime *ft)
{
    int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
    unsigned frac = 0, scale = 1000000;
    const char *p;

    if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return -1;
    p = text + n;
    if (*p == 'T' || *p == ' ') {
        int k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2)
            return -1;
        p += 1 + k;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &s, &k) != 1)
                return -1;
            p += 1 + k;
            if (*p == '.') {
                p++;
                while (*p >= '0' && *p <= '9') {
                    if (scale > 0) {
                        frac += (unsigned)(*p - '0') * scale;
                        scale /= 10;
                    }
                    p++;
                }
            }
        }
    }
    if (*p == 'Z')
        p++;
    if (*p != '\0')
        return -1;
    if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return -1;
    int64_t secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
                   mi * 60 + s;
    *ft = (pt_filetime)(secs + EPOCH_DIFF) * 10000000u + frac;
    return 0;
}
