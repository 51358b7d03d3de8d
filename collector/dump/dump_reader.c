/* dump_reader.c - the crash dump reader: probe, read (one sample) and
 * describe (what dumpchk prints, and the choices this reader made). */
#include "dump_reader.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_file.h"
#include "dump_kdbg.h"
#include "dump_modules.h"
#include "dump_pool.h"
#include "dump_symbols.h"
#include "dump_triage.h"
#include "dump_virt.h"

/* Everything one pass over the dump learns, shared by read and describe. */
typedef struct dump_case {
    dump_file *df;
    int is_triage;
    dump_triage triage;
    dump_kdbg kdbg;
    dump_pool_tables pool;
    dump_symbols sym;
    const char *symbol_path;
    uint64_t module_head;
} dump_case;

typedef struct warn_target {
    const pt_sink *sink;      /* read: warnings go to the sink */
    pt_fact_fn fact;          /* describe: warnings become facts */
    void *fact_ctx;
    const char *name;
    int quiet;                /* the second pass of read: already warned */
    pt_status st;             /* a sink that asked to stop */
} warn_target;

static void warn_out(void *ctx, uint64_t offset, const char *message)
{
    warn_target *w = ctx;
    pt_status st = PT_OK;
    if (w->quiet)
        return;
    if (w->sink != NULL)
        st = pt_sink_warning(w->sink, w->name, offset, "%s", message);
    else if (w->fact != NULL)
        st = w->fact(w->fact_ctx, "warning", message);
    if (st != PT_OK && w->st == PT_OK)
        w->st = st;
}

static int dump_probe(const uint8_t *head, size_t len)
{
    if (len >= 8 && memcmp(head, "PAGE", 4) == 0 &&
        (memcmp(head + 4, "DU64", 4) == 0 || memcmp(head + 4, "DUMP", 4) == 0))
        return 100;
    return 0;
}

static void case_close(dump_case *c)
{
    dump_pool_free(&c->pool);
    dump_file_close(c->df);
    c->df = NULL;
}

/* The kernel base without the KDBG: the first loaded module (ntoskrnl). */
static uint64_t kernel_base_from_list(dump_file *df)
{
    uint64_t first = 0, base = 0;
    unsigned ps = dump_pointer_size(df);
    if (df->ps_loaded_module_list == 0 ||
        dump_read_pointer(df, df->ps_loaded_module_list, &first, NULL) != PT_OK ||
        dump_read_pointer(df, first + (ps == 8 ? 0x30 : 0x18), &base, NULL) != PT_OK)
        return 0;
    return base;
}

/* With a PDB: its symbols, and a second try at an encoded KDBG with the
 * kernel's own keys. */
static pt_status use_symbols(dump_case *c, pt_error *err)
{
    dump_file *df = c->df;
    uint64_t base = c->kdbg.found ? dump_kdbg_field(df, &c->kdbg, KDBG_KERNBASE)
                                  : kernel_base_from_list(df);
    pt_status st = dump_symbols_load(df, base, c->symbol_path, &c->sym, err);
    if (st != PT_OK || !c->sym.loaded || c->kdbg.found)
        return st;
    {
        dump_kdbg_keys keys;
        memset(&keys, 0, sizeof keys);
        keys.kdbg_va = c->sym.va[DUMP_SYM_KDDEBUGGERDATABLOCK];
        if (c->sym.va[DUMP_SYM_KIWAITNEVER] && c->sym.va[DUMP_SYM_KIWAITALWAYS] &&
            c->sym.va[DUMP_SYM_KDPDATABLOCKENCODED] &&
            dump_read_pointer(df, c->sym.va[DUMP_SYM_KIWAITNEVER], &keys.wait_never, NULL) ==
                PT_OK &&
            dump_read_pointer(df, c->sym.va[DUMP_SYM_KIWAITALWAYS], &keys.wait_always, NULL) ==
                PT_OK) {
            keys.have_keys = 1;
            keys.encoded_flag_va = c->sym.va[DUMP_SYM_KDPDATABLOCKENCODED];
        }
        st = dump_kdbg_load_keyed(df, NULL, &keys, &c->kdbg, err);
    }
    return st;
}

