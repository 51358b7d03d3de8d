/* dump_file.c - crash dump header and physical page layout.
 *
 * Offsets below are from ../shared/docs/dump-format.md §1.2 (64-bit),
 * §1.3 (32-bit), §1.5 (run lists) and §1.6 (bitmaps).
 */
#include "dump_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_byteorder.h"

/* DUMP_HEADER64 (§1.2) */
#define H64_SIZE 0x2000u
#define H64_DTB 0x010u
#define H64_PFNDB 0x018u
#define H64_PSLOADED 0x020u
#define H64_PSACTIVE 0x028u
#define H64_MACHINE 0x030u
#define H64_PROCESSORS 0x034u
#define H64_BUGCHECK 0x038u
#define H64_BUGPARAMS 0x040u
#define H64_KDBG 0x080u
#define H64_PMB 0x088u
#define H64_PMB_RUNS 0x10u  /* runs start 0x10 into the block */
#define H64_MAX_RUNS 42u
#define H64_DUMPTYPE 0xF98u
#define H64_REQUIRED 0xFA0u
#define H64_SYSTIME 0xFA8u
#define H64_UPTIME 0x1030u
#define H64_MINIDUMP 0x1038u
#define H64_PRODUCT 0x1040u
#define H64_SUITE 0x1044u

/* DUMP_HEADER32 (§1.3) */
#define H32_SIZE 0x1000u
#define H32_DTB 0x10u
#define H32_PFNDB 0x14u
#define H32_PSLOADED 0x18u
#define H32_PSACTIVE 0x1Cu
#define H32_MACHINE 0x20u
#define H32_PROCESSORS 0x24u
#define H32_BUGCHECK 0x28u
#define H32_BUGPARAMS 0x2Cu
#define H32_PAE 0x5Cu
#define H32_KDBG 0x60u
#define H32_PMB 0x64u
#define H32_PMB_RUNS 0x8u
#define H32_MAX_RUNS 86u
#define H32_DUMPTYPE 0xF88u
#define H32_MINIDUMP 0xF8Cu
#define H32_PRODUCT 0xF94u
#define H32_SUITE 0xF98u
#define H32_REQUIRED 0xFA0u
#define H32_UPTIME 0xFB8u
#define H32_SYSTIME 0xFC0u

/* RDMP header (§1.8), at 0x2000. */
#define RDMP_MARKER 0x00u
#define RDMP_SIG 0x04u
#define RDMP_VALID 0x08u
#define RDMP_METADATA_SIZE 0x10u
#define RDMP_FIRST_PAGE 0x18u
#define RDMP_RANGE_COUNT 0x20u   /* type 0xA */
#define RDMP_TOTAL_PAGES 0x28u   /* type 0xA */
#define RDMP_RANGES 0x30u

/* Bitmap header (§1.6), at the end of the file header. */
#define BMP_SIG 0x00u
#define BMP_VALID 0x04u
#define BMP_FIRST_PAGE 0x20u
#define BMP_TOTAL_PRESENT 0x28u
#define BMP_BITS 0x30u
#define BMP_BITMAP 0x38u

void dump_warnf(dump_file *df, uint64_t offset, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (df->warn != NULL)
        df->warn(df->warn_ctx, offset, msg);
}

const char *dump_arch_name(const dump_file *df)
{
    switch (df->machine) {
    case DUMP_MACHINE_AMD64: return "x64";
    case DUMP_MACHINE_I386: return "x86";
    case DUMP_MACHINE_ARM64: return "arm64";
    default: return "unknown";
    }
}

const char *dump_type_name(uint32_t type)
{
    switch (type) {
    case DUMP_TYPE_FULL: return "full";
    case DUMP_TYPE_SUMMARY: return "summary";
    case DUMP_TYPE_HEADER: return "header-only";
    case DUMP_TYPE_TRIAGE: return "triage";
    case DUMP_TYPE_BITMAP: return "bitmap";
    case DUMP_TYPE_KERNEL_BITMAP: return "kernel-bitmap";
    case DUMP_TYPE_RDMP_KERNEL: return "rdmp-kernel";
    case DUMP_TYPE_RDMP_KERNEL_ACTIVE: return "rdmp-kernel-active";
    case DUMP_TYPE_RDMP_FULL: return "rdmp-full";
    default: return "unknown";
    }
}

