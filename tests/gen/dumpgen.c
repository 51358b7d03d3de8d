/* dumpgen.c - synthetic crash dump writer (see dumpgen.h). */
#include "dumpgen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PG 0x1000u

const char *const dg_counter_names[DG_CTR_COUNT] = {
    "Physical Memory", "Available Pages", "ResAvail Pages", "NonPagedPool Usage",
    "NonPagedPool Max", "PagedPool Commit", "PagedPool Maximum", "Shared Commit",
    "Driver Commit", "Process Commit", "Committed pages", "Commit limit", "Peak Commitment"};

/* KDBG offsets of the counters' variables (brief §3.1). */
static const uint32_t counter_kdbg_off[DG_CTR_COUNT] = {
    0xF8, 0x1A8, 0x1B0, 0x250, 0x100, 0x170, 0x140, 0x158, 0x160, 0x168, 0x150, 0x148, 0x258};

/* Tracker entry layouts (brief §4.1): stride, then offset/width of np
 * allocs, np frees, np bytes, p allocs, p frees, p bytes. */
typedef struct gen_layout {
    const char *name;
    int x64;
    uint32_t stride;
    uint32_t min_build;
    uint8_t off[6], width[6];
} gen_layout;

static const gen_layout gen_layouts[] = {
    {"x86-pre1709", 0, 0x1C, 0, {4, 8, 0xC, 0x10, 0x14, 0x18}, {4, 4, 4, 4, 4, 4}},
    {"x64-pre1709", 1, 0x28, 0, {4, 8, 0x10, 0x18, 0x1C, 0x20}, {4, 4, 8, 4, 4, 8}},
    {"x86-1709", 0, 0x30, 16299, {8, 0x10, 4, 0x20, 0x28, 0x18}, {8, 8, 4, 8, 8, 4}},
    {"x64-1709", 1, 0x38, 16299, {0x10, 0x18, 8, 0x28, 0x30, 0x20}, {8, 8, 8, 8, 8, 8}},
    {"x86-win11", 0, 0x40, 21292, {8, 0x10, 4, 0x20, 0x28, 0x18}, {8, 8, 4, 8, 8, 4}},
    {"x64-win11", 1, 0x50, 20348, {0x10, 0x18, 8, 0x28, 0x30, 0x20}, {8, 8, 8, 8, 8, 8}},
};

typedef struct page_slot {
    uint64_t pfn;
    uint8_t *data;
} page_slot;

struct dumpgen {
    dumpgen_spec s;
    const gen_layout *layout;
    unsigned ps; /* pointer size */
    /* sparse physical memory */
    page_slot *slots;
    size_t cap, used;
    uint64_t next_pfn; /* bump allocator over the runs */
    uint64_t scatter_n;                 /* pages handed out scattered */
    uint64_t reserved[16][2];           /* large-page frames [start, end) */
    unsigned nreserved;
    uint64_t dtb;      /* as written in the header */
    uint64_t top_table_pa;
    /* addresses */
    uint64_t exp_size_var, big_ptr_var, big_size_var, wait_never_var, wait_always_var;
    uint64_t kbase, data_va, kdbg_va, ptt_var, size_var, cpu_array, exp_var, big_var,
        counter_vars, module_head, active_head, encoded_flag, pool_va, big_table_va,
        module_va, tracker_va[DG_MAX_CPUS], exp_va, first_module;
    uint32_t kdbg_size;
};

/* ---- physical pages ---- */

static uint8_t *page_get(dumpgen *g, uint64_t pfn, int create)
{
    size_t i;
    if (g->cap == 0 || (g->used + 1) * 2 > g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 1024, j;
        page_slot *ns = calloc(ncap, sizeof *ns);
        if (ns == NULL)
            return NULL;
        for (j = 0; j < g->cap; j++)
            if (g->slots[j].data != NULL) {
                size_t k = (size_t)(g->slots[j].pfn * 11400714819323198485ull >> 20) & (ncap - 1);
                while (ns[k].data != NULL)
                    k = (k + 1) & (ncap - 1);
                ns[k] = g->slots[j];
            }
        free(g->slots);
        g->slots = ns;
        g->cap = ncap;
    }
    i = (size_t)(pfn * 11400714819323198485ull >> 20) & (g->cap - 1);
    while (g->slots[i].data != NULL && g->slots[i].pfn != pfn)
        i = (i + 1) & (g->cap - 1);
    if (g->slots[i].data == NULL) {
        if (!create)
            return NULL;
        g->slots[i].data = calloc(1, PG);
        if (g->slots[i].data == NULL)
            return NULL;
        g->slots[i].pfn = pfn;
        g->used++;
    }
    return g->slots[i].data;
}

static int pfn_in_runs(const dumpgen *g, uint64_t pfn)
{
    unsigned i;
    for (i = 0; i < g->s.nruns; i++)
        if (pfn >= g->s.runs[i].base && pfn < g->s.runs[i].base + g->s.runs[i].count)
            return 1;
    return 0;
}

static int pfn_reserved(const dumpgen *g, uint64_t pfn)
{
    unsigned i;
    for (i = 0; i < g->nreserved; i++)
        if (pfn >= g->reserved[i][0] && pfn < g->reserved[i][1])
            return 1;
    return 0;
}

/* One page anywhere in memory (a multiplicative hash over the page count),
 * so a 16 GB dump's pages lie all over the file as on a real system. */
static int phys_alloc_scattered(dumpgen *g, uint64_t *pfn)
{
    uint64_t total = 0, k;
    unsigned i, tries;
    for (i = 0; i < g->s.nruns; i++)
        total += g->s.runs[i].count;
    for (tries = 0; tries < 1000; tries++) {
        k = (++g->scatter_n * 0x9E3779B97F4A7C15ull) % total;
        for (i = 0; i < g->s.nruns && k >= g->s.runs[i].count; i++)
            k -= g->s.runs[i].count;
        *pfn = g->s.runs[i].base + k;
        if (*pfn > 0x100 && !pfn_reserved(g, *pfn) && page_get(g, *pfn, 0) == NULL)
            return 1;
    }
    return 0;
}

