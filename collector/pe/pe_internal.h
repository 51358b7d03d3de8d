/* pe_internal.h - what the parts of the PE reader share while one file
 * is analysed (not for use outside collector/pe). */
#ifndef PT_PE_INTERNAL_H
#define PT_PE_INTERNAL_H

#include "pe_driver.h"
#include "pe_image.h"

/* Bounds on counts read from a file (hostile input). */
#define PE_MAX_IMPORTS 65536
#define PE_MAX_IMPORT_DLLS 4096
#define PE_MAX_NAME 512

/* One IAT slot: where the loader writes the address of an import. */
typedef struct pe_iat_slot {
    uint32_t rva;
    uint32_t import_index;   /* into rec->imports */
} pe_iat_slot;

typedef struct pe_ctx {
    pe_image img;
    pt_arena *arena;
    struct pt_driver_record *rec;
    pe_iat_slot *slots;      /* sorted by rva */
    size_t slot_count, slot_cap;
    size_t import_cap;
    size_t tag_cap;
    const pt_pe_options *opt;
} pe_ctx;

pt_status pe_read_imports(pe_ctx *ctx, pt_error *err);
/* The import behind an IAT slot rva, or NULL. */
const pt_driver_import *pe_import_at_slot(const pe_ctx *ctx, uint32_t rva);

pt_status pe_read_version(pe_ctx *ctx, pt_error *err);
pt_status pe_read_debug(pe_ctx *ctx, pt_error *err);
pt_status pe_read_signer(pe_ctx *ctx, pt_error *err);
pt_status pe_find_callsites(pe_ctx *ctx, pt_error *err);

/* Appends a tag to rec->tags. */
pt_status pe_add_tag(pe_ctx *ctx, const pt_driver_tag *tag, pt_error *err);

/* UTF-16LE (n code units, stops at NUL) to UTF-8 in the arena. */
char *pe_utf16_to_utf8(pt_arena *arena, const uint8_t *p, size_t units);

#endif
