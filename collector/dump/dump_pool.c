/* dump_pool.c - pool tracker tables (§4 of the dump brief); the big page
 * table is in dump_bigpool.c.
 *
 * Without symbols the tables are found the way the brief describes:
 * nt!PoolTrackTable through the KDBG, its size in the variable before it
 * (VOL2) or from the entries themselves, the layout from the build and a
 * stride check, and the per-processor, expansion and big page tables from
 * pointer/count pairs in ntoskrnl's .data section, each validated against
 * the entries it points at.  Every choice that is not certain is reported
 * as a warning. */
#include "dump_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_kernel_data.h"
#include "dump_virt.h"
#include "pt_byteorder.h"

static const dump_tracker_layout layouts[] = {
    {"x86-pre1709", "XP .. Windows 10 1703 (x86)", 4, 0x1C, 0, 16298,
     {{0x04, 4}, {0x08, 4}, {0x0C, 4}, {0x10, 4}, {0x14, 4}, {0x18, 4}}},
    {"x64-pre1709", "XP .. Windows 10 1703 (x64)", 8, 0x28, 0, 16298,
     {{0x04, 4}, {0x08, 4}, {0x10, 8}, {0x18, 4}, {0x1C, 4}, {0x20, 8}}},
    {"x86-1709", "Windows 10 1709 .. 21H2 (x86)", 4, 0x30, 16299, 21291,
     {{0x08, 8}, {0x10, 8}, {0x04, 4}, {0x20, 8}, {0x28, 8}, {0x18, 4}}},
    {"x64-1709", "Windows 10 1709 .. 22H2, Server 2019 (x64)", 8, 0x38, 16299, 20347,
     {{0x10, 8}, {0x18, 8}, {0x08, 8}, {0x28, 8}, {0x30, 8}, {0x20, 8}}},
    {"x86-win11", "Windows insider 21292+ (x86)", 4, 0x40, 21292, UINT32_MAX,
     {{0x08, 8}, {0x10, 8}, {0x04, 4}, {0x20, 8}, {0x28, 8}, {0x18, 4}}},
    {"x64-win11", "Windows 11, Server 2022 (x64)", 8, 0x50, 20348, UINT32_MAX,
     {{0x10, 8}, {0x18, 8}, {0x08, 8}, {0x28, 8}, {0x30, 8}, {0x20, 8}}},
};

/* Builds where the brief could not confirm the layout (Server 2022). */
#define UNSURE_BUILD_MIN 20348u
#define UNSURE_BUILD_MAX 21291u

const dump_tracker_layout *dump_tracker_layouts(size_t *count)
{
    *count = sizeof layouts / sizeof layouts[0];
    return layouts;
}

int dump_key_is_tag(uint32_t key)
{
    int i;
    key &= 0x7FFFFFFFu; /* the old "protected" bit */
    for (i = 0; i < 4; i++) {
        uint8_t c = (uint8_t)(key >> (8 * i));
        if (c < 0x20 || c > 0x7E)
            return 0;
    }
    return 1;
}

static uint64_t field_value(const uint8_t *e, const dump_tracker_layout *L, int f)
{
    return L->field[f].width == 8 ? pt_le64(e + L->field[f].off) : pt_le32(e + L->field[f].off);
}

/* ---- layout and size ---- */

typedef struct key_check {
    uint32_t stride_key_off;
    uint32_t used, bad, checked;
    uint32_t first_bad; /* index of the first entry that is not a tag */
} key_check;

static int check_key(void *ctx, uint32_t index, const uint8_t *entry)
{
    key_check *c = ctx;
    uint32_t key = pt_le32(entry);
    c->checked++;
    if (key == 0)
        return 1;
    if (!dump_key_is_tag(key)) {
        if (c->bad == 0)
            c->first_bad = index;
        c->bad++;
        return 1;
    }
    c->used++;
    return 1;
}

static void check_table(dump_file *df, uint64_t va, uint32_t entries, uint32_t stride,
                        key_check *c)
{
    uint32_t missing;
    memset(c, 0, sizeof *c);
    c->first_bad = UINT32_MAX;
    (void)dump_each_entry(df, va, entries, stride, check_key, c, &missing, NULL);
}

