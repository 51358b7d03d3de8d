/* pe_version.c - the RT_VERSION resource (pe-drivers.md §1.5, §1.6):
 * VS_FIXEDFILEINFO and every StringFileInfo table. */
#include <string.h>

#include "pe_internal.h"
#include "pt_byteorder.h"

#define RES_DIR_SIZE 16
#define RES_ENTRY_SIZE 8
#define RES_DATA_SIZE 16
#define RT_VERSION 16
/* More entries than any real resource directory holds. */
#define RES_MAX_ENTRIES 4096
#define RES_MAX_TABLES 16
/* A version resource is a few KB; refuse absurd sizes. */
#define VS_MAX_SIZE (1u << 20)
#define VS_FIXED_SIZE 52
#define VS_FIXED_SIGNATURE 0xFEEF04BDu

/* A node of VS_VERSIONINFO: {wLength, wValueLength, wType, key, pad,
 * value, pad, children}, offsets relative to the blob start. */
typedef struct vs_node {
    size_t start, end;        /* end = start + wLength, within the parent */
    uint16_t value_len, type;
    size_t key_off, key_units;
    size_t value_off;
} vs_node;

static size_t align4(size_t x)
{
    return (x + 3) & ~(size_t)3;
}

static int vs_node_parse(const uint8_t *b, size_t off, size_t limit, vs_node *n)
{
    uint16_t len;
    size_t k;

    if (!pt_range_ok(off, 6, limit))
        return -1;
    len = pt_le16(b + off);
    if (len < 6 || !pt_range_ok(off, len, limit))
        return -1;
    n->start = off;
    n->end = off + len;
    n->value_len = pt_le16(b + off + 2);
    n->type = pt_le16(b + off + 4);
    n->key_off = off + 6;
    for (k = n->key_off; k + 1 < n->end; k += 2)
        if (pt_le16(b + k) == 0)
            break;
    if (k + 1 >= n->end)
        return -1;
    n->key_units = (k - n->key_off) / 2;
    n->value_off = align4(k + 2);
    if (n->value_off > n->end)
        n->value_off = n->end;
    return 0;
}

static int vs_key_is(const uint8_t *b, const vs_node *n, const char *ascii)
{
    size_t i, len = strlen(ascii);
    if (n->key_units != len)
        return 0;
    for (i = 0; i < len; i++)
        if (pt_le16(b + n->key_off + 2 * i) != (uint8_t)ascii[i])
            return 0;
    return 1;
}

/* Children start after the value, aligned to 4. */
static size_t vs_children_off(const vs_node *n, size_t value_bytes)
{
    size_t off = align4(n->value_off + value_bytes);
    return off > n->end ? n->end : off;
}

static void read_fixed(struct pt_driver_record *rec, const uint8_t *f)
{
    uint32_t fms = pt_le32(f + 8), fls = pt_le32(f + 12);
    uint32_t pms = pt_le32(f + 16), pls = pt_le32(f + 20);

    rec->file_version[0] = (uint16_t)(fms >> 16);
    rec->file_version[1] = (uint16_t)fms;
    rec->file_version[2] = (uint16_t)(fls >> 16);
    rec->file_version[3] = (uint16_t)fls;
    rec->product_version[0] = (uint16_t)(pms >> 16);
    rec->product_version[1] = (uint16_t)pms;
    rec->product_version[2] = (uint16_t)(pls >> 16);
    rec->product_version[3] = (uint16_t)pls;
    rec->file_flags = pt_le32(f + 28) & pt_le32(f + 24);
    rec->file_os = pt_le32(f + 32);
    rec->file_type = pt_le32(f + 36);
    rec->file_subtype = pt_le32(f + 40);
    rec->has_version = 1;
}