/* Allocates `pages` physical pages aligned to `align` pages, inside a run. */
static int phys_alloc(dumpgen *g, uint64_t pages, uint64_t align, uint64_t *pfn)
{
    unsigned i;
    if (g->s.scatter && pages == 1 && align == 1)
        return phys_alloc_scattered(g, pfn);
    for (i = 0; i < g->s.nruns; i++) {
        uint64_t b = g->s.runs[i].base, e = b + g->s.runs[i].count;
        uint64_t start = g->next_pfn > b ? g->next_pfn : b;
        start = (start + align - 1) / align * align;
        if (start + pages <= e) {
            *pfn = start;
            if (pages > 1 && g->nreserved < 16) {
                g->reserved[g->nreserved][0] = start;
                g->reserved[g->nreserved][1] = start + pages;
                g->nreserved++;
            }
            if (start + pages > g->next_pfn)
                g->next_pfn = start + pages;
            return 1;
        }
    }
    fprintf(stderr, "dumpgen: out of physical memory (%llu pages, align %llu)\n",
            (unsigned long long)pages, (unsigned long long)align);
    return 0;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}
static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}
static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int dumpgen_poke_phys(dumpgen *g, uint64_t pa, const void *data, size_t len)
{
    const uint8_t *in = data;
    while (len > 0) {
        uint8_t *page;
        size_t n = PG - (size_t)(pa % PG);
        if (n > len)
            n = len;
        if (!pfn_in_runs(g, pa / PG)) {
            fprintf(stderr, "dumpgen: physical 0x%llx outside memory\n", (unsigned long long)pa);
            return -1;
        }
        page = page_get(g, pa / PG, 1);
        if (page == NULL)
            return -1;
        memcpy(page + pa % PG, in, n);
        in += n;
        pa += n;
        len -= n;
    }
    return 0;
}

static uint64_t read_phys64(dumpgen *g, uint64_t pa)
{
    uint8_t *page = page_get(g, pa / PG, 0);
    return page ? get64(page + pa % PG) : 0;
}

static uint32_t read_phys32(dumpgen *g, uint64_t pa)
{
    uint8_t *page = page_get(g, pa / PG, 0);
    return page ? get32(page + pa % PG) : 0;
}

/* ---- page tables ---- */

#define FRAME64 0x000FFFFFFFFFF000ull
#define P_RW 0x3ull /* present | writable */
#define P_LARGE 0x80ull

static int new_table(dumpgen *g, uint64_t *pa)
{
    uint64_t pfn;
    if (!phys_alloc(g, 1, 1, &pfn) || page_get(g, pfn, 1) == NULL)
        return 0;
    *pa = pfn * PG;
    return 1;
}

/* Entry address per level for va; levels: x64 4, PAE 3, x86 2. */
static int levels(const dumpgen *g) { return g->s.arch == DG_X64 ? 4 : g->s.arch == DG_X86_PAE ? 3 : 2; }

static uint64_t index_of(const dumpgen *g, uint64_t va, int level)
{
    if (g->s.arch == DG_X64)
        return (va >> (39 - 9 * level)) & 0x1FF;
    if (g->s.arch == DG_X86_PAE)
        return level == 0 ? (va >> 30) & 3 : level == 1 ? (va >> 21) & 0x1FF : (va >> 12) & 0x1FF;
    return level == 0 ? (va >> 22) & 0x3FF : (va >> 12) & 0x3FF;
}

static unsigned entry_size(const dumpgen *g) { return g->s.arch == DG_X86 ? 4 : 8; }

static uint64_t read_entry(dumpgen *g, uint64_t pa)
{
    return entry_size(g) == 8 ? read_phys64(g, pa) : read_phys32(g, pa);
}

static int write_entry(dumpgen *g, uint64_t pa, uint64_t e)
{
    uint8_t b[8];
    put64(b, e);
    return dumpgen_poke_phys(g, pa, b, entry_size(g));
}

/* Walks to the entry of `level` for va, creating tables on the way. */
static int entry_for(dumpgen *g, uint64_t va, int level, int create, uint64_t *entry_pa)
{
    uint64_t table = g->top_table_pa;
    int l;
    for (l = 0; l < level; l++) {
        uint64_t epa = table + index_of(g, va, l) * entry_size(g);
        uint64_t e = read_entry(g, epa);
        if ((e & 1) == 0) {
            uint64_t t;
            if (!create || !new_table(g, &t))
                return 0;
            /* PAE PDPTEs hold only the present bit. */
            e = t | (g->s.arch == DG_X86_PAE && l == 0 ? 1 : P_RW);
            if (write_entry(g, epa, e) != 0)
                return 0;
        } else if (e & P_LARGE && l > 0) {
            return 0;
        }
        table = e & (g->s.arch == DG_X86 ? 0xFFFFF000ull : FRAME64);
    }
    *entry_pa = table + index_of(g, va, level) * entry_size(g);
    return 1;
}

int dumpgen_entry_pa(dumpgen *g, uint64_t va, int level, uint64_t *pa)
{
    return entry_for(g, va, level, 0, pa) ? 0 : -1;
}

static int map_page(dumpgen *g, uint64_t va)
{
    uint64_t epa, pfn;
    if (!entry_for(g, va, levels(g) - 1, 1, &epa))
        return 0;
    if (read_entry(g, epa) & 1)
        return 1;
    if (!phys_alloc(g, 1, 1, &pfn))
        return 0;
    return write_entry(g, epa, pfn * PG | P_RW) == 0;
}

/* A large page: x64 level 1 (1 GiB) or 2 (2 MiB); PAE level 1 (2 MiB);
 * x86 level 0 (4 MiB). */
static int map_large(dumpgen *g, uint64_t va, int level, uint64_t need)
{
    uint64_t epa, pfn, pages;
    if (g->s.arch == DG_X64)
        pages = level == 1 ? 262144 : 512;
    else
        pages = g->s.arch == DG_X86_PAE ? 512 : 1024;
    /* Aligned like the large page; only the pages written must exist. */
    if (!phys_alloc(g, need < pages ? need : pages, pages, &pfn) ||
        !entry_for(g, va, level, 1, &epa))
        return 0;
    return write_entry(g, epa, pfn * PG | P_RW | P_LARGE) == 0;
}

static int translate(dumpgen *g, uint64_t va, uint64_t *pa)
{
    uint64_t table = g->top_table_pa;
    int l, n = levels(g);
    for (l = 0; l < n; l++) {
        uint64_t e = read_entry(g, table + index_of(g, va, l) * entry_size(g));
        if ((e & 1) == 0)
            return 0;
        if (l > 0 && l < n - 1 && (e & P_LARGE)) {
            uint64_t span = g->s.arch == DG_X64 ? (l == 1 ? 1ull << 30 : 1ull << 21) : 1ull << 21;
            *pa = (e & FRAME64 & ~(span - 1)) | (va & (span - 1));
            return 1;
        }
        if (l == 0 && g->s.arch == DG_X86 && (e & P_LARGE)) {
            *pa = (e & 0xFFC00000ull) | (va & 0x3FFFFF);
            return 1;
        }
        table = e & (g->s.arch == DG_X86 ? 0xFFFFF000ull : FRAME64);
    }
    *pa = table | (va & 0xFFF);
    return 1;
}

