/* dump_kernel_data.c - kernel tables and ntoskrnl .data without symbols. */
#include "dump_kernel_data.h"

#include <stdlib.h>
#include <string.h>

#include "dump_virt.h"
#include "pt_byteorder.h"


/* Reads one entry when its chunk could not be read whole; a page found
 * missing is remembered so the entries after it on that page cost nothing. */
static int read_one_entry(dump_file *df, uint64_t at, uint8_t *e, uint32_t stride,
                          uint64_t *bad_page)
{
    uint64_t first = at / DUMP_PAGE_SIZE, last = (at + stride - 1) / DUMP_PAGE_SIZE, pa;
    if (first == *bad_page || last == *bad_page)
        return 0;
    if (dump_read_virt(df, at, e, stride, NULL) == PT_OK)
        return 1;
    *bad_page = dump_virt_to_phys(df, first * DUMP_PAGE_SIZE, &pa, NULL) != PT_OK ||
                        dump_read_phys(df, pa, e, 1, NULL) != PT_OK
                    ? first
                    : last;
    return 0;
}

/* Reads count entries of stride bytes at va in chunks; entries on pages the
 * dump lacks are skipped and counted in *missing. */
pt_status dump_each_entry(dump_file *df, uint64_t va, uint32_t count, uint32_t stride,
                          dump_entry_fn fn, void *ctx, uint32_t *missing, pt_error *err)
{
    uint8_t *buf = malloc((size_t)DUMP_READ_CHUNK_ENTRIES * stride);
    uint64_t bad_page = UINT64_MAX;
    uint32_t i = 0;
    *missing = 0;
    if (buf == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, df->name, PT_NO_OFFSET, "out of memory");
    while (i < count) {
        uint32_t n = count - i < DUMP_READ_CHUNK_ENTRIES ? count - i : DUMP_READ_CHUNK_ENTRIES, j;
        uint64_t at = va + (uint64_t)i * stride;
        int whole = dump_read_virt(df, at, buf, (size_t)n * stride, NULL) == PT_OK;
        for (j = 0; j < n; j++) {
            uint8_t *e = buf + (size_t)j * stride;
            if (!whole && !read_one_entry(df, at + (uint64_t)j * stride, e, stride, &bad_page)) {
                (*missing)++;
                continue;
            }
            if (!fn(ctx, i + j, e)) {
                free(buf);
                return PT_OK;
            }
        }
        i += n;
    }
    free(buf);
    return PT_OK;
}

#define SCN_CNT_CODE 0x20u
#define SCN_MEM_WRITE 0x80000000u

/* The kernel's writable data: .data and the other writable, non-code
 * sections (ALMOSTRO, CACHEALI, ... on recent kernels), read as one span
 * from the lowest to the highest.  Section headers of the PE at base
 * (IMAGE_NT_HEADERS: NumberOfSections at +6, SizeOfOptionalHeader at
 * +0x14; each header 40 bytes: VirtualSize +8, VirtualAddress +0xC,
 * Characteristics +0x24). */
int dump_data_section_load(dump_file *df, uint64_t base, dump_data_section *ds)
{
    uint8_t hdr[0x1000];
    uint32_t lfanew, nsec, opt, i, off, p, nspans = 0;
    uint64_t lo = UINT64_MAX, hi = 0, span[16][2];
    memset(ds, 0, sizeof *ds);
    if (base == 0 || dump_read_virt(df, base, hdr, sizeof hdr, NULL) != PT_OK ||
        memcmp(hdr, "MZ", 2) != 0)
        return 0;
    lfanew = pt_le32(hdr + 0x3C);
    if (lfanew > 0x800 || memcmp(hdr + lfanew, "PE\0\0", 4) != 0)
        return 0;
    nsec = pt_le16(hdr + lfanew + 6);
    opt = pt_le16(hdr + lfanew + 0x14);
    off = lfanew + 0x18 + opt;
    for (i = 0; i < nsec && off + 40 * (i + 1) <= sizeof hdr; i++) {
        const uint8_t *s = hdr + off + 40 * i;
        uint32_t vsize = pt_le32(s + 8), rva = pt_le32(s + 12), flags = pt_le32(s + 0x24);
        int data = memcmp(s, ".data\0\0\0", 8) == 0 ||
                   ((flags & SCN_MEM_WRITE) && !(flags & SCN_CNT_CODE));
        if (!data || vsize == 0 || nspans == 16)
            continue;
        span[nspans][0] = rva;
        span[nspans][1] = (uint64_t)rva + vsize;
        nspans++;
        if (rva < lo)
            lo = rva;
        if ((uint64_t)rva + vsize > hi)
            hi = (uint64_t)rva + vsize;
    }
    if (hi <= lo)
        return 0;
    if (hi - lo > DUMP_MAX_DATA_SECTION) {
        dump_warnf(df, PT_NO_OFFSET, "ntoskrnl's writable sections span %llu bytes; only the "
                   "first %u are searched", (unsigned long long)(hi - lo), DUMP_MAX_DATA_SECTION);
        hi = lo + DUMP_MAX_DATA_SECTION;
    }
    ds->va = base + lo;
    ds->size = (uint32_t)(hi - lo) & ~7u;
    ds->bytes = calloc(ds->size ? ds->size : 1, 1);
    if (ds->bytes == NULL)
        return 0;
    /* only the sections' own pages: the gaps between them stay zero */
    for (p = 0; p < ds->size; p += DUMP_PAGE_SIZE) {
        uint32_t n = ds->size - p < DUMP_PAGE_SIZE ? ds->size - p : DUMP_PAGE_SIZE, k;
        uint64_t rva = lo + p;
        for (k = 0; k < nspans; k++)
            if (rva + n > span[k][0] && rva < span[k][1])
                break;
        if (k < nspans)
            (void)dump_read_virt(df, ds->va + p, ds->bytes + p, n, NULL);
    }
    return 1;
}

uint64_t dump_data_section_pointer(const dump_file *df, const dump_data_section *ds, uint32_t off)
{
    return dump_pointer_size(df) == 8 ? pt_le64(ds->bytes + off) : pt_le32(ds->bytes + off);
}

int dump_find_pointer_pair(dump_file *df, const dump_data_section *ds, uint64_t exclude,
                           uint64_t max_count, int pow2, dump_pair_ok_fn ok, void *ctx,
                           uint64_t *va, uint64_t *count)
{
    unsigned ps = dump_pointer_size(df);
    uint32_t off, tried = 0;
    int side;
    for (off = ps; off + 2 * ps <= ds->size; off += ps) {
        uint64_t v = dump_data_section_pointer(df, ds, off);
        if (v == 0 || v % DUMP_PAGE_SIZE != 0 || !dump_is_kernel_va(df, v) ||
            v == exclude)
            continue;
        for (side = 0; side < 2; side++) {
            uint64_t c = dump_data_section_pointer(df, ds, side == 0 ? off + ps : off - ps);
            if (c == 0 || c > max_count || (pow2 && (c & (c - 1)) != 0))
                continue;
            if (++tried > DUMP_MAX_PAIR_CANDIDATES)
                return 0; /* enough: a hostile .data will not make this slow */
            if (ok(df, v, c, ctx)) {
                *va = v;
                *count = c;
                return 1;
            }
        }
    }
    return 0;
}

