/* pe_der.h - a bounds-checked DER TLV walker, enough for Authenticode's
 * PKCS#7 SignedData (pe-drivers.md §1.8).  Definite lengths only (short
 * form and 0x81-0x84); BER indefinite lengths and multi-byte tags are
 * refused. */
#ifndef PT_PE_DER_H
#define PT_PE_DER_H

#include <stddef.h>
#include <stdint.h>

#define DER_INTEGER 0x02
#define DER_OCTET_STRING 0x04
#define DER_OID 0x06
#define DER_UTF8 0x0C
#define DER_PRINTABLE 0x13
#define DER_T61 0x14
#define DER_IA5 0x16
#define DER_BMP 0x1E
#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_CTX0 0xA0
#define DER_CTX1 0xA1

typedef struct der_item {
    uint8_t tag;
    const uint8_t *start;   /* the tag byte */
    const uint8_t *value;
    size_t len;             /* of the value */
    size_t total;           /* header + value */
} der_item;

/* Reads one TLV at p (avail bytes).  0 on success, -1 when malformed or
 * running past avail. */
int der_read(const uint8_t *p, size_t avail, der_item *out);

/* An iterator over the children of a constructed item. */
typedef struct der_iter {
    const uint8_t *p;
    size_t left;
} der_iter;

void der_iter_init(der_iter *it, const der_item *parent);
/* 1 and the next child, 0 at the end, -1 when malformed. */
int der_next(der_iter *it, der_item *out);

/* 1 when item is an OID equal to the DER body oid[0..len). */
int der_oid_is(const der_item *item, const uint8_t *oid, size_t len);

#endif
