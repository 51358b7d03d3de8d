/* pe_imports.c - the import and delay-import tables (pe-drivers.md §1.4):
 * the list of imports and the map IAT slot -> import that call-site
 * analysis uses. */
#include <stdlib.h>
#include <string.h>

#include "pe_internal.h"
#include "pt_byteorder.h"

#define IMPORT_DESC_SIZE 20
#define DELAY_DESC_SIZE 32

static pt_status add_import(pe_ctx *ctx, const char *dll, const char *name, uint16_t ordinal,
                            int delayed, uint32_t slot_rva, pt_error *err)
{
    struct pt_driver_record *rec = ctx->rec;
    pt_driver_import *imp;

    if (rec->import_count >= PE_MAX_IMPORTS)
        return pt_error_set(err, PT_ERR_LIMIT, ctx->img.file, PT_NO_OFFSET,
                            "more than %d imports", PE_MAX_IMPORTS);
    if (rec->import_count == ctx->import_cap) {
        size_t cap = ctx->import_cap ? ctx->import_cap * 2 : 64;
        rec->imports = pt_arena_grow(ctx->arena, rec->imports, rec->import_count, cap,
                                     sizeof *rec->imports);
        if (rec->imports == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, ctx->img.file, PT_NO_OFFSET, "out of memory");
        ctx->import_cap = cap;
    }
    imp = &rec->imports[rec->import_count];
    imp->dll = dll;
    imp->name = name != NULL ? pt_arena_strdup(ctx->arena, name) : NULL;
    imp->ordinal = ordinal;
    imp->delayed = delayed;
    if (ctx->slot_count == ctx->slot_cap) {
        size_t cap = ctx->slot_cap ? ctx->slot_cap * 2 : 64;
        pe_iat_slot *s = realloc(ctx->slots, cap * sizeof *s);
        if (s == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, ctx->img.file, PT_NO_OFFSET, "out of memory");
        ctx->slots = s;
        ctx->slot_cap = cap;
    }
    ctx->slots[ctx->slot_count].rva = slot_rva;
    ctx->slots[ctx->slot_count].import_index = (uint32_t)rec->import_count;
    ctx->slot_count++;
    rec->import_count++;
    return PT_OK;
}

/* Reads the thunk array of one DLL: names from lookup_rva (the INT),
 * slots at iat_rva. */
static pt_status read_thunks(pe_ctx *ctx, const char *dll, uint32_t lookup_rva,
                             uint32_t iat_rva, int delayed, pt_error *err)
{
    const pe_image *img = &ctx->img;
    uint32_t width = img->pe32plus ? 8 : 4, i;
    char name[PE_MAX_NAME];
    pt_status st;

    for (i = 0;; i++) {
        const uint8_t *p = pe_rva_ptr(img, lookup_rva + i * width, width);
        uint64_t thunk;
        int by_ordinal;

        if (p == NULL)
            return pt_error_set(err, PT_ERR_CORRUPT, img->file, PT_NO_OFFSET,
                                "import thunks of %s run out of the file at RVA 0x%X", dll,
                                lookup_rva + i * width);
        thunk = width == 8 ? pt_le64(p) : pt_le32(p);
        if (thunk == 0)
            return PT_OK;
        if (ctx->rec->import_count >= PE_MAX_IMPORTS)
            return pt_error_set(err, PT_ERR_LIMIT, img->file, pe_rva_to_offset(img, lookup_rva),
                                "more than %d imports", PE_MAX_IMPORTS);
        by_ordinal = width == 8 ? (thunk >> 63) != 0 : (thunk >> 31) != 0;
        if (by_ordinal) {
            st = add_import(ctx, dll, NULL, (uint16_t)thunk, delayed, iat_rva + i * width, err);
        } else {
            uint32_t hint_rva = (uint32_t)thunk;
            if (pe_rva_string(img, hint_rva + 2, name, sizeof name) != 0)
                return pt_error_set(err, PT_ERR_CORRUPT, img->file, PT_NO_OFFSET,
                                    "import name of %s at RVA 0x%X is outside the file or "
                                    "unterminated", dll, hint_rva);
            st = add_import(ctx, dll, name, 0, delayed, iat_rva + i * width, err);
        }
        if (st != PT_OK)
            return st;
    }
}

