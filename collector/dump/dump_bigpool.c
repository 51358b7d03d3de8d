/* dump_bigpool.c - the big page table (nt!PoolBigPageTable, §4.5 of the
 * dump brief): one entry per allocation of about a page or more. */
#include "dump_pool.h"

#include <stdio.h>
#include <string.h>

#include "dump_kernel_data.h"
#include "dump_virt.h"
#include "pt_byteorder.h"

typedef struct big_check {
    dump_file *df;
    uint32_t used, bad;
} big_check;

static int check_big(void *ctx, uint32_t index, const uint8_t *e)
{
    big_check *c = ctx;
    unsigned ps = dump_pointer_size(c->df);
    uint64_t va = ps == 8 ? pt_le64(e) : pt_le32(e);
    uint32_t key = pt_le32(e + ps);
    (void)index;
    if (key == 0 && (va & ~UINT64_C(1)) == 0)
        return 1;
    if (!dump_key_is_tag(key) || !dump_is_kernel_va(c->df, va & ~UINT64_C(1)) ||
        ((va & ~UINT64_C(1)) & 0xFFF) != 0)
        c->bad++;
    else
        c->used++;
    return 1;
}

typedef struct big_layout {
    const char *name;
    unsigned pointer_size;
    uint32_t stride;
    uint32_t min_build, max_build;
    uint8_t type_off;   /* 0: the entry has no pool type */
    uint8_t type_bitfield; /* {Pattern:8, PoolType:12, SlushSize:12} */
    uint8_t size_off, size_width;
    uint8_t size_in_pages;
} big_layout;

static const big_layout big_layouts[] = {
    {"x86-xp", 4, 0x10, 0, 5999, 0, 0, 0x08, 4, 1},
    {"x64-xp", 8, 0x18, 0, 5999, 0, 0, 0x0C, 4, 1},
    {"x86-vista", 4, 0x10, 6000, 10239, 0x08, 0, 0x0C, 4, 0},
    {"x64-vista", 8, 0x18, 6000, 10239, 0x0C, 0, 0x10, 8, 0},
    {"x86-win10", 4, 0x10, 10240, UINT32_MAX, 0x08, 1, 0x0C, 4, 0},
    {"x64-win10", 8, 0x18, 10240, 20347, 0x0C, 1, 0x10, 8, 0},
    {"x64-2022", 8, 0x20, 20348, UINT32_MAX, 0x0C, 1, 0x10, 8, 0},
};

static const big_layout *big_layout_for(const dump_file *df)
{
    size_t i;
    for (i = 0; i < sizeof big_layouts / sizeof big_layouts[0]; i++)
        if (big_layouts[i].pointer_size == dump_pointer_size(df) &&
            df->minor_version >= big_layouts[i].min_build &&
            df->minor_version <= big_layouts[i].max_build)
            return &big_layouts[i];
    return NULL;
}

static int bigpage_ok(dump_file *df, uint64_t va, uint64_t count, void *ctx)
{
    const big_layout *L = ctx;
    big_check c, tail;
    uint32_t missing, n = count < DUMP_VALIDATE_ENTRIES ? (uint32_t)count : DUMP_VALIDATE_ENTRIES;
    uint64_t end = va + count * L->stride;
    uint32_t rest = (uint32_t)((DUMP_PAGE_SIZE - end % DUMP_PAGE_SIZE) % DUMP_PAGE_SIZE) /
                    L->stride;
    memset(&c, 0, sizeof c);
    c.df = df;
    (void)dump_each_entry(df, va, n, L->stride, check_big, &c, &missing, NULL);
    if (missing != 0 || c.bad != 0 || c.used == 0)
        return 0;
    /* A count that is too small (some other variable next to the pointer)
     * leaves used entries after the end on the same page. */
    memset(&tail, 0, sizeof tail);
    tail.df = df;
    if (count <= DUMP_VALIDATE_ENTRIES && rest > 0)
        (void)dump_each_entry(df, end, rest, L->stride, check_big, &tail, &missing, NULL);
    return tail.used == 0;
}

typedef struct big_emit {
    dump_file *df;
    const big_layout *L;
    const pt_sink *sink;
    uint64_t emitted;
    pt_status st;
} big_emit;