static pt_status case_open(pt_source *src, const pt_read_options *opt, warn_target *w,
                           dump_case *c, pt_error *err)
{
    pt_status st;
    memset(c, 0, sizeof *c);
    c->symbol_path = opt != NULL ? opt->symbol_path : NULL;
    st = dump_file_open(src, warn_out, w, &c->df, err);
    if (st != PT_OK)
        return st;
    c->is_triage = c->df->dump_type == DUMP_TYPE_TRIAGE;
    if (c->is_triage) {
        st = dump_triage_read(c->df, &c->triage, err);
        if (st != PT_OK)
            goto fail;
    }
    st = dump_kdbg_load(c->df, c->is_triage ? &c->triage : NULL, &c->kdbg, err);
    if (st != PT_OK)
        goto fail;
    if (!c->is_triage && c->df->phys_kind != DUMP_PHYS_NONE && c->symbol_path != NULL &&
        c->symbol_path[0] != '\0') {
        st = use_symbols(c, err);
        if (st != PT_OK)
            goto fail;
    }
    if (!c->kdbg.found) {
        dump_warnf(c->df, PT_NO_OFFSET, "KDBG not found: %s", c->kdbg.why_not);
        /* a memory dump whose pool data cannot be located is not complete */
        if (!c->is_triage && c->df->phys_kind != DUMP_PHYS_NONE && !c->sym.loaded)
            c->df->partial = 1;
    }
    c->module_head = c->df->ps_loaded_module_list;
    if (c->module_head == 0 || (uint32_t)c->module_head == DUMP_FILL)
        c->module_head = dump_kdbg_field(c->df, &c->kdbg, KDBG_PSLOADEDMODULELIST);
    if (c->is_triage) {
        dump_warnf(c->df, PT_NO_OFFSET,
                   "a triage (small memory) dump holds the driver list and the bugcheck "
                   "but no pool data: no per-tag usage, big allocations or memory counters");
    } else if (c->df->phys_kind != DUMP_PHYS_NONE) {
        if (c->df->machine == DUMP_MACHINE_ARM64) {
            dump_warnf(c->df, PT_NO_OFFSET,
                       "ARM64 page tables are not read: no pool data from this dump");
            c->df->partial = 1;
        }
        else if (c->kdbg.found || c->sym.loaded) {
            st = dump_pool_load(c->df, &c->kdbg, &c->sym, &c->pool, err);
            if (st != PT_OK)
                goto fail;
            dump_warnf(c->df, PT_NO_OFFSET,
                       "session pool is not read (it needs _MM_SESSION_SPACE offsets from "
                       "symbols): session-pool tags are not in the totals");
        }
    }
    if (w->st != PT_OK) {
        st = w->st;
        goto fail;
    }
    return PT_OK;
fail:
    case_close(c);
    return st;
}

static char *variant_name(const dump_file *df, char *out, size_t n)
{
    const char *arch = dump_arch_name(df);
    if (df->machine == DUMP_MACHINE_I386)
        arch = df->pae ? "x86pae" : "x86";
    snprintf(out, n, "dump-%s-%s", dump_type_name(df->dump_type), arch);
    return out;
}

/* ---- !vm counters (§4.7): each KDBG field is the address of the variable ---- */

typedef struct vm_counter {
    const char *name;
    uint32_t kdbg_off;
    int in_bytes; /* the variable counts bytes: shown in pages as !vm does */
} vm_counter;

