/* dump_file.h - a Windows kernel crash dump opened for reading: the
 * DUMP_HEADER64 / DUMP_HEADER32 fields and the physical page layout
 * (run list for full dumps, bitmap for types 5 and 6).
 *
 * Layouts: ../shared/docs/dump-format.md §1 (offsets cited per field).
 */
#ifndef DUMP_FILE_H
#define DUMP_FILE_H

#include <stdarg.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_source.h"

#define DUMP_PAGE_SIZE 0x1000u
#define DUMP_FILL 0x45474150u /* "PAGE": the value of fields the kernel did not set */

#define DUMP_MACHINE_I386 0x14Cu
#define DUMP_MACHINE_AMD64 0x8664u
#define DUMP_MACHINE_ARM64 0xAA64u

/* DumpType values (§1.4). */
#define DUMP_TYPE_FULL 1u
#define DUMP_TYPE_SUMMARY 2u
#define DUMP_TYPE_HEADER 3u
#define DUMP_TYPE_TRIAGE 4u
#define DUMP_TYPE_BITMAP 5u
#define DUMP_TYPE_KERNEL_BITMAP 6u
/* Written by newer WinDbg (.dump /k, /ka, /f): "RDMP" range lists (§1.8). */
#define DUMP_TYPE_RDMP_KERNEL 8u
#define DUMP_TYPE_RDMP_KERNEL_ACTIVE 9u
#define DUMP_TYPE_RDMP_FULL 0xAu

/* The largest run list either header holds (§1.5). */
#define DUMP_MAX_RUNS 86u
/* RDMP range lists are read whole, up to this many ranges. */
#define DUMP_MAX_RDMP_RANGES (1u << 20)
/* Bitmap dumps: the bitmap is read whole; 2^31 bits (8 TiB of RAM, a
 * 256 MiB bitmap) is the documented limit. */
#define DUMP_MAX_BITMAP_BITS (UINT64_C(1) << 31)
#define DUMP_CACHE_PAGES 32u

typedef enum dump_phys_kind {
    DUMP_PHYS_NONE = 0, /* header-only or triage: no physical pages */
    DUMP_PHYS_RUNS = 1,   /* header run list, or RDMP ranges */
    DUMP_PHYS_BITMAP = 2,
} dump_phys_kind;

typedef struct dump_run {
    uint64_t base_pfn;
    uint64_t page_count;
    uint64_t file_offset; /* of the run's first page */
} dump_run;

typedef struct dump_cache_entry {
    uint64_t pfn;
    int valid;
    uint8_t data[DUMP_PAGE_SIZE];
} dump_cache_entry;

/* Called for anything odd that does not stop the reader. */
typedef void (*dump_warn_fn)(void *ctx, uint64_t offset, const char *message);

typedef struct dump_file {
    pt_source *src;
    const char *name;
    dump_warn_fn warn;
    void *warn_ctx;
    int partial; /* something could not be read: results are partial */

    int is64;             /* PAGEDU64 header (x64 and ARM64) */
    uint32_t header_size; /* 0x2000 or 0x1000 */
    uint32_t major_version, minor_version; /* minor = build number */
    uint64_t directory_table_base;         /* as stored (may hold PCID bits) */
    uint64_t pfn_database;
    uint64_t ps_loaded_module_list;
    uint64_t ps_active_process_head;
    uint32_t machine;
    uint32_t processors;
    uint32_t bugcheck_code;
    uint64_t bugcheck_param[4];
    uint64_t kdbg_va;
    int pae;              /* 32-bit header: PaeEnabled */
    uint32_t dump_type;
    uint64_t required_dump_space;
    uint64_t system_time;   /* FILETIME */
    uint64_t system_uptime; /* 100 ns */
    uint32_t minidump_fields;
    uint32_t product_type, suite_mask;
    uint32_t header_run_count;    /* NumberOfRuns as stored */
    uint64_t header_page_count;   /* NumberOfPages as stored */

    dump_phys_kind phys_kind;
    dump_run *runs;               /* sorted by base_pfn */
    uint32_t run_count;
    uint64_t rdmp_first_page;     /* RDMP: file offset of the first page */
    uint64_t run_pages;           /* pages the runs hold within the file */
    uint64_t bitmap_header_off;   /* file offset of the SDMP/FDMP header */
    uint64_t bitmap_first_page;   /* file offset of the first page (any alignment) */
    uint64_t bitmap_bits;
    uint64_t bitmap_present;      /* set bits counted */
    uint64_t bitmap_claimed;      /* TotalPresentPages as stored */
    uint64_t bitmap_pages_in_file;/* pages whose data lies within the file */
    uint8_t *bitmap;
    uint32_t *bitmap_rank;        /* set bits before each 512-bit block */

    dump_cache_entry *cache;      /* DUMP_CACHE_PAGES entries */
    uint64_t pages_read;          /* distinct page loads (statistics) */
} dump_file;

/* Opens the dump in src (which the caller keeps open): reads the header and
 * the physical layout.  Errors name the file and offset. */
pt_status dump_file_open(pt_source *src, dump_warn_fn warn, void *warn_ctx, dump_file **out,
                         pt_error *err);
void dump_file_close(dump_file *df);

/* A warning through the callback; marks nothing partial by itself. */
void dump_warnf(dump_file *df, uint64_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PT_PRINTF_FORMAT, 3, 4)))
#endif
    ;

/* "x64", "x86", "arm64" or "unknown". */
const char *dump_arch_name(const dump_file *df);
/* "full", "triage", "bitmap", "kernel-bitmap", ... */
const char *dump_type_name(uint32_t type);
/* Pointer size of the dumped system: 8 or 4. */
unsigned dump_pointer_size(const dump_file *df);

/* File offset of the page with this PFN; PT_ERR_NOT_FOUND when the dump
 * does not hold it. */
pt_status dump_pfn_offset(dump_file *df, uint64_t pfn, uint64_t *offset, pt_error *err);
/* Reads len bytes of physical memory; PT_ERR_NOT_FOUND when a page is
 * absent. */
pt_status dump_read_phys(dump_file *df, uint64_t pa, void *buf, size_t len, pt_error *err);

#endif
