/* bundle_internal.h - the reader's state, shared by bundle_reader.c and
 * bundle_member.c.  Internal to collector/bundle/. */
#ifndef BUNDLE_INTERNAL_H
#define BUNDLE_INTERNAL_H

#include "bundle.h"
#include "bundle_format.h"
#include "pt_arena.h"

typedef struct bundle_member_rt {
    pt_bundle_member pub;
    uint32_t number;
    uint64_t end_offset;      /* file offset of the MEMBER_END record */
    uint8_t hash[PT_SHA256_LEN];
} bundle_member_rt;

struct pt_bundle {
    char *path;
    pt_source *src;
    int owns_src;
    uint64_t size;
    pt_arena arena;           /* members, names, attributes */
    bundle_member_rt *members;
    size_t member_count, member_cap;
    pt_bundle_info info;
    int partial;
    char id[PT_SHA256_HEX_LEN + 1];
};

/* Reads and inflates a record's payload into a new buffer of rec->ulen
 * bytes (+1 for a NUL), checking CRC-32, ISIZE and that the deflate stream
 * ends exactly there.  what names the record in messages. */
pt_status bundle_read_payload(pt_bundle *b, uint64_t file_offset, const bundle_rec *rec,
                              const char *what, uint8_t **out, pt_error *err);
/* Inflates a record's deflate data (clen bytes at data) into out
 * (exactly ulen bytes); never writes past ulen. */
pt_status bundle_inflate(const char *file, uint64_t file_offset, const char *what,
                         const uint8_t *data, uint32_t clen, uint8_t *out, uint32_t ulen,
                         pt_error *err);
/* Reads a record head at file_offset. */
pt_status bundle_read_rec(pt_bundle *b, uint64_t file_offset, bundle_rec *rec,
                          pt_error *err);
/* Loads and checks member i's chunk index (MEMBER_END record). */
pt_status bundle_load_index(pt_bundle *b, size_t i, bundle_chunk **chunks, size_t *count,
                            pt_error *err);
/* Decodes a MEMBER_END payload into an index and checks it. */
pt_status bundle_parse_index(pt_bundle *b, uint64_t file_offset, const char *member_name,
                             const uint8_t *p, uint32_t len, uint64_t *size,
                             uint8_t hash[PT_SHA256_LEN], bundle_chunk **chunks,
                             size_t *count, pt_error *err);

#endif
