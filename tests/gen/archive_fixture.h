/* archive_fixture.h - helpers for tests of the archive and the analysis:
 * scratch archive paths, whole-file snapshots, and loading records through
 * the import sink (as a reader would) without a bundle file. */
#ifndef ARCHIVE_FIXTURE_H
#define ARCHIVE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "archive_import.h"
#include "poolmon_series.h"
#include "pt_evidence.h"
#include "pt_tag.h"

/* A fresh path under the build dir (or /tmp): NAME with the pid. */
static inline const char *fixture_path(const char *name, char *out, size_t size)
{
    const char *dir = getenv("PT_BUILD_DIR");
    snprintf(out, size, "%s/%s-%ld", dir != NULL ? dir : "/tmp", name, (long)getpid());
    unlink(out);
    return out;
}

/* The whole file, malloc'd (NULL if missing); *len its size. */
static inline unsigned char *fixture_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long n;
    *len = 0;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)n + 1);
        if (data != NULL && fread(data, 1, (size_t)n, f) == (size_t)n)
            *len = (size_t)n;
    }
    fclose(f);
    return data;
}

/* 1 when the file at path holds exactly (data, len). */
static inline int fixture_same(const char *path, const unsigned char *data, size_t len)
{
    size_t now_len;
    unsigned char *now = fixture_slurp(path, &now_len);
    int same = now != NULL && now_len == len && memcmp(now, data, len) == 0;
    free(now);
    return same;
}

static inline pt_tag fixture_tag(const char *four)
{
    return pt_tag_from_bytes((const uint8_t *)four);
}

/* Declares a bundle with a made-up identity and one source. */
static inline pt_status fixture_bundle_source(pt_import *im, const char *sha, const char *member,
                                              const char *kind, pt_error *err)
{
    pt_import_bundle_info bi;
    pt_import_source_info si;
    int already = 0;
    pt_status rc;

    memset(&bi, 0, sizeof bi);
    bi.sha256 = sha;
    bi.file_name = "fixture.ptb";
    bi.collector_version = "test";
    bi.host = "TESTHOST";
    rc = pt_import_add_bundle(im, &bi, &already, err);
    if (rc != PT_OK || already)
        return rc != PT_OK ? rc : PT_ERR_INTERNAL;
    memset(&si, 0, sizeof si);
    si.member = member;
    si.kind = kind;
    si.size = 1234;
    si.sha256 = "00";
    return pt_import_add_source(im, &si, err);
}

/* Feeds samples x tags of the generated series into the case, one bundle. */
static inline pt_status fixture_load_series(pt_archive *a, const char *case_name,
                                            unsigned samples, unsigned tags, pt_import_hook hook,
                                            pt_error *err)
{
    pt_import *im = NULL;
    const pt_sink *sink;
    pt_status rc = pt_import_begin(a, case_name, &im, err);
    unsigned s, i;

    if (rc != PT_OK)
        return rc;
    rc = fixture_bundle_source(im, "5e51e5", "poolmon/series", "poolmon", err);
    sink = pt_import_sink(im);
    for (s = 0; s < samples && rc == PT_OK; s++) {
        pt_sample_info info;
        char name[64];
        snprintf(name, sizeof name, "poolmon/poolmon-%05u.txt", s + 1);
        memset(&info, 0, sizeof info);
        info.kind = PT_KIND_POOLMON;
        info.source = name;
        info.variant = "poolmon-snapshot";
        info.time = pt_filetime_from_unix(series_time_unix(s), 0);
        info.time_origin = "command-line";
        rc = sink->begin_sample(sink->ctx, &info);
        for (i = 0; i < tags && rc == PT_OK; i++) {
            series_row r;
            pt_tag_row row;
            series_row_at(i, s, &r);
            memset(&row, 0, sizeof row);
            row.tag = fixture_tag(r.tag);
            row.tag_text = r.tag;
            row.pool = r.paged ? PT_POOL_PAGED : PT_POOL_NONPAGED;
            row.has = PT_HAS_ALLOCS | PT_HAS_FREES | PT_HAS_OUTSTANDING | PT_HAS_BYTES;
            row.allocs = r.allocs;
            row.frees = r.frees;
            row.outstanding = r.allocs - r.frees;
            row.bytes = r.bytes;
            rc = sink->tag_row(sink->ctx, &row);
        }
        if (rc == PT_OK)
            rc = sink->end_sample(sink->ctx);
    }
    if (rc != PT_OK) {
        if (pt_import_error(im)->code != PT_OK)
            *err = *pt_import_error(im);
        pt_import_abort(im);
        return rc;
    }
    return pt_import_commit(im, hook, NULL, err);
}

#endif
