/* report_model.h - the analysed case, as the renderers see it.
 *
 * The analyzer fills a pt_report (all memory from r->arena); the XML and
 * HTML renderers read it.  Renderers know nothing of SQLite or of evidence
 * formats; the analyzer never builds markup.  Arrays are (pointer, count)
 * pairs; strings may be NULL where the evidence has nothing.
 */
#ifndef REPORT_MODEL_H
#define REPORT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "pt_arena.h"
#include "pt_evidence.h"
#include "pt_tag.h"

/* Verdict words (documented in schema/report.xsd and README):
 *   leaking  - grows steadily over the series (growth and persistence)
 *   growing  - grows, but not steadily enough to call it a leak
 *   large    - a big share of the pool in a single sample / flat series
 *   stable   - present, not growing, not large
 *   leaked-allocations - an ETL trace shows allocations never freed */
typedef struct pt_report_candidate {
    const char *driver;        /* file name, e.g. "ds4dsm.sys" */
    const char *evidence;      /* "stack", "callsite", "tagfile", "literal", "binary-column" */
    const char *detail;        /* e.g. "ExAllocatePoolWithTag at .text+0x1234" */
    const char *vendor;
    const char *file_version;
    const char *product_version;
    const char *signer;
    const char *timestamp;     /* as text */
    const char *sha256;
    int third_party;           /* 1 third-party, 0 Microsoft, -1 unknown */
} pt_report_candidate;

typedef struct pt_report_advisory {
    const char *vendor, *driver, *versions, *fixed_version, *reference, *text;
    pt_tag tag;
} pt_report_advisory;

typedef struct pt_report_suspect {
    int rank;
    pt_tag tag;
    const char *tag_text;
    pt_pool pool;
    const char *verdict;
    uint64_t bytes;            /* at the last sample */
    uint64_t outstanding;
    double growth_bytes_per_hour;
    double persistence;        /* share of intervals that grew, 0..1 */
    double share;              /* share of the pool's tagged bytes, 0..1 */
    unsigned samples;
    const char *reason;        /* one sentence: why this rank */
    const char *description;   /* tag description, with its origin below */
    const char *description_origin;
    pt_report_candidate *candidates;
    size_t candidate_count;
    unsigned findstr_count;    /* files a findstr search would name; 0 if unknown */
} pt_report_suspect;

typedef struct pt_report_pool {
    const char *name;          /* "NonPagedPool", "PagedPool", ... */
    uint64_t usage_bytes;
    uint64_t max_bytes;        /* 0 if unknown */
    double growth_bytes_per_hour;
    double hours_to_exhaustion; /* < 0 if not growing or unknown */
    const char *note;          /* e.g. "maximum looks wrong (wrapped value)" */
} pt_report_pool;

typedef struct pt_report_counter {
    const char *sample;        /* sample label */
    const char *name;
    const char *unit;
    uint64_t value;
    int looks_wrong;
} pt_report_counter;

typedef struct pt_report_tag {
    pt_tag tag;
    const char *tag_text;
    pt_pool pool;
    uint32_t has;              /* PT_HAS_* */
    uint64_t allocs, frees, outstanding, bytes;
    const char *description;
    const char *description_origin;
    const char *binary;
} pt_report_tag;

typedef struct pt_report_series {
    pt_tag tag;
    const char *tag_text;
    pt_pool pool;
    size_t point_count;
    pt_filetime *times;
    uint64_t *bytes;
} pt_report_series;

typedef struct pt_report_source {
    const char *name;
    const char *kind;
    const char *variant;
    uint64_t size;
    const char *sha256;
    const char *bundle;        /* bundle file name / hash */
    const char *sample_time;
    int partial;
} pt_report_source;

typedef struct pt_report_past_case {
    const char *case_name;
    const char *tag_text;
    const char *driver;
    const char *verdict;
    const char *when;
} pt_report_past_case;

typedef struct pt_report_fact {
    const char *name;
    const char *value;
} pt_report_fact;

/* Leaked allocations from an ETL trace, grouped by tag and by the first
 * stack frame outside the kernel's pool code (stack evidence). */
typedef struct pt_report_leaked_stack {
    pt_tag tag;
    const char *tag_text;
    pt_pool pool;
    uint64_t count;            /* allocations still outstanding at the end */
    uint64_t bytes;
    const char *module;        /* driver of the first frame, e.g. "myfault.sys" */
    uint64_t offset;           /* offset of that frame in the module */
    const char *frames;        /* the whole stack as text, or NULL */
} pt_report_leaked_stack;

/* A module loaded when a dump was taken / a trace ran. */
typedef struct pt_report_module {
    const char *name;
    uint64_t base;
    uint64_t size;
    uint32_t timestamp;        /* TimeDateStamp */
    uint32_t checksum;
    const char *disk_note;     /* e.g. "differs from disk: TimeDateStamp ..."; NULL if same/unknown */
} pt_report_module;

typedef struct pt_report {
    pt_arena arena;
    const char *case_name;
    const char *generated;     /* ISO time the report was made */
    const char *tool_version;
    const char *summary;       /* the verdict in one or two sentences */
    pt_report_fact *facts;     size_t fact_count;     /* system facts */
    pt_report_suspect *suspects; size_t suspect_count;
    pt_report_pool *pools;     size_t pool_count;
    pt_report_counter *counters; size_t counter_count;
    pt_report_tag *tags;       size_t tag_count;      /* last sample, all tags */
    size_t top_tag_count;      /* the first N of tags are "top tags" */
    pt_report_series *series;  size_t series_count;   /* top tags over time */
    pt_report_source *sources; size_t source_count;
    pt_report_past_case *past_cases; size_t past_case_count;
    pt_report_advisory *advisories; size_t advisory_count;
    const char **warnings;     size_t warning_count;
    unsigned sample_count;
    pt_filetime first_time, last_time;
    /* Added for dump and ETL evidence (issues 4, 5); zero when absent. */
    pt_report_leaked_stack *leaked_stacks; size_t leaked_stack_count;
    pt_report_module *modules; size_t module_count;
} pt_report;

void pt_report_init(pt_report *r);
void pt_report_free(pt_report *r);

/* How far a suspect's strongest candidate evidence goes: "strong" (stack,
 * callsite), "moderate" (tagfile, binary-column), "weak" (literal only),
 * "none" (no candidate). */
const char *pt_report_evidence_strength(const pt_report_suspect *s);

#endif
