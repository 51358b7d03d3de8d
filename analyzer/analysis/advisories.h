/* advisories.h - the team's known-issue advisories (schema/advisory.xsd):
 * loading the file, and matching it against a case's drivers ("<driver>
 * <version> has a known nonpaged leak in tag <tag>, fixed in <version>,
 * see <reference>"). */
#ifndef PT_ADVISORIES_H
#define PT_ADVISORIES_H

#include <stddef.h>
#include <stdint.h>

#include "archive.h"
#include "pt_arena.h"
#include "pt_error.h"
#include "pt_tag.h"

/* Bounds on the file (it is the team's own, but may be edited by hand). */
#define PT_ADVISORY_MAX_FILE (16u * 1024u * 1024u)
#define PT_ADVISORY_MAX_COUNT 100000u

typedef struct pt_advisory {
    const char *id, *vendor, *driver, *pool, *fixed_version, *reference, *text;
    const char *min_text, *max_text;   /* as written, NULL when open */
    uint16_t min[4], max[4];
    int has_min, has_max;
    pt_tag tag;
} pt_advisory;

typedef struct pt_advisory_set {
    pt_arena arena;
    pt_advisory *items;
    size_t count;
} pt_advisory_set;

/* Reads an advisory file.  Malformed entries (missing driver, tag or
 * reference, a version that is not a.b.c.d, a bad tag) are refused with a
 * message naming the file and the entry's line. */
pt_status pt_advisories_load(const char *path, pt_advisory_set *set, pt_error *err);
void pt_advisories_free(pt_advisory_set *set);

/* Compares fixed versions a.b.c.d: <0, 0, >0. */
int pt_version_compare(const uint16_t a[4], const uint16_t b[4]);
/* Parses "a[.b[.c[.d]]]" (missing parts 0); 0 on success. */
int pt_version_parse(const char *text, uint16_t out[4]);

typedef struct pt_advisory_match {
    const pt_advisory *advisory;
    const char *driver;        /* the case's driver file name */
    const char *file_version;  /* its fixed file version */
    const char *sentence;      /* the report's sentence */
} pt_advisory_match;

typedef pt_status (*pt_advisory_fn)(void *ctx, const pt_advisory_match *m);

/* Each advisory matching a driver of the case: same file name (any case),
 * file version in range, and the tag a suspect of the case or used by the
 * driver (any evidence). */
pt_status pt_advisories_match(pt_archive *a, int64_t case_id, const pt_advisory_set *set,
                              pt_advisory_fn fn, void *ctx, pt_error *err);

#endif
