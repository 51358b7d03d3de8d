/* dumpgen.h - writes synthetic Windows kernel crash dumps whose contents
 * the tests know: page tables (x64 4-level with 2 MiB and 1 GiB pages, x86
 * PAE and non-PAE), a KDBG (plain or encoded), ntoskrnl's PE header and
 * .data variables, per-processor pool tracker tables and the expansion
 * table in each entry layout, a big page table and a module list; as full
 * (run list) or bitmap dumps, sparse files of any size.
 *
 * The generator has its own copy of the layouts (from
 * ../shared/docs/dump-format.md), written independently of the reader. */
#ifndef DUMPGEN_H
#define DUMPGEN_H

#include <stddef.h>
#include <stdint.h>

typedef enum dg_arch { DG_X64 = 0, DG_X86_PAE = 1, DG_X86 = 2 } dg_arch;
/* Full (type 1, header run list), bitmap (type 5), and WinDbg's RDMP range
 * lists: type 0xA (.dump /f) and type 8 (.dump /k), x64 only. */
typedef enum dg_kind { DG_FULL = 0, DG_BITMAP = 1, DG_RDMP_FULL = 2, DG_RDMP_KERNEL = 3 } dg_kind;

#define DG_MAX_RUNS 8
#define DG_MAX_TAGS 64
#define DG_MAX_CPUS 8
#define DG_MAX_MODULES 8
#define DG_MAX_BIG 32

/* Counters the KDBG can point at, in !vm's words. */
enum {
    DG_CTR_PHYSICAL, DG_CTR_AVAILABLE, DG_CTR_RESAVAIL, DG_CTR_NP_USAGE, DG_CTR_NP_MAX_BYTES,
    DG_CTR_PAGED_COMMIT, DG_CTR_PAGED_MAX_BYTES, DG_CTR_SHARED, DG_CTR_DRIVER, DG_CTR_PROCESS,
    DG_CTR_COMMITTED, DG_CTR_LIMIT, DG_CTR_PEAK, DG_CTR_COUNT
};
extern const char *const dg_counter_names[DG_CTR_COUNT]; /* as !vm prints them */

typedef struct dg_tag {
    uint32_t key;
    /* the sums over every table (what !poolused shows) */
    uint64_t np_allocs, np_frees, np_bytes, p_allocs, p_frees, p_bytes;
    int in_expansion; /* processor 0's share sits in the expansion table */
} dg_tag;

typedef struct dg_big {
    uint64_t va;
    uint32_t key;
    uint64_t size;      /* bytes (a multiple of the page on XP layouts) */
    uint32_t pool_type; /* POOL_TYPE: 0 nonpaged, 1 paged, 32/33 session */
    int freed;
} dg_big;

typedef struct dg_module {
    char name[96];
    uint64_t base;
    uint32_t size, timestamp, checksum;
} dg_module;

/* Kernel variables placed at RVAs of a real PE image (PDB tests). */
enum {
    DG_RVA_POOLTRACKTABLE, DG_RVA_POOLTRACKTABLESIZE, DG_RVA_EXPOOLTAGTABLES, DG_RVA_EXPANSION,
    DG_RVA_EXPANSIONSIZE, DG_RVA_BIGPAGETABLE, DG_RVA_BIGPAGETABLESIZE, DG_RVA_KIWAITNEVER,
    DG_RVA_KIWAITALWAYS, DG_RVA_KDPDATABLOCKENCODED, DG_RVA_COUNT
};

