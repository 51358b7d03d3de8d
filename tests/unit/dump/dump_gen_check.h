/* dump_gen_check.h - reads a generated dump with the reader and checks
 * that it gives back exactly what the generator put in. */
#ifndef DUMP_GEN_CHECK_H
#define DUMP_GEN_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump_capture.h"
#include "dump_reader.h"
#include "dumpgen.h"
#include "pt_test.h"

static char gen_dir[256];

/* The test's scratch folder goes away when the program ends. */
static inline void gen_tmpdir_remove(void)
{
    char cmd[300];
    if (gen_dir[0] != '\0' && strncmp(gen_dir, "/tmp/pt_dump_test_", 18) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", gen_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", gen_dir);
    }
}

static inline const char *gen_tmpdir(void)
{
    if (gen_dir[0] == '\0') {
        snprintf(gen_dir, sizeof gen_dir, "/tmp/pt_dump_test_XXXXXX");
        if (mkdtemp(gen_dir) == NULL) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(gen_tmpdir_remove);
    }
    return gen_dir;
}

static inline void gen_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", gen_tmpdir(), name);
}

/* Writes the dump; returns 0 on success. */
static inline int gen_write(const dumpgen_spec *spec, const char *name, char *path, size_t n,
                            dumpgen **keep)
{
    dumpgen *g = dumpgen_create(spec);
    int rc;
    gen_path(path, n, name);
    if (g == NULL)
        return -1;
    rc = dumpgen_write(g, path);
    if (keep != NULL)
        *keep = g;
    else
        dumpgen_free(g);
    return rc;
}

/* Reads the file into a capture; returns the reader's status. */
static inline pt_status gen_read(const char *path, int partial_ok, capture *c, pt_error *err)
{
    pt_source *src = NULL;
    pt_read_options opt;
    pt_sink sink;
    pt_status st;
    capture_init(c, &sink);
    memset(&opt, 0, sizeof opt);
    opt.partial_ok = partial_ok;
    st = pt_source_open_file(path, &src, err);
    if (st != PT_OK)
        return st;
    st = pt_reader_dump.read(src, &opt, &sink, err);
    pt_source_close(src);
    return st;
}

static inline uint64_t wmask(unsigned width)
{
    return width == 8 ? ~0ull : 0xFFFFFFFFull;
}

/* Every tag row equals the generator's sums; no other rows exist. */
static inline void gen_check_rows(const dumpgen *g, const dumpgen_spec *s, const capture *c)
{
    size_t expect_rows = 0;
    unsigned i;
    int pool;
    for (i = 0; i < s->ntags; i++) {
        const dg_tag *t = &s->tags[i];
        for (pool = 0; pool < 2; pool++) {
            uint64_t a = pool ? t->p_allocs : t->np_allocs, f = pool ? t->p_frees : t->np_frees;
            uint64_t b = pool ? t->p_bytes : t->np_bytes;
            const pt_tag_row *r = capture_row(c, t->key, pool ? PT_POOL_PAGED : PT_POOL_NONPAGED);
            if (a == 0 && f == 0 && b == 0) {
                PT_CHECK(r == NULL);
                continue;
            }
            expect_rows++;
            PT_CHECK(r != NULL);
            if (r == NULL) {
                fprintf(stderr, "  missing tag %08x pool %d\n", t->key, pool);
                continue;
            }
            PT_CHECK_U64(r->allocs, a);
            PT_CHECK_U64(r->frees, f);
            PT_CHECK_U64(r->outstanding, (a - f) & wmask(dumpgen_field_width(g, pool ? 3 : 0)));
            PT_CHECK_U64(r->bytes, b);
            PT_CHECK_U64(r->has, PT_HAS_ALLOCS | PT_HAS_FREES | PT_HAS_OUTSTANDING | PT_HAS_BYTES);
        }
    }
    PT_CHECK_U64(c->nrows, expect_rows);
}