int dumpgen_poke(dumpgen *g, uint64_t va, const void *data, size_t len)
{
    const uint8_t *in = data;
    while (len > 0) {
        uint64_t pa;
        size_t n = PG - (size_t)(va % PG);
        if (n > len)
            n = len;
        if (!translate(g, va, &pa)) {
            if (!map_page(g, va) || !translate(g, va, &pa))
                return -1;
        }
        if (dumpgen_poke_phys(g, pa, in, n) != 0)
            return -1;
        in += n;
        va += n;
        len -= n;
    }
    return 0;
}

static int poke_ptr(dumpgen *g, uint64_t va, uint64_t v)
{
    uint8_t b[8];
    put64(b, v);
    return dumpgen_poke(g, va, b, g->ps);
}


/* ---- content ---- */

static uint64_t lcg(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 17;
}

static const char *const default_tags[] = {"Leak", "Proc", "Thre", "MmSt", "File", "Ntfx",
                                           "Irp ", "CM31", "ObNm", "Even", "Toke", "Vad "};

void dumpgen_default_spec(dumpgen_spec *s, dg_arch arch, uint32_t build, dg_kind kind)
{
    static const char *const mods[] = {"ntoskrnl.exe", "hal.dll", "CLFS.SYS", "leakdrv.sys",
                                       "rdpbus.sys"};
    unsigned i;
    memset(s, 0, sizeof *s);
    s->arch = arch;
    s->kind = kind;
    s->build = build;
    s->processors = 4;
    s->runs[0].base = 0x10;
    s->runs[0].count = 0x7F0;
    s->runs[1].base = 0x40000; /* 1 GiB: room for the 1 GiB page's alignment */
    s->runs[1].count = 0x800;
    s->nruns = 2;
    s->large_pages = 1;
    s->tracker_entries = 4097;
    s->size_variable = 1;
    s->cpu_tables = 1;
    s->expansion = 1;
    s->expansion_entries = 16;
    s->bigpage_entries = 256;
    s->wait_never = 0x1D2C3B4A59687701ull | 0x2Aull; /* rotation 0x2B & 63 */
    s->wait_always = 0x8877665544332211ull;
    s->bugcheck = 0x19;
    s->bugcheck_param[0] = 0x20;
    s->bugcheck_param[1] = arch == DG_X64 ? 0xFFFFA28012345000ull : 0x84123000ull;
    s->bugcheck_param[2] = 0x1000;
    s->bugcheck_param[3] = 0x4B61654C;
    s->system_time = 132583451029877657ull;
    s->uptime = 36000000000ull;
    for (i = 0; i < DG_CTR_COUNT; i++)
        s->counters[i] = 100000 + 1111 * i;
    s->counters[DG_CTR_NP_MAX_BYTES] = 0x20000000;
    s->counters[DG_CTR_PAGED_MAX_BYTES] = 0x30000000;
    s->ntags = sizeof default_tags / sizeof default_tags[0];
    for (i = 0; i < s->ntags; i++) {
        dg_tag *t = &s->tags[i];
        const char *k = default_tags[i];
        t->key = (uint32_t)(uint8_t)k[0] | (uint32_t)(uint8_t)k[1] << 8 |
                 (uint32_t)(uint8_t)k[2] << 16 | (uint32_t)(uint8_t)k[3] << 24;
        t->np_allocs = 1000 + 37 * i;
        t->np_frees = t->np_allocs - (10 + i);
        t->np_bytes = (10 + i) * 0x40;
        if (i % 3 != 2) {
            t->p_allocs = 500 + 11 * i;
            t->p_frees = 500 + 11 * i - 3 * i;
            t->p_bytes = 3 * i * 0x100;
        }
        t->in_expansion = i == 5 || i == 9;
    }
    /* The leak: big numbers, so 32-bit counters wrap in the per-CPU shares. */
    s->tags[0].np_allocs = 3000000000u;
    s->tags[0].np_frees = 2999000000u;
    s->tags[0].np_bytes = 1000000u * 0x60;
    s->nbig = 10;
    for (i = 0; i < s->nbig; i++) {
        dg_big *b = &s->big[i];
        b->va = (arch == DG_X64 ? 0xFFFFA30000000000ull : 0x90000000ull) + 0x10000ull * i;
        b->key = s->tags[i % s->ntags].key;
        b->size = 0x1000ull * (i + 1) + (build >= 6000 ? 0x10u * i : 0);
        b->pool_type = i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 33;
        if (build < 6000)
            b->pool_type = 0; /* XP entries hold no pool type */
        b->freed = i % 4 == 3;
    }
    s->nmodules = 5;
    for (i = 0; i < s->nmodules; i++) {
        dg_module *m = &s->modules[i];
        snprintf(m->name, sizeof m->name, "\\SystemRoot\\system32\\%s%s", i >= 2 ? "drivers\\" : "",
                 mods[i]);
        m->size = 0x10000u * (i + 1) + (i == 0 ? 0x200000u : 0);
        m->timestamp = 0x5A000000u + 0x1234u * i;
        m->checksum = 0xA5938Cu + i;
    }
}

void dumpgen_set_memory(dumpgen_spec *s, uint64_t total_bytes)
{
    s->nruns = 1;
    s->runs[0].base = 0;
    s->runs[0].count = total_bytes / PG;
}

static const gen_layout *layout_for(const dumpgen_spec *s)
{
    const gen_layout *best = NULL;
    size_t i;
    for (i = 0; i < sizeof gen_layouts / sizeof gen_layouts[0]; i++) {
        const gen_layout *L = &gen_layouts[i];
        if (s->tracker_layout != NULL) {
            if (strcmp(L->name, s->tracker_layout) == 0)
                return L;
            continue;
        }
        if (L->x64 == (s->arch == DG_X64) && s->build >= L->min_build &&
            (best == NULL || L->min_build >= best->min_build))
            best = L;
    }
    return best;
}

static uint32_t kdbg_size_for(uint32_t build)
{
    if (build >= 17763) return 0x380;
    if (build >= 14393) return 0x368;
    if (build >= 9200) return 0x360;
    if (build >= 7600) return 0x340;
    if (build >= 6001) return 0x330;
    if (build >= 3790) return 0x318;
    return 0x290;
}

int dumpgen_counter_exposed(const dumpgen *g, int counter)
{
    if (g->s.build < 10240)
        return 1;
    return counter == DG_CTR_PAGED_COMMIT || counter == DG_CTR_PAGED_MAX_BYTES;
}

