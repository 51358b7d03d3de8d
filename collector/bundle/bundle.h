/* bundle.h - the evidence bundle: one compressed file per collection.
 *
 * Format: schema/bundle-format.md.  The writer streams (nothing is held
 * whole in memory); large members are compressed in independent chunks so
 * the reader can serve any byte range by inflating only the chunks that
 * cover it.  A writer killed mid-way leaves a file that reads up to the
 * last complete member.
 */
#ifndef PT_BUNDLE_H
#define PT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_evidence.h"
#include "pt_source.h"

/* A member's free-form attributes ("sample_time", "original_path", ...). */
typedef struct pt_bundle_attr {
    const char *key;
    const char *value;
} pt_bundle_attr;

typedef struct pt_bundle_member {
    const char *name;        /* relative, '/'-separated, never absolute or with ".." */
    const char *kind;        /* reader name: "poolmon", "poolused", "vm", "pooltag",
                                "dump", "etl", "drivers", "driver-binary", ... */
    uint64_t size;           /* uncompressed bytes */
    char sha256[65];         /* hex member hash: SHA-256 over the chunk index
                                (size, then each chunk's offset, length and
                                SHA-256), see schema/bundle-format.md */
    const pt_bundle_attr *attrs;
    size_t attr_count;
    /* Added with the format: members reduced to some byte ranges. */
    uint64_t present_bytes;  /* bytes stored; < size when the member has holes */
    int has_holes;           /* reading a hole gives PT_ERR_PARTIAL */
    uint64_t chunk_count;
} pt_bundle_member;

/* Whole-bundle facts written into the manifest. */
typedef struct pt_bundle_info {
    const char *collector_version;
    const char *host;
    pt_filetime created;
    const char *case_hint;   /* optional case name suggested by the field engineer */
} pt_bundle_info;

/* ---- writing ---- */

typedef struct pt_bundle_writer pt_bundle_writer;

pt_status pt_bundle_writer_open(const char *path, const pt_bundle_info *info,
                                pt_bundle_writer **out, pt_error *err);
/* Adds a member read from src (streamed in chunks).  attrs may be NULL. */
pt_status pt_bundle_add_source(pt_bundle_writer *w, const char *name, const char *kind,
                               pt_source *src, const pt_bundle_attr *attrs,
                               size_t attr_count, pt_error *err);
pt_status pt_bundle_add_buffer(pt_bundle_writer *w, const char *name, const char *kind,
                               const void *data, size_t len, const pt_bundle_attr *attrs,
                               size_t attr_count, pt_error *err);
/* A member written piece by piece, possibly with holes (a reduced dump keeps
 * only the pages the analyzer reads): begin with the declared total size,
 * write at increasing, non-overlapping offsets (gaps are holes), end. */
pt_status pt_bundle_member_begin(pt_bundle_writer *w, const char *name, const char *kind,
                                 uint64_t total_size, const pt_bundle_attr *attrs,
                                 size_t attr_count, pt_error *err);
pt_status pt_bundle_member_write_at(pt_bundle_writer *w, uint64_t offset, const void *data,
                                    size_t len, pt_error *err);
/* Zero bytes at offset (not a hole: they read as zeros), written as zero
 * records without being made in memory. */
pt_status pt_bundle_member_write_zeros(pt_bundle_writer *w, uint64_t offset, uint64_t len,
                                       pt_error *err);
pt_status pt_bundle_member_end(pt_bundle_writer *w, pt_error *err);
/* Adds a file as a member; the holes of a sparse file (SEEK_HOLE) are
 * written as zero records without reading them. */
pt_status pt_bundle_add_file(pt_bundle_writer *w, const char *name, const char *kind,
                             const char *path, const pt_bundle_attr *attrs, size_t attr_count,
                             pt_error *err);
/* Deflate level for data chunks (1..9; default 1 for members over 64 MiB,
 * 6 for smaller ones); 0 restores the default. */
void pt_bundle_writer_set_level(pt_bundle_writer *w, int level);
/* Chunk size for the members that follow: a multiple of 64 KiB up to
 * 1 MiB; 0 restores the default (1 MiB, 256 KiB for members over 64 MiB,
 * which are read at random offsets). */
void pt_bundle_writer_set_chunk_size(pt_bundle_writer *w, size_t bytes);
/* Bytes written to the bundle so far. */
uint64_t pt_bundle_writer_offset(const pt_bundle_writer *w);

/* Writes the manifest and the footer, closes the file. Frees w. */
pt_status pt_bundle_writer_close(pt_bundle_writer *w, pt_error *err);
/* Closes without a manifest (the file is left partial); frees w. */
void pt_bundle_writer_abort(pt_bundle_writer *w);

/* ---- reading ---- */

typedef struct pt_bundle pt_bundle;

#define PT_BUNDLE_STRICT 0
#define PT_BUNDLE_ALLOW_PARTIAL 1

#define PT_BUNDLE_FORMAT_VERSION 1

/* Opens and checks the structure.  A bundle cut short is refused with
 * PT_ERR_TRUNCATED ("... cut short ...; import --partial takes the
 * complete members") unless PT_BUNDLE_ALLOW_PARTIAL, when the complete
 * members are offered and pt_bundle_is_partial() is 1. */
pt_status pt_bundle_open(const char *path, int flags, pt_bundle **out, pt_error *err);
void pt_bundle_close(pt_bundle *b);
/* The same over a source the caller keeps open until pt_bundle_close
 * (fuzzing, bundles in memory). */
pt_status pt_bundle_open_source(pt_source *src, int flags, pt_bundle **out, pt_error *err);

int pt_bundle_is_partial(const pt_bundle *b);
/* SHA-256 (hex) of the whole bundle file: the bundle's identity for
 * idempotent import. */
const char *pt_bundle_id(const pt_bundle *b);
const char *pt_bundle_path(const pt_bundle *b);
/* From the manifest; a partial bundle has none, so its fields are NULL / 0. */
const pt_bundle_info *pt_bundle_get_info(const pt_bundle *b);
size_t pt_bundle_member_count(const pt_bundle *b);
const pt_bundle_member *pt_bundle_member_at(const pt_bundle *b, size_t i);
const char *pt_bundle_member_attr(const pt_bundle_member *m, const char *key);

/* A random-access source over member i (name "BUNDLE:MEMBER").  Reads
 * inflate only the chunks they touch. */
pt_status pt_bundle_open_member(pt_bundle *b, size_t i, pt_source **out, pt_error *err);
/* Reads every chunk of member i, checks each against its SHA-256 and the
 * index against the manifest's member hash. */
pt_status pt_bundle_verify_member(pt_bundle *b, size_t i, pt_error *err);
/* Verifies every member (import instead lets reading verify what it reads
 * and verifies whole only what it did not read: archive_import.c). */
pt_status pt_bundle_verify(pt_bundle *b, pt_error *err);

#endif
