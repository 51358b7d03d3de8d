/* case_report_drivers.c - the report's candidate drivers per suspect from
 * the case's driver files (call-site, tag-file and literal evidence, with
 * vendor, versions, signer, date, hash, third-party or Microsoft), the
 * findstr count, and the known-issue advisories matched against the case
 * (the file named by $POOLTRIAGE_ADVISORIES, schema/advisory.xsd). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "advisories.h"
#include "archive.h"
#include "archive_drivers.h"
#include "archive_tags.h"
#include "case_report_internal.h"

/* Strength order of the report's evidence words (schema/report.xsd). */
static int strength(const char *evidence)
{
    static const char *const order[] = {"stack", "callsite", "binary-column", "tagfile",
                                        "literal"};
    size_t i;
    for (i = 0; i < sizeof order / sizeof order[0]; i++)
        if (evidence != NULL && strcmp(evidence, order[i]) == 0)
            return (int)i;
    return (int)(sizeof order / sizeof order[0]);
}

static int candidate_order(const void *a, const void *b)
{
    const pt_report_candidate *x = a, *y = b;
    int sx = strength(x->evidence), sy = strength(y->evidence);
    if (sx != sy)
        return sx < sy ? -1 : 1;
    /* Third-party before Microsoft: the usual owner of a leak. */
    if (x->third_party != y->third_party)
        return x->third_party > y->third_party ? -1 : 1;
    /* Names as Windows compares them (afd.sys before ClusDisk.sys). */
    return strcasecmp(x->driver, y->driver);
}

typedef struct cand_ctx {
    report_ctx *c;
    pt_report_suspect *s;
} cand_ctx;

static const char *evidence_word(int evidence)
{
    return pt_driver_evidence_name((pt_driver_evidence)evidence);
}

static pt_status on_candidate(void *ctx, const pt_driver_candidate *d)
{
    cand_ctx *k = ctx;
    report_ctx *c = k->c;
    pt_report_suspect *s = k->s;
    pt_report_candidate *cand = NULL;
    char when[32];
    size_t i;

    for (i = 0; i < s->candidate_count; i++)
        if (strcasecmp(s->candidates[i].driver, d->name) == 0)
            cand = &s->candidates[i];
    if (cand == NULL) {
        s->candidates = pt_arena_grow(&c->r->arena, s->candidates, s->candidate_count,
                                      s->candidate_count + 1, sizeof *s->candidates);
        if (s->candidates == NULL) {
            s->candidate_count = 0;
            return rc_nomem(c);
        }
        cand = &s->candidates[s->candidate_count++];
        memset(cand, 0, sizeof *cand);
        cand->driver = rc_strdup(c, d->name);
        cand->evidence = evidence_word(d->evidence);
    } else if (strength(evidence_word(d->evidence)) < strength(cand->evidence)) {
        cand->evidence = evidence_word(d->evidence);
        cand->detail = NULL;
    }
    if (cand->detail == NULL) {
        if (d->evidence == PT_DRIVER_EV_CALLSITE)
            cand->detail = rc_printf(c, "%s with the tag as a constant, in the function at "
                                        "RVA 0x%X (call at 0x%X)",
                                     d->api != NULL ? d->api : "a pool API", d->function_rva,
                                     d->call_rva);
        else if (d->evidence == PT_DRIVER_EV_LITERAL)
            cand->detail = rc_strdup(c, "weak: only the four bytes occur in the file (what "
                                        "findstr finds); no call passes the tag");
        else
            cand->detail = rc_strdup(c, "a tag file names this driver for the tag");
    }
    cand->vendor = rc_strdup(c, d->company);
    cand->file_version = rc_strdup(c, d->file_version);
    cand->product_version = rc_strdup(c, d->product_version);
    cand->signer = rc_strdup(c, d->signer != NULL ? d->signer : "no embedded signature");
    if (d->timestamp_is_hash) {
        cand->timestamp = rc_printf(c, "0x%08X (reproducible build: not a date)", d->timestamp);
    } else {
        pt_filetime_format(pt_filetime_from_unix(d->timestamp, 0), when);
        cand->timestamp = rc_strdup(c, when);
    }
    cand->sha256 = rc_strdup(c, d->sha256);
    cand->third_party = d->microsoft ? 0 : 1;
    return PT_OK;
}

