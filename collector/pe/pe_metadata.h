/* pe_metadata.h - the driver-metadata bundle member (kind "drivers"):
 * every field of struct pt_driver_record and its tag evidence, as text
 * lines (schema/drivers-metadata.md), so a bundle that leaves the
 * binaries at the customer still carries the call-site tags. */
#ifndef PT_PE_METADATA_H
#define PT_PE_METADATA_H

#include <stddef.h>

#include "pe_driver.h"
#include "pt_error.h"
#include "pt_source.h"

#define PT_DRIVERS_MAGIC "#pooltriage-drivers"
#define PT_DRIVERS_FORMAT_VERSION 1
/* Longest field written; longer strings (hostile version resources) are cut. */
#define PT_DRIVERS_MAX_FIELD 4096
/* Largest member written in memory before it goes into the bundle. */
#define PT_DRIVERS_MAX_MEMBER (512u * 1024u * 1024u)

/* A growable text buffer. */
typedef struct pt_pe_buf {
    char *data;
    size_t len, cap;
    int failed;          /* out of memory or over PT_DRIVERS_MAX_MEMBER */
} pt_pe_buf;

void pt_pe_buf_free(pt_pe_buf *b);

/* The first line of the member. */
void pt_driver_metadata_header(pt_pe_buf *b);
/* One record ("driver" ... "end"). */
void pt_driver_metadata_append(pt_pe_buf *b, const struct pt_driver_record *rec);

/* 100 when head starts with the member's magic line. */
int pt_driver_metadata_probe(const uint8_t *head, size_t len);

/* Parses a member, calling fn for each record (valid during the call). */
typedef pt_status (*pt_driver_fn)(void *ctx, const struct pt_driver_record *rec);
pt_status pt_driver_metadata_read(pt_source *src, pt_driver_fn fn, void *ctx, pt_error *err);

#endif