unsigned dump_pointer_size(const dump_file *df)
{
    return df->machine == DUMP_MACHINE_I386 ? 4u : 8u;
}

static void parse_header64(dump_file *df, const uint8_t *h)
{
    int i;
    df->directory_table_base = pt_le64(h + H64_DTB);
    df->pfn_database = pt_le64(h + H64_PFNDB);
    df->ps_loaded_module_list = pt_le64(h + H64_PSLOADED);
    df->ps_active_process_head = pt_le64(h + H64_PSACTIVE);
    df->machine = pt_le32(h + H64_MACHINE);
    df->processors = pt_le32(h + H64_PROCESSORS);
    df->bugcheck_code = pt_le32(h + H64_BUGCHECK);
    for (i = 0; i < 4; i++)
        df->bugcheck_param[i] = pt_le64(h + H64_BUGPARAMS + 8 * i);
    df->kdbg_va = pt_le64(h + H64_KDBG);
    df->header_run_count = pt_le32(h + H64_PMB);
    df->header_page_count = pt_le64(h + H64_PMB + 8);
    df->dump_type = pt_le32(h + H64_DUMPTYPE);
    df->required_dump_space = pt_le64(h + H64_REQUIRED);
    df->system_time = pt_le64(h + H64_SYSTIME);
    df->system_uptime = pt_le64(h + H64_UPTIME);
    df->minidump_fields = pt_le32(h + H64_MINIDUMP);
    df->product_type = pt_le32(h + H64_PRODUCT);
    df->suite_mask = pt_le32(h + H64_SUITE);
}

static void parse_header32(dump_file *df, const uint8_t *h)
{
    int i;
    df->directory_table_base = pt_le32(h + H32_DTB);
    df->pfn_database = pt_le32(h + H32_PFNDB);
    df->ps_loaded_module_list = pt_le32(h + H32_PSLOADED);
    df->ps_active_process_head = pt_le32(h + H32_PSACTIVE);
    df->machine = pt_le32(h + H32_MACHINE);
    df->processors = pt_le32(h + H32_PROCESSORS);
    df->bugcheck_code = pt_le32(h + H32_BUGCHECK);
    for (i = 0; i < 4; i++)
        df->bugcheck_param[i] = pt_le32(h + H32_BUGPARAMS + 4 * i);
    df->pae = h[H32_PAE] != 0 && h[H32_PAE] != 'P'; /* 'P' of the fill: not set */
    df->kdbg_va = pt_le32(h + H32_KDBG);
    df->header_run_count = pt_le32(h + H32_PMB);
    df->header_page_count = pt_le32(h + H32_PMB + 4);
    df->dump_type = pt_le32(h + H32_DUMPTYPE);
    df->minidump_fields = pt_le32(h + H32_MINIDUMP);
    df->product_type = pt_le32(h + H32_PRODUCT);
    df->suite_mask = pt_le32(h + H32_SUITE);
    df->required_dump_space = pt_le64(h + H32_REQUIRED);
    df->system_uptime = pt_le64(h + H32_UPTIME);
    df->system_time = pt_le64(h + H32_SYSTIME);
}

static int cmp_run(const void *a, const void *b)
{
    uint64_t x = ((const dump_run *)a)->base_pfn, y = ((const dump_run *)b)->base_pfn;
    return x < y ? -1 : x > y;
}

/* Lookups search the runs by PFN; their file offsets go with them. */
static void sort_runs(dump_file *df)
{
    qsort(df->runs, df->run_count, sizeof *df->runs, cmp_run);
}

/* Run list (§1.5): each run's pages follow the previous run's in the file.
 * Runs that reach past the end of the file are cut to what it holds. */
