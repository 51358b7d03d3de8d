/* pe_debug.c - the debug directory (pe-drivers.md §1.7): the CodeView
 * record (PDB name, GUID, age) and the REPRO entry that turns
 * TimeDateStamp into a hash. */
#include <stdio.h>
#include <string.h>

#include "pe_internal.h"
#include "pt_byteorder.h"

#define DEBUG_ENTRY_SIZE 28
#define DEBUG_MAX_ENTRIES 64
#define DEBUG_TYPE_CODEVIEW 2
#define DEBUG_TYPE_REPRO 16
#define CV_MAX_SIZE 4096

static pt_status read_codeview(pe_ctx *ctx, const uint8_t *cv, size_t len, pt_error *err)
{
    struct pt_driver_record *rec = ctx->rec;
    size_t name_off, n;

    if (len >= 24 && memcmp(cv, "RSDS", 4) == 0) {
        const uint8_t *g = cv + 4;
        snprintf(rec->codeview_guid, sizeof rec->codeview_guid,
                 "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", pt_le32(g), pt_le16(g + 4),
                 pt_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
        rec->codeview_age = pt_le32(cv + 20);
        rec->codeview_format = "RSDS";
        name_off = 24;
    } else if (len >= 16 && memcmp(cv, "NB10", 4) == 0) {
        snprintf(rec->codeview_guid, sizeof rec->codeview_guid, "%08X", pt_le32(cv + 8));
        rec->codeview_age = pt_le32(cv + 12);
        rec->codeview_format = "NB10";
        name_off = 16;
    } else {
        return PT_OK;
    }
    for (n = 0; name_off + n < len && cv[name_off + n] != 0; n++)
        ;
    rec->pdb_name = pt_arena_strndup(ctx->arena, (const char *)cv + name_off, n);
    if (rec->pdb_name == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, ctx->img.file, PT_NO_OFFSET, "out of memory");
    rec->has_codeview = 1;
    return PT_OK;
}

pt_status pe_read_debug(pe_ctx *ctx, pt_error *err)
{
    const pe_image *img = &ctx->img;
    const uint8_t *dir;
    uint32_t count, i;
    pt_status st;

    if (img->dir_count <= PE_DIR_DEBUG || img->dirs[PE_DIR_DEBUG].rva == 0)
        return PT_OK;
    count = img->dirs[PE_DIR_DEBUG].size / DEBUG_ENTRY_SIZE;
    if (count > DEBUG_MAX_ENTRIES)
        return pt_error_set(err, PT_ERR_LIMIT, img->file, PT_NO_OFFSET,
                            "debug directory claims %u entries (limit %d)", count,
                            DEBUG_MAX_ENTRIES);
    dir = pe_rva_ptr(img, img->dirs[PE_DIR_DEBUG].rva, (size_t)count * DEBUG_ENTRY_SIZE);
    if (dir == NULL)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, PT_NO_OFFSET,
                            "debug directory at RVA 0x%X is outside the file",
                            img->dirs[PE_DIR_DEBUG].rva);
    for (i = 0; i < count; i++) {
        const uint8_t *e = dir + (size_t)i * DEBUG_ENTRY_SIZE;
        uint32_t type = pt_le32(e + 12), size = pt_le32(e + 16);
        uint32_t rva = pt_le32(e + 20), off = pt_le32(e + 24);
        const uint8_t *cv = NULL;

        if (type == DEBUG_TYPE_REPRO)
            ctx->rec->timestamp_is_hash = 1;
        if (type != DEBUG_TYPE_CODEVIEW || ctx->rec->has_codeview)
            continue;
        if (size > CV_MAX_SIZE)
            size = CV_MAX_SIZE;
        if (off != 0 && pt_range_ok(off, size, img->size))
            cv = img->data + off;
        else if (rva != 0)
            cv = pe_rva_ptr(img, rva, size);
        if (cv == NULL)
            return pt_error_set(err, PT_ERR_CORRUPT, img->file,
                                (uint64_t)(e - img->data),
                                "CodeView data (%u bytes at offset 0x%X) is outside the file",
                                size, off);
        st = read_codeview(ctx, cv, size, err);
        if (st != PT_OK)
            return st;
    }
    return PT_OK;
}
