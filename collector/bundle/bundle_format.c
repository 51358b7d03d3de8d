/* bundle_format.c - record heads, member names, member hashes. */
#include "bundle_format.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pt_byteorder.h"

void bundle_rec_encode(const bundle_rec *rec, uint8_t head[BUNDLE_REC_HEAD])
{
    memset(head, 0, BUNDLE_REC_HEAD);
    head[0] = 0x1f;
    head[1] = 0x8b;
    head[2] = 8;
    head[3] = 0x04;
    head[9] = 255;
    pt_put_le16(head + 10, BUNDLE_XLEN);
    head[12] = 'P';
    head[13] = 'T';
    pt_put_le16(head + 14, BUNDLE_SUB_LEN);
    head[16] = rec->type;
    head[17] = 0;
    pt_put_le16(head + 18, 1);
    pt_put_le32(head + 20, rec->member);
    pt_put_le64(head + 24, rec->offset);
    pt_put_le32(head + 32, rec->ulen);
    pt_put_le32(head + 36, rec->clen);
    pt_put_le32(head + 44, (uint32_t)crc32(0L, head + 16, 28));
}

uint32_t bundle_rec_max_ulen(uint8_t type)
{
    switch (type) {
    case BUNDLE_REC_HEADER:
    case BUNDLE_REC_MEMBER_START:
        return BUNDLE_JSON_RECORD_MAX;
    case BUNDLE_REC_DATA:
    case BUNDLE_REC_ZERO:
        return BUNDLE_CHUNK_MAX;
    case BUNDLE_REC_MEMBER_END:
        return BUNDLE_INDEX_RECORD_MAX;
    case BUNDLE_REC_MANIFEST:
        return BUNDLE_MANIFEST_MAX;
    case BUNDLE_REC_FOOTER:
        return BUNDLE_FOOTER_PAYLOAD;
    default:
        return 0;
    }
}

pt_status bundle_rec_decode(const uint8_t head[BUNDLE_REC_HEAD], const char *file,
                            uint64_t file_offset, bundle_rec *rec, pt_error *err)
{
    uint32_t max;

    if (head[0] != 0x1f || head[1] != 0x8b || head[2] != 8)
        return pt_error_set(err, PT_ERR_FORMAT, file, file_offset,
                            "not a pooltriage bundle record (no gzip magic)");
    if (head[3] != 0x04 || pt_le32(head + 4) != 0 || head[8] != 0 || head[9] != 255 ||
        pt_le16(head + 10) != BUNDLE_XLEN || head[12] != 'P' || head[13] != 'T' ||
        pt_le16(head + 14) != BUNDLE_SUB_LEN)
        return pt_error_set(err, PT_ERR_FORMAT, file, file_offset,
                            "gzip member without the pooltriage 'PT' record header (or with "
                            "altered gzip header fields)");
    if (pt_le32(head + 44) != (uint32_t)crc32(0L, head + 16, 28))
        return pt_error_set(err, PT_ERR_CORRUPT, file, file_offset,
                            "record header checksum mismatch");
    if (pt_le16(head + 18) != 1)
        return pt_error_set(err, PT_ERR_UNSUPPORTED, file, file_offset,
                            "record header version %u (this build reads 1)",
                            (unsigned)pt_le16(head + 18));
    rec->type = head[16];
    rec->member = pt_le32(head + 20);
    rec->offset = pt_le64(head + 24);
    rec->ulen = pt_le32(head + 32);
    rec->clen = pt_le32(head + 36);
    max = bundle_rec_max_ulen(rec->type);
    if (max == 0)
        return pt_error_set(err, PT_ERR_CORRUPT, file, file_offset,
                            "unknown record type %u", (unsigned)rec->type);
    if (head[17] != 0 || pt_le32(head + 40) != 0)
        return pt_error_set(err, PT_ERR_CORRUPT, file, file_offset,
                            "reserved record header fields are not zero");
    if (rec->ulen > max)
        return pt_error_set(err, PT_ERR_LIMIT, file, file_offset,
                            "record declares %lu uncompressed bytes, over the limit of %lu "
                            "for its type",
                            (unsigned long)rec->ulen, (unsigned long)max);
    if ((uint64_t)rec->clen > BUNDLE_COMPRESSED_MAX(rec->ulen))
        return pt_error_set(err, PT_ERR_CORRUPT, file, file_offset,
                            "record declares %lu compressed bytes for %lu uncompressed",
                            (unsigned long)rec->clen, (unsigned long)rec->ulen);
    return PT_OK;
}