static pt_status load_runs(dump_file *df, const uint8_t *h, pt_error *err)
{
    uint32_t max_runs = df->is64 ? H64_MAX_RUNS : H32_MAX_RUNS;
    uint32_t runs_off = df->is64 ? H64_PMB + H64_PMB_RUNS : H32_PMB + H32_PMB_RUNS;
    uint32_t entry = df->is64 ? 16u : 8u;
    uint64_t file_pages, cum = 0, sum = 0;
    uint32_t i;

    if (df->header_run_count == DUMP_FILL || df->header_run_count > max_runs)
        return pt_error_set(err, PT_ERR_CORRUPT, df->name,
                            df->is64 ? H64_PMB : H32_PMB,
                            "NumberOfRuns %u is over the %u the header holds",
                            df->header_run_count, max_runs);
    file_pages = (df->src->size - df->header_size) / DUMP_PAGE_SIZE;
    df->runs = calloc(df->header_run_count + 1, sizeof *df->runs);
    if (df->runs == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, df->name, PT_NO_OFFSET, "out of memory");
    for (i = 0; i < df->header_run_count; i++) {
        const uint8_t *r = h + runs_off + entry * i;
        uint64_t base = df->is64 ? pt_le64(r) : pt_le32(r);
        uint64_t count = df->is64 ? pt_le64(r + 8) : pt_le32(r + 4);
        uint64_t have;
        if (count > (UINT64_C(1) << 40) || base > (UINT64_C(1) << 40))
            return pt_error_set(err, PT_ERR_CORRUPT, df->name, runs_off + entry * i,
                                "run %u: base page 0x%llx, count 0x%llx out of range", i,
                                (unsigned long long)base, (unsigned long long)count);
        sum += count;
        have = cum < file_pages ? file_pages - cum : 0;
        if (count > have) {
            dump_warnf(df, runs_off + entry * i,
                       "run %u (base page 0x%llx, %llu pages) reaches past the end of the "
                       "file; only %llu of its pages are readable",
                       i, (unsigned long long)base, (unsigned long long)count,
                       (unsigned long long)have);
            df->partial = 1;
        }
        df->runs[df->run_count].base_pfn = base;
        df->runs[df->run_count].page_count = count > have ? have : count;
        df->runs[df->run_count].file_offset = df->header_size + cum * DUMP_PAGE_SIZE;
        df->run_pages += df->runs[df->run_count].page_count;
        df->run_count++;
        cum += count;
    }
    if (sum != df->header_page_count)
        dump_warnf(df, df->is64 ? H64_PMB + 8 : H32_PMB + 4,
                   "NumberOfPages %llu differs from the %llu pages of the runs",
                   (unsigned long long)df->header_page_count, (unsigned long long)sum);
    sort_runs(df);
    df->phys_kind = DUMP_PHYS_RUNS;
    return PT_OK;
}

/* RDMP (§1.8): {StartPfn, PageCount} ranges after a small header; the
 * pages follow one another from FirstPageOffset in range order. */
