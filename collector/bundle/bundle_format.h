/* bundle_format.h - the on-disk layout of a bundle (schema/bundle-format.md).
 *
 * A bundle is a sequence of records; each record is one complete gzip
 * member (RFC 1952) whose FEXTRA field holds a 'P''T' subfield with the
 * pooltriage record header, so `gzip -t` checks a bundle and `gzip -dc`
 * shows its text.  Internal to collector/bundle/.
 */
#ifndef BUNDLE_FORMAT_H
#define BUNDLE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_sha256.h"

#define BUNDLE_FORMAT_VERSION 1u

/* Record layout (all little-endian):
 *   0  1  gzip ID1 0x1f
 *   1  1  gzip ID2 0x8b
 *   2  1  CM 8 (deflate)
 *   3  1  FLG 0x04 (FEXTRA only)
 *   4  4  MTIME 0
 *   8  1  XFL 0
 *   9  1  OS 255 (unknown)
 *  10  2  XLEN 36
 *  12  1  SI1 'P'
 *  13  1  SI2 'T'
 *  14  2  subfield LEN 32
 *  16  1  record type (BUNDLE_REC_*)
 *  17  1  flags (0)
 *  18  2  record header version (1)
 *  20  4  member number (BUNDLE_NO_MEMBER for bundle-level records)
 *  24  8  offset: DATA/ZERO: the chunk's offset within its member;
 *         FOOTER: the manifest record's file offset; else 0
 *  32  4  uncompressed length of the payload
 *  36  4  compressed length (bytes of deflate data that follow)
 *  40  4  reserved (0)
 *  44  4  CRC-32 of bytes 16..43
 *  48  .. deflate data (compressed length bytes)
 *  ..  4  CRC-32 of the uncompressed payload (gzip trailer)
 *  ..  4  ISIZE: uncompressed length (gzip trailer)
 */
#define BUNDLE_REC_HEAD 48u
#define BUNDLE_REC_TAIL 8u
#define BUNDLE_XLEN 36u
#define BUNDLE_SUB_LEN 32u

enum bundle_record_type {
    BUNDLE_REC_HEADER = 1,       /* JSON: {"format":"pooltriage-bundle","version":1} */
    BUNDLE_REC_MEMBER_START = 2, /* JSON: name, kind, size, attrs */
    BUNDLE_REC_DATA = 3,         /* a chunk of member bytes */
    BUNDLE_REC_ZERO = 4,         /* a chunk of zero bytes (never inflated to read) */
    BUNDLE_REC_MEMBER_END = 5,   /* binary: size, hash, chunk index */
    BUNDLE_REC_MANIFEST = 6,     /* JSON manifest */
    BUNDLE_REC_FOOTER = 7,       /* fixed 64-byte payload, stored: see below */
};

#define BUNDLE_NO_MEMBER 0xFFFFFFFFu

/* Limits on a record's uncompressed length, by type. */
#define BUNDLE_CHUNK_MAX (1024u * 1024u)          /* DATA, ZERO */
#define BUNDLE_ZERO_GRAIN (64u * 1024u)           /* zero runs are found per 64 KiB */
#define BUNDLE_JSON_RECORD_MAX (1024u * 1024u)    /* HEADER, MEMBER_START */
#define BUNDLE_MANIFEST_MAX (16u * 1024u * 1024u) /* MANIFEST */
#define BUNDLE_INDEX_RECORD_MAX (64u * 1024u * 1024u) /* MEMBER_END */
/* Deflate never grows data by more than this (zlib's deflateBound is
 * len + len/4096 + len/16384 + 13; we allow a margin). */
#define BUNDLE_COMPRESSED_MAX(len) ((uint64_t)(len) + (uint64_t)(len) / 1024u + 1024u)

#define BUNDLE_NAME_MAX 1024u
#define BUNDLE_NAME_COMPONENT_MAX 255u
#define BUNDLE_MEMBER_MAX 100000u       /* members in one bundle */
#define BUNDLE_ATTR_MAX 256u            /* attributes of one member */

/* MEMBER_END payload:
 *   0  4  magic "PTME"
 *   4  4  version 1
 *   8  8  declared member size
 *  16  8  present bytes (sum of the chunk lengths)
 *  24  8  chunk count
 *  32  4  flags: bit 0 = the member has holes (present < size)
 *  36  4  reserved (0)
 *  40 32  member hash (see bundle_member_hash)
 *  72 ..  chunk count entries of 56 bytes:
 *          0 8 file offset of the chunk's record
 *          8 8 offset within the member
 *         16 4 length (uncompressed)
 *         20 1 record type (DATA or ZERO)
 *         21 3 reserved (0)
 *         24 32 SHA-256 of the chunk's uncompressed bytes
 */
#define BUNDLE_END_FIXED 72u
#define BUNDLE_INDEX_ENTRY 56u
#define BUNDLE_END_HAS_HOLES 0x1u
#define BUNDLE_INDEX_ENTRIES_MAX ((BUNDLE_INDEX_RECORD_MAX - BUNDLE_END_FIXED) / BUNDLE_INDEX_ENTRY)

/* FOOTER payload (64 bytes) in one stored deflate block, so the whole
 * footer record is exactly BUNDLE_FOOTER_SIZE bytes:
 *   0  8  magic "PTFOOTER"
 *   8  4  format version
 *  12  4  reserved (0)
 *  16  8  file offset of the MANIFEST record
 *  24  8  total length of the MANIFEST record
 *  32 32  SHA-256 of the manifest JSON (the uncompressed payload)
 */
#define BUNDLE_FOOTER_PAYLOAD 64u
#define BUNDLE_FOOTER_DEFLATE (5u + BUNDLE_FOOTER_PAYLOAD)
#define BUNDLE_FOOTER_SIZE (BUNDLE_REC_HEAD + BUNDLE_FOOTER_DEFLATE + BUNDLE_REC_TAIL)

typedef struct bundle_rec {
    uint8_t type;
    uint32_t member;
    uint64_t offset;
    uint32_t ulen;
    uint32_t clen;
} bundle_rec;

typedef struct bundle_chunk {
    uint64_t file_offset;
    uint64_t member_offset;
    uint32_t length;
    uint8_t type;
    uint8_t sha[PT_SHA256_LEN];
} bundle_chunk;

/* Encodes a record head (48 bytes). */
void bundle_rec_encode(const bundle_rec *rec, uint8_t head[BUNDLE_REC_HEAD]);
/* Decodes and checks a record head: gzip magic and flags, the PT subfield,
 * its CRC, the type, and the lengths against the type's limits. */
pt_status bundle_rec_decode(const uint8_t head[BUNDLE_REC_HEAD], const char *file,
                            uint64_t file_offset, bundle_rec *rec, pt_error *err);
/* The largest uncompressed payload a record of this type may declare. */
uint32_t bundle_rec_max_ulen(uint8_t type);

/* Checks a member name: relative, '/'-separated, no empty, "." or ".."
 * components, no backslash, colon or control character, bounded length. */
pt_status bundle_check_name(const char *name, size_t len, const char *file,
                            uint64_t offset, pt_error *err);

/* The member hash over the chunk index: SHA-256 of size (le64) followed, per
 * chunk in member order, by offset (le64), length (le32), chunk SHA-256. */
void bundle_member_hash(uint64_t size, const bundle_chunk *chunks, size_t count,
                        uint8_t out[PT_SHA256_LEN]);

/* SHA-256 of len zero bytes (len <= BUNDLE_CHUNK_MAX), cached by length. */
void bundle_zero_sha(uint32_t len, uint8_t out[PT_SHA256_LEN]);

#endif