/* Each advisory match becomes one report advisory. */
static pt_status on_match(void *ctx, const pt_advisory_match *m)
{
    report_ctx *c = ctx;
    pt_report *r = c->r;
    const pt_advisory *adv = m->advisory;
    pt_report_advisory *a;

    r->advisories = pt_arena_grow(&r->arena, r->advisories, r->advisory_count,
                                  r->advisory_count + 1, sizeof *r->advisories);
    if (r->advisories == NULL) {
        r->advisory_count = 0;
        return rc_nomem(c);
    }
    a = &r->advisories[r->advisory_count++];
    memset(a, 0, sizeof *a);
    a->vendor = rc_strdup(c, adv->vendor);
    a->driver = rc_strdup(c, m->driver);
    a->versions = rc_printf(c, "%s to %s (this case: %s)",
                            adv->min_text != NULL ? adv->min_text : "any",
                            adv->max_text != NULL ? adv->max_text : "any", m->file_version);
    a->fixed_version = rc_strdup(c, adv->fixed_version);
    a->reference = rc_strdup(c, adv->reference);
    a->text = rc_strdup(c, m->sentence);
    a->tag = adv->tag;
    return PT_OK;
}

static pt_status add_advisories(report_ctx *c)
{
    const char *path = getenv("POOLTRIAGE_ADVISORIES");
    pt_advisory_set set;
    pt_status rc;

    if (path == NULL || path[0] == '\0')
        return PT_OK;
    rc = pt_advisories_load(path, &set, c->err);
    if (rc != PT_OK)
        return rc;
    rc = pt_advisories_match(c->a, c->case_id, &set, on_match, c, c->err);
    pt_advisories_free(&set);
    return rc;
}

/* The raw tags with the same match key as tag (pt_tag_match_key): each of
 * its trailing blanks as 0x20 or 0x00.  A suspect's tag is the key ('MPP '
 * from poolmon), a driver's code holds 'M','P','P',0x00.  At most 16. */
#define TAG_SPELLINGS_MAX 16

static size_t tag_spellings(pt_tag tag, pt_tag out[TAG_SPELLINGS_MAX])
{
    pt_tag key = pt_tag_match_key(tag);
    size_t n = 1, i, trailing = 0;
    int shift;

    for (shift = 24; shift >= 0 && ((key >> shift) & 0xFFu) == 0x20; shift -= 8)
        trailing++;
    out[0] = key;
    for (i = 0; i < trailing; i++) {
        /* Each spelling so far again with byte 3 - i as 0x00. */
        pt_tag clear = ~((pt_tag)0xFFu << (8 * (3 - i)));
        size_t j, have = n;
        for (j = 0; j < have; j++)
            out[n++] = out[j] & clear;
    }
    return n;
}

/* How many files findstr /m would name: those holding the bytes of any
 * spelling of the tag, each file once. */
static pt_status findstr_count(report_ctx *c, const pt_tag *spellings, size_t n,
                               unsigned *count)
{
    static const char sql[] =
        "SELECT count(DISTINCT driver_id) FROM driver_tags WHERE case_id = ?1 AND evidence = 3 "
        "AND tag IN (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(c->a, sql, &st, c->err);
    int i;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, c->case_id);
    /* Unused places repeat the first spelling. */
    for (i = 0; i < TAG_SPELLINGS_MAX; i++)
        sqlite3_bind_int64(st, 2 + i, spellings[(size_t)i < n ? (size_t)i : 0]);
    if (sqlite3_step(st) == SQLITE_ROW)
        *count = (unsigned)sqlite3_column_int(st, 0);
    else
        rc = pt_archive_db_error(c->a, c->err, "cannot count the files holding the tag");
    sqlite3_finalize(st);
    return rc;
}

static pt_status suspect_drivers(report_ctx *c, pt_report_suspect *s)
{
    pt_tag spellings[TAG_SPELLINGS_MAX];
    size_t n = tag_spellings(s->tag, spellings), i;
    cand_ctx k = {c, s};
    pt_status rc = PT_OK;

    for (i = 0; i < n && rc == PT_OK; i++)
        rc = pt_archive_tag_candidates(c->a, c->case_id, spellings[i], on_candidate, &k, NULL,
                                       c->err);
    if (rc == PT_OK)
        rc = findstr_count(c, spellings, n, &s->findstr_count);
    if (rc == PT_OK && s->candidate_count > 1)
        qsort(s->candidates, s->candidate_count, sizeof *s->candidates, candidate_order);
    return rc;
}

pt_status rc_drivers(report_ctx *c)
{
    pt_report *r = c->r;
    size_t i;
    pt_status rc = PT_OK;

    for (i = 0; i < r->suspect_count && rc == PT_OK; i++)
        rc = suspect_drivers(c, &r->suspects[i]);
    if (rc == PT_OK)
        rc = add_advisories(c);
    return rc;
}