static pt_status read_dll_name(pe_ctx *ctx, uint32_t rva, const char **out, pt_error *err)
{
    char name[PE_MAX_NAME];
    if (pe_rva_string(&ctx->img, rva, name, sizeof name) != 0)
        return pt_error_set(err, PT_ERR_CORRUPT, ctx->img.file, PT_NO_OFFSET,
                            "imported DLL name at RVA 0x%X is outside the file or unterminated",
                            rva);
    *out = pt_arena_strdup(ctx->arena, name);
    if (*out == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, ctx->img.file, PT_NO_OFFSET, "out of memory");
    return PT_OK;
}

static pt_status read_import_dir(pe_ctx *ctx, pt_error *err)
{
    const pe_image *img = &ctx->img;
    uint32_t rva = img->dirs[PE_DIR_IMPORT].rva, n;
    pt_status st;

    for (n = 0;; n++) {
        const uint8_t *d = pe_rva_ptr(img, rva + n * IMPORT_DESC_SIZE, IMPORT_DESC_SIZE);
        uint32_t lookup, name_rva, iat;
        const char *dll;

        if (d == NULL)
            return pt_error_set(err, PT_ERR_CORRUPT, img->file, PT_NO_OFFSET,
                                "import directory entry %u at RVA 0x%X is outside the file", n,
                                rva + n * IMPORT_DESC_SIZE);
        lookup = pt_le32(d + 0);
        name_rva = pt_le32(d + 12);
        iat = pt_le32(d + 16);
        if (lookup == 0 && name_rva == 0 && iat == 0)
            return PT_OK;
        if (n >= PE_MAX_IMPORT_DLLS)
            return pt_error_set(err, PT_ERR_LIMIT, img->file, pe_rva_to_offset(img, rva),
                                "more than %d import descriptors", PE_MAX_IMPORT_DLLS);
        st = read_dll_name(ctx, name_rva, &dll, err);
        if (st != PT_OK)
            return st;
        st = read_thunks(ctx, dll, lookup != 0 ? lookup : iat, iat, 0, err);
        if (st != PT_OK)
            return st;
    }
}

static pt_status read_delay_dir(pe_ctx *ctx, pt_error *err)
{
    const pe_image *img = &ctx->img;
    uint32_t rva = img->dirs[PE_DIR_DELAY_IMPORT].rva, n;
    pt_status st;

    for (n = 0;; n++) {
        const uint8_t *d = pe_rva_ptr(img, rva + n * DELAY_DESC_SIZE, DELAY_DESC_SIZE);
        uint32_t name_rva, iat, names;
        const char *dll;

        if (d == NULL)
            return pt_error_set(err, PT_ERR_CORRUPT, img->file, PT_NO_OFFSET,
                                "delay-import entry %u at RVA 0x%X is outside the file", n,
                                rva + n * DELAY_DESC_SIZE);
        name_rva = pt_le32(d + 4);
        iat = pt_le32(d + 12);
        names = pt_le32(d + 16);
        if (name_rva == 0 && iat == 0)
            return PT_OK;
        if (n >= PE_MAX_IMPORT_DLLS)
            return pt_error_set(err, PT_ERR_LIMIT, img->file, pe_rva_to_offset(img, rva),
                                "more than %d delay-import descriptors", PE_MAX_IMPORT_DLLS);
        /* grAttrs bit 0 clear = old VA-based descriptors: not used by drivers. */
        if ((pt_le32(d) & 1) == 0)
            continue;
        st = read_dll_name(ctx, name_rva, &dll, err);
        if (st != PT_OK)
            return st;
        st = read_thunks(ctx, dll, names != 0 ? names : iat, iat, 1, err);
        if (st != PT_OK)
            return st;
    }
}

static int slot_cmp(const void *a, const void *b)
{
    const pe_iat_slot *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

pt_status pe_read_imports(pe_ctx *ctx, pt_error *err)
{
    pt_status st = PT_OK;

    if (ctx->img.dir_count > PE_DIR_IMPORT && ctx->img.dirs[PE_DIR_IMPORT].rva != 0)
        st = read_import_dir(ctx, err);
    if (st == PT_OK && ctx->img.dir_count > PE_DIR_DELAY_IMPORT &&
        ctx->img.dirs[PE_DIR_DELAY_IMPORT].rva != 0)
        st = read_delay_dir(ctx, err);
    if (ctx->slot_count > 1)
        qsort(ctx->slots, ctx->slot_count, sizeof *ctx->slots, slot_cmp);
    return st;
}

const pt_driver_import *pe_import_at_slot(const pe_ctx *ctx, uint32_t rva)
{
    size_t lo = 0, hi = ctx->slot_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ctx->slots[mid].rva == rva)
            return &ctx->rec->imports[ctx->slots[mid].import_index];
        if (ctx->slots[mid].rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