static pt_status load_rdmp(dump_file *df, pt_error *err)
{
    uint8_t rh[RDMP_RANGES];
    uint8_t *ranges = NULL;
    uint64_t off = df->header_size, meta, first, max_ranges, n, i, cum = 0, total = 0;
    uint64_t file_pages;
    pt_status st;

    if (!df->is64)
        return pt_error_set(err, PT_ERR_UNSUPPORTED, df->name, H32_DUMPTYPE,
                            "RDMP dumps with a 32-bit header are not read");
    st = pt_source_read(df->src, off, rh, sizeof rh, err);
    if (st != PT_OK)
        return pt_error_set(err, PT_ERR_TRUNCATED, df->name, off,
                            "the file ends inside the RDMP header");
    if (memcmp(rh + RDMP_SIG, "RDMP", 4) != 0 || memcmp(rh + RDMP_VALID, "DUMP", 4) != 0)
        return pt_error_set(err, PT_ERR_CORRUPT, df->name, off + RDMP_SIG,
                            "DumpType %u without the RDMP DUMP signature", df->dump_type);
    meta = pt_le64(rh + RDMP_METADATA_SIZE);
    first = pt_le64(rh + RDMP_FIRST_PAGE);
    /* kdmp-parser's consistency check: the ranges end where the pages start */
    if (meta < 0x20 || first < off + 0x40 || meta - 0x20 != first - (off + 0x40) ||
        first > df->src->size)
        return pt_error_set(err, PT_ERR_CORRUPT, df->name, off + RDMP_METADATA_SIZE,
                            "RDMP MetadataSize 0x%llx and FirstPageOffset 0x%llx disagree",
                            (unsigned long long)meta, (unsigned long long)first);
    max_ranges = (first - (off + RDMP_RANGES)) / 16;
    if (max_ranges > DUMP_MAX_RDMP_RANGES)
        return pt_error_set(err, PT_ERR_LIMIT, df->name, off + RDMP_METADATA_SIZE,
                            "RDMP range list of %llu ranges is over the limit of %u",
                            (unsigned long long)max_ranges, DUMP_MAX_RDMP_RANGES);
    n = max_ranges;
    if (df->dump_type == DUMP_TYPE_RDMP_FULL) {
        uint32_t count = pt_le32(rh + RDMP_RANGE_COUNT);
        total = pt_le64(rh + RDMP_TOTAL_PAGES);
        if (count < n)
            n = count;
    }
    ranges = malloc(n * 16 + 1);
    df->runs = calloc(n + 1, sizeof *df->runs);
    if (ranges == NULL || df->runs == NULL) {
        free(ranges);
        return pt_error_set(err, PT_ERR_NOMEM, df->name, PT_NO_OFFSET, "out of memory");
    }
    st = pt_source_read(df->src, off + RDMP_RANGES, ranges, (size_t)(n * 16), err);
    if (st != PT_OK) {
        free(ranges);
        return st;
    }
    file_pages = (df->src->size - first) / DUMP_PAGE_SIZE;
    for (i = 0; i < n; i++) {
        uint64_t base = pt_le64(ranges + 16 * i), count = pt_le64(ranges + 16 * i + 8), have;
        if (df->dump_type != DUMP_TYPE_RDMP_FULL && base == 0)
            break; /* types 8 and 9 end the list with StartPfn 0 */
        if (df->dump_type == DUMP_TYPE_RDMP_FULL && cum >= total)
            break;
        if (count > (UINT64_C(1) << 40) || base > (UINT64_C(1) << 40)) {
            free(ranges);
            return pt_error_set(err, PT_ERR_CORRUPT, df->name, off + RDMP_RANGES + 16 * i,
                                "RDMP range %llu: start page 0x%llx, count 0x%llx out of range",
                                (unsigned long long)i, (unsigned long long)base,
                                (unsigned long long)count);
        }
        have = cum < file_pages ? file_pages - cum : 0;
        if (count > have && !df->partial) {
            dump_warnf(df, off + RDMP_RANGES + 16 * i,
                       "RDMP range %llu and those after it reach past the end of the file",
                       (unsigned long long)i);
            df->partial = 1;
        }
        df->runs[df->run_count].base_pfn = base;
        df->runs[df->run_count].page_count = count > have ? have : count;
        df->runs[df->run_count].file_offset = first + cum * DUMP_PAGE_SIZE;
        df->run_pages += df->runs[df->run_count].page_count;
        df->run_count++;
        cum += count;
    }
    free(ranges);
    if (df->dump_type == DUMP_TYPE_RDMP_FULL && cum != total)
        dump_warnf(df, off + RDMP_TOTAL_PAGES,
                   "RDMP TotalNumberOfPages %llu differs from the %llu pages of the ranges",
                   (unsigned long long)total, (unsigned long long)cum);
    df->rdmp_first_page = first;
    df->header_page_count = cum;
    sort_runs(df);
    df->phys_kind = DUMP_PHYS_RUNS;
    return PT_OK;
}

static unsigned popcount8(uint8_t b)
{
    unsigned n = 0;
    while (b) {
        b &= (uint8_t)(b - 1);
        n++;
    }
    return n;
}

static unsigned popcount64(uint64_t v)
{
    v = v - ((v >> 1) & 0x5555555555555555ull);
    v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((v * 0x0101010101010101ull) >> 56);
}

