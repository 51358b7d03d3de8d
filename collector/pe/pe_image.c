/* pe_image.c - PE headers, section table, RVA mapping, checksum. */
#include "pe_image.h"

#include <string.h>

#include "pt_byteorder.h"

int pe_probe_bytes(const uint8_t *head, size_t len)
{
    uint32_t lfanew;

    if (len < 0x40 || head[0] != 'M' || head[1] != 'Z')
        return 0;
    lfanew = pt_le32(head + PE_DOS_LFANEW);
    if (!pt_range_ok(lfanew, 4, len))
        return 0;
    return memcmp(head + lfanew, "PE\0\0", 4) == 0 ? 100 : 0;
}

static pt_status parse_optional_header(pe_image *img, uint16_t opt_size, pt_error *err)
{
    const uint8_t *opt = img->data + img->opt_offset;
    uint16_t magic;
    uint32_t dir_off, count_off, i;

    if (opt_size < 2)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, img->opt_offset,
                            "optional header of %u bytes is too small", opt_size);
    magic = pt_le16(opt + PE_OPT_MAGIC);
    if (magic == PE_MAGIC_PE32) {
        img->pe32plus = 0;
        count_off = 92;
        dir_off = 96;
    } else if (magic == PE_MAGIC_PE32PLUS) {
        img->pe32plus = 1;
        count_off = 108;
        dir_off = 112;
    } else {
        return pt_error_set(err, PT_ERR_UNSUPPORTED, img->file, img->opt_offset,
                            "optional header magic 0x%04X is neither PE32 nor PE32+", magic);
    }
    if (opt_size < dir_off)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, img->opt_offset,
                            "optional header of %u bytes is shorter than its fixed part (%u)",
                            opt_size, dir_off);
    img->entry_point = pt_le32(opt + PE_OPT_ENTRY);
    img->image_base = img->pe32plus ? pt_le64(opt + 24) : pt_le32(opt + 28);
    img->size_of_image = pt_le32(opt + PE_OPT_SIZE_OF_IMAGE);
    img->size_of_headers = pt_le32(opt + PE_OPT_SIZE_OF_HEADERS);
    img->checksum = pt_le32(opt + PE_OPT_CHECKSUM);
    img->checksum_offset = img->opt_offset + PE_OPT_CHECKSUM;
    img->subsystem = pt_le16(opt + PE_OPT_SUBSYSTEM);
    img->dll_characteristics = pt_le16(opt + PE_OPT_DLLCHAR);
    img->dir_count = pt_le32(opt + count_off);
    /* Honour NumberOfRvaAndSizes, bounded by the space the header has. */
    if (img->dir_count > PE_DIR_COUNT)
        img->dir_count = PE_DIR_COUNT;
    if (img->dir_count > (uint32_t)(opt_size - dir_off) / 8)
        img->dir_count = (uint32_t)(opt_size - dir_off) / 8;
    for (i = 0; i < img->dir_count; i++) {
        img->dirs[i].rva = pt_le32(opt + dir_off + 8 * i);
        img->dirs[i].size = pt_le32(opt + dir_off + 8 * i + 4);
    }
    return PT_OK;
}

static void read_section(pe_section *s, const uint8_t *p)
{
    memcpy(s->name, p, 8);
    s->name[8] = '\0';
    s->virtual_size = pt_le32(p + 8);
    s->virtual_address = pt_le32(p + 12);
    s->raw_size = pt_le32(p + 16);
    s->raw_offset = pt_le32(p + 20);
    s->characteristics = pt_le32(p + 36);
}

