/* pe_driver.h - one driver file's metadata and the pool tags it uses.
 *
 * pt_pe_analyze reads a PE file (x86, x64, ARM64) through a pt_source and
 * fills a struct pt_driver_record: identity (name, path, size, SHA-256),
 * headers (machine, TimeDateStamp or reproducible-build hash, CheckSum and
 * whether it matches, SizeOfImage, subsystem), the CodeView record, the
 * version resource (fixed versions and the string tables of every
 * language), the embedded Authenticode signer, the imports, and the tag
 * evidence: constant tags passed to pool APIs at call sites (decoded with
 * Zydis), and raw occurrences of chosen tags (what findstr finds).
 * Facts: shared/docs/pe-drivers.md.  A file that is not a PE or is
 * malformed still gives a record, with `error` saying why.
 *
 * Every string and array of a record lives in the pt_arena passed in.
 */
#ifndef PT_PE_DRIVER_H
#define PT_PE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "pt_arena.h"
#include "pt_error.h"
#include "pt_evidence.h"
#include "pt_source.h"
#include "pt_tag.h"

/* Largest driver file read (drivers are KBs to a few MBs; ntoskrnl ~11 MB). */
#define PT_PE_MAX_FILE (256u * 1024u * 1024u)

/* Kinds of tag evidence, strongest first (values never change; they are
 * stored in bundles and the archive). */
typedef enum pt_driver_evidence {
    PT_DRIVER_EV_CALLSITE = 1, /* constant tag at a call to a pool API */
    PT_DRIVER_EV_TAGFILE = 2,  /* pooltag.txt / localtag.txt / tag notes entry */
    PT_DRIVER_EV_LITERAL = 3,  /* the four bytes somewhere in the file */
} pt_driver_evidence;

/* "callsite", "tagfile", "literal". */
const char *pt_driver_evidence_name(pt_driver_evidence ev);
int pt_driver_evidence_parse(const char *name, pt_driver_evidence *ev);

/* How a call-site tag was recovered (pe-drivers.md §3.1 step 4). */
#define PT_TAG_HOW_IMMEDIATE "immediate"  /* an instruction's immediate */
#define PT_TAG_HOW_RODATA "rodata"        /* loaded from a read-only global */
#define PT_TAG_HOW_GLOBAL "global"        /* a writable global's initial value */
#define PT_TAG_HOW_WRAPPER "wrapper"      /* a constant passed to a wrapper */

typedef struct pt_driver_tag {
    pt_tag tag;
    pt_driver_evidence evidence;
    const char *api;          /* callsite: the pool API; tagfile: the tag file */
    const char *how;          /* callsite: PT_TAG_HOW_*; tagfile: the description */
    uint32_t function_rva;    /* callsite: start of the calling function; 0 unknown */
    uint32_t call_rva;        /* callsite: the call or jump instruction */
    uint64_t count;           /* literal: occurrences in the file */
    uint64_t file_offset;     /* literal: the first one */
} pt_driver_tag;

typedef struct pt_driver_import {
    const char *dll;
    const char *name;         /* NULL when imported by ordinal */
    uint16_t ordinal;
    int delayed;              /* from the delay-import table */
} pt_driver_import;

/* One StringFileInfo table (one language/codepage). */
typedef struct pt_driver_strings {
    uint16_t lang, codepage;
    const char *company_name, *file_description, *file_version, *product_name,
        *product_version, *original_filename, *legal_copyright, *internal_name;
} pt_driver_strings;

struct pt_driver_record {
    const char *name;         /* base name */
    const char *path;         /* as scanned (or as recorded in the bundle) */
    uint64_t size;
    char sha256[65];          /* hex; "" when the file could not be read */
    pt_filetime mtime;        /* 0 unknown */

    /* Set when the file is not a readable PE: the reason, and what we got. */
    pt_status error_code;
    const char *error;

    uint16_t machine;         /* 0x014C, 0x8664, 0xAA64, ... */
    int pe32plus;
    uint32_t timestamp;
    int timestamp_is_hash;    /* a REPRO debug entry: TimeDateStamp is a hash */
    uint32_t checksum, checksum_computed;
    int checksum_ok;
    uint32_t size_of_image;
    uint16_t subsystem, characteristics, dll_characteristics;
    uint64_t image_base;
    uint32_t entry_point;
    uint16_t section_count;

    int has_codeview;
    const char *codeview_format; /* "RSDS" or "NB10" */
    char codeview_guid[37];   /* RSDS: 8-4-4-4-12 upper hex; NB10: signature %08X */
    uint32_t codeview_age;
    const char *pdb_name;     /* may be "" (mingw --build-id) */

    int has_version;
    uint16_t file_version[4], product_version[4];
    uint32_t file_flags, file_os, file_type, file_subtype;
    pt_driver_strings *strings;
    size_t strings_count;

    /* "embedded" (WIN_CERTIFICATE present), "none" (no security directory:
     * catalog-signed or unsigned) or "unreadable" (present, not parsed). */
    const char *signature;
    const char *signer_subject;  /* "CN=..., O=..., C=..." or NULL */
    const char *signer_issuer;
    uint32_t signature_count;    /* SignerInfos incl. nested signatures */

    pt_driver_import *imports;
    size_t import_count;

    pt_driver_tag *tags;
    size_t tag_count;
    /* Why call-site evidence is missing or partial ("no pool APIs
     * imported", "ARM64 code not decoded", ...); NULL when complete. */
    const char *analysis_note;
};

typedef struct pt_pe_options {
    /* Tags to look for as raw bytes (literal evidence); the call-site tags
     * of the file are always looked for too. */
    const pt_tag *literal_tags;
    size_t literal_tag_count;
    int no_callsites;         /* skip decoding (metadata only) */
    int no_hash;              /* skip SHA-256 (benchmarks of the decoder) */
    int force_decode;         /* decode all code even without pool-API imports
                                 (benchmark of the worst case) */
} pt_pe_options;

/* Reads the file behind src.  *out is always set (unless out of memory):
 * on a bad file the record carries error/error_code, which is also
 * returned (with err filled).  path names the file in the record. */
pt_status pt_pe_analyze(pt_source *src, const char *path, const pt_pe_options *opt,
                        pt_arena *arena, struct pt_driver_record **out, pt_error *err);

/* Same, over a file on disk (mtime filled in). */
pt_status pt_pe_analyze_file(const char *path, const pt_pe_options *opt, pt_arena *arena,
                             struct pt_driver_record **out, pt_error *err);

/* "x86", "x64", "ARM64", "ARM", or "0xNNNN". */
const char *pt_pe_machine_name(uint16_t machine, char buf[8]);

/* "a.b.c.d" of a fixed version, into buf[24]. */
char *pt_pe_version_format(const uint16_t v[4], char buf[24]);

/* The strings table to show: the first, which is the one matching the
 * first Translation pair when the file has one.  NULL when none. */
const pt_driver_strings *pt_driver_main_strings(const struct pt_driver_record *rec);

/* 1 when the vendor is Microsoft (CompanyName, else the signer). */
int pt_driver_is_microsoft(const struct pt_driver_record *rec);

/* Sorts rec->tags strongest evidence first, then by tag and call RVA. */
void pt_driver_sort_tags(struct pt_driver_record *rec);

#endif