/* Bitmap (§1.6): the k-th set bit's page is at FirstPage + k * 0x1000. */
static pt_status load_bitmap(dump_file *df, pt_error *err)
{
    uint8_t bh[BMP_BITMAP];
    uint64_t off = df->header_size, bytes, nblocks, i, count = 0, room;
    pt_status st;

    st = pt_source_read(df->src, off, bh, sizeof bh, err);
    if (st != PT_OK)
        return pt_error_set(err, PT_ERR_TRUNCATED, df->name, off,
                            "the file ends inside the bitmap dump header");
    if ((memcmp(bh + BMP_SIG, "SDMP", 4) != 0 && memcmp(bh + BMP_SIG, "FDMP", 4) != 0) ||
        memcmp(bh + BMP_VALID, "DUMP", 4) != 0)
        return pt_error_set(err, PT_ERR_CORRUPT, df->name, off,
                            "bitmap dump header signature is not SDMP/FDMP DUMP");
    df->bitmap_header_off = off;
    df->bitmap_first_page = pt_le64(bh + BMP_FIRST_PAGE);
    df->bitmap_claimed = pt_le64(bh + BMP_TOTAL_PRESENT);
    df->bitmap_bits = pt_le64(bh + BMP_BITS);
    if (df->bitmap_bits == 0 || df->bitmap_bits > DUMP_MAX_BITMAP_BITS)
        return pt_error_set(err, PT_ERR_LIMIT, df->name, off + BMP_BITS,
                            "bitmap of %llu bits is out of range (limit %llu)",
                            (unsigned long long)df->bitmap_bits,
                            (unsigned long long)DUMP_MAX_BITMAP_BITS);
    bytes = (df->bitmap_bits + 7) / 8;
    if (!pt_range_ok(off + BMP_BITMAP, bytes, df->src->size))
        return pt_error_set(err, PT_ERR_TRUNCATED, df->name, off + BMP_BITMAP,
                            "bitmap of %llu bytes reaches past the end of the file",
                            (unsigned long long)bytes);
    if (df->bitmap_first_page < off + BMP_BITMAP + bytes ||
        df->bitmap_first_page > df->src->size)
        return pt_error_set(err, PT_ERR_CORRUPT, df->name, off + BMP_FIRST_PAGE,
                            "first page offset 0x%llx is inside the header or past the end "
                            "of the file",
                            (unsigned long long)df->bitmap_first_page);
    nblocks = (bytes + 63) / 64;
    df->bitmap = calloc(nblocks * 64, 1);
    df->bitmap_rank = calloc(nblocks + 1, sizeof *df->bitmap_rank);
    if (df->bitmap == NULL || df->bitmap_rank == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, df->name, PT_NO_OFFSET, "out of memory");
    st = pt_source_read(df->src, off + BMP_BITMAP, df->bitmap, (size_t)bytes, err);
    if (st != PT_OK)
        return st;
    if (df->bitmap_bits % 8 != 0) /* bits past the count are not pages */
        df->bitmap[bytes - 1] &= (uint8_t)((1u << (df->bitmap_bits % 8)) - 1);
    for (i = 0; i < nblocks; i++) {
        unsigned j;
        df->bitmap_rank[i] = (uint32_t)count;
        for (j = 0; j < 64; j += 8)
            count += popcount64(pt_le64(df->bitmap + i * 64 + j));
    }
    df->bitmap_rank[nblocks] = (uint32_t)count;
    df->bitmap_present = count;
    if (count != df->bitmap_claimed)
        dump_warnf(df, off + BMP_TOTAL_PRESENT,
                   "TotalPresentPages %llu differs from the %llu bits set in the bitmap",
                   (unsigned long long)df->bitmap_claimed, (unsigned long long)count);
    room = (df->src->size - df->bitmap_first_page) / DUMP_PAGE_SIZE;
    df->bitmap_pages_in_file = count < room ? count : room;
    if (count > room) {
        dump_warnf(df, off + BMP_BITMAP,
                   "the bitmap marks %llu pages present but the file holds only %llu",
                   (unsigned long long)count, (unsigned long long)room);
        df->partial = 1;
    }
    df->phys_kind = DUMP_PHYS_BITMAP;
    return PT_OK;
}

