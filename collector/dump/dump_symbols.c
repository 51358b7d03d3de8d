/* dump_symbols.c - matching a PDB to the dumped kernel and reading the
 * pool variables' addresses from it.
 *
 * The kernel's PE header at KernBase gives the debug directory (data
 * directory 6: at optional header + 0x70 for PE32+, + 0x60 for PE32); its
 * CodeView entry (Type 2) points at "RSDS", GUID[16], Age, PDB name. */
#include "dump_symbols.h"

#include <stdio.h>
#include <string.h>

#include "dump_pdb.h"
#include "dump_virt.h"
#include "pt_byteorder.h"
#include "pt_platform.h"

static const char *const sym_names[DUMP_SYM_COUNT] = {
    "PoolTrackTable",          "PoolTrackTableSize", "ExPoolTagTables",
    "PoolTrackTableExpansion", "PoolTrackTableExpansionSize", "PoolBigPageTable",
    "PoolBigPageTableSize",    "KiWaitNever",        "KiWaitAlways",
    "KdpDataBlockEncoded",     "KdDebuggerDataBlock"};

const char *dump_symbol_name(dump_sym s)
{
    return s < DUMP_SYM_COUNT ? sym_names[s] : "?";
}

#define DEBUG_TYPE_CODEVIEW 2u

typedef struct rsds {
    uint8_t guid[16];
    uint32_t age;
    char pdb_name[256]; /* file name only */
} rsds;

static int read_rsds(dump_file *df, uint64_t base, rsds *r)
{
    uint8_t h[0x400], d[28], cv[24 + 260];
    uint32_t lfanew, opt, dd, rva, size, i;
    char *slash;
    if (dump_read_virt(df, base, h, sizeof h, NULL) != PT_OK || memcmp(h, "MZ", 2) != 0)
        return 0;
    lfanew = pt_le32(h + 0x3C);
    if (lfanew > sizeof h - 0x18 - 0x78 || memcmp(h + lfanew, "PE\0\0", 4) != 0)
        return 0;
    opt = lfanew + 0x18;
    dd = pt_le16(h + opt) == 0x20B ? opt + 0x70 : opt + 0x60;
    if (dd + 7 * 8 > sizeof h)
        return 0;
    rva = pt_le32(h + dd + 6 * 8);
    size = pt_le32(h + dd + 6 * 8 + 4);
    for (i = 0; i < size / 28 && i < 16; i++) {
        uint32_t cv_rva, cv_size;
        if (dump_read_virt(df, base + rva + 28 * i, d, sizeof d, NULL) != PT_OK)
            return 0;
        if (pt_le32(d + 0x0C) != DEBUG_TYPE_CODEVIEW)
            continue;
        cv_size = pt_le32(d + 0x10);
        cv_rva = pt_le32(d + 0x14);
        if (cv_size < 25)
            return 0;
        if (cv_size > sizeof cv)
            cv_size = sizeof cv;
        memset(cv, 0, sizeof cv);
        if (dump_read_virt(df, base + cv_rva, cv, cv_size, NULL) != PT_OK ||
            memcmp(cv, "RSDS", 4) != 0)
            return 0;
        memcpy(r->guid, cv + 4, 16);
        r->age = pt_le32(cv + 20);
        cv[sizeof cv - 1] = 0;
        slash = strrchr((char *)cv + 24, '\\');
        if (slash == NULL)
            slash = strrchr((char *)cv + 24, '/');
        snprintf(r->pdb_name, sizeof r->pdb_name, "%.255s", slash ? slash + 1 : (char *)cv + 24);
        return r->pdb_name[0] != '\0';
    }
    return 0;
}