static int emit_big(void *ctx, uint32_t index, const uint8_t *e)
{
    big_emit *b = ctx;
    const big_layout *L = b->L;
    uint64_t va = L->pointer_size == 8 ? pt_le64(e) : pt_le32(e);
    uint32_t key = pt_le32(e + L->pointer_size);
    pt_allocation a;
    (void)index;
    if (key == 0)
        return 1;
    memset(&a, 0, sizeof a);
    a.address = va & ~UINT64_C(1);
    a.freed = (int)(va & 1);
    a.tag = pt_tag_unprotected(key);
    a.size = L->size_width == 8 ? pt_le64(e + L->size_off) : pt_le32(e + L->size_off);
    if (L->size_in_pages)
        a.size *= DUMP_PAGE_SIZE;
    a.pool = PT_POOL_NONPAGED;
    if (L->type_off != 0) {
        uint32_t t = pt_le32(e + L->type_off);
        if (L->type_bitfield)
            t = (t >> 8) & 0xFFF;
        if (t & 1) /* PoolType & 1 means paged (MPFS) */
            a.pool = PT_POOL_PAGED;
        if (t & 0x20) /* session pool types (SESSION_POOL_MASK) */
            a.pool = a.pool == PT_POOL_PAGED ? PT_POOL_SESSION_PAGED : PT_POOL_SESSION_NONPAGED;
    }
    b->st = pt_sink_allocation(b->sink, &a);
    if (b->st != PT_OK)
        return 0;
    b->emitted++;
    return 1;
}

pt_status dump_pool_each_big(dump_file *df, const dump_pool_tables *p, const pt_sink *sink,
                             uint64_t *emitted, pt_error *err)
{
    big_emit b;
    uint32_t missing = 0;
    pt_status st;
    *emitted = 0;
    if (!p->have_bigpages)
        return PT_OK;
    memset(&b, 0, sizeof b);
    b.df = df;
    b.L = big_layout_for(df);
    b.sink = sink;
    if (b.L == NULL)
        return PT_OK;
    if (b.L->type_off == 0)
        dump_warnf(df, PT_NO_OFFSET, "big page entries of build %u hold no pool type: their "
                   "allocations are listed as nonpaged", df->minor_version);
    st = dump_each_entry(df, p->bigpage_table, p->bigpage_entries, b.L->stride, emit_big, &b,
                    &missing, err);
    *emitted = b.emitted;
    if (st != PT_OK)
        return st;
    if (b.st != PT_OK)
        return b.st;
    if (missing != 0) {
        dump_warnf(df, PT_NO_OFFSET, "big page table: %u of %u entries are on pages the "
                   "dump lacks", missing, p->bigpage_entries);
        df->partial = 1;
    }
    return PT_OK;
}


/* Through the PDB when it names the table, else a pointer/size pair in
 * ntoskrnl's .data whose entries look like big page entries. */
void dump_bigpool_find(dump_file *df, const dump_symbols *sym, const dump_data_section *ds,
                       uint64_t exclude, dump_pool_tables *p)
{
    const big_layout *bl = big_layout_for(df);
    uint64_t v = 0, n = 0;
    if (sym != NULL && sym->loaded && sym->va[DUMP_SYM_BIGPAGETABLE] != 0) {
        if (dump_read_pointer(df, sym->va[DUMP_SYM_BIGPAGETABLE], &v, NULL) != PT_OK ||
            (sym->va[DUMP_SYM_BIGPAGETABLESIZE] != 0 &&
             dump_read_pointer(df, sym->va[DUMP_SYM_BIGPAGETABLESIZE], &n, NULL) != PT_OK))
            v = 0;
        if (n > DUMP_MAX_BIGPAGE_ENTRIES) {
            dump_warnf(df, PT_NO_OFFSET, "PoolBigPageTableSize %llu is over %u: big "
                       "allocations not listed", (unsigned long long)n, DUMP_MAX_BIGPAGE_ENTRIES);
            df->partial = 1;
            v = 0;
        }
    } else if (bl == NULL || ds->bytes == NULL ||
               !dump_find_pointer_pair(df, ds, exclude, DUMP_MAX_BIGPAGE_ENTRIES, 1, bigpage_ok,
                                       (void *)bl, &v, &n)) {
        v = 0;
    }
    if (bl != NULL && v != 0 && n != 0) {
        p->have_bigpages = 1;
        p->bigpage_table = v;
        p->bigpage_entries = (uint32_t)n;
        p->bigpage_stride = bl->stride;
        p->bigpage_layout = bl->name;
    } else {
        dump_warnf(df, PT_NO_OFFSET, "PoolBigPageTable not found%s: no big allocations listed",
                   ds->bytes == NULL ? " (ntoskrnl .data unreadable)" : "");
    }
}
