/* pe_der.c - DER TLV walker. */
#include "pe_der.h"

#include <string.h>

int der_read(const uint8_t *p, size_t avail, der_item *out)
{
    size_t hdr = 2, len;

    if (avail < 2)
        return -1;
    out->tag = p[0];
    if ((p[0] & 0x1F) == 0x1F)
        return -1;
    if (p[1] < 0x80) {
        len = p[1];
    } else {
        size_t n = p[1] & 0x7F, i;
        if (n == 0 || n > 4 || avail < 2 + n)
            return -1;
        len = 0;
        for (i = 0; i < n; i++)
            len = (len << 8) | p[2 + i];
        hdr += n;
    }
    if (len > avail - hdr)
        return -1;
    out->start = p;
    out->value = p + hdr;
    out->len = len;
    out->total = hdr + len;
    return 0;
}

void der_iter_init(der_iter *it, const der_item *parent)
{
    it->p = parent->value;
    it->left = parent->len;
}

int der_next(der_iter *it, der_item *out)
{
    if (it->left == 0)
        return 0;
    if (der_read(it->p, it->left, out) != 0)
        return -1;
    it->p += out->total;
    it->left -= out->total;
    return 1;
}

int der_oid_is(const der_item *item, const uint8_t *oid, size_t len)
{
    return item->tag == DER_OID && item->len == len && memcmp(item->value, oid, len) == 0;
}