static const vm_counter vm_counters[] = {
    {"Physical Memory", KDBG_MMNUMBEROFPHYSICALPAGES, 0},
    {"Available Pages", KDBG_MMAVAILABLEPAGES, 0},
    {"ResAvail Pages", KDBG_MMRESIDENTAVAILABLEPAGES, 0},
    {"NonPagedPool Usage", KDBG_MMALLOCATEDNONPAGEDPOOL, 0},
    {"NonPagedPool Max", KDBG_MMMAXIMUMNONPAGEDPOOLINBYTES, 1},
    {"PagedPool Commit", KDBG_MMPAGEDPOOLCOMMIT, 0},
    {"PagedPool Maximum", KDBG_MMSIZEOFPAGEDPOOLINBYTES, 1},
    {"Shared Commit", KDBG_MMSHAREDCOMMIT, 0},
    {"Driver Commit", KDBG_MMDRIVERCOMMIT, 0},
    {"Process Commit", KDBG_MMPROCESSCOMMIT, 0},
    {"Committed pages", KDBG_MMTOTALCOMMITTEDPAGES, 0},
    {"Commit limit", KDBG_MMTOTALCOMMITLIMIT, 0},
    {"Peak Commitment", KDBG_MMPEAKCOMMITMENT, 0},
};

/* Pool bytes the tracker tables account for, summed over every tag: the
 * fallback the brief gives for kernels whose KDBG no longer points at the
 * pool counters (named apart from !vm's, in bytes). */
static pt_status emit_tracked_totals(dump_case *c, const pt_sink *sink, uint32_t *emitted)
{
    uint64_t total[2] = {0, 0};
    size_t i;
    int pool;
    if (!c->pool.have_trackers)
        return PT_OK;
    for (i = 0; i < c->pool.tag_count; i++)
        for (pool = 0; pool < 2; pool++)
            total[pool] += c->pool.tags[i].v[pool ? TRK_P_BYTES : TRK_NP_BYTES];
    for (pool = 0; pool < 2; pool++) {
        pt_counter ctr;
        pt_status st;
        unsigned width = c->pool.layout->field[pool ? TRK_P_BYTES : TRK_NP_BYTES].width;
        ctr.name = pool ? "PagedPool Tracked Bytes" : "NonPagedPool Tracked Bytes";
        ctr.unit = "bytes";
        ctr.value = width == 4 ? total[pool] & 0xFFFFFFFFu : total[pool];
        st = pt_sink_counter(sink, &ctr);
        if (st != PT_OK)
            return st;
        (*emitted)++;
    }
    return PT_OK;
}

static pt_status emit_counters(dump_case *c, const pt_sink *sink, uint32_t *emitted)
{
    char missing[512];
    size_t i, used = 0;
    *emitted = 0;
    missing[0] = '\0';
    for (i = 0; i < sizeof vm_counters / sizeof vm_counters[0]; i++) {
        uint64_t var = dump_kdbg_field(c->df, &c->kdbg, vm_counters[i].kdbg_off), value;
        pt_counter ctr;
        pt_status st;
        if (var == 0 || dump_read_pointer(c->df, var, &value, NULL) != PT_OK) {
            int n = snprintf(missing + used, sizeof missing - used, "%s%s",
                             used ? ", " : "", vm_counters[i].name);
            if (n > 0 && (size_t)n < sizeof missing - used)
                used += (size_t)n;
            continue;
        }
        ctr.name = vm_counters[i].name;
        ctr.unit = "pages";
        ctr.value = vm_counters[i].in_bytes ? value / DUMP_PAGE_SIZE : value;
        st = pt_sink_counter(sink, &ctr);
        if (st != PT_OK)
            return st;
        (*emitted)++;
    }
    if (used > 0)
        dump_warnf(c->df, PT_NO_OFFSET,
                   "memory counters this dump's KDBG does not reach (not zero, missing): %s",
                   missing);
    return emit_tracked_totals(c, sink, emitted);
}