static void guid_text(const uint8_t *g, char out[33])
{
    snprintf(out, 33, "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X", pt_le32(g), pt_le16(g + 4),
             pt_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* symbol_path itself when it is a file; else the symbol store layout
 * <dir>/<pdb>/<GUID><age>/<pdb>, age in hex (symsrv) then in decimal. */
static int locate_pdb(const char *symbol_path, const rsds *r, int have_rsds, char *out,
                      size_t out_size)
{
    pt_file_info info;
    pt_error ignored;
    char g[33];
    if (pt_platform_stat(symbol_path, &info, &ignored) != PT_OK)
        return 0;
    if (info.is_regular) {
        snprintf(out, out_size, "%s", symbol_path);
        return 1;
    }
    if (!info.is_directory || !have_rsds)
        return 0;
    guid_text(r->guid, g);
    snprintf(out, out_size, "%s/%s/%s%X/%s", symbol_path, r->pdb_name, g, r->age, r->pdb_name);
    if (pt_platform_stat(out, &info, &ignored) == PT_OK && info.is_regular)
        return 1;
    snprintf(out, out_size, "%s/%s/%s%u/%s", symbol_path, r->pdb_name, g, r->age, r->pdb_name);
    return pt_platform_stat(out, &info, &ignored) == PT_OK && info.is_regular;
}

typedef struct sym_ctx {
    dump_symbols *sym;
    uint64_t base;
} sym_ctx;

static pt_status take_public(void *ctx, const char *name, uint32_t rva)
{
    sym_ctx *c = ctx;
    int i;
    for (i = 0; i < DUMP_SYM_COUNT; i++)
        if (strcmp(name, sym_names[i]) == 0)
            c->sym->va[i] = c->base + rva;
    return PT_OK;
}

pt_status dump_symbols_load(dump_file *df, uint64_t kernel_base, const char *symbol_path,
                            dump_symbols *sym, pt_error *err)
{
    rsds r;
    int have_rsds;
    pt_source *src = NULL;
    dump_pdb *pdb = NULL;
    uint8_t guid[16];
    uint32_t info_age, dbi_age;
    sym_ctx ctx;
    pt_error e2;
    pt_status st = PT_OK;

    memset(sym, 0, sizeof *sym);
    memset(&r, 0, sizeof r);
    if (symbol_path == NULL || symbol_path[0] == '\0')
        return PT_OK;
    have_rsds = kernel_base != 0 && read_rsds(df, kernel_base, &r);
    if (!locate_pdb(symbol_path, &r, have_rsds, sym->pdb_path, sizeof sym->pdb_path)) {
        dump_warnf(df, PT_NO_OFFSET, "no PDB for the kernel found at %s%s%s", symbol_path,
                   have_rsds ? " for " : " (the kernel's CodeView record is unreadable)",
                   have_rsds ? r.pdb_name : "");
        return PT_OK;
    }
    if (pt_source_open_file(sym->pdb_path, &src, &e2) != PT_OK ||
        dump_pdb_open(src, &pdb, &e2) != PT_OK) {
        dump_warnf(df, PT_NO_OFFSET, "PDB not used: %s", e2.message);
        goto out;
    }
    dump_pdb_identity(pdb, guid, &info_age, &dbi_age);
    if (have_rsds) {
        if (memcmp(guid, r.guid, 16) != 0 || (dbi_age < r.age && info_age < r.age)) {
            char a[33], b[33];
            guid_text(guid, a);
            guid_text(r.guid, b);
            dump_warnf(df, PT_NO_OFFSET, "PDB %s (%s, age %u) does not match the kernel "
                       "(%s, age %u): not used", sym->pdb_path, a, dbi_age, b, r.age);
            goto out;
        }
        sym->verified = 1;
    } else {
        dump_warnf(df, PT_NO_OFFSET, "the kernel's CodeView record is unreadable: PDB %s used "
                   "without checking that it matches", sym->pdb_path);
    }
    ctx.sym = sym;
    ctx.base = kernel_base;
    st = dump_pdb_each_public(pdb, take_public, &ctx, &e2);
    if (st == PT_ERR_NOMEM) {
        *err = e2;
        goto out;
    }
    if (st != PT_OK) {
        dump_warnf(df, PT_NO_OFFSET, "PDB symbols unreadable: %s", e2.message);
        memset(sym->va, 0, sizeof sym->va);
        st = PT_OK;
        goto out;
    }
    sym->loaded = 1;
out:
    dump_pdb_close(pdb);
    pt_source_close(src);
    return st;
}