static inline void gen_check_modules(const dumpgen_spec *s, const dumpgen *g, const capture *c)
{
    unsigned i;
    PT_CHECK_U64(c->nmodules, s->nmodules);
    for (i = 0; i < s->nmodules && i < c->nmodules; i++) {
        const dg_module *m = &s->modules[i];
        uint64_t base = i == 0 ? dumpgen_addr(g, DG_ADDR_KERNEL_BASE)
                               : (dumpgen_pointer_size(g) == 8 ? 0xFFFFF80013000000ull
                                                               : 0x8A000000ull) +
                                     0x100000ull * i;
        PT_CHECK_STR(c->modules[i].name, m->name);
        PT_CHECK_U64(c->modules[i].m.base, m->base ? m->base : base);
        PT_CHECK_U64(c->modules[i].m.size, m->size);
        PT_CHECK_U64(c->modules[i].m.timestamp, m->timestamp);
        PT_CHECK_U64(c->modules[i].m.checksum, m->checksum);
    }
}

static inline void gen_check_counters(const dumpgen *g, const dumpgen_spec *s, const capture *c)
{
    unsigned i, exposed = 0;
    for (i = 0; i < DG_CTR_COUNT; i++) {
        uint64_t v = 0;
        int have = capture_counter(c, dg_counter_names[i], &v);
        if (!dumpgen_counter_exposed(g, (int)i)) {
            PT_CHECK(!have);
            continue;
        }
        exposed++;
        PT_CHECK(have);
        if (i == DG_CTR_NP_MAX_BYTES || i == DG_CTR_PAGED_MAX_BYTES)
            PT_CHECK_U64(v, s->counters[i] / 0x1000);
        else
            PT_CHECK_U64(v, s->counters[i]);
    }
    {
        /* the tracked totals: the sum of every tag's bytes */
        uint64_t np = 0, pg = 0, v = 0;
        for (i = 0; i < s->ntags; i++) {
            np += s->tags[i].np_bytes;
            pg += s->tags[i].p_bytes;
        }
        PT_CHECK(capture_counter(c, "NonPagedPool Tracked Bytes", &v));
        PT_CHECK_U64(v, np & wmask(dumpgen_field_width(g, 2)));
        PT_CHECK(capture_counter(c, "PagedPool Tracked Bytes", &v));
        PT_CHECK_U64(v, pg & wmask(dumpgen_field_width(g, 5)));
        exposed += 2;
    }
    PT_CHECK_U64(c->ncounters, exposed);
    if (exposed < DG_CTR_COUNT)
        PT_CHECK(capture_has_warning(c, "missing"));
}

static inline void gen_check_big(const dumpgen_spec *s, const capture *c)
{
    unsigned i;
    size_t k;
    PT_CHECK_U64(c->nallocs, s->nbig);
    for (i = 0; i < s->nbig; i++) {
        const dg_big *b = &s->big[i];
        const pt_allocation *a = NULL;
        pt_pool pool = (b->pool_type & 1) ? PT_POOL_PAGED : PT_POOL_NONPAGED;
        if (b->pool_type & 0x20)
            pool = pool == PT_POOL_PAGED ? PT_POOL_SESSION_PAGED : PT_POOL_SESSION_NONPAGED;
        for (k = 0; k < c->nallocs; k++)
            if (c->allocs[k].address == b->va)
                a = &c->allocs[k];
        PT_CHECK(a != NULL);
        if (a == NULL)
            continue;
        PT_CHECK_U64(a->tag, b->key);
        PT_CHECK_U64(a->size, b->size);
        PT_CHECK_U64(a->pool, pool);
        PT_CHECK_U64(a->freed, b->freed);
    }
}

/* The whole check: status OK, one sample at the crash time, and every
 * record as generated. */
static inline void gen_check_all(const char *name, const dumpgen_spec *s)
{
    char path[512];
    dumpgen *g = NULL;
    capture c;
    pt_error err;
    pt_status st;
    PT_CHECK(gen_write(s, name, path, sizeof path, &g) == 0);
    if (g == NULL)
        return;
    st = gen_read(path, 0, &c, &err);
    PT_CHECK_U64(st, PT_OK);
    if (st != PT_OK)
        fprintf(stderr, "  %s: %s\n", name, err.message);
    PT_CHECK_U64(c.samples, 1);
    PT_CHECK_U64(c.ended, 1);
    PT_CHECK_U64(c.info.time, s->system_time);
    PT_CHECK_STR(c.info.time_origin, "crash");
    gen_check_rows(g, s, &c);
    gen_check_modules(s, g, &c);
    gen_check_counters(g, s, &c);
    gen_check_big(s, &c);
    capture_free(&c);
    dumpgen_free(g);
    unlink(path);
}

#endif