pt_status pe_image_parse(pe_image *img, const uint8_t *data, size_t size, const char *file,
                         pt_error *err)
{
    uint32_t lfanew, coff, table;
    uint16_t opt_size, i;
    pt_status st;

    memset(img, 0, sizeof *img);
    img->file = file;
    img->data = data;
    img->size = size;
    if (size < 2 || data[0] != 'M' || data[1] != 'Z')
        return pt_error_set(err, PT_ERR_FORMAT, file, 0, "not a PE file (no \"MZ\" signature)");
    if (size < 0x40)
        return pt_error_set(err, PT_ERR_TRUNCATED, file, 0,
                            "file of %zu bytes ends inside the DOS header", size);
    lfanew = pt_le32(data + PE_DOS_LFANEW);
    if (!pt_range_ok(lfanew, 4 + PE_COFF_SIZE, size))
        return pt_error_set(err, PT_ERR_TRUNCATED, file, PE_DOS_LFANEW,
                            "e_lfanew 0x%X points past the end of the file (%zu bytes)",
                            lfanew, size);
    if (memcmp(data + lfanew, "PE\0\0", 4) != 0)
        return pt_error_set(err, PT_ERR_FORMAT, file, lfanew,
                            "not a PE file (an MZ executable without \"PE\\0\\0\")");
    img->pe_offset = lfanew;
    coff = lfanew + 4;
    img->machine = pt_le16(data + coff + PE_COFF_MACHINE);
    img->section_count = pt_le16(data + coff + PE_COFF_NSECTIONS);
    img->timestamp = pt_le32(data + coff + PE_COFF_TIMESTAMP);
    opt_size = pt_le16(data + coff + PE_COFF_OPTSIZE);
    img->characteristics = pt_le16(data + coff + PE_COFF_CHARACTERISTICS);
    img->opt_offset = coff + PE_COFF_SIZE;
    if (!pt_range_ok(img->opt_offset, opt_size, size))
        return pt_error_set(err, PT_ERR_TRUNCATED, file, img->opt_offset,
                            "optional header (%u bytes) runs past the end of the file", opt_size);
    st = parse_optional_header(img, opt_size, err);
    if (st != PT_OK)
        return st;
    if (img->section_count > PE_MAX_SECTIONS)
        return pt_error_set(err, PT_ERR_LIMIT, file, coff + PE_COFF_NSECTIONS,
                            "%u sections (more than the %d Windows loads)", img->section_count,
                            PE_MAX_SECTIONS);
    table = img->opt_offset + opt_size;
    if (!pt_range_ok(table, (uint64_t)img->section_count * PE_SECTION_SIZE, size))
        return pt_error_set(err, PT_ERR_TRUNCATED, file, table,
                            "section table (%u entries) runs past the end of the file",
                            img->section_count);
    for (i = 0; i < img->section_count; i++)
        read_section(&img->sections[i], data + table + (size_t)i * PE_SECTION_SIZE);
    return PT_OK;
}

static uint32_t section_extent(const pe_section *s)
{
    return s->virtual_size > s->raw_size ? s->virtual_size : s->raw_size;
}

const pe_section *pe_section_of_rva(const pe_image *img, uint32_t rva)
{
    uint16_t i;
    for (i = 0; i < img->section_count; i++) {
        const pe_section *s = &img->sections[i];
        if (rva >= s->virtual_address && rva - s->virtual_address < section_extent(s))
            return s;
    }
    return NULL;
}

size_t pe_rva_span(const pe_image *img, uint32_t rva, const uint8_t **p)
{
    const pe_section *s;
    uint64_t off, end;

    *p = NULL;
    if (rva < img->size_of_headers && rva < img->size) {
        *p = img->data + rva;
        end = img->size_of_headers < img->size ? img->size_of_headers : img->size;
        return (size_t)(end - rva);
    }
    s = pe_section_of_rva(img, rva);
    if (s == NULL || rva - s->virtual_address >= s->raw_size)
        return 0;
    off = (uint64_t)s->raw_offset + (rva - s->virtual_address);
    end = (uint64_t)s->raw_offset + s->raw_size;
    if (end > img->size)
        end = img->size;
    if (off >= end)
        return 0;
    *p = img->data + off;
    return (size_t)(end - off);
}

const uint8_t *pe_rva_ptr(const pe_image *img, uint32_t rva, size_t len)
{
    const uint8_t *p;
    size_t avail = pe_rva_span(img, rva, &p);
    return avail >= len && p != NULL ? p : NULL;
}

uint64_t pe_rva_to_offset(const pe_image *img, uint32_t rva)
{
    const uint8_t *p;
    if (pe_rva_span(img, rva, &p) == 0)
        return UINT64_MAX;
    return (uint64_t)(p - img->data);
}

int pe_rva_string(const pe_image *img, uint32_t rva, char *out, size_t max)
{
    const uint8_t *p;
    size_t avail = pe_rva_span(img, rva, &p), i;

    for (i = 0; i < avail && i + 1 < max; i++) {
        out[i] = (char)p[i];
        if (p[i] == 0)
            return 0;
    }
    out[0] = '\0';
    return -1;
}

int pe_section_is_code(const pe_section *s)
{
    return (s->characteristics & (PE_SCN_CNT_CODE | PE_SCN_MEM_EXECUTE)) != 0;
}

int pe_section_is_writable(const pe_section *s)
{
    return (s->characteristics & PE_SCN_MEM_WRITE) != 0;
}

uint32_t pe_checksum_compute(const uint8_t *data, size_t size, uint32_t checksum_offset)
{
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i + 1 < size; i += 2) {
        if (i == checksum_offset || i == (size_t)checksum_offset + 2)
            continue;
        sum += pt_le16(data + i);
        /* Fold often enough that 64 bits never overflow. */
        if ((i & 0xFFFFF) == 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
    }
    if (size & 1)
        sum += data[size - 1];
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint32_t)(sum + size);
}
