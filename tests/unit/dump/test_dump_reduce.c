/* test_dump_reduce.c - --dump-reduce: a 16 GiB dump reduced to the blocks
 * the reader needs imports from the bundle to exactly the same records. */
#include <sys/stat.h>

#include "bundle.h"
#include "dump_gen_check.h"
#include "dump_reduce.h"

static void same_capture(const capture *a, const capture *b)
{
    size_t i;
    PT_CHECK_U64(a->samples, b->samples);
    PT_CHECK_U64(a->info.time, b->info.time);
    PT_CHECK_STR(a->info.variant, b->info.variant);
    PT_CHECK_U64(a->nrows, b->nrows);
    for (i = 0; i < a->nrows && i < b->nrows; i++) {
        PT_CHECK_U64(a->rows[i].tag, b->rows[i].tag);
        PT_CHECK_U64(a->rows[i].pool, b->rows[i].pool);
        PT_CHECK_U64(a->rows[i].allocs, b->rows[i].allocs);
        PT_CHECK_U64(a->rows[i].frees, b->rows[i].frees);
        PT_CHECK_U64(a->rows[i].bytes, b->rows[i].bytes);
    }
    PT_CHECK_U64(a->nmodules, b->nmodules);
    for (i = 0; i < a->nmodules && i < b->nmodules; i++) {
        PT_CHECK_STR(a->modules[i].name, b->modules[i].name);
        PT_CHECK_U64(a->modules[i].m.base, b->modules[i].m.base);
        PT_CHECK_U64(a->modules[i].m.timestamp, b->modules[i].m.timestamp);
    }
    PT_CHECK_U64(a->ncounters, b->ncounters);
    for (i = 0; i < a->ncounters && i < b->ncounters; i++)
        PT_CHECK_U64(a->counters[i].value, b->counters[i].value);
    PT_CHECK_U64(a->nallocs, b->nallocs);
    for (i = 0; i < a->nallocs && i < b->nallocs; i++) {
        PT_CHECK_U64(a->allocs[i].address, b->allocs[i].address);
        PT_CHECK_U64(a->allocs[i].size, b->allocs[i].size);
        PT_CHECK_U64(a->allocs[i].freed, b->allocs[i].freed);
    }
    PT_CHECK_U64(a->nwarnings, b->nwarnings);
}

static void reduce_and_compare(dumpgen_spec *s, const char *name)
{
    char path[512], bpath[600];
    capture whole, reduced;
    pt_error err;
    pt_source *src = NULL, *member = NULL;
    pt_bundle_writer *w = NULL;
    pt_bundle *b = NULL;
    pt_bundle_info info;
    dump_range_set kept;
    struct stat st;
    pt_sink sink;
    pt_read_options opt;

    PT_CHECK(gen_write(s, name, path, sizeof path, NULL) == 0);
    PT_CHECK_U64(gen_read(path, 0, &whole, &err), PT_OK);
    snprintf(bpath, sizeof bpath, "%s.ptb", path);
    memset(&info, 0, sizeof info);
    info.collector_version = "test";
    PT_CHECK_U64(pt_source_open_file(path, &src, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_writer_open(bpath, &info, &w, &err), PT_OK);
    if (src == NULL || w == NULL) {
        pt_source_close(src);
        capture_free(&whole);
        return;
    }
    PT_CHECK_U64(dump_reduce_to_bundle(w, "MEMORY.DMP", src, NULL, 0, &kept, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_writer_close(w, &err), PT_OK);
    PT_CHECK(kept.bytes < (8u << 20));
    PT_CHECK(stat(bpath, &st) == 0 && (uint64_t)st.st_size < (4u << 20));
    printf("%s: %.1f GiB dump, %zu ranges kept (%.2f MiB), bundle %.2f MiB\n", name,
           (double)src->size / (1u << 30), kept.count, (double)kept.bytes / (1 << 20),
           (double)st.st_size / (1 << 20));
    dump_range_set_free(&kept);

    PT_CHECK_U64(pt_bundle_open(bpath, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b != NULL) {
        PT_CHECK_U64(pt_bundle_member_count(b), 1);
        PT_CHECK(pt_bundle_member_at(b, 0)->has_holes);
        PT_CHECK_U64(pt_bundle_member_at(b, 0)->size, src->size);
        PT_CHECK_U64(pt_bundle_verify(b, &err), PT_OK);
        PT_CHECK_U64(pt_bundle_open_member(b, 0, &member, &err), PT_OK);
    }
    if (member != NULL) {
        capture_init(&reduced, &sink);
        memset(&opt, 0, sizeof opt);
        PT_CHECK_U64(pt_reader_dump.read(member, &opt, &sink, &err), PT_OK);
        same_capture(&whole, &reduced);
        PT_CHECK(reduced.nrows == 2u * s->ntags - (s->ntags + 2) / 3);
        capture_free(&reduced);
        pt_source_close(member);
    }
    pt_bundle_close(b);
    pt_source_close(src);
    capture_free(&whole);
    unlink(bpath);
    unlink(path);
}

static void test_reduce_full_16g(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    dumpgen_set_memory(&s, 16ull << 30);
    s.scatter = 1;
    reduce_and_compare(&s, "reduce_full16.dmp");
}

static void test_reduce_bitmap_16g(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 22000, DG_BITMAP);
    dumpgen_set_memory(&s, 16ull << 30);
    s.scatter = 1;
    s.kdbg_encoded = 1;
    reduce_and_compare(&s, "reduce_bitmap16.dmp");
}

static void test_reduce_x86(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X86_PAE, 3790, DG_FULL);
    reduce_and_compare(&s, "reduce_x86pae.dmp");
}

PT_TEST_MAIN(PT_TEST(test_reduce_full_16g), PT_TEST(test_reduce_bitmap_16g),
             PT_TEST(test_reduce_x86))
