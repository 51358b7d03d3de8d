/* analysis.h - what the samples of a case say: per tag and pool, growth
 * (bytes per hour, least squares over sample times), persistence (share of
 * intervals that grew), share of the pool; per pool, usage against its
 * limit and time to exhaustion; the ranked suspects.
 *
 * Verdict words (also in schema/report.xsd and the report's legend):
 *   leaking  at least 3 timed samples; the least-squares slope is positive,
 *            at least 4 standard errors above zero (not noise) and adds up
 *            to at least 64 KiB over the series; and it grew in at least
 *            80% of the intervals
 *   growing  the same growth, but it grew in only 60-80% of the intervals:
 *            it grows, not steadily enough to call it a leak
 *   large    holds at least 10% of its pool's tagged bytes and at least
 *            1 MiB at the last sample, and does not grow (a single
 *            snapshot can say no more)
 *   stable   none of the above
 * Suspects rank leaking before growing before large (evidence, not size);
 * within a verdict, growing tags by growth x persistence, large by bytes.
 */
#ifndef PT_ANALYSIS_H
#define PT_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "archive.h"
#include "pt_evidence.h"
#include "pt_tag.h"

#define PT_VERDICT_LEAKING "leaking"
#define PT_VERDICT_GROWING "growing"
#define PT_VERDICT_LARGE "large"
#define PT_VERDICT_STABLE "stable"

/* Most suspects kept per case. */
#define PT_MAX_SUSPECTS 20

/* Rows are grouped by the tag's match key (pt_tag_match_key: 'MPP.' from
 * !poolused and 'MPP ' from poolmon are one tag), so a trend's tag is the
 * key and its text the latest source's, preferring sources that show the
 * key itself. */
typedef struct pt_trend {
    pt_tag tag;                 /* the match key */
    char tag_text[40];          /* as the latest source showed it (see above) */
    pt_pool pool;
    unsigned samples;           /* samples the tag appears in */
    unsigned timed_samples;     /* of those, with a known time */
    uint64_t bytes, outstanding; /* at its latest sample */
    uint64_t first_bytes;
    int in_last;                /* present in the case's last tag sample */
    double growth_bytes_per_hour; /* 0 when fewer than 2 timed samples */
    double persistence;         /* share of intervals that grew, 0..1 */
    unsigned intervals;
    double share;               /* of its pool's tagged bytes in the tag's latest sample
                                   (the !poolused TOTAL where it lists the top tags only) */
    const char *verdict;
    int verdict_class;          /* 3 leaking, 2 growing, 1 large, 0 stable */
    double score;
    char binary[128];           /* a binary the rows named (Binary:, Mapped_Driver) */
    char reason[320];
} pt_trend;

typedef struct pt_pool_state {
    const char *name;           /* "NonPagedPool", "PagedPool", "SessionPool..." */
    int present;
    uint64_t tagged_bytes;      /* sum of tag bytes at the last sample */
    uint64_t usage_bytes;       /* counter when the sources give one, else the tag sum */
    const char *usage_origin;   /* counter name, or "tag sum" */
    uint64_t max_bytes;         /* the limit: the printed maximum, or physical memory
                                   (nonpaged) / the commit limit (paged) when the
                                   printed one is above it or missing (see note); 0 unknown */
    double growth_bytes_per_hour;
    double hours_to_exhaustion; /* < 0 when not growing or no limit */
    char note[200];
} pt_pool_state;

typedef struct pt_case_analysis {
    int64_t case_id;
    unsigned tag_samples;       /* samples with tag rows */
    int64_t last_sample_id;     /* the last of them (0 if none) */
    pt_filetime first_time, last_time;
    pt_trend *trends;           /* ranked, best first */
    size_t trend_count;
    size_t suspect_count;       /* the first N trends are suspects */
    pt_pool_state pools[4];     /* indexed by pt_pool */
    /* System memory from counters at the latest sample that has them. */
    uint64_t physical_bytes, commit_bytes, commit_limit_bytes;
} pt_case_analysis;

pt_status pt_case_analyze(pt_archive *a, int64_t case_id, pt_case_analysis *out,
                          pt_error *err);

/* A tag whose bytes over time the caller wants from the same scan (the
 * report's series): one point per tag sample it is in, appended to times
 * and bytes (the caller gives room for `capacity` points). */
typedef struct pt_series_want {
    pt_tag tag;                 /* the match key */
    pt_pool pool;
    pt_filetime *times;
    uint64_t *bytes;
    size_t capacity, count;
    unsigned last_index;        /* scan state */
} pt_series_want;

pt_status pt_case_analyze_with_series(pt_archive *a, int64_t case_id, pt_series_want *wants,
                                      size_t want_count, pt_case_analysis *out, pt_error *err);
void pt_case_analysis_free(pt_case_analysis *an);

/* Recomputes and stores the suspects of a case (an import hook: call it
 * inside the import's transaction). */
pt_status pt_analysis_store_suspects(pt_archive *a, int64_t case_id, void *ctx,
                                     pt_error *err);

/* Bytes a counter value stands for, from its unit ("pages" = 4 KiB, "K",
 * "Kb", "KB", "bytes", "MB"); 0 and *ok = 0 when the unit is unknown or the
 * product overflows. */
uint64_t pt_counter_bytes(uint64_t value, const char *unit, int *ok);

/* 1 when the tag text matches a tag-file pattern (? one char, * the rest),
 * comparing the tag padded with spaces to 4 characters. */
int pt_tag_pattern_match(const char *pattern, const char *tag_text);

/* The driver file a binary column names ("[ntfs.sys - AttrSup.c]" ->
 * "ntfs.sys", "nt!io" -> "nt"); empty when binary is NULL. */
void pt_binary_driver_name(const char *binary, char *out, size_t size);

#endif
