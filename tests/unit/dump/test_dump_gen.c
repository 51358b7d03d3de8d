/* test_dump_gen.c - generated dumps of every shape read back exactly. */
#include "dump_gen_check.h"
#include "dump_file.h"
#include "dump_pool.h"

static void test_x64_1709_full_plain(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    gen_check_all("x64_19041_full.dmp", &s);
}

static void test_x64_1709_bitmap_unaligned_encoded(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_BITMAP);
    s.kdbg_encoded = 1;
    gen_check_all("x64_19041_bitmap_enc.dmp", &s);
}

static void test_x64_win11_encoded(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 22000, DG_FULL);
    s.kdbg_encoded = 1;
    s.processors = 8;
    gen_check_all("x64_22000_full_enc.dmp", &s);
}

static void test_x64_win7_bitmap_aligned(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 7601, DG_BITMAP);
    s.bitmap_page_aligned = 1;
    gen_check_all("x64_7601_bitmap.dmp", &s);
}

static void test_x64_2003_small_pages(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 3790, DG_FULL);
    s.large_pages = 0;
    gen_check_all("x64_3790_full.dmp", &s);
}

static void test_x86_pae_2003(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X86_PAE, 3790, DG_FULL);
    gen_check_all("x86pae_3790_full.dmp", &s);
}

static void test_x86_nopae_xp_bitmap(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X86, 2600, DG_BITMAP);
    s.processors = 2;
    gen_check_all("x86_2600_bitmap.dmp", &s);
}

static void test_x86_pae_1709(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X86_PAE, 17134, DG_FULL);
    gen_check_all("x86pae_17134_full.dmp", &s);
}

static void test_x86_win11_layout(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X86_PAE, 21300, DG_FULL);
    gen_check_all("x86pae_21300_full.dmp", &s);
}

/* No size variable, no ExPoolTagTables: the size comes from the entries
 * and only the global table is summed (one processor, so that is all). */
static void test_inferred_size_one_cpu(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    s.size_variable = 0;
    s.cpu_tables = 0;
    s.processors = 1;
    gen_check_all("x64_inferred.dmp", &s);
}

/* A layout the build does not predict (a Server 2022 build with the 0x38
 * entry): chosen from the table, with a warning. */
static void test_layout_detected_against_build(void)
{
    dumpgen_spec s;
    char path[512];
    capture c;
    pt_error err;
    dumpgen *g = NULL;
    dumpgen_default_spec(&s, DG_X64, 20348, DG_FULL);
    s.tracker_layout = "x64-1709";
    PT_CHECK(gen_write(&s, "x64_20348_1709.dmp", path, sizeof path, &g) == 0);
    PT_CHECK_U64(gen_read(path, 0, &c, &err), PT_OK);
    if (g != NULL)
        gen_check_rows(g, &s, &c);
    PT_CHECK(capture_has_warning(&c, "tracker layout x64-1709 chosen"));
    capture_free(&c);
    dumpgen_free(g);
    unlink(path);
}

/* Sparse 16 GiB dumps, full and bitmap, give the same records. */
static void test_sparse_16g(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    dumpgen_set_memory(&s, 16ull << 30);
    gen_check_all("x64_16g_full.dmp", &s);
    dumpgen_default_spec(&s, DG_X64, 19041, DG_BITMAP);
    dumpgen_set_memory(&s, 16ull << 30);
    s.scatter = 1; /* pages all over the 16 GiB */
    gen_check_all("x64_16g_bitmap.dmp", &s);
    dumpgen_default_spec(&s, DG_X86_PAE, 7601, DG_FULL);
    dumpgen_set_memory(&s, 16ull << 30); /* PAE reaches past 4 GiB */
    s.scatter = 1;
    gen_check_all("x86pae_16g_full.dmp", &s);
}

/* WinDbg's RDMP range-list dumps: type 0xA (with a page total) and type 8
 * (ended by a zero range), and a sparse 16 GiB one. */
static void test_rdmp(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 22000, DG_RDMP_FULL);
    s.kdbg_encoded = 1;
    gen_check_all("x64_rdmp_full.dmp", &s);
    dumpgen_default_spec(&s, DG_X64, 19041, DG_RDMP_KERNEL);
    gen_check_all("x64_rdmp_kernel.dmp", &s);
    dumpgen_default_spec(&s, DG_X64, 19041, DG_RDMP_FULL);
    dumpgen_set_memory(&s, 16ull << 30);
    s.scatter = 1;
    gen_check_all("x64_rdmp_16g.dmp", &s);
}

/* Triage dumps of the same systems, 64- and 32-bit: the driver list and
 * the KDBG copy, and a note that no pool data is there. */
static void check_triage(dg_arch arch, uint32_t build, const char *name)
{
    dumpgen_spec s;
    dumpgen *g;
    char path[512];
    capture c;
    pt_error err;
    dumpgen_default_spec(&s, arch, build, DG_FULL);
    s.kdbg_encoded = arch == DG_X64;
    g = dumpgen_create(&s);
    PT_CHECK(g != NULL);
    if (g == NULL)
        return;
    gen_path(path, sizeof path, name);
    PT_CHECK(dumpgen_write_triage(g, path) == 0);
    PT_CHECK_U64(gen_read(path, 0, &c, &err), PT_OK);
    PT_CHECK_STR(c.info.variant, arch == DG_X64 ? "dump-triage-x64" : "dump-triage-x86pae");
    PT_CHECK_U64(c.info.time, s.system_time);
    gen_check_modules(&s, g, &c);
    PT_CHECK_U64(c.nrows, 0);
    PT_CHECK_U64(c.nallocs, 0);
    PT_CHECK(capture_has_warning(&c, "no pool data"));
    PT_CHECK(!capture_has_warning(&c, "KDBG not found"));
    capture_free(&c);
    dumpgen_free(g);
    unlink(path);
}

static void test_triage_x64(void) { check_triage(DG_X64, 19041, "triage_x64.dmp"); }
static void test_triage_x86(void) { check_triage(DG_X86_PAE, 3790, "triage_x86.dmp"); }

PT_TEST_MAIN(PT_TEST(test_rdmp), PT_TEST(test_triage_x64), PT_TEST(test_triage_x86), PT_TEST(test_x64_1709_full_plain), PT_TEST(test_x64_1709_bitmap_unaligned_encoded),
             PT_TEST(test_x64_win11_encoded), PT_TEST(test_x64_win7_bitmap_aligned),
             PT_TEST(test_x64_2003_small_pages), PT_TEST(test_x86_pae_2003),
             PT_TEST(test_x86_nopae_xp_bitmap), PT_TEST(test_x86_pae_1709),
             PT_TEST(test_x86_win11_layout), PT_TEST(test_inferred_size_one_cpu),
             PT_TEST(test_layout_detected_against_build), PT_TEST(test_sparse_16g))