static uint64_t mask_of(unsigned width) { return width == 8 ? ~0ull : 0xFFFFFFFFull; }

static void put_field(uint8_t *e, unsigned off, unsigned width, uint64_t v)
{
    if (width == 8)
        put64(e + off, v);
    else
        put32(e + off, (uint32_t)v);
}

static uint64_t tag_target(const dg_tag *t, int f)
{
    switch (f) {
    case 0: return t->np_allocs;
    case 1: return t->np_frees;
    case 2: return t->np_bytes;
    case 3: return t->p_allocs;
    case 4: return t->p_frees;
    default: return t->p_bytes;
    }
}

/* Writes the tracker tables: each tag's sums split over the processors'
 * tables (and the expansion table), with shares that make single tables
 * show more frees than allocations. */
static int build_trackers(dumpgen *g)
{
    const gen_layout *L = g->layout;
    unsigned ncpu = g->s.cpu_tables ? g->s.processors : 1, c, j;
    uint64_t seed = 12345, table_bytes = (uint64_t)g->s.tracker_entries * L->stride;
    uint64_t spacing = (table_bytes + 2 * PG + 0x1FFFFF) & ~0x1FFFFFull;
    uint8_t e[0x50];
    uint32_t exp_used = 0;

    for (c = 0; c < ncpu; c++) {
        uint64_t zero_page[PG / 8] = {0};
        uint64_t off;
        g->tracker_va[c] = g->pool_va + c * spacing;
        /* map the whole table (zeros), so unused slots read as empty */
        for (off = 0; off < table_bytes; off += PG)
            if (dumpgen_poke(g, g->tracker_va[c] + off, zero_page,
                             table_bytes - off < PG ? (size_t)(table_bytes - off) : PG) != 0)
                return -1;
    }
    g->exp_va = g->pool_va + ncpu * spacing;
    for (j = 0; j < g->s.ntags; j++) {
        const dg_tag *t = &g->s.tags[j];
        uint64_t share[DG_MAX_CPUS + 1][6];
        uint32_t slot = (j * 37u + 5u) & (g->s.tracker_entries - 2);
        int f;
        for (f = 0; f < 6; f++) {
            uint64_t rest = tag_target(t, f);
            for (c = 1; c < ncpu; c++) {
                /* frees get bigger shares than allocations on purpose */
                uint64_t v = lcg(&seed) % (f % 3 == 1 ? 5000 : 3000);
                share[c][f] = v;
                rest -= v;
            }
            share[0][f] = rest & mask_of(L->width[f]);
        }
        for (c = 0; c < ncpu; c++) {
            uint64_t va;
            memset(e, 0, sizeof e);
            put32(e, t->key);
            for (f = 0; f < 6; f++)
                put_field(e, L->off[f], L->width[f], share[c][f] & mask_of(L->width[f]));
            if (c == 0 && t->in_expansion && g->s.expansion) {
                if (exp_used >= g->s.expansion_entries)
                    return -1;
                va = g->exp_va + (uint64_t)exp_used++ * L->stride;
            } else {
                va = g->tracker_va[c] + (uint64_t)slot * L->stride;
            }
            if (dumpgen_poke(g, va, e, L->stride) != 0)
                return -1;
        }
    }
    if (g->s.expansion) {
        /* unused expansion entries are zero */
        uint8_t z[0x50] = {0};
        uint32_t k;
        for (k = exp_used; k < g->s.expansion_entries; k++)
            if (dumpgen_poke(g, g->exp_va + (uint64_t)k * L->stride, z, L->stride) != 0)
                return -1;
        if (poke_ptr(g, g->exp_var, g->exp_va) != 0 ||
            poke_ptr(g, g->exp_size_var, g->s.expansion_entries) != 0)
            return -1;
    }
    if (poke_ptr(g, g->ptt_var, g->tracker_va[0]) != 0 ||
        poke_ptr(g, g->size_var, g->s.size_variable ? g->s.tracker_entries : 0) != 0)
        return -1;
    if (g->s.cpu_tables)
        for (c = 0; c < ncpu; c++)
            if (poke_ptr(g, g->cpu_array + c * g->ps, g->tracker_va[c]) != 0)
                return -1;
    return 0;
}

static int build_bigpages(dumpgen *g)
{
    uint32_t n = g->s.bigpage_entries, i, stride;
    int x64 = g->s.arch == DG_X64;
    uint8_t e[0x20];
    uint64_t bytes;
    if (n == 0)
        return 0;
    stride = x64 ? (g->s.build >= 20348 ? 0x20 : 0x18) : 0x10;
    bytes = (uint64_t)n * stride;
    if (x64 && g->s.large_pages && !map_large(g, g->big_table_va, 1, bytes / PG + 1))
        return -1;
    memset(e, 0, sizeof e);
    for (i = 0; i < n; i++) /* all slots empty first */
        if (dumpgen_poke(g, g->big_table_va + (uint64_t)i * stride, e, stride) != 0)
            return -1;
    for (i = 0; i < g->s.nbig; i++) {
        const dg_big *b = &g->s.big[i];
        uint32_t slot = (i * 5u + 1u) & (n - 1);
        unsigned ps = g->ps;
        memset(e, 0, sizeof e);
        if (ps == 8)
            put64(e, b->va | (b->freed ? 1 : 0));
        else
            put32(e, (uint32_t)b->va | (b->freed ? 1 : 0));
        put32(e + ps, b->key);
        if (g->s.build < 6000) {
            put32(e + ps + 4, (uint32_t)(b->size / PG)); /* NumberOfPages */
        } else if (g->s.build < 10240) {
            put32(e + ps + 4, b->pool_type);
            put_field(e, ps == 8 ? 0x10 : 0x0C, ps, b->size);
        } else {
            put32(e + ps + 4, 0x5Au | (b->pool_type & 0xFFF) << 8 | 0x3u << 20);
            put_field(e, ps == 8 ? 0x10 : 0x0C, ps, b->size);
        }
        if (stride == 0x20)
            put64(e + 0x18, 0xFFFFC00012340000ull); /* ProcessBilled */
        if (dumpgen_poke(g, g->big_table_va + (uint64_t)slot * stride, e, stride) != 0)
            return -1;
    }
    /* PoolBigPageTableSize before PoolBigPageTable (as in Windows 7 x64) */
    if (poke_ptr(g, g->big_size_var, n) != 0 || poke_ptr(g, g->big_ptr_var, g->big_table_va) != 0)
        return -1;
    return 0;
}

/* A PE header: MZ, e_lfanew 0x80, FileHeader.TimeDateStamp, and for the
 * kernel the .text and .data section headers. */
