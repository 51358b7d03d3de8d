/* case_report_internal.h - the parts of pt_case_build_report. */
#ifndef PT_CASE_REPORT_INTERNAL_H
#define PT_CASE_REPORT_INTERNAL_H

#include "analysis.h"
#include "case_report.h"
#include "tag_descriptions.h"

/* Top tags in the report's summary table and charted when there is a series. */
#define REPORT_TOP_TAGS 10
#define REPORT_SERIES_TAGS 5

typedef struct report_ctx {
    pt_archive *a;
    pt_report *r;
    int64_t case_id;
    pt_case_analysis an;
    pt_desc_table descs;
    pt_series_want wants[REPORT_SERIES_TAGS];
    size_t want_count;
    pt_error *err;
} report_ctx;

/* Arena helpers: NULL-safe copies and formatted strings. */
char *rc_strdup(report_ctx *c, const char *s);
char *rc_printf(report_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void *rc_array(report_ctx *c, size_t count, size_t elem);
void rc_format_bytes(double v, char *out, size_t size);
pt_status rc_nomem(report_ctx *c);

pt_status rc_tags(report_ctx *c);
/* Chooses the charted tags before the analysis (which collects them). */
pt_status rc_pick_series(report_ctx *c);
pt_status rc_series(report_ctx *c);
pt_status rc_counters(report_ctx *c);
pt_status rc_sources(report_ctx *c);
pt_status rc_past_cases(report_ctx *c);
pt_status rc_warnings(report_ctx *c);
pt_status rc_modules(report_ctx *c);
/* case_report_etl.c: leaked stacks of the case's pool traces, their tags'
 * verdicts and "stack" candidates (call before rc_drivers). */
pt_status rc_etl_leaks(report_ctx *c);
/* case_report_drivers.c: candidate drivers per suspect, findstr counts,
 * advisories ($POOLTRIAGE_ADVISORIES). */
pt_status rc_drivers(report_ctx *c);
/* case_report_dump.c: warns of dumps without pool data (and replaces the
 * summary when nothing else has any); notes modules differing from disk. */
pt_status rc_dump_evidence(report_ctx *c);

#endif
