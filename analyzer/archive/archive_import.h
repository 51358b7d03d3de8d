/* archive_import.h - loading evidence into the archive.
 *
 * pt_archive_import_bundle is what `pooltriage import` does: one bundle,
 * one transaction, keyed by the bundle's SHA-256 (a second import of the
 * same file changes nothing).  Any failure rolls the transaction back and
 * leaves the archive file as it was.
 *
 * The lower layer (pt_import_*) is the same load without a bundle file:
 * begin, declare the bundle and each source, feed the sink, commit.  Tests
 * and benchmarks use it to feed records directly.
 */
#ifndef PT_ARCHIVE_IMPORT_H
#define PT_ARCHIVE_IMPORT_H

#include <stdint.h>

#include "archive.h"
#include "pt_evidence.h"

/* Called inside the import's transaction once the bundle's rows are in
 * (the analysis recomputes the case's suspects here). */
typedef pt_status (*pt_import_hook)(pt_archive *a, int64_t case_id, void *ctx,
                                    pt_error *err);

typedef struct pt_import_options {
    const char *case_name;  /* NULL: the bundle's case hint, else from its file name */
    int partial_ok;         /* take the complete members of a cut-short bundle */
    pt_import_hook after_load;
    void *after_load_ctx;
} pt_import_options;

typedef struct pt_import_counts {
    uint64_t sources, samples, tag_rows, counters, modules, allocations, stacks,
        tag_descs, warnings;
} pt_import_counts;

typedef struct pt_import_result {
    int already;            /* the bundle was in the archive: nothing changed
                               (case_name is then the case that holds it) */
    int partial;            /* the bundle was cut short; complete members taken */
    char case_name[256];
    char bundle_id[65];
    int64_t case_id, bundle_id_row;
    pt_import_counts counts;
} pt_import_result;

pt_status pt_archive_import_bundle(pt_archive *a, const char *bundle_path,
                                   const pt_import_options *opt, pt_import_result *res,
                                   pt_error *err);

/* The case name a bundle file name gives: its base name without the
 * directory and the last extension ("/x/srv01-leak.ptb" -> "srv01-leak"). */
void pt_import_case_from_path(const char *path, char *out, size_t out_size);

/* ---- the load without a bundle file ---- */

typedef struct pt_import pt_import;

typedef struct pt_import_bundle_info {
    const char *sha256;      /* identity: 64 hex digits */
    const char *file_name;
    const char *collector_version, *host, *case_hint;
    pt_filetime created;
    int partial;
} pt_import_bundle_info;

typedef struct pt_import_source_info {
    const char *member;
    const char *kind;        /* reader name */
    uint64_t size;
    const char *sha256;      /* the member hash (over its chunk index) */
    const char *file_sha256; /* the file's own SHA-256, lowercase hex, or NULL */
    int partial;
} pt_import_source_info;

/* Begins the transaction and finds or creates the case. */
pt_status pt_import_begin(pt_archive *a, const char *case_name, pt_import **out,
                          pt_error *err);
/* Records the bundle; *already = 1 (and nothing written) when its sha256
 * is in the archive. */
pt_status pt_import_add_bundle(pt_import *im, const pt_import_bundle_info *b, int *already,
                               pt_error *err);
/* Starts a source: the records the sink gets next belong to it. */
pt_status pt_import_add_source(pt_import *im, const pt_import_source_info *s,
                               pt_error *err);
/* Closes the current source (writes its variant and sample time). */
pt_status pt_import_end_source(pt_import *im, pt_error *err);
/* The sink that writes records of the current source.  A callback's
 * failure is kept: pt_import_error() gives its message. */
const pt_sink *pt_import_sink(pt_import *im);
const pt_error *pt_import_error(const pt_import *im);
int64_t pt_import_case_id(const pt_import *im);
int64_t pt_import_bundle_row(const pt_import *im);
const pt_import_counts *pt_import_get_counts(const pt_import *im);
/* Runs hook (if not NULL) and commits; frees im either way. */
pt_status pt_import_commit(pt_import *im, pt_import_hook hook, void *hook_ctx,
                           pt_error *err);
/* Rolls back and frees im. */
void pt_import_abort(pt_import *im);

#endif