static int build_pe(dumpgen *g, uint64_t base, uint32_t timestamp, int kernel)
{
    uint8_t h[0x200];
    unsigned opt = g->ps == 8 ? 0xF0 : 0xE0, sh = 0x80 + 0x18 + opt;
    memset(h, 0, sizeof h);
    h[0] = 'M';
    h[1] = 'Z';
    put32(h + 0x3C, 0x80);
    memcpy(h + 0x80, "PE\0\0", 4);
    put16(h + 0x84, g->ps == 8 ? 0x8664 : 0x14C);
    put16(h + 0x86, kernel ? 2 : 0);
    put32(h + 0x88, timestamp);
    put16(h + 0x94, (uint16_t)opt);
    if (kernel) {
        memcpy(h + sh, ".text\0\0\0", 8);
        put32(h + sh + 8, 0x80000);
        put32(h + sh + 12, 0x1000);
        put32(h + sh + 0x24, 0x60000020u); /* code, execute, read */
        memcpy(h + sh + 40, ".data\0\0\0", 8);
        put32(h + sh + 48, 0x2000);
        put32(h + sh + 52, (uint32_t)(g->data_va - base));
        put32(h + sh + 40 + 0x24, 0xC0000040u); /* initialized data, read, write */
    }
    return dumpgen_poke(g, base, h, sizeof h);
}

static int build_modules(dumpgen *g)
{
    unsigned i, n = g->s.nmodules, ps = g->ps;
    int x64 = ps == 8;
    uint32_t entry = x64 ? 0xA0 : 0x5C;
    uint64_t head = g->module_head;
    for (i = 0; i < n; i++) {
        dg_module *m = &g->s.modules[i];
        uint64_t va = g->module_va + i * 0x100ull, name_va = g->module_va + 0x1000 + i * 0x100ull;
        uint64_t next = i + 1 < n ? va + 0x100 : head, prev = i > 0 ? va - 0x100 : head;
        uint8_t e[0xA0], name[0x100];
        size_t len = strlen(m->name), k;
        if (i == 0)
            m->base = g->kbase;
        else if (m->base == 0)
            m->base = (x64 ? 0xFFFFF80013000000ull : 0x8A000000ull) + 0x100000ull * i;
        memset(e, 0, sizeof e);
        put_field(e, 0, ps, next);
        put_field(e, ps, ps, prev);
        put_field(e, x64 ? 0x30 : 0x18, ps, m->base);
        put32(e + (x64 ? 0x40 : 0x20), m->size);
        put16(e + (x64 ? 0x48 : 0x24), (uint16_t)(2 * len));
        put16(e + (x64 ? 0x4A : 0x26), (uint16_t)(2 * len + 2));
        put_field(e, x64 ? 0x50 : 0x28, ps, name_va);
        put32(e + (x64 ? 0x78 : 0x40), m->checksum);
        /* Windows 10+: TimeDateStamp in the entry; before, the slot is a
         * union (LoadedImports), so put a pointer there. */
        put32(e + (x64 ? 0x9C : 0x58), g->s.build >= 10240 ? m->timestamp : 0x8F001234u);
        memset(name, 0, sizeof name);
        for (k = 0; k < len && 2 * k + 1 < sizeof name; k++)
            name[2 * k] = (uint8_t)m->name[k];
        if (dumpgen_poke(g, va, e, entry) != 0 || dumpgen_poke(g, name_va, name, sizeof name) != 0)
            return -1;
        if (i > 0 && build_pe(g, m->base, m->timestamp, 0) != 0)
            return -1;
    }
    g->first_module = n > 0 ? g->module_va : head;
    if (poke_ptr(g, head, n > 0 ? g->module_va : head) != 0 ||
        poke_ptr(g, head + ps, n > 0 ? g->module_va + (n - 1) * 0x100ull : head) != 0 ||
        poke_ptr(g, g->active_head, g->active_head) != 0 ||
        poke_ptr(g, g->active_head + ps, g->active_head) != 0)
        return -1;
    return 0;
}

static uint64_t ror(uint64_t v, unsigned r) { r &= 63; return r ? v >> r | v << (64 - r) : v; }
static uint64_t bswap(uint64_t v)
{
    uint64_t r = 0;
    int i;
    for (i = 0; i < 8; i++, v >>= 8)
        r = r << 8 | (v & 0xFF);
    return r;
}

/* KdCopyDataBlock's encoding (brief §3.3), inverted from the decoding. */
static uint64_t encode(const dumpgen *g, uint64_t plain)
{
    uint64_t q = bswap(plain ^ g->s.wait_always);
    q ^= g->encoded_flag | 0xFFFF000000000000ull;
    return ror(q, (unsigned)(g->s.wait_never & 0xFF)) ^ g->s.wait_never;
}

static int build_kdbg(dumpgen *g)
{
    uint8_t k[0x380];
    unsigned i;
    int x86 = g->s.arch != DG_X64;
    /* x86 pointers are stored sign-extended in the 64-bit fields */
#define KPTR(v) (x86 ? (uint64_t)(int64_t)(int32_t)(uint32_t)(v) : (v))
    memset(k, 0, sizeof k);
    g->kdbg_size = kdbg_size_for(g->s.build);
    put32(k + 0x10, 0x4742444B);
    put32(k + 0x14, g->kdbg_size);
    put64(k + 0x18, KPTR(g->kbase));
    put64(k + 0x48, KPTR(g->module_head));
    put64(k + 0x50, KPTR(g->active_head));
    put64(k + 0x1B8, KPTR(g->ptt_var));
    for (i = 0; i < DG_CTR_COUNT; i++) {
        uint64_t var = g->counter_vars + i * g->ps;
        if (!dumpgen_counter_exposed(g, (int)i))
            continue;
        if (counter_kdbg_off[i] + 8 <= g->kdbg_size)
            put64(k + counter_kdbg_off[i], KPTR(var));
        if (poke_ptr(g, var, g->s.counters[i]) != 0)
            return -1;
    }
#undef KPTR
    if (poke_ptr(g, g->wait_never_var, g->s.wait_never) != 0 ||
        poke_ptr(g, g->wait_always_var, g->s.wait_always) != 0)
        return -1;
    if (g->s.kdbg_encoded && !x86) {
        for (i = 0; i + 8 <= g->kdbg_size; i += 8)
            put64(k + i, encode(g, get64(k + i)));
        if (dumpgen_poke(g, g->encoded_flag, "\1", 1) != 0)
            return -1;
    }
    return dumpgen_poke(g, g->kdbg_va, k, g->kdbg_size);
}

