/* archive_import.c - one bundle into the archive, in one transaction. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "archive_import.h"
#include "bundle.h"
#include "pt_readers.h"

/* Every chunk the bundle reader inflates is checked against its SHA-256 in
 * the member's chunk index, and the index against the manifest's member
 * hash when the member is opened; the import is one transaction that rolls
 * back on any failure.  So a member a reader reads to its end is verified
 * by that reading, and is not inflated and hashed a second time before.
 * A member read only in part (or not at all: no reader for its kind) is
 * verified whole after its reader, up to this size; larger ones (crash
 * dumps) only in the chunks the import touched, so a 64 GB dump is not
 * read twice. */
#define VERIFY_WHOLE_MAX (256ull << 20)

/* A source in front of a bundle member that records how far from offset 0
 * the reader has read without a gap. */
typedef struct covered_source {
    pt_source *inner;
    uint64_t covered;
} covered_source;

static pt_status covered_read_at(pt_source *src, uint64_t off, void *buf, size_t len,
                                 pt_error *err)
{
    covered_source *cs = src->impl;
    pt_status rc = pt_source_read(cs->inner, off, buf, len, err);
    if (rc == PT_OK && off <= cs->covered && off + len > cs->covered)
        cs->covered = off + len;
    return rc;
}

/* The member's file_sha256 attribute (the file's own SHA-256) as lowercase
 * hex in out; *present = 0 when the bundle does not give one.  A value that
 * is not 64 hex digits is refused: the manifest is damaged. */
static pt_status member_file_sha256(pt_bundle *b, const pt_bundle_member *m, char out[65],
                                    int *present, pt_error *err)
{
    const char *v = pt_bundle_member_attr(m, "file_sha256");
    size_t k;

    *present = 0;
    if (v == NULL)
        return PT_OK;
    for (k = 0; k < 64 && isxdigit((unsigned char)v[k]); k++)
        out[k] = (char)tolower((unsigned char)v[k]);
    if (k != 64 || v[64] != '\0')
        return pt_error_set(err, PT_ERR_CORRUPT, pt_bundle_path(b), PT_NO_OFFSET,
                            "member %s: file_sha256 is not a SHA-256 (64 hex digits)", m->name);
    out[64] = '\0';
    *present = 1;
    return PT_OK;
}

/* Verifies member i whole unless a reader read all of it (see above). */
static pt_status verify_unread(pt_bundle *b, size_t i, uint64_t covered, pt_error *err)
{
    const pt_bundle_member *m = pt_bundle_member_at(b, i);
    /* An empty member has no chunks to read: its index is checked here. */
    if ((m->size != 0 && covered >= m->size) || m->size > VERIFY_WHOLE_MAX)
        return PT_OK;
    return pt_bundle_verify_member(b, i, err);
}

void pt_import_case_from_path(const char *path, char *out, size_t out_size)
{
    const char *base = strrchr(path, '/');
    const char *dot;
    size_t len;

    base = base != NULL ? base + 1 : path;
    dot = strrchr(base, '.');
    len = dot != NULL && dot != base ? (size_t)(dot - base) : strlen(base);
    if (len == 0) {
        base = "case";
        len = 4;
    }
    if (len >= out_size)
        len = out_size - 1;
    memcpy(out, base, len);
    out[len] = '\0';
}

static void choose_case_name(const pt_import_options *opt, const pt_bundle_info *info,
                             const char *path, char *out, size_t out_size)
{
    if (opt->case_name != NULL && opt->case_name[0] != '\0')
        snprintf(out, out_size, "%s", opt->case_name);
    else if (info != NULL && info->case_hint != NULL && info->case_hint[0] != '\0')
        snprintf(out, out_size, "%s", info->case_hint);
    else
        pt_import_case_from_path(path, out, out_size);
}

/* A time attribute of a member, or 0.  The collector records "time_given"
 * (the --time the engineer gave for the file) and "mtime" (the file's
 * modification time); the reader decides which applies, as it did when
 * collecting, so the archive gets the same sample times and origins. */
static pt_filetime member_time_attr(const pt_bundle_member *m, const char *key)
{
    const char *text = pt_bundle_member_attr(m, key);
    pt_filetime ft = 0;
    if (text != NULL && pt_filetime_parse(text, &ft) != 0)
        ft = 0;
    return ft;
}

/* Reads member i through its reader into the import's sink.  partial: the
 * bundle was cut short; reader_partial_ok: the user asked (--partial) for
 * what a damaged member still yields (the reader marks it in its variant
 * and warnings). */
