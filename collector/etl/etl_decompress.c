/* etl_decompress.c - MS-XCA plain LZ77 (XPRESS) and LZNT1 decoders.
 *
 * Written from the public MS-XCA specification (sections 2.3-2.5).
 * Every read of the input and every write of the output is checked; a
 * malformed stream gives -1, never an access outside the two buffers.
 */
#include "etl_decompress.h"

#include <string.h>

#include "pt_byteorder.h"

/* Copies a match.  Source and destination may overlap (that is how LZ77
 * encodes runs): with an offset of 8 or more, 8-byte steps only read bytes
 * already written; shorter offsets go byte by byte.  Never writes past
 * pos + len. */
static void copy_match(uint8_t *out, size_t pos, size_t offset, size_t len)
{
    uint8_t *dst = out + pos;
    const uint8_t *src = dst - offset;
    size_t i = 0;
    if (offset >= len) {
        memcpy(dst, src, len);
        return;
    }
    if (offset >= 8)
        for (; i + 8 <= len; i += 8)
            memcpy(dst + i, src + i, 8);
    for (; i < len; i++)
        dst[i] = src[i];
}

long etl_xpress_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap)
{
    size_t ip = 0, op = 0;
    size_t nibble_at = SIZE_MAX; /* input index of a half-used length byte */
    uint32_t flags = 0;
    int flag_count = 0;

    if (out_cap > (size_t)0x7FFFFFFF)
        return -1;
    for (;;) {
        if (flag_count == 0) {
            if (in_len - ip < 4)
                break; /* the stream ends at a flag word boundary */
            flags = pt_le32(in + ip);
            ip += 4;
            flag_count = 32;
        }
        flag_count--;
        if (((flags >> flag_count) & 1u) == 0) {
            if (ip >= in_len)
                break;
            if (op >= out_cap)
                return -1;
            out[op++] = in[ip++];
            continue;
        }
        {
            uint32_t token, len, offset;
            if (ip == in_len)
                break; /* trailing flag bits after the last literal */
            if (in_len - ip < 2)
                return -1;
            token = pt_le16(in + ip);
            ip += 2;
            offset = (token >> 3) + 1;
            len = token & 7u;
            if (len == 7) {
                uint32_t nib;
                if (nibble_at == SIZE_MAX) {
                    if (ip >= in_len)
                        return -1;
                    nib = in[ip] & 15u;
                    nibble_at = ip++;
                } else {
                    nib = in[nibble_at] >> 4;
                    nibble_at = SIZE_MAX;
                }
                len = nib;
                if (len == 15) {
                    if (ip >= in_len)
                        return -1;
                    len = in[ip++];
                    if (len == 255) {
                        if (in_len - ip < 2)
                            return -1;
                        len = pt_le16(in + ip);
                        ip += 2;
                        if (len == 0) {
                            if (in_len - ip < 4)
                                return -1;
                            len = pt_le32(in + ip);
                            ip += 4;
                        }
                        if (len < 15 + 7)
                            return -1;
                        len -= 15 + 7;
                    }
                    len += 15;
                }
                len += 7;
            }
            if (len > 0xFFFFFFFFu - 3)
                return -1;
            len += 3;
            if (offset > op || len > out_cap - op)
                return -1;
            copy_match(out, op, offset, len);
            op += len;
        }
    }
    return (long)op;
}

/* LZNT1: a sequence of chunks, each with a u16 header (bits 0-11 = data
 * length - 1, bits 12-14 = 3, bit 15 = compressed); a chunk decodes to at
 * most 4096 bytes, and copy tokens cannot reach before the chunk start. */
static long lznt1_chunk(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap)
{
    size_t ip = 0, op = 0;
    while (ip < in_len) {
        uint8_t flags = in[ip++];
        int bit;
        for (bit = 0; bit < 8 && ip < in_len; bit++) {
            if ((flags & (1u << bit)) == 0) {
                if (op >= out_cap || op >= 4096)
                    return -1;
                out[op++] = in[ip++];
            } else {
                unsigned len_bits = 12, t;
                uint16_t token;
                size_t offset, len;
                if (in_len - ip < 2 || op == 0)
                    return -1;
                token = pt_le16(in + ip);
                ip += 2;
                /* the offset takes as many bits as the position needs */
                for (t = (unsigned)op - 1; t >= 16; t >>= 1)
                    len_bits--;
                offset = (size_t)(token >> len_bits) + 1;
                len = (size_t)(token & ((1u << len_bits) - 1)) + 3;
                if (offset > op || len > out_cap - op || op + len > 4096)
                    return -1;
                copy_match(out, op, offset, len);
                op += len;
            }
        }
    }
    return (long)op;
}

long etl_lznt1_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap)
{
    size_t ip = 0, op = 0;
    if (out_cap > (size_t)0x7FFFFFFF)
        return -1;
    while (in_len - ip >= 2) {
        uint16_t h = pt_le16(in + ip);
        size_t data_len;
        if (h == 0)
            break; /* end marker */
        if ((h & 0x7000u) != 0x3000u)
            return -1;
        data_len = (size_t)(h & 0x0FFFu) + 1;
        ip += 2;
        if (data_len > in_len - ip)
            return -1;
        if (h & 0x8000u) {
            long n = lznt1_chunk(in + ip, data_len, out + op, out_cap - op);
            if (n < 0)
                return -1;
            op += (size_t)n;
        } else {
            if (data_len > out_cap - op)
                return -1;
            memcpy(out + op, in + ip, data_len);
            op += data_len;
        }
        ip += data_len;
    }
    return (long)op;
}
