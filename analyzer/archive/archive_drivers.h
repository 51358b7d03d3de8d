/* archive_drivers.h - driver records in the archive (schema/archive/
 * 002_drivers.sql): storing them at import, exporting a case's drivers as
 * CSV, and the candidate drivers of a tag for the report. */
#ifndef PT_ARCHIVE_DRIVERS_H
#define PT_ARCHIVE_DRIVERS_H

#include <stdint.h>
#include <stdio.h>

#include "archive.h"
#include "pe_driver.h"
#include "pt_error.h"

/* Stores one driver record (with its strings, imports and tag evidence)
 * under a case and the source it came from.  Runs inside the caller's
 * transaction. */
pt_status pt_archive_store_driver(pt_archive *a, int64_t case_id, int64_t source_id,
                                  const struct pt_driver_record *rec, pt_error *err);

/* `pooltriage export CASE --drivers FILE`: one CSV line per driver with
 * name,path,size,sha256,machine,timestamp,timestamp_is_hash,checksum_ok,
 * file_version,product_version,company,description,product,signature,
 * signer,vendor,callsite_tags,error. */
pt_status pt_export_drivers_csv(pt_archive *a, int64_t case_id, FILE *out, pt_error *err);

/* One candidate driver for a tag, strongest evidence first. */
typedef struct pt_driver_candidate {
    const char *name, *path;
    int evidence;               /* pt_driver_evidence of its strongest row */
    const char *api;            /* callsite: the API */
    uint32_t function_rva, call_rva;
    const char *company, *file_version, *product_version, *signer, *sha256;
    uint32_t timestamp;
    int timestamp_is_hash;
    int microsoft;
} pt_driver_candidate;

typedef pt_status (*pt_driver_candidate_fn)(void *ctx, const pt_driver_candidate *c);

/* The drivers of a case with evidence for tag, strongest first (one call
 * per driver, with its strongest row); *findstr_count is the number of
 * driver files of the case whose bytes hold the tag (literal evidence). */
pt_status pt_archive_tag_candidates(pt_archive *a, int64_t case_id, pt_tag tag,
                                    pt_driver_candidate_fn fn, void *ctx,
                                    unsigned *findstr_count, pt_error *err);

#endif
