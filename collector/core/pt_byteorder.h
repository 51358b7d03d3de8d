/* pt_byteorder.h - explicit little-endian readers and writers.
 *
 * On-disk structures are decoded from byte arrays with these, never by
 * casting a pointer to a struct, so alignment and host byte order cannot
 * matter.
 */
#ifndef PT_BYTEORDER_H
#define PT_BYTEORDER_H

#include <stdint.h>

static inline uint16_t pt_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t pt_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline uint64_t pt_le64(const uint8_t *p)
{
    return (uint64_t)pt_le32(p) | ((uint64_t)pt_le32(p + 4) << 32);
}

static inline uint32_t pt_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
           (uint32_t)p[3];
}

static inline void pt_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void pt_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void pt_put_le64(uint8_t *p, uint64_t v)
{
    pt_put_le32(p, (uint32_t)v);
    pt_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* True when off + len lies within size, without overflow. */
static inline int pt_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

#endif