static pt_status emit_tags(dump_case *c, const pt_sink *sink)
{
    size_t i;
    int pool;
    if (!c->pool.have_trackers)
        return PT_OK;
    for (i = 0; i < c->pool.tag_count; i++) {
        const dump_tag_sum *s = &c->pool.tags[i];
        for (pool = 0; pool < 2; pool++) {
            const uint64_t *v = s->v + (pool ? TRK_P_ALLOCS : TRK_NP_ALLOCS);
            int wa = c->pool.layout->field[pool ? TRK_P_ALLOCS : TRK_NP_ALLOCS].width;
            char text[PT_TAG_TEXT_MAX];
            pt_tag_row row;
            pt_status st;
            if (v[0] == 0 && v[1] == 0 && v[2] == 0)
                continue;
            memset(&row, 0, sizeof row);
            row.tag = s->key;
            row.tag_text = pt_tag_format(s->key, text);
            row.pool = pool ? PT_POOL_PAGED : PT_POOL_NONPAGED;
            row.has = PT_HAS_ALLOCS | PT_HAS_FREES | PT_HAS_OUTSTANDING | PT_HAS_BYTES;
            row.allocs = v[0];
            row.frees = v[1];
            row.outstanding = v[0] - v[1];
            if (wa == 4)
                row.outstanding &= 0xFFFFFFFFu;
            row.bytes = v[2];
            st = pt_sink_tag_row(sink, &row);
            if (st != PT_OK)
                return st;
        }
    }
    return PT_OK;
}

static pt_status emit_module(void *ctx, const pt_module *m)
{
    return pt_sink_module((const pt_sink *)ctx, m);
}

static pt_status each_module(dump_case *c, dump_module_fn fn, void *ctx, pt_error *err)
{
    uint32_t n;
    if (c->is_triage)
        return dump_triage_each_driver(c->df, &c->triage, fn, ctx, err);
    if (c->df->phys_kind == DUMP_PHYS_NONE || c->df->machine == DUMP_MACHINE_ARM64 ||
        c->module_head == 0)
        return PT_OK;
    return dump_modules_walk(c->df, c->module_head, fn, ctx, &n, err);
}

/* Every record of the sample, in the sink's order. */
static pt_status emit_records(dump_case *c, const pt_sink *sink, pt_error *err)
{
    uint32_t nctr;
    uint64_t nbig;
    pt_status st = each_module(c, emit_module, (void *)sink, err);
    if (st == PT_OK)
        st = emit_tags(c, sink);
    if (st == PT_OK && !c->is_triage && c->kdbg.found)
        st = emit_counters(c, sink, &nctr);
    if (st == PT_OK)
        st = dump_pool_each_big(c->df, &c->pool, sink, &nbig, err);
    return st;
}

/* Reads the dump twice over: a first pass with no record callbacks finds
 * (and warns about) everything that cannot be read, so a partial dump is
 * refused before any record when partial results are not wanted; the
 * second pass emits. */
static pt_status dump_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                           pt_error *err)
{
    warn_target w;
    dump_case c;
    pt_sample_info info;
    pt_sink dry;
    char variant[48];
    pt_status st;

    memset(&w, 0, sizeof w);
    w.sink = sink;
    w.name = opt && opt->display_name ? opt->display_name : src->name;
    st = case_open(src, opt, &w, &c, err);
    if (st != PT_OK)
        return st;
    memset(&dry, 0, sizeof dry);
    st = emit_records(&c, &dry, err);
    if (st == PT_OK && w.st != PT_OK)
        st = w.st;
    if (st == PT_OK && c.df->partial && !(opt && opt->partial_ok))
        st = pt_error_set(err, PT_ERR_PARTIAL, src->name, PT_NO_OFFSET,
                          "only part of the dump could be read (see the warnings); "
                          "import --partial takes what can be read");
    if (st != PT_OK)
        goto out;
    w.quiet = 1;
    memset(&info, 0, sizeof info);
    info.kind = PT_KIND_DUMP;
    info.source = w.name;
    info.variant = variant_name(c.df, variant, sizeof variant);
    info.time = c.df->system_time;
    info.time_origin = "crash";
    if (info.time == 0 || (uint32_t)info.time == DUMP_FILL) {
        info.time = opt && opt->sample_time ? opt->sample_time : opt ? opt->file_mtime : 0;
        info.time_origin = opt && opt->sample_time ? "command-line" : "mtime";
    }
    st = pt_sink_begin_sample(sink, &info);
    if (st == PT_OK)
        st = emit_records(&c, sink, err);
    if (st == PT_OK)
        st = pt_sink_end_sample(sink);
out:
    case_close(&c);
    return st;
}