static pt_status check_header(dump_file *df, pt_error *err)
{
    if (df->machine != DUMP_MACHINE_AMD64 && df->machine != DUMP_MACHINE_I386 &&
        df->machine != DUMP_MACHINE_ARM64)
        return pt_error_set(err, PT_ERR_UNSUPPORTED, df->name,
                            df->is64 ? H64_MACHINE : H32_MACHINE,
                            "MachineImageType 0x%x is not i386, AMD64 or ARM64", df->machine);
    if (df->is64 && df->machine == DUMP_MACHINE_I386)
        return pt_error_set(err, PT_ERR_CORRUPT, df->name, H64_MACHINE,
                            "a 64-bit header with MachineImageType i386");
    if (!df->is64 && df->machine != DUMP_MACHINE_I386)
        return pt_error_set(err, PT_ERR_CORRUPT, df->name, H32_MACHINE,
                            "a 32-bit header with MachineImageType 0x%x", df->machine);
    if (df->processors == DUMP_FILL || df->processors > 4096)
        dump_warnf(df, df->is64 ? H64_PROCESSORS : H32_PROCESSORS,
                   "NumberProcessors %u is not plausible", df->processors);
    return PT_OK;
}

pt_status dump_file_open(pt_source *src, dump_warn_fn warn, void *warn_ctx, dump_file **out,
                         pt_error *err)
{
    uint8_t *h = NULL;
    dump_file *df;
    pt_status st;

    *out = NULL;
    df = calloc(1, sizeof *df);
    if (df == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
    df->src = src;
    df->name = src->name;
    df->warn = warn;
    df->warn_ctx = warn_ctx;
    h = malloc(H64_SIZE);
    df->cache = calloc(DUMP_CACHE_PAGES, sizeof *df->cache);
    if (h == NULL || df->cache == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
        goto fail;
    }
    if (src->size < 8) {
        st = pt_error_set(err, PT_ERR_FORMAT, src->name, 0, "too short for a crash dump");
        goto fail;
    }
    st = pt_source_read(src, 0, h, 8, err);
    if (st != PT_OK)
        goto fail;
    if (memcmp(h, "PAGE", 4) != 0 || (memcmp(h + 4, "DU64", 4) != 0 &&
                                      memcmp(h + 4, "DUMP", 4) != 0)) {
        st = pt_error_set(err, PT_ERR_FORMAT, src->name, 0,
                          "not a kernel crash dump (no PAGEDU64 / PAGEDUMP signature)");
        goto fail;
    }
    df->is64 = memcmp(h + 4, "DU64", 4) == 0;
    df->header_size = df->is64 ? H64_SIZE : H32_SIZE;
    if (src->size < df->header_size) {
        st = pt_error_set(err, PT_ERR_TRUNCATED, src->name, 0,
                          "the file (%llu bytes) ends inside the 0x%x-byte dump header",
                          (unsigned long long)src->size, df->header_size);
        goto fail;
    }
    st = pt_source_read(src, 0, h, df->header_size, err);
    if (st != PT_OK)
        goto fail;
    df->major_version = pt_le32(h + 8);
    df->minor_version = pt_le32(h + 12);
    if (df->is64)
        parse_header64(df, h);
    else
        parse_header32(df, h);
    st = check_header(df, err);
    if (st != PT_OK)
        goto fail;
    switch (df->dump_type) {
    case DUMP_TYPE_FULL:
        st = load_runs(df, h, err);
        break;
    case DUMP_TYPE_BITMAP:
    case DUMP_TYPE_KERNEL_BITMAP:
        st = load_bitmap(df, err);
        break;
    case DUMP_TYPE_RDMP_KERNEL:
    case DUMP_TYPE_RDMP_KERNEL_ACTIVE:
    case DUMP_TYPE_RDMP_FULL:
        st = load_rdmp(df, err);
        break;
    case DUMP_TYPE_TRIAGE:
    case DUMP_TYPE_HEADER:
        df->phys_kind = DUMP_PHYS_NONE;
        break;
    default:
        st = pt_error_set(err, PT_ERR_UNSUPPORTED, src->name,
                          df->is64 ? H64_DUMPTYPE : H32_DUMPTYPE,
                          "DumpType %u (%s) is not read (full, triage and bitmap dumps are)",
                          df->dump_type, dump_type_name(df->dump_type));
        break;
    }
    if (st != PT_OK)
        goto fail;
    free(h);
    *out = df;
    return PT_OK;
fail:
    free(h);
    dump_file_close(df);
    return st;
}

void dump_file_close(dump_file *df)
{
    if (df == NULL)
        return;
    free(df->runs);
    free(df->bitmap);
    free(df->bitmap_rank);
    free(df->cache);
    free(df);
}

static pt_status pfn_missing(dump_file *df, uint64_t pfn, pt_error *err)
{
    return pt_error_set(err, PT_ERR_NOT_FOUND, df->name, PT_NO_OFFSET,
                        "physical page 0x%llx is not in the dump", (unsigned long long)pfn);
}

pt_status dump_pfn_offset(dump_file *df, uint64_t pfn, uint64_t *offset, pt_error *err)
{
    uint32_t i;
    if (df->phys_kind == DUMP_PHYS_RUNS && df->run_count > 0) {
        /* the last run starting at or below pfn */
        uint32_t lo = 0, hi = df->run_count;
        while (hi - lo > 1) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (df->runs[mid].base_pfn <= pfn)
                lo = mid;
            else
                hi = mid;
        }
        for (i = lo + 1; i-- > 0;) { /* runs may overlap in a damaged dump */
            const dump_run *r = &df->runs[i];
            if (pfn >= r->base_pfn && pfn - r->base_pfn < r->page_count) {
                *offset = r->file_offset + (pfn - r->base_pfn) * DUMP_PAGE_SIZE;
                return PT_OK;
            }
            if (lo - i >= 8)
                break;
        }
    } else if (df->phys_kind == DUMP_PHYS_BITMAP && pfn < df->bitmap_bits) {
        uint64_t block = pfn / 512, k;
        const uint8_t *b = df->bitmap + block * 64;
        unsigned within = (unsigned)(pfn % 512), j;
        if (df->bitmap[pfn / 8] & (1u << (pfn % 8))) {
            k = df->bitmap_rank[block];
            for (j = 0; j < within / 8; j++)
                k += popcount8(b[j]);
            k += popcount8((uint8_t)(b[within / 8] & ((1u << (within % 8)) - 1)));
            if (k < df->bitmap_pages_in_file) {
                *offset = df->bitmap_first_page + k * DUMP_PAGE_SIZE;
                return PT_OK;
            }
        }
    }
    return pfn_missing(df, pfn, err);
}