static int hex_value(const uint8_t *b, const vs_node *n, uint32_t *out)
{
    uint32_t v = 0;
    size_t i;
    if (n->key_units != 8)
        return -1;
    for (i = 0; i < 8; i++) {
        uint16_t c = pt_le16(b + n->key_off + 2 * i);
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static const char **string_slot(pt_driver_strings *t, const uint8_t *b, const vs_node *n)
{
    static const char *const keys[] = {"CompanyName",      "FileDescription", "FileVersion",
                                       "ProductName",      "ProductVersion",  "OriginalFilename",
                                       "LegalCopyright",   "InternalName"};
    const char **slots[] = {&t->company_name,      &t->file_description, &t->file_version,
                            &t->product_name,      &t->product_version,  &t->original_filename,
                            &t->legal_copyright,   &t->internal_name};
    size_t i;
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (vs_key_is(b, n, keys[i]))
            return slots[i];
    return NULL;
}

static pt_status read_string_table(pe_ctx *ctx, const uint8_t *b, const vs_node *table,
                                   pt_driver_strings *t, pt_error *err)
{
    uint32_t langcp;
    size_t off;

    memset(t, 0, sizeof *t);
    if (hex_value(b, table, &langcp) == 0) {
        t->lang = (uint16_t)(langcp >> 16);
        t->codepage = (uint16_t)langcp;
    }
    for (off = vs_children_off(table, 0); off < table->end;) {
        vs_node s;
        const char **slot;
        if (vs_node_parse(b, off, table->end, &s) != 0)
            break;
        slot = string_slot(t, b, &s);
        /* wValueLength is unreliable (§1.6): read up to the NUL. */
        if (slot != NULL && *slot == NULL) {
            *slot = pe_utf16_to_utf8(ctx->arena, b + s.value_off, (s.end - s.value_off) / 2);
            if (*slot == NULL)
                return pt_error_set(err, PT_ERR_NOMEM, ctx->img.file, PT_NO_OFFSET,
                                    "out of memory");
        }
        off = align4(s.end);
    }
    return PT_OK;
}

static pt_status read_version_blob(pe_ctx *ctx, const uint8_t *b, size_t len, pt_error *err)
{
    struct pt_driver_record *rec = ctx->rec;
    vs_node root, child;
    size_t off;
    uint32_t first_translation = 0;
    int have_translation = 0;
    pt_status st;

    if (vs_node_parse(b, 0, len, &root) != 0 || !vs_key_is(b, &root, "VS_VERSION_INFO"))
        return pt_error_set(err, PT_ERR_CORRUPT, ctx->img.file, PT_NO_OFFSET,
                            "version resource is not a VS_VERSIONINFO");
    if (root.value_len >= VS_FIXED_SIZE && pt_range_ok(root.value_off, VS_FIXED_SIZE, root.end) &&
        pt_le32(b + root.value_off) == VS_FIXED_SIGNATURE)
        read_fixed(rec, b + root.value_off);
    rec->strings = pt_arena_alloc(ctx->arena, RES_MAX_TABLES * sizeof *rec->strings);
    if (rec->strings == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, ctx->img.file, PT_NO_OFFSET, "out of memory");
    for (off = vs_children_off(&root, root.value_len); off < root.end; off = align4(child.end)) {
        size_t t_off;
        vs_node table;
        if (vs_node_parse(b, off, root.end, &child) != 0)
            break;
        if (vs_key_is(b, &child, "StringFileInfo")) {
            for (t_off = vs_children_off(&child, 0); t_off < child.end;
                 t_off = align4(table.end)) {
                if (vs_node_parse(b, t_off, child.end, &table) != 0)
                    break;
                if (rec->strings_count >= RES_MAX_TABLES)
                    break;
                st = read_string_table(ctx, b, &table, &rec->strings[rec->strings_count], err);
                if (st != PT_OK)
                    return st;
                rec->strings_count++;
            }
        } else if (vs_key_is(b, &child, "VarFileInfo")) {
            vs_node var;
            size_t v_off = vs_children_off(&child, 0);
            if (vs_node_parse(b, v_off, child.end, &var) == 0 &&
                vs_key_is(b, &var, "Translation") && var.value_len >= 4 &&
                pt_range_ok(var.value_off, 4, var.end)) {
                first_translation = pt_le32(b + var.value_off);
                have_translation = 1;
            }
        }
    }
    /* Put the table matching the first Translation pair first (§1.6). */
    if (have_translation) {
        size_t i;
        uint16_t lang = (uint16_t)first_translation, cp = (uint16_t)(first_translation >> 16);
        for (i = 1; i < rec->strings_count; i++) {
            if (rec->strings[i].lang == lang && rec->strings[i].codepage == cp) {
                pt_driver_strings tmp = rec->strings[0];
                rec->strings[0] = rec->strings[i];
                rec->strings[i] = tmp;
                break;
            }
        }
    }
    return PT_OK;
}

/* Finds the entry with the given ID in the directory at dir_off (root
 * relative); returns its OffsetToData or -1.  id < 0: the first entry. */
static int64_t res_find(const uint8_t *root, size_t root_len, uint32_t dir_off, int64_t id)
{
    uint32_t n_named, n_id, i, total;

    if (!pt_range_ok(dir_off, RES_DIR_SIZE, root_len))
        return -1;
    n_named = pt_le16(root + dir_off + 12);
    n_id = pt_le16(root + dir_off + 14);
    total = n_named + n_id;
    if (total > RES_MAX_ENTRIES)
        total = RES_MAX_ENTRIES;
    for (i = 0; i < total; i++) {
        uint32_t e = dir_off + RES_DIR_SIZE + i * RES_ENTRY_SIZE;
        uint32_t name;
        if (!pt_range_ok(e, RES_ENTRY_SIZE, root_len))
            return -1;
        name = pt_le32(root + e);
        if (id < 0 || ((name & 0x80000000u) == 0 && name == (uint32_t)id))
            return pt_le32(root + e + 4);
    }
    return -1;
}

pt_status pe_read_version(pe_ctx *ctx, pt_error *err)
{
    const pe_image *img = &ctx->img;
    const uint8_t *root, *data_entry, *blob;
    size_t root_len;
    int64_t level1, level2, level3;
    uint32_t data_rva, data_size;

    if (img->dir_count <= PE_DIR_RESOURCE || img->dirs[PE_DIR_RESOURCE].rva == 0)
        return PT_OK;
    root_len = pe_rva_span(img, img->dirs[PE_DIR_RESOURCE].rva, &root);
    if (root_len == 0)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, PT_NO_OFFSET,
                            "resource directory at RVA 0x%X is outside the file",
                            img->dirs[PE_DIR_RESOURCE].rva);
    /* Three levels, type -> name -> language; each must be a subdirectory
     * except the last, so a loop cannot be followed more than 3 steps. */
    level1 = res_find(root, root_len, 0, RT_VERSION);
    if (level1 < 0)
        return PT_OK;
    if ((level1 & 0x80000000) == 0)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, pe_rva_to_offset(img,
                            img->dirs[PE_DIR_RESOURCE].rva),
                            "RT_VERSION resource entry is not a directory");
    level2 = res_find(root, root_len, (uint32_t)level1 & 0x7FFFFFFF, -1);
    if (level2 < 0 || (level2 & 0x80000000) == 0)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, PT_NO_OFFSET,
                            "RT_VERSION name level is missing or not a directory");
    level3 = res_find(root, root_len, (uint32_t)level2 & 0x7FFFFFFF, -1);
    if (level3 < 0 || (level3 & 0x80000000) != 0)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, PT_NO_OFFSET,
                            "RT_VERSION language level is missing or nests deeper than 3");
    if (!pt_range_ok((uint64_t)level3, RES_DATA_SIZE, root_len))
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, PT_NO_OFFSET,
                            "RT_VERSION data entry is outside the resource section");
    data_entry = root + level3;
    data_rva = pt_le32(data_entry);
    data_size = pt_le32(data_entry + 4);
    if (data_size > VS_MAX_SIZE)
        return pt_error_set(err, PT_ERR_LIMIT, img->file, (uint64_t)(data_entry - img->data),
                            "version resource of %u bytes is over the %u limit", data_size,
                            VS_MAX_SIZE);
    blob = pe_rva_ptr(img, data_rva, data_size);
    if (blob == NULL)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, (uint64_t)(data_entry - img->data),
                            "version resource at RVA 0x%X (%u bytes) is outside the file",
                            data_rva, data_size);
    return read_version_blob(ctx, blob, data_size, err);
}