/* ---- describe ---- */

static pt_status factf(pt_fact_fn fact, void *ctx, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PT_PRINTF_FORMAT, 4, 5)))
#endif
    ;

static pt_status factf(pt_fact_fn fact, void *ctx, const char *name, const char *fmt, ...)
{
    char v[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    return fact(ctx, name, v);
}

#define FACT(...)                                   \
    do {                                            \
        st = factf(fact, ctx, __VA_ARGS__);         \
        if (st != PT_OK)                            \
            goto out;                               \
    } while (0)

static pt_status describe_header(const dump_case *c, pt_fact_fn fact, void *ctx)
{
    const dump_file *df = c->df;
    char t[32];
    pt_status st = PT_OK;
    FACT("format", "Windows kernel crash dump, %s header",
         df->is64 ? "64-bit (PAGEDU64)" : "32-bit (PAGEDUMP)");
    FACT("dump_type", "%u (%s)", df->dump_type, dump_type_name(df->dump_type));
    FACT("architecture", "%s%s", dump_arch_name(df),
         df->machine == DUMP_MACHINE_I386 ? (df->pae ? " (PAE)" : " (non-PAE)") : "");
    FACT("machine", "0x%X", df->machine);
    FACT("build", "%u", df->minor_version);
    FACT("version", "%u.%u (%s build)", df->major_version, df->minor_version,
         df->major_version == 0xC ? "checked" : "free");
    FACT("processors", "%u", df->processors);
    FACT("bugcheck", "0x%08X", df->bugcheck_code);
    FACT("bugcheck_parameters", "0x%016" PRIX64 " 0x%016" PRIX64 " 0x%016" PRIX64
         " 0x%016" PRIX64, df->bugcheck_param[0], df->bugcheck_param[1],
         df->bugcheck_param[2], df->bugcheck_param[3]);
    FACT("crash_time", "%s", pt_filetime_format(df->system_time, t));
    FACT("uptime", "%" PRIu64 ".%07" PRIu64 " s", df->system_uptime / 10000000u,
         df->system_uptime % 10000000u);
    FACT("directory_table_base", "0x%" PRIX64, df->directory_table_base);
    FACT("ps_loaded_module_list", "0x%" PRIX64, df->ps_loaded_module_list);
    FACT("kd_debugger_data_block", "0x%" PRIX64, df->kdbg_va);
    if (df->product_type != DUMP_FILL)
        FACT("product_type", "%u", df->product_type);
    if (df->suite_mask != DUMP_FILL)
        FACT("suite_mask", "0x%X", df->suite_mask);
    if (df->phys_kind == DUMP_PHYS_RUNS)
        FACT("physical_memory", "%u runs, %" PRIu64 " pages in the file (header: %" PRIu64
             ")", df->run_count, df->run_pages, df->header_page_count);
    else if (df->phys_kind == DUMP_PHYS_BITMAP)
        FACT("physical_memory", "bitmap of %" PRIu64 " pages, %" PRIu64
             " present, first page at file offset 0x%" PRIX64, df->bitmap_bits,
             df->bitmap_present, df->bitmap_first_page);
out:
    return st;
}

static pt_status describe_triage(const dump_triage *t, pt_fact_fn fact, void *ctx)
{
    pt_status st = PT_OK;
    FACT("triage_size_of_dump", "0x%X", t->size_of_dump);
    FACT("triage_valid", "%s (ValidOffset 0x%X)", t->valid_tag ? "TRGD" : "missing",
         t->valid_offset);
    FACT("triage_mm_offset", "0x%X", t->mm_offset);
    if (t->unloaded_driver_count != UINT32_MAX)
        FACT("unloaded_drivers", "%u", t->unloaded_driver_count);
    FACT("triage_driver_list", "0x%X, %u entries of 0x%X bytes", t->driver_list_offset,
         t->driver_count, t->driver_stride);
    FACT("triage_string_pool", "0x%X, 0x%X bytes", t->string_pool_offset, t->string_pool_size);
    FACT("triage_top_of_stack", "0x%" PRIX64, t->top_of_stack);
    FACT("triage_debugger_data", "0x%X, 0x%X bytes", t->debugger_data_offset,
         t->debugger_data_size);
    FACT("triage_data_blocks", "0x%X, %u blocks", t->data_blocks_offset, t->data_blocks_count);
    FACT("pool_data", "none: a triage dump holds no pool tracker or big page tables");
    FACT("tracker_layout", "none (a triage dump holds no tracker table)");
out:
    return st;
}

static pt_status describe_pool(const dump_case *c, pt_fact_fn fact, void *ctx)
{
    const dump_pool_tables *p = &c->pool;
    pt_status st = PT_OK;
    if (p->have_trackers || p->have_bigpages)
        FACT("pool_tables_found_by", "%s", p->from_symbols ? "PDB symbols"
                                          : "KDBG PoolTrackTable and ntoskrnl .data heuristics");
    if (p->have_trackers) {
        FACT("pool_track_table", "0x%" PRIX64 " (variable at 0x%" PRIX64 "), %u entries: %s",
             p->pool_track_table, p->pool_track_table_var, p->entries, p->size_origin);
        FACT("tracker_layout", "%s (0x%X-byte entries, %s): %s%s", p->layout->name,
             p->layout->stride, p->layout->builds, p->layout_reason,
             p->layout_certain ? "" : " [not certain]");
        FACT("tracker_tables", "%u summed (per-processor tables)%s", p->cpu_tables,
             p->cpu_tables_unreadable ? ", some unreadable" : "");
        if (p->expansion != 0)
            FACT("tracker_expansion", "0x%" PRIX64 ", %u entries", p->expansion,
                 p->expansion_entries);
        else
            FACT("tracker_expansion", "not found");
        FACT("pool_tags", "%zu", p->tag_count);
    } else {
        FACT("tracker_layout", "none (no tracker table read)");
    }
    if (p->have_bigpages)
        FACT("big_page_table", "0x%" PRIX64 ", %u entries, layout %s", p->bigpage_table,
             p->bigpage_entries, p->bigpage_layout);
    else
        FACT("big_page_table", "not found");
out:
    return st;
}

/* Which module each bugcheck parameter points into (dumpchk shows the
 * faulting driver; this names it for every parameter). */
typedef struct bugcheck_hits {
    dump_file *df;
    uint32_t count;
    char hit[4][300];
} bugcheck_hits;

static pt_status bugcheck_module(void *ctx, const pt_module *m)
{
    bugcheck_hits *b = ctx;
    int i;
    b->count++;
    for (i = 0; i < 4; i++) {
        uint64_t p = b->df->bugcheck_param[i];
        if (b->hit[i][0] == '\0' && m->size != 0 && p >= m->base && p - m->base < m->size)
            snprintf(b->hit[i], sizeof b->hit[i], "%.240s+0x%" PRIX64,
                     m->name ? m->name : "?", p - m->base);
    }
    return PT_OK;
}

static void append_name(char *out, size_t n, const char *name)
{
    size_t used = strlen(out);
    if (used + strlen(name) + 3 < n)
        snprintf(out + used, n - used, "%s%s", used ? ", " : "", name);
}

/* The !vm counters the KDBG reaches, by name, and those it does not. */
static unsigned counters_available(dump_case *c, char *have, size_t nh, char *missing, size_t nm)
{
    unsigned n = 0;
    size_t i;
    have[0] = missing[0] = '\0';
    for (i = 0; i < sizeof vm_counters / sizeof vm_counters[0]; i++) {
        uint64_t var = dump_kdbg_field(c->df, &c->kdbg, vm_counters[i].kdbg_off), value;
        if (var != 0 && dump_read_pointer(c->df, var, &value, NULL) == PT_OK) {
            append_name(have, nh, vm_counters[i].name);
            n++;
        } else {
            append_name(missing, nm, vm_counters[i].name);
        }
    }
    return n;
}

static pt_status dump_describe(pt_source *src, const pt_read_options *opt, pt_fact_fn fact,
                               void *ctx, pt_error *err)
{
    warn_target w;
    dump_case c;
    uint32_t drivers = 0;
    bugcheck_hits bm;
    int i;
    pt_status st;

    memset(&w, 0, sizeof w);
    memset(&bm, 0, sizeof bm);
    w.fact = fact;
    w.fact_ctx = ctx;
    w.name = opt && opt->display_name ? opt->display_name : src->name;
    st = case_open(src, opt, &w, &c, err);
    if (st != PT_OK)
        return st;
    st = describe_header(&c, fact, ctx);
    if (st != PT_OK)
        goto out;
    if (c.kdbg.found)
        FACT("kdbg", "found at 0x%" PRIX64 " (%s%s), Size 0x%X", c.kdbg.va, c.kdbg.origin,
             c.kdbg.encoded ? ", was encoded: decoded" : ", plain", c.kdbg.size);
    else
        FACT("kdbg", "not found: %s", c.kdbg.why_not);
    if (c.sym.loaded)
        FACT("symbols", "%s (%s)", c.sym.pdb_path,
             c.sym.verified ? "GUID and age match the kernel" : "not verified against the kernel");
    else if (c.symbol_path != NULL && c.symbol_path[0] != '\0' && !c.is_triage)
        FACT("symbols", "not used (see the warnings)");
    else if (!c.is_triage)
        FACT("symbols", "none given: tables found through the KDBG and ntoskrnl's .data");
    if (c.kdbg.found)
        FACT("kernel_base", "0x%" PRIX64, dump_kdbg_field(c.df, &c.kdbg, KDBG_KERNBASE));
    if (c.is_triage)
        st = describe_triage(&c.triage, fact, ctx);
    else
        st = describe_pool(&c, fact, ctx);
    if (st != PT_OK)
        goto out;
    bm.df = c.df;
    bm.count = 0;
    st = each_module(&c, bugcheck_module, &bm, err);
    if (st != PT_OK)
        goto out;
    drivers = bm.count;
    FACT("drivers", "%u", drivers);
    for (i = 0; i < 4; i++)
        if (bm.hit[i][0] != '\0')
            FACT("bugcheck_parameter_module", "parameter %d 0x%" PRIX64 " is in %s", i + 1,
                 c.df->bugcheck_param[i], bm.hit[i]);
    if (!c.is_triage && c.kdbg.found) {
        char have[512], missing[512];
        unsigned n = counters_available(&c, have, sizeof have, missing, sizeof missing);
        FACT("vm_counters", "%u of %u reachable through the KDBG%s%s%s%s", n,
             (unsigned)(sizeof vm_counters / sizeof vm_counters[0]), n ? ": " : "", have,
             missing[0] ? "; missing: " : "", missing);
    }
    FACT("partial", "%s", c.df->partial ? "yes: parts of the dump could not be read" : "no");
out:
    case_close(&c);
    return st;
}

const pt_reader pt_reader_dump = {
    .kind = PT_KIND_DUMP,
    .name = "dump",
    .probe = dump_probe,
    .read = dump_read,
    .describe = dump_describe,
};