/* One page through the cache: page-table walks read the same few pages
 * again and again. */
static pt_status load_page(dump_file *df, uint64_t pfn, const uint8_t **page, pt_error *err)
{
    dump_cache_entry *e = &df->cache[pfn % DUMP_CACHE_PAGES];
    uint64_t off = 0;
    pt_status st;

    if (e->valid && e->pfn == pfn) {
        *page = e->data;
        return PT_OK;
    }
    st = dump_pfn_offset(df, pfn, &off, err);
    if (st != PT_OK)
        return st;
    e->valid = 0;
    st = pt_source_read(df->src, off, e->data, DUMP_PAGE_SIZE, err);
    if (st != PT_OK)
        return st;
    e->valid = 1;
    e->pfn = pfn;
    df->pages_read++;
    *page = e->data;
    return PT_OK;
}

pt_status dump_read_phys(dump_file *df, uint64_t pa, void *buf, size_t len, pt_error *err)
{
    uint8_t *out = buf;
    while (len > 0) {
        const uint8_t *page;
        size_t in_page = DUMP_PAGE_SIZE - (size_t)(pa % DUMP_PAGE_SIZE);
        size_t n = len < in_page ? len : in_page;
        pt_status st = load_page(df, pa / DUMP_PAGE_SIZE, &page, err);
        if (st != PT_OK)
            return st;
        memcpy(out, page + pa % DUMP_PAGE_SIZE, n);
        out += n;
        pa += n;
        len -= n;
    }
    return PT_OK;
}