static void plan_addresses(dumpgen *g)
{
    if (g->s.arch == DG_X64) {
        g->kbase = 0xFFFFF80012000000ull;
        g->pool_va = 0xFFFFA28000000000ull;
        g->big_table_va = 0xFFFFB00000000000ull;
        g->module_va = 0xFFFFA2F000000000ull;
    } else {
        g->kbase = 0x80400000ull;
        g->pool_va = 0x84000000ull;
        g->big_table_va = 0x8C000000ull;
        g->module_va = 0x8D000000ull;
    }
    g->data_va = g->kbase + 0x100000;
    g->size_var = g->data_va;
    g->ptt_var = g->data_va + g->ps;
    g->cpu_array = g->data_va + 0x40;
    g->exp_var = g->data_va + 0x800;
    g->big_var = g->data_va + 0x840;
    g->counter_vars = g->data_va + 0x900;
    g->kdbg_va = g->data_va + 0x1000;
    g->module_head = g->data_va + 0x1400;
    g->active_head = g->data_va + 0x1500;
    g->encoded_flag = g->data_va + 0x1600;
    g->exp_size_var = g->exp_var + g->ps;
    g->big_size_var = g->big_var;
    g->big_ptr_var = g->big_var + g->ps;
    g->wait_never_var = g->data_va + 0x1700;
    g->wait_always_var = g->data_va + 0x1708;
    if (g->s.kernel_image != NULL) {
        const uint32_t *r = g->s.rva;
        g->ptt_var = g->kbase + r[DG_RVA_POOLTRACKTABLE];
        g->size_var = g->kbase + r[DG_RVA_POOLTRACKTABLESIZE];
        g->cpu_array = g->kbase + r[DG_RVA_EXPOOLTAGTABLES];
        g->exp_var = g->kbase + r[DG_RVA_EXPANSION];
        g->exp_size_var = g->kbase + r[DG_RVA_EXPANSIONSIZE];
        g->big_ptr_var = g->kbase + r[DG_RVA_BIGPAGETABLE];
        g->big_size_var = g->kbase + r[DG_RVA_BIGPAGETABLESIZE];
        g->wait_never_var = g->kbase + r[DG_RVA_KIWAITNEVER];
        g->wait_always_var = g->kbase + r[DG_RVA_KIWAITALWAYS];
        g->encoded_flag = g->kbase + r[DG_RVA_KDPDATABLOCKENCODED];
    }
}

/* Maps a PE file as the loader would: headers, then each section at its
 * RVA (raw data, zeros up to the virtual size). */
static int map_image(dumpgen *g)
{
    const uint8_t *f = g->s.kernel_image;
    size_t n = g->s.kernel_image_size;
    uint32_t lfanew, nsec, opt, hdrs, i;
    if (n < 0x40 || (lfanew = get32(f + 0x3C)) > n - 0x18)
        return -1;
    nsec = f[lfanew + 6] | f[lfanew + 7] << 8;
    opt = f[lfanew + 0x14] | f[lfanew + 0x15] << 8;
    hdrs = get32(f + lfanew + 0x18 + 0x3C);
    if (hdrs > n || lfanew + 0x18 + opt + 40ull * nsec > n)
        return -1;
    if (dumpgen_poke(g, g->kbase, f, hdrs) != 0)
        return -1;
    for (i = 0; i < nsec; i++) {
        const uint8_t *sh = f + lfanew + 0x18 + opt + 40 * i;
        uint32_t vsize = get32(sh + 8), va = get32(sh + 12), raw = get32(sh + 16);
        uint32_t rawptr = get32(sh + 20), k;
        uint8_t zero[PG];
        if (raw > vsize)
            raw = vsize;
        if ((uint64_t)rawptr + raw > n)
            return -1;
        if (raw > 0 && dumpgen_poke(g, g->kbase + va, f + rawptr, raw) != 0)
            return -1;
        memset(zero, 0, sizeof zero);
        for (k = raw; k < vsize; k += PG)
            if (dumpgen_poke(g, g->kbase + va + k, zero, vsize - k < PG ? vsize - k : PG) != 0)
                return -1;
    }
    return 0;
}

static int build_paging(dumpgen *g)
{
    uint64_t top;
    if (!new_table(g, &top))
        return 0;
    g->top_table_pa = top;
    if (g->s.arch == DG_X64) {
        g->dtb = top | 0x2; /* PCID bits the reader must mask */
    } else if (g->s.arch == DG_X86_PAE) {
        g->top_table_pa = top + 0x20; /* PDPTs are 32-byte aligned */
        g->dtb = g->top_table_pa;
    } else {
        g->dtb = top;
    }
    /* The kernel image in one large page (2 or 4 MiB), or in small pages. */
    if (g->s.large_pages) {
        int level = g->s.arch == DG_X64 ? 2 : g->s.arch == DG_X86_PAE ? 1 : 0;
        uint64_t span = g->s.arch == DG_X86 ? 1024 : 512;
        if (!map_large(g, g->kbase, level, span))
            return 0;
    }
    return 1;
}

dumpgen *dumpgen_create(const dumpgen_spec *spec)
{
    dumpgen *g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    g->s = *spec;
    g->ps = spec->arch == DG_X64 ? 8 : 4;
    g->layout = layout_for(spec);
    if (g->layout == NULL || spec->processors == 0 || spec->processors > DG_MAX_CPUS ||
        spec->tracker_entries < 3 || ((spec->tracker_entries - 1) & (spec->tracker_entries - 2)) ||
        (spec->bigpage_entries & (spec->bigpage_entries - 1)) || spec->nruns == 0) {
        fprintf(stderr, "dumpgen: bad spec\n");
        free(g);
        return NULL;
    }
    g->next_pfn = spec->runs[0].base;
    plan_addresses(g);
    if (!build_paging(g) ||
        (spec->kernel_image != NULL ? map_image(g)
                                    : build_pe(g, g->kbase, spec->modules[0].timestamp, 1)) != 0 ||
        build_trackers(g) != 0 || build_bigpages(g) != 0 || build_modules(g) != 0 ||
        build_kdbg(g) != 0) {
        fprintf(stderr, "dumpgen: layout failed\n");
        dumpgen_free(g);
        return NULL;
    }
    return g;
}

void dumpgen_free(dumpgen *g)
{
    size_t i;
    if (g == NULL)
        return;
    for (i = 0; i < g->cap; i++)
        free(g->slots[i].data);
    free(g->slots);
    free(g);
}