static pt_status import_member(pt_import *im, pt_bundle *b, size_t i, int partial,
                               int reader_partial_ok, pt_error *err)
{
    const pt_bundle_member *m = pt_bundle_member_at(b, i);
    const pt_reader *reader = pt_readers_by_name(m->kind);
    pt_import_source_info si;
    pt_read_options ro;
    pt_source *src = NULL, wrap;
    covered_source cs;
    char file_sha[65];
    int has_file_sha;
    pt_status rc;

    memset(&si, 0, sizeof si);
    si.member = m->name;
    si.kind = m->kind;
    si.size = m->size;
    si.sha256 = m->sha256;
    si.partial = partial;
    rc = member_file_sha256(b, m, file_sha, &has_file_sha, err);
    if (rc != PT_OK)
        return rc;
    si.file_sha256 = has_file_sha ? file_sha : NULL;
    rc = pt_import_add_source(im, &si, err);
    if (rc != PT_OK)
        return rc;
    if (reader == NULL || reader->read == NULL) {
        /* Kept as a source (name, size, hash); nothing in it to load yet. */
        const pt_sink *sink = pt_import_sink(im);
        if (sink->warning(sink->ctx, m->name, PT_NO_OFFSET,
                          "no reader for this kind of member; kept as a source only") != PT_OK) {
            *err = *pt_import_error(im);
            return err->code;
        }
        rc = verify_unread(b, i, 0, err);
        return rc != PT_OK ? rc : pt_import_end_source(im, err);
    }
    rc = pt_bundle_open_member(b, i, &src, err);
    if (rc != PT_OK)
        return rc;
    cs.inner = src;
    cs.covered = 0;
    memset(&wrap, 0, sizeof wrap);
    wrap.name = src->name;
    wrap.size = src->size;
    wrap.read_at = covered_read_at;
    wrap.impl = &cs;
    memset(&ro, 0, sizeof ro);
    ro.display_name = m->name;
    ro.sample_time = member_time_attr(m, "time_given");
    ro.file_mtime = member_time_attr(m, "mtime");
    ro.partial_ok = partial || reader_partial_ok;
    pt_error_clear(err);
    rc = reader->read(&wrap, &ro, pt_import_sink(im), err);
    pt_source_close(src);
    if (rc != PT_OK) {
        /* A failure in the sink is the import's; keep its message. */
        if (pt_import_error(im)->code != PT_OK)
            *err = *pt_import_error(im);
        else if (err->code == PT_OK)
            pt_error_set(err, rc, m->name, PT_NO_OFFSET, "%s", pt_status_message(rc));
        return err->code;
    }
    rc = verify_unread(b, i, cs.covered, err);
    return rc != PT_OK ? rc : pt_import_end_source(im, err);
}

static pt_status import_members(pt_import *im, pt_bundle *b, int partial,
                                int reader_partial_ok, pt_error *err)
{
    size_t i, n = pt_bundle_member_count(b);
    for (i = 0; i < n; i++) {
        pt_status rc = import_member(im, b, i, partial, reader_partial_ok, err);
        if (rc != PT_OK)
            return rc;
    }
    return PT_OK;
}

static void fill_bundle_info(pt_bundle *b, pt_import_bundle_info *bi)
{
    const pt_bundle_info *info = pt_bundle_get_info(b);
    const char *path = pt_bundle_path(b);
    const char *base = path != NULL ? strrchr(path, '/') : NULL;

    memset(bi, 0, sizeof *bi);
    bi->sha256 = pt_bundle_id(b);
    bi->file_name = base != NULL ? base + 1 : path;
    if (info != NULL) {
        bi->collector_version = info->collector_version;
        bi->host = info->host;
        bi->created = info->created;
        bi->case_hint = info->case_hint;
    }
    bi->partial = pt_bundle_is_partial(b);
}

/* The case a bundle already in the archive belongs to (for "already imported"). */
static void bundle_case_name(pt_archive *a, const char *sha256, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    pt_error ignored;
    if (pt_archive_prepare(a,
                           "SELECT c.name FROM bundles b JOIN cases c ON c.id = b.case_id "
                           "WHERE b.sha256 = ?1",
                           &st, &ignored) != PT_OK)
        return;
    sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

pt_status pt_archive_import_bundle(pt_archive *a, const char *bundle_path,
                                   const pt_import_options *opt, pt_import_result *res,
                                   pt_error *err)
{
    pt_bundle *b = NULL;
    pt_import *im = NULL;
    pt_import_bundle_info bi;
    pt_status rc;
    int already = 0;

    memset(res, 0, sizeof *res);
    rc = pt_bundle_open(bundle_path, opt->partial_ok ? PT_BUNDLE_ALLOW_PARTIAL : PT_BUNDLE_STRICT,
                        &b, err);
    if (rc != PT_OK)
        goto out;
    fill_bundle_info(b, &bi);
    snprintf(res->bundle_id, sizeof res->bundle_id, "%s", bi.sha256 != NULL ? bi.sha256 : "");
    res->partial = bi.partial;
    choose_case_name(opt, pt_bundle_get_info(b), bundle_path, res->case_name,
                     sizeof res->case_name);
    rc = pt_import_begin(a, res->case_name, &im, err);
    if (rc != PT_OK)
        goto out;
    rc = pt_import_add_bundle(im, &bi, &already, err);
    if (rc != PT_OK || already) {
        res->already = already;
        pt_import_abort(im); /* nothing written: the case row is rolled back too */
        if (already)
            bundle_case_name(a, bi.sha256, res->case_name, sizeof res->case_name);
        goto out;
    }
    rc = import_members(im, b, bi.partial, opt->partial_ok, err);
    if (rc != PT_OK) {
        pt_import_abort(im);
        goto out;
    }
    res->case_id = pt_import_case_id(im);
    res->bundle_id_row = pt_import_bundle_row(im);
    res->counts = *pt_import_get_counts(im);
    rc = pt_import_commit(im, opt->after_load, opt->after_load_ctx, err);
out:
    if (rc != PT_OK)
        pt_error_prefix(err, "import of %s failed, archive unchanged", bundle_path);
    pt_bundle_close(b);
    return rc;
}