static int table_looks_valid(dump_file *df, uint64_t va, uint32_t entries, uint32_t stride)
{
    key_check c;
    check_table(df, va, entries < DUMP_VALIDATE_ENTRIES ? entries : DUMP_VALIDATE_ENTRIES, stride, &c);
    return c.checked > 0 && c.bad == 0 && c.used > 0;
}

static const dump_tracker_layout *layout_for_build(const dump_file *df)
{
    size_t i;
    for (i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (layouts[i].pointer_size == dump_pointer_size(df) &&
            df->minor_version >= layouts[i].min_build && df->minor_version <= layouts[i].max_build)
            return &layouts[i];
    return NULL;
}

/* The layout: the build's own when its stride check passes, else the one
 * whose key positions hold the most tags and never a non-tag. */
static void choose_layout(dump_file *df, dump_pool_tables *p)
{
    const dump_tracker_layout *expect = layout_for_build(df), *best = NULL;
    uint32_t n = p->entries < DUMP_VALIDATE_ENTRIES ? p->entries : DUMP_VALIDATE_ENTRIES;
    uint32_t best_used = 0, fits = 0;
    int expect_fits = 0;
    size_t i;
    for (i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        key_check c;
        if (layouts[i].pointer_size != dump_pointer_size(df))
            continue;
        check_table(df, p->pool_track_table, n, layouts[i].stride, &c);
        if (c.bad != 0 || c.used == 0)
            continue;
        fits++;
        if (&layouts[i] == expect)
            expect_fits = 1;
        if (c.used > best_used) {
            best_used = c.used;
            best = &layouts[i];
        }
    }
    if (expect != NULL && expect_fits) {
        p->layout = expect;
        p->layout_certain = !(df->minor_version >= UNSURE_BUILD_MIN &&
                              df->minor_version <= UNSURE_BUILD_MAX) || fits == 1;
        snprintf(p->layout_reason, sizeof p->layout_reason,
                 "build %u uses the 0x%x-byte %s entry and the table's tags sit at that "
                 "stride%s",
                 df->minor_version, expect->stride, expect->name,
                 fits > 1 ? " (other strides also fit the first entries)" : "");
    } else if (best != NULL) {
        p->layout = best;
        p->layout_certain = 0;
        snprintf(p->layout_reason, sizeof p->layout_reason,
                 "build %u would use %s, but only the 0x%x-byte %s stride puts tags at "
                 "every key position; chosen from the table itself",
                 df->minor_version, expect ? expect->name : "no known layout", best->stride,
                 best->name);
    } else if (expect != NULL) {
        p->layout = expect;
        p->layout_certain = 0;
        snprintf(p->layout_reason, sizeof p->layout_reason,
                 "no stride puts tags at every key position; the build's %s layout "
                 "(0x%x bytes) is used",
                 expect->name, expect->stride);
    }
}

static int is_table_size(uint64_t v)
{
    return v >= 65 && v <= DUMP_MAX_TRACKER_ENTRIES && ((v - 1) & (v - 2)) == 0;
}

/* PoolTrackTableSize: the variable just before nt!PoolTrackTable (VOL2;
 * unverified after Windows 7, so the one just after is tried too),
 * accepted when it is 2^k + 1; else the largest 2^k + 1 whose entries are
 * all readable tags or empty. */
static void find_table_size(dump_file *df, dump_pool_tables *p)
{
    unsigned ps = dump_pointer_size(df);
    uint64_t before = 0, after = 0;
    size_t i;
    (void)dump_read_pointer(df, p->pool_track_table_var - ps, &before, NULL);
    (void)dump_read_pointer(df, p->pool_track_table_var + ps, &after, NULL);
    if (is_table_size(before) || is_table_size(after)) {
        p->entries = (uint32_t)(is_table_size(before) ? before : after);
        snprintf(p->size_origin, sizeof p->size_origin,
                 "PoolTrackTableSize %u read %s nt!PoolTrackTable", p->entries,
                 is_table_size(before) ? "before" : "after");
        return;
    }
    /* Try each stride of the architecture; keep the largest size that all
     * entries support. */
    p->entries = 0;
    for (i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        uint32_t k, good = 0;
        if (layouts[i].pointer_size != ps)
            continue;
        for (k = 6; k <= 20; k++) {
            uint32_t n = (UINT32_C(1) << k) + 1;
            key_check c;
            uint32_t missing;
            check_table(df, p->pool_track_table, n, layouts[i].stride, &c);
            missing = n - c.checked;
            if (c.bad != 0 || missing != 0 || c.used == 0)
                break;
            good = n;
        }
        if (good > p->entries)
            p->entries = good;
    }
    snprintf(p->size_origin, sizeof p->size_origin,
             "%u entries inferred from the table (no size variable found)", p->entries);
    dump_warnf(df, PT_NO_OFFSET,
               "no table size (2^k+1, at most %u) next to nt!PoolTrackTable (0x%llx before, "
               "0x%llx after): %u entries inferred from the table itself",
               DUMP_MAX_TRACKER_ENTRIES, (unsigned long long)before, (unsigned long long)after,
               p->entries);
}

/* ---- ntoskrnl .data ---- */

/* ExPoolTagTables[]: the slot holding PoolTrackTable other than
 * nt!PoolTrackTable itself, followed by the other processors' tables. */
static int find_cpu_tables(dump_file *df, dump_pool_tables *p, const dump_data_section *ds,
                           uint64_t **tables, uint32_t *count)
{
    unsigned ps = dump_pointer_size(df);
    uint32_t off, want = df->processors == 0 || df->processors > DUMP_MAX_CPU_TABLES
                             ? DUMP_MAX_CPU_TABLES
                             : df->processors;
    for (off = 0; off + ps <= ds->size; off += ps) {
        uint32_t i, n = 0;
        uint64_t *t;
        if (dump_data_section_pointer(df, ds, off) != p->pool_track_table ||
            ds->va + off == p->pool_track_table_var)
            continue;
        t = malloc(want * sizeof *t);
        if (t == NULL)
            return 0;
        for (i = 0; i < want && off + (i + 1) * ps <= ds->size; i++) {
            uint64_t v = dump_data_section_pointer(df, ds, off + i * ps);
            if (v == 0)
                continue; /* processors without a table of their own */
            if (!dump_is_kernel_va(df, v))
                break;
            t[n++] = v;
        }
        *tables = t;
        *count = n;
        return 1;
    }
    return 0;
}

static int expansion_ok(dump_file *df, uint64_t va, uint64_t count, void *ctx)
{
    const dump_tracker_layout *layout = ctx;
    if (count >= 65 && ((count - 1) & (count - 2)) == 0)
        return 0; /* that is the size of a hash table, not of the expansion */
    return table_looks_valid(df, va, (uint32_t)count, layout->stride);
}


/* ---- summing ---- */

typedef struct tag_map {
    dump_tag_sum *slots;
    size_t cap, used;
    const dump_tracker_layout *layout;
    int full;
} tag_map;

static dump_tag_sum *map_slot(tag_map *m, uint32_t key)
{
    size_t i = (key * 2654435761u) & (m->cap - 1);
    while (m->slots[i].key != 0 && m->slots[i].key != key)
        i = (i + 1) & (m->cap - 1);
    return &m->slots[i];
}

static int map_grow(tag_map *m)
{
    tag_map bigger = *m;
    size_t i;
    bigger.cap = m->cap ? m->cap * 2 : 1024;
    bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
    if (bigger.slots == NULL)
        return 0;
    for (i = 0; i < m->cap; i++)
        if (m->slots[i].key != 0)
            *map_slot(&bigger, m->slots[i].key) = m->slots[i];
    free(m->slots);
    *m = bigger;
    return 1;
}

static int add_entry(void *ctx, uint32_t index, const uint8_t *e)
{
    tag_map *m = ctx;
    uint32_t key = pt_le32(e);
    dump_tag_sum *s;
    int f;
    (void)index;
    if (key == 0 || m->full)
        return 1;
    key = (uint32_t)pt_tag_unprotected(key);
    if (key == 0)
        return 1;
    if ((m->used + 1) * 2 > m->cap && !map_grow(m)) {
        m->full = 1;
        return 0;
    }
    s = map_slot(m, key);
    if (s->key == 0) {
        s->key = key;
        m->used++;
    }
    for (f = 0; f < TRK_FIELDS; f++) {
        uint64_t v = s->v[f] + field_value(e, m->layout, f);
        s->v[f] = m->layout->field[f].width == 4 ? (v & 0xFFFFFFFFu) : v;
    }
    return 1;
}

static int cmp_key(const void *a, const void *b)
{
    uint32_t x = ((const dump_tag_sum *)a)->key, y = ((const dump_tag_sum *)b)->key;
    return x < y ? -1 : x > y;
}

static pt_status sum_table(dump_file *df, tag_map *m, uint64_t va, uint32_t entries,
                           const char *what, pt_error *err)
{
    uint32_t missing = 0;
    pt_status st = dump_each_entry(df, va, entries, m->layout->stride, add_entry, m, &missing, err);
    if (st != PT_OK)
        return st;
    if (m->full)
        return pt_error_set(err, PT_ERR_NOMEM, df->name, PT_NO_OFFSET,
                            "out of memory summing the tracker tables");
    if (missing != 0) {
        dump_warnf(df, PT_NO_OFFSET, "%s at 0x%llx: %u of %u entries are on pages the dump "
                   "lacks; the sums leave them out",
                   what, (unsigned long long)va, missing, entries);
        df->partial = 1;
    }
    return PT_OK;
}

/* Summed over every table, no tag can have freed more than it allocated,
 * nor hold negative bytes: if one does, a table is missing from the sum. */
static void check_sums(dump_file *df, dump_pool_tables *p)
{
    char list[200];
    size_t i, bad = 0, used = 0;
    list[0] = '\0';
    for (i = 0; i < p->tag_count; i++) {
        const dump_tag_sum *t = &p->tags[i];
        int pool, wrong = 0;
        for (pool = 0; pool < 2; pool++) {
            int a = pool ? TRK_P_ALLOCS : TRK_NP_ALLOCS;
            unsigned wa = p->layout->field[a].width, wb = p->layout->field[a + 2].width;
            uint64_t net = (t->v[a] - t->v[a + 1]) & (wa == 4 ? 0xFFFFFFFFu : ~UINT64_C(0));
            uint64_t top_a = UINT64_C(1) << (8 * wa - 1), top_b = UINT64_C(1) << (8 * wb - 1);
            if ((net & top_a) || (t->v[a + 2] & top_b))
                wrong = 1;
        }
        if (!wrong)
            continue;
        if (bad++ < 5) {
            char text[PT_TAG_TEXT_MAX];
            int n = snprintf(list + used, sizeof list - used, "%s'%s'", used ? ", " : "",
                             pt_tag_format(t->key, text));
            if (n > 0 && (size_t)n < sizeof list - used)
                used += (size_t)n;
        }
    }
    if (bad == 0)
        return;
    dump_warnf(df, PT_NO_OFFSET,
               "%zu tags (%s%s) show more frees than allocations or negative bytes summed over "
               "the %u tables read: a tracker table is missing from the sum, so their counts "
               "are wrong",
               bad, list, bad > 5 ? ", ..." : "", p->cpu_tables);
    df->partial = 1;
}

/* ---- putting it together ---- */

/* The value of the pointer-sized variable the PDB names; 0 when absent. */
static uint64_t sym_value(dump_file *df, const dump_symbols *sym, dump_sym which)
{
    uint64_t v = 0;
    if (sym == NULL || !sym->loaded || sym->va[which] == 0)
        return 0;
    if (dump_read_pointer(df, sym->va[which], &v, NULL) != PT_OK) {
        dump_warnf(df, PT_NO_OFFSET, "nt!%s at 0x%llx is unreadable", dump_symbol_name(which),
                   (unsigned long long)sym->va[which]);
        return 0;
    }
    return v;
}

/* ExPoolTagTables[0 .. processors) through the PDB. */
static int cpu_tables_from_symbols(dump_file *df, const dump_symbols *sym, uint64_t **tables,
                                   uint32_t *count)
{
    unsigned ps = dump_pointer_size(df);
    uint32_t want = df->processors == 0 || df->processors > DUMP_MAX_CPU_TABLES
                        ? DUMP_MAX_CPU_TABLES
                        : df->processors;
    uint32_t i, n = 0;
    uint64_t *t;
    if (sym == NULL || !sym->loaded || sym->va[DUMP_SYM_EXPOOLTAGTABLES] == 0)
        return 0;
    t = malloc(want * sizeof *t);
    if (t == NULL)
        return 0;
    for (i = 0; i < want; i++) {
        uint64_t v;
        if (dump_read_pointer(df, sym->va[DUMP_SYM_EXPOOLTAGTABLES] + (uint64_t)i * ps, &v,
                              NULL) != PT_OK)
            break;
        if (v != 0)
            t[n++] = v;
    }
    *tables = t;
    *count = n;
    return n > 0;
}

static pt_status load_trackers(dump_file *df, dump_pool_tables *p, const dump_data_section *ds,
                               const dump_symbols *sym, pt_error *err)
{
    tag_map m;
    uint64_t *cpu = NULL, exp_va = 0, exp_n = 0;
    uint32_t ncpu = 0, i;
    pt_status st = PT_OK;

    memset(&m, 0, sizeof m);
    m.layout = p->layout;
    if (cpu_tables_from_symbols(df, sym, &cpu, &ncpu) ||
        (ds->bytes != NULL && find_cpu_tables(df, p, ds, &cpu, &ncpu))) {
        for (i = 0; i < ncpu; i++) {
            char what[64];
            if (i > 0 && !table_looks_valid(df, cpu[i], p->entries, p->layout->stride)) {
                dump_warnf(df, PT_NO_OFFSET, "ExPoolTagTables[%u] = 0x%llx is unreadable or "
                           "holds no tags; left out", i, (unsigned long long)cpu[i]);
                p->cpu_tables_unreadable++;
                df->partial = 1;
                continue;
            }
            snprintf(what, sizeof what, "tracker table %u", i);
            st = sum_table(df, &m, cpu[i], p->entries, what, err);
            if (st != PT_OK)
                goto out;
            p->cpu_tables++;
        }
    }
    if (p->cpu_tables == 0) {
        if (df->processors > 1)
            dump_warnf(df, PT_NO_OFFSET,
                       "ExPoolTagTables not found (%s): only PoolTrackTable (processor 0) is "
                       "summed, so counts are low on this %u-processor system",
                       ds->bytes != NULL ? "no slot in ntoskrnl .data holds the table"
                                         : "ntoskrnl's .data section is unreadable",
                       df->processors);
        st = sum_table(df, &m, p->pool_track_table, p->entries, "PoolTrackTable", err);
        if (st != PT_OK)
            goto out;
        p->cpu_tables = 1;
    }
    if (p->from_symbols) {
        exp_va = sym_value(df, sym, DUMP_SYM_EXPANSION);
        exp_n = sym_value(df, sym, DUMP_SYM_EXPANSIONSIZE);
        if (exp_n > DUMP_MAX_EXPANSION_ENTRIES) {
            dump_warnf(df, PT_NO_OFFSET, "PoolTrackTableExpansionSize %llu is over %u: the "
                       "expansion table is left out", (unsigned long long)exp_n,
                       DUMP_MAX_EXPANSION_ENTRIES);
            df->partial = 1;
            exp_va = 0;
        }
    }
    if (p->from_symbols ? exp_va != 0 && exp_n != 0
                        : ds->bytes != NULL &&
                              dump_find_pointer_pair(df, ds, p->pool_track_table,
                                                     DUMP_MAX_EXPANSION_ENTRIES, 0, expansion_ok,
                                                     (void *)p->layout, &exp_va, &exp_n)) {
        p->expansion = exp_va;
        p->expansion_entries = (uint32_t)exp_n;
        st = sum_table(df, &m, exp_va, (uint32_t)exp_n, "PoolTrackTableExpansion", err);
        if (st != PT_OK)
            goto out;
    }
    if (!p->from_symbols && p->expansion == 0)
        dump_warnf(df, PT_NO_OFFSET,
                   "PoolTrackTableExpansion not found without symbols: it is normally empty "
                   "(used only when the tracker table is full), but if it is in use, the "
                   "tags it holds are undercounted");
    p->tags = calloc(m.used > 0 ? m.used : 1, sizeof *p->tags);
    if (p->tags == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, df->name, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    for (i = 0; i < m.cap; i++)
        if (m.slots[i].key != 0)
            p->tags[p->tag_count++] = m.slots[i];
    qsort(p->tags, p->tag_count, sizeof *p->tags, cmp_key);
    p->have_trackers = 1;
    check_sums(df, p);
out:
    free(cpu);
    free(m.slots);
    return st;
}

pt_status dump_pool_load(dump_file *df, const dump_kdbg *k, const dump_symbols *sym,
                         dump_pool_tables *p, pt_error *err)
{
    dump_data_section ds;
    uint64_t v;
    pt_error e2;
    pt_status st = PT_OK;

    memset(p, 0, sizeof *p);
    memset(&ds, 0, sizeof ds);
    p->kernel_base = dump_kdbg_field(df, k, KDBG_KERNBASE);
    p->from_symbols = sym != NULL && sym->loaded && sym->va[DUMP_SYM_POOLTRACKTABLE] != 0;
    p->data_section_found = dump_data_section_load(df, p->kernel_base, &ds);
    p->pool_track_table_var = p->from_symbols ? sym->va[DUMP_SYM_POOLTRACKTABLE]
                                              : dump_kdbg_field(df, k, KDBG_POOLTRACKTABLE);
    if (p->pool_track_table_var == 0) {
        dump_warnf(df, PT_NO_OFFSET, "the KDBG gives no PoolTrackTable: no per-tag pool usage");
        goto big;
    }
    if (dump_read_pointer(df, p->pool_track_table_var, &v, &e2) != PT_OK || v == 0 ||
        !dump_is_kernel_va(df, v)) {
        dump_warnf(df, PT_NO_OFFSET, "nt!PoolTrackTable at 0x%llx is unreadable or not a "
                   "kernel pointer: no per-tag pool usage",
                   (unsigned long long)p->pool_track_table_var);
        df->partial = 1;
        goto big;
    }
    p->pool_track_table = v;
    {
        uint8_t probe[4];
        if (dump_read_virt(df, v, probe, sizeof probe, &e2) != PT_OK) {
            dump_warnf(df, PT_NO_OFFSET, "nt!PoolTrackTable points at 0x%llx, which the dump "
                       "does not hold (%s): no per-tag pool usage",
                       (unsigned long long)v, e2.message);
            df->partial = 1;
            goto big;
        }
    }
    v = p->from_symbols ? sym_value(df, sym, DUMP_SYM_POOLTRACKTABLESIZE) : 0;
    if (v != 0 && v <= DUMP_MAX_TRACKER_ENTRIES) {
        p->entries = (uint32_t)v;
        snprintf(p->size_origin, sizeof p->size_origin, "PoolTrackTableSize %u (PDB)",
                 p->entries);
    } else {
        if (v != 0)
            dump_warnf(df, PT_NO_OFFSET, "nt!PoolTrackTableSize %llu is over %u; the size is "
                       "taken from the entries", (unsigned long long)v,
                       DUMP_MAX_TRACKER_ENTRIES);
        find_table_size(df, p);
    }
    if (p->entries == 0) {
        dump_warnf(df, PT_NO_OFFSET, "the tracker table at 0x%llx holds no readable tags: no "
                   "per-tag pool usage", (unsigned long long)v);
        df->partial = 1;
        goto big;
    }
    choose_layout(df, p);
    if (p->layout == NULL) {
        dump_warnf(df, PT_NO_OFFSET, "no tracker entry layout fits build %u", df->minor_version);
        df->partial = 1;
        goto big;
    }
    if (!p->layout_certain)
        dump_warnf(df, PT_NO_OFFSET, "tracker layout %s chosen: %s", p->layout->name,
                   p->layout_reason);
    st = load_trackers(df, p, &ds, sym, err);
    if (st != PT_OK)
        goto out;
big:
    dump_bigpool_find(df, sym, &ds, p->pool_track_table, p);
out:
    free(ds.bytes);
    return st;
}

void dump_pool_free(dump_pool_tables *p)
{
    free(p->tags);
    p->tags = NULL;
    p->tag_count = 0;
}