uint64_t dumpgen_addr(const dumpgen *g, dg_addr which)
{
    switch (which) {
    case DG_ADDR_KDBG: return g->kdbg_va;
    case DG_ADDR_POOLTRACKTABLE_VAR: return g->ptt_var;
    case DG_ADDR_TRACKER0: return g->tracker_va[0];
    case DG_ADDR_MODULE_HEAD: return g->module_head;
    case DG_ADDR_FIRST_MODULE: return g->first_module;
    case DG_ADDR_BIGPAGE_TABLE: return g->big_table_va;
    case DG_ADDR_DTB: return g->dtb;
    case DG_ADDR_KERNEL_BASE: return g->kbase;
    case DG_ADDR_DATA_SECTION: return g->data_va;
    }
    return 0;
}

uint32_t dumpgen_header_size(const dumpgen *g) { return g->s.arch == DG_X64 ? 0x2000 : 0x1000; }
uint64_t dumpgen_pointer_size(const dumpgen *g) { return g->ps; }
const char *dumpgen_layout_name(const dumpgen *g) { return g->layout->name; }
unsigned dumpgen_field_width(const dumpgen *g, int field) { return g->layout->width[field]; }

/* ---- the file ---- */

static int dumpgen_read_virt_for_triage(dumpgen *g, uint64_t va, uint8_t *out, size_t len)
{
    while (len > 0) {
        uint64_t pa;
        uint8_t *page;
        size_t n = PG - (size_t)(va % PG);
        if (n > len)
            n = len;
        if (!translate(g, va, &pa))
            return -1;
        page = page_get(g, pa / PG, 0);
        if (page != NULL)
            memcpy(out, page + pa % PG, n);
        else
            memset(out, 0, n);
        out += n;
        va += n;
        len -= n;
    }
    return 0;
}

/* The kernel decodes the block before writing a triage dump (§3.3). */
static uint64_t decode_for_triage(const dumpgen *g, uint64_t q)
{
    q ^= g->s.wait_never;
    q = ror(q, 64 - (unsigned)(g->s.wait_never & 63));
    q ^= g->encoded_flag | 0xFFFF000000000000ull;
    q = bswap(q);
    return q ^ g->s.wait_always;
}

static int write_all(int fd, const void *buf, size_t len, uint64_t off)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

static void fill_header(const dumpgen *g, uint8_t *h, uint32_t size)
{
    uint32_t i;
    int x64 = g->s.arch == DG_X64;
    uint32_t type = g->s.kind == DG_FULL          ? 1
                    : g->s.kind == DG_BITMAP      ? 5
                    : g->s.kind == DG_RDMP_FULL   ? 0xA
                                                  : 8;
    for (i = 0; i < size; i += 4)
        memcpy(h + i, "PAGE", 4);
    memcpy(h + 4, x64 ? "DU64" : "DUMP", 4);
    put32(h + 8, 0xF);
    put32(h + 12, g->s.build);
    if (x64) {
        put64(h + 0x10, g->dtb);
        put64(h + 0x18, 0);
        put64(h + 0x20, g->module_head);
        put64(h + 0x28, g->s.hide_active_head ? 0 : g->active_head);
        put32(h + 0x30, 0x8664);
        put32(h + 0x34, g->s.processors);
        put32(h + 0x38, g->s.bugcheck);
        for (i = 0; i < 4; i++)
            put64(h + 0x40 + 8 * i, g->s.bugcheck_param[i]);
        put64(h + 0x80, g->kdbg_va);
        put32(h + 0xF98, type);
        put64(h + 0xFA8, g->s.system_time);
        put64(h + 0x1030, g->s.uptime);
    } else {
        put32(h + 0x10, (uint32_t)g->dtb);
        put32(h + 0x14, 0);
        put32(h + 0x18, (uint32_t)g->module_head);
        put32(h + 0x1C, (uint32_t)g->active_head);
        put32(h + 0x20, 0x14C);
        put32(h + 0x24, g->s.processors);
        put32(h + 0x28, g->s.bugcheck);
        for (i = 0; i < 4; i++)
            put32(h + 0x2C + 4 * i, (uint32_t)g->s.bugcheck_param[i]);
        h[0x5C] = g->s.arch == DG_X86_PAE;
        put32(h + 0x60, (uint32_t)g->kdbg_va);
        put32(h + 0xF88, type);
        put64(h + 0xFB8, g->s.uptime);
        put64(h + 0xFC0, g->s.system_time);
    }
    if (g->s.kind == DG_FULL) {
        uint64_t total = 0;
        uint32_t pmb = x64 ? 0x88 : 0x64, runs = x64 ? pmb + 0x10 : pmb + 8;
        put32(h + pmb, g->s.nruns);
        for (i = 0; i < g->s.nruns; i++) {
            total += g->s.runs[i].count;
            if (x64) {
                put64(h + runs + 16 * i, g->s.runs[i].base);
                put64(h + runs + 16 * i + 8, g->s.runs[i].count);
            } else {
                put32(h + runs + 8 * i, (uint32_t)g->s.runs[i].base);
                put32(h + runs + 8 * i + 4, (uint32_t)g->s.runs[i].count);
            }
        }
        if (x64) {
            put32(h + pmb + 4, 0);
            put64(h + pmb + 8, total);
        } else {
            put32(h + pmb + 4, (uint32_t)total);
        }
    }
}

/* The file offset of a page: runs in order (full) or bitmap rank. */
static uint64_t page_offset(const dumpgen *g, uint64_t pfn, uint64_t first)
{
    uint64_t k = 0;
    unsigned i;
    for (i = 0; i < g->s.nruns; i++) {
        if (pfn >= g->s.runs[i].base && pfn < g->s.runs[i].base + g->s.runs[i].count)
            return first + (k + pfn - g->s.runs[i].base) * PG;
        k += g->s.runs[i].count;
    }
    return 0;
}