pt_status bundle_check_name(const char *name, size_t len, const char *file,
                            uint64_t offset, pt_error *err)
{
    size_t i, comp_start = 0;

    if (len == 0)
        return pt_error_set(err, PT_ERR_UNSAFE, file, offset, "empty member name");
    if (len > BUNDLE_NAME_MAX)
        return pt_error_set(err, PT_ERR_UNSAFE, file, offset,
                            "member name of %lu bytes is over the limit of %u",
                            (unsigned long)len, BUNDLE_NAME_MAX);
    if (strlen(name) != len)
        return pt_error_set(err, PT_ERR_UNSAFE, file, offset, "member name holds a NUL byte");
    if (name[0] == '/')
        return pt_error_set(err, PT_ERR_UNSAFE, file, offset,
                            "member name \"%.200s\" is absolute", name);
    for (i = 0; i <= len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (i < len && (c < 0x20 || c == 0x7f || c == '\\' || c == ':'))
            return pt_error_set(err, PT_ERR_UNSAFE, file, offset,
                                "member name \"%.200s\" holds a backslash, colon or control "
                                "character",
                                name);
        if (i == len || c == '/') {
            size_t n = i - comp_start;
            const char *comp = name + comp_start;
            if (n == 0 || (n == 1 && comp[0] == '.') ||
                (n == 2 && comp[0] == '.' && comp[1] == '.'))
                return pt_error_set(err, PT_ERR_UNSAFE, file, offset,
                                    "member name \"%.200s\" escapes or has an empty, '.' or "
                                    "'..' component",
                                    name);
            if (n > BUNDLE_NAME_COMPONENT_MAX)
                return pt_error_set(err, PT_ERR_UNSAFE, file, offset,
                                    "member name \"%.200s\" has a component over %u bytes",
                                    name, BUNDLE_NAME_COMPONENT_MAX);
            comp_start = i + 1;
        }
    }
    return PT_OK;
}

void bundle_member_hash(uint64_t size, const bundle_chunk *chunks, size_t count,
                        uint8_t out[PT_SHA256_LEN])
{
    pt_sha256 ctx;
    uint8_t buf[12];
    size_t i;

    pt_sha256_init(&ctx);
    pt_put_le64(buf, size);
    pt_sha256_update(&ctx, buf, 8);
    for (i = 0; i < count; i++) {
        pt_put_le64(buf, chunks[i].member_offset);
        pt_put_le32(buf + 8, chunks[i].length);
        pt_sha256_update(&ctx, buf, 12);
        pt_sha256_update(&ctx, chunks[i].sha, PT_SHA256_LEN);
    }
    pt_sha256_final(&ctx, out);
}

/* Zero runs come in multiples of the 64 KiB grain (except at a member's
 * end or before a hole), so one hash per grain multiple, made once per
 * process, spares hashing zeros; writer threads read the table. */
#define ZERO_CACHE_SLOTS (BUNDLE_CHUNK_MAX / BUNDLE_ZERO_GRAIN)

static uint8_t zero_sha_table[ZERO_CACHE_SLOTS + 1][PT_SHA256_LEN];
static pthread_once_t zero_sha_once = PTHREAD_ONCE_INIT;

static void zero_sha_compute(uint32_t len, uint8_t out[PT_SHA256_LEN])
{
    static const uint8_t zeros[4096];
    pt_sha256 ctx;
    uint32_t left;
    pt_sha256_init(&ctx);
    for (left = len; left > 0;) {
        uint32_t n = left > sizeof zeros ? (uint32_t)sizeof zeros : left;
        pt_sha256_update(&ctx, zeros, n);
        left -= n;
    }
    pt_sha256_final(&ctx, out);
}

static void zero_sha_init(void)
{
    uint32_t slot;
    for (slot = 0; slot <= ZERO_CACHE_SLOTS; slot++)
        zero_sha_compute(slot * BUNDLE_ZERO_GRAIN, zero_sha_table[slot]);
}

void bundle_zero_sha(uint32_t len, uint8_t out[PT_SHA256_LEN])
{
    if (len % BUNDLE_ZERO_GRAIN == 0 && len <= BUNDLE_CHUNK_MAX) {
        pthread_once(&zero_sha_once, zero_sha_init);
        memcpy(out, zero_sha_table[len / BUNDLE_ZERO_GRAIN], PT_SHA256_LEN);
        return;
    }
    zero_sha_compute(len, out);
}