typedef struct dumpgen_spec {
    dg_arch arch;
    dg_kind kind;
    uint32_t build;
    uint32_t processors;
    struct {
        uint64_t base, count;
    } runs[DG_MAX_RUNS];
    unsigned nruns;
    int bitmap_page_aligned;   /* 0: first page right after the bitmap (unaligned) */
    int large_pages;           /* kernel in a 2/4 MiB page, big table in a 1 GiB one (x64) */
    int scatter;               /* small pages spread over all of memory, not packed */
    int kdbg_encoded;
    uint64_t wait_never, wait_always; /* the encoding keys (nt!KiWaitNever/Always) */
    const char *tracker_layout; /* NULL: the build's own; else a layout name */
    uint32_t tracker_entries;  /* PoolTrackTableSize, 2^k + 1 */
    int size_variable;         /* PoolTrackTableSize just before PoolTrackTable */
    int cpu_tables;            /* ExPoolTagTables in .data; 0: CPU 0 table only */
    int expansion;             /* PoolTrackTableExpansion */
    uint32_t expansion_entries;
    uint32_t bigpage_entries;  /* power of two; 0 = no table */
    uint32_t bugcheck;
    uint64_t bugcheck_param[4];
    uint64_t system_time, uptime;
    uint64_t counters[DG_CTR_COUNT];
    unsigned ntags;
    dg_tag tags[DG_MAX_TAGS];
    unsigned nbig;
    dg_big big[DG_MAX_BIG];
    unsigned nmodules;
    dg_module modules[DG_MAX_MODULES];
    /* Optional: a PE file mapped as ntoskrnl (its headers and sections),
     * with the variables at these RVAs instead of the generator's .data. */
    const uint8_t *kernel_image;
    size_t kernel_image_size;
    uint32_t rva[DG_RVA_COUNT];
    int hide_active_head; /* header's PsActiveProcessHead 0 (no known plaintext) */
} dumpgen_spec;

/* A spec with deterministic content: tags, big allocations, modules,
 * counters, 4 processors, two physical runs of 8 MiB (the second at 1 GiB
 * so a 1 GiB page fits). */
void dumpgen_default_spec(dumpgen_spec *s, dg_arch arch, uint32_t build, dg_kind kind);
/* Makes physical memory one run of total_bytes (for 4..16+ GB sparse dumps). */
void dumpgen_set_memory(dumpgen_spec *s, uint64_t total_bytes);

typedef struct dumpgen dumpgen;

/* Lays out everything in memory; NULL on a bad spec (message on stderr). */
dumpgen *dumpgen_create(const dumpgen_spec *spec);
void dumpgen_free(dumpgen *g);
/* Writes the dump; only touched pages are written, the rest is a hole. */
int dumpgen_write(dumpgen *g, const char *path);
/* Writes a small memory (triage, type 4) dump of the same system: header,
 * TRIAGE_DUMP block, driver list and string pool, the KDBG copy (plain). */
int dumpgen_write_triage(dumpgen *g, const char *path);

/* Addresses the tests poke at to make hostile dumps. */
typedef enum dg_addr {
    DG_ADDR_KDBG, DG_ADDR_POOLTRACKTABLE_VAR, DG_ADDR_TRACKER0, DG_ADDR_MODULE_HEAD,
    DG_ADDR_FIRST_MODULE, DG_ADDR_BIGPAGE_TABLE, DG_ADDR_DTB, DG_ADDR_KERNEL_BASE,
    DG_ADDR_DATA_SECTION
} dg_addr;
uint64_t dumpgen_addr(const dumpgen *g, dg_addr which);
/* Writes into the dumped system's memory (virtual or physical). */
int dumpgen_poke(dumpgen *g, uint64_t va, const void *data, size_t len);
int dumpgen_poke_phys(dumpgen *g, uint64_t pa, const void *data, size_t len);
/* Physical address of the page-table entry of the given level (0 = top)
 * that maps va. */
int dumpgen_entry_pa(dumpgen *g, uint64_t va, int level, uint64_t *pa);
/* Header fields for hostile tests: offset of the run list / bitmap header. */
uint32_t dumpgen_header_size(const dumpgen *g);
uint64_t dumpgen_pointer_size(const dumpgen *g);
/* The tracker layout name the generator used and each counter field's
 * width in bytes (index: np allocs, np frees, np bytes, p allocs, p frees,
 * p bytes). */
const char *dumpgen_layout_name(const dumpgen *g);
unsigned dumpgen_field_width(const dumpgen *g, int field);
/* Whether the KDBG of this build exposes the counter. */
int dumpgen_counter_exposed(const dumpgen *g, int counter);

#endif