int dumpgen_write(dumpgen *g, const char *path)
{
    uint32_t hsize = dumpgen_header_size(g);
    uint8_t *h = calloc(1, hsize);
    uint8_t *bitmap = NULL;
    uint64_t first = hsize, total = 0, bits = 0, bytes = 0;
    int fd = -1, rc = -1;
    unsigned i;
    size_t s;

    if (h == NULL)
        goto out;
    for (i = 0; i < g->s.nruns; i++) {
        total += g->s.runs[i].count;
        if (g->s.runs[i].base + g->s.runs[i].count > bits)
            bits = g->s.runs[i].base + g->s.runs[i].count;
        if (i > 0 && g->s.runs[i].base < g->s.runs[i - 1].base + g->s.runs[i - 1].count)
            goto out; /* runs must ascend for the bitmap order */
    }
    fill_header(g, h, hsize);
    if (g->s.kind == DG_BITMAP) {
        uint8_t bh[0x38];
        uint64_t p;
        bytes = (bits + 7) / 8;
        bitmap = calloc(1, bytes ? bytes : 1);
        if (bitmap == NULL)
            goto out;
        for (i = 0; i < g->s.nruns; i++)
            for (p = g->s.runs[i].base; p < g->s.runs[i].base + g->s.runs[i].count; p++)
                bitmap[p / 8] |= (uint8_t)(1u << (p % 8));
        first = hsize + 0x38 + bytes;
        if (g->s.bitmap_page_aligned)
            first = (first + PG - 1) / PG * PG;
        memset(bh, 0, sizeof bh);
        memcpy(bh, "SDMP", 4);
        memcpy(bh + 4, "DUMP", 4);
        put64(bh + 0x20, first);
        put64(bh + 0x28, total);
        put64(bh + 0x30, bits);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write_all(fd, h, hsize, 0) != 0 || write_all(fd, bh, sizeof bh, hsize) != 0 ||
            write_all(fd, bitmap, bytes, hsize + 0x38) != 0)
            goto out;
    } else if (g->s.kind == DG_RDMP_FULL || g->s.kind == DG_RDMP_KERNEL) {
        /* RDMP (brief §1.8): marker, "RDMP", "DUMP", MetadataSize,
         * FirstPageOffset = 0x2020 + MetadataSize, then the ranges at 0x2030 */
        uint64_t meta = 0x10 + 16ull * g->s.nruns + (g->s.kind == DG_RDMP_KERNEL ? 16 : 0);
        size_t rlen = (size_t)(meta + 0x20);
        uint8_t *r = calloc(1, rlen);
        if (r == NULL || g->s.arch != DG_X64) {
            free(r);
            goto out;
        }
        first = hsize + 0x20 + meta;
        put32(r, 0x40);
        memcpy(r + 4, "RDMP", 4);
        memcpy(r + 8, "DUMP", 4);
        put64(r + 0x10, meta);
        put64(r + 0x18, first);
        if (g->s.kind == DG_RDMP_FULL) {
            put32(r + 0x20, g->s.nruns);
            put64(r + 0x28, total);
        }
        for (i = 0; i < g->s.nruns; i++) {
            put64(r + 0x30 + 16 * i, g->s.runs[i].base);
            put64(r + 0x38 + 16 * i, g->s.runs[i].count);
        }
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write_all(fd, h, hsize, 0) != 0 || write_all(fd, r, rlen, hsize) != 0) {
            free(r);
            goto out;
        }
        free(r);
    } else {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write_all(fd, h, hsize, 0) != 0)
            goto out;
    }
    if (ftruncate(fd, (off_t)(first + total * PG)) != 0)
        goto out;
    for (s = 0; s < g->cap; s++) {
        uint64_t off;
        if (g->slots[s].data == NULL)
            continue;
        off = page_offset(g, g->slots[s].pfn, first);
        if (off == 0 || write_all(fd, g->slots[s].data, PG, off) != 0)
            goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "dumpgen: cannot write %s: %s\n", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(h);
    free(bitmap);
    return rc;
}

/* ---- triage dumps (brief §1.7) ---- */

int dumpgen_write_triage(dumpgen *g, const char *path)
{
    int x64 = g->s.arch == DG_X64;
    uint32_t hsize = dumpgen_header_size(g), stride = x64 ? 0x90 : 0x4C, ldr = x64 ? 8 : 4;
    uint32_t mm = hsize + 0x80, unloaded = mm + 0x50, kdbg = unloaded + 0x10;
    uint32_t drivers = kdbg + 0x380, pool = drivers + stride * g->s.nmodules, pos, end, i;
    size_t total;
    uint8_t *f, k[0x380];
    int fd, rc = -1;

    /* room: header, block, drivers, and at most 0x200 bytes per name */
    total = (size_t)pool + 0x200u * g->s.nmodules + 16;
    f = calloc(1, total);
    if (f == NULL)
        return -1;
    fill_header(g, f, hsize);
    put32(f + (x64 ? 0xF98 : 0xF88), 4);
    /* the KDBG copy as the kernel wrote it: plain, KernBase and list head */
    if (dumpgen_read_virt_for_triage(g, g->kdbg_va, k, sizeof k) != 0)
        goto out;
    if (g->s.kdbg_encoded && x64)
        for (i = 0; i + 8 <= g->kdbg_size; i += 8)
            put64(k + i, decode_for_triage(g, get64(k + i)));
    memcpy(f + kdbg, k, sizeof k);
    put32(f + mm, 1);
    put32(f + mm + 4, 0x50);
    pos = pool;
    for (i = 0; i < g->s.nmodules; i++) {
        const dg_module *m = &g->s.modules[i];
        uint8_t *e = f + drivers + stride * i;
        size_t len = strlen(m->name), c;
        put32(e, pos);
        put_field(e + ldr, x64 ? 0x30 : 0x18, g->ps, m->base);
        put32(e + ldr + (x64 ? 0x40 : 0x20), m->size);
        put32(e + ldr + (x64 ? 0x78 : 0x40), m->checksum);
        put32(e + ldr + (x64 ? 0x80 : 0x44), m->timestamp);
        put32(f + pos, (uint32_t)len);
        for (c = 0; c < len; c++)
            f[pos + 4 + 2 * c] = (uint8_t)m->name[c];
        pos = (uint32_t)((pos + 4 + 2 * len + 2 + 7) & ~7u);
    }
    end = pos;
    memcpy(f + end, "TRGD", 4);
    /* TRIAGE_DUMP: the same u32 fields up to TopOfStack on both sizes */
    put32(f + hsize + 0x04, end + 4);
    put32(f + hsize + 0x08, end);
    put32(f + hsize + 0x0C, x64 ? 0x348 : 0x320);
    put32(f + hsize + 0x10, x64 ? 0xF00 : 0x7D0);
    put32(f + hsize + 0x14, mm);
    put32(f + hsize + 0x18, unloaded);
    put32(f + hsize + 0x30, drivers);
    put32(f + hsize + 0x34, g->s.nmodules);
    put32(f + hsize + 0x38, pool);
    put32(f + hsize + 0x3C, end - pool);
    if (x64) {
        put64(f + hsize + 0x48, 0xFFFF850429890EE8ull);
        put32(f + hsize + 0x70, kdbg);
        put32(f + hsize + 0x74, 0x380);
    } else {
        put32(f + hsize + 0x48, 0x8A123000u);
        put32(f + hsize + 0x58, kdbg);
        put32(f + hsize + 0x5C, 0x380);
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        rc = write_all(fd, f, end + 4, 0);
        close(fd);
    }
out:
    free(f);
    return rc;
}
