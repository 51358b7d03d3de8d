/* test_dump_hostile.c - damaged and hostile dumps: clear errors, or
 * partial results marked partial; never a crash or a hang. */
#include <fcntl.h>
#include <sys/stat.h>

#include "dump_gen_check.h"
#include "pt_byteorder.h"

static void patch(const char *path, uint64_t off, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY);
    PT_CHECK(fd >= 0);
    if (fd < 0)
        return;
    PT_CHECK(pwrite(fd, data, len, (off_t)off) == (ssize_t)len);
    close(fd);
}

static void patch32(const char *path, uint64_t off, uint32_t v)
{
    uint8_t b[4];
    pt_put_le32(b, v);
    patch(path, off, b, 4);
}

static void patch64(const char *path, uint64_t off, uint64_t v)
{
    uint8_t b[8];
    pt_put_le64(b, v);
    patch(path, off, b, 8);
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void make(dumpgen_spec *s, const char *name, char *path, size_t n)
{
    PT_CHECK(gen_write(s, name, path, n, NULL) == 0);
}

/* The second run is cut short by the end of the file. */
static void test_run_past_end(void)
{
    dumpgen_spec s;
    char path[512];
    capture c;
    pt_error err;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    make(&s, "run_past_end.dmp", path, sizeof path);
    PT_CHECK(truncate(path, (off_t)(file_size(path) - 0x400 * 0x1000)) == 0);
    PT_CHECK_U64(gen_read(path, 0, &c, &err), PT_ERR_PARTIAL);
    PT_CHECK(strstr(err.message, "run_past_end.dmp") != NULL);
    PT_CHECK(capture_has_warning(&c, "reaches past the end of the file"));
    capture_free(&c);
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_OK);
    PT_CHECK_U64(c.samples, 1);
    capture_free(&c);
    unlink(path);
}

static void test_bad_run_counts(void)
{
    dumpgen_spec s;
    char path[512];
    capture c;
    pt_error err;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    make(&s, "bad_runs.dmp", path, sizeof path);
    patch32(path, 0x88, 1000); /* NumberOfRuns */
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_ERR_CORRUPT);
    PT_CHECK(strstr(err.message, "offset 0x88") != NULL);
    capture_free(&c);
    patch32(path, 0x88, 2);
    patch64(path, 0x88 + 0x18, 1ull << 52); /* PageCount of run 0 */
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_ERR_CORRUPT);
    capture_free(&c);
    unlink(path);
}

/* RDMP headers whose sizes disagree, and a range list cut by the end. */
static void test_rdmp_damaged(void)
{
    dumpgen_spec s;
    char path[512];
    capture c;
    pt_error err;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_RDMP_FULL);
    make(&s, "rdmp_bad.dmp", path, sizeof path);
    PT_CHECK(truncate(path, (off_t)(file_size(path) - 0x300 * 0x1000)) == 0);
    PT_CHECK_U64(gen_read(path, 0, &c, &err), PT_ERR_PARTIAL);
    PT_CHECK(capture_has_warning(&c, "reach past the end of the file"));
    capture_free(&c);
    patch64(path, 0x2010, 0x7FFFFFFF); /* MetadataSize */
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_ERR_CORRUPT);
    PT_CHECK(strstr(err.message, "offset 0x2010") != NULL);
    capture_free(&c);
    unlink(path);
}

/* The bitmap marks pages present that the file does not hold. */
static void test_bitmap_overclaims(void)
{
    dumpgen_spec s;
    char path[512];
    capture c;
    pt_error err;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_BITMAP);
    make(&s, "bitmap_over.dmp", path, sizeof path);
    PT_CHECK(truncate(path, (off_t)(file_size(path) - 0x200 * 0x1000)) == 0);
    PT_CHECK_U64(gen_read(path, 0, &c, &err), PT_ERR_PARTIAL);
    PT_CHECK(capture_has_warning(&c, "present but the file holds only"));
    capture_free(&c);
    /* a bitmap of 2^40 bits is refused before anything is allocated */
    patch64(path, 0x2000 + 0x30, 1ull << 40);
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_ERR_LIMIT);
    capture_free(&c);
    /* TotalPresentPages that disagrees is a warning */
    patch64(path, 0x2000 + 0x30, 0x40800);
    patch64(path, 0x2000 + 0x28, 12345);
    (void)gen_read(path, 1, &c, &err);
    PT_CHECK(capture_has_warning(&c, "TotalPresentPages 12345"));
    capture_free(&c);
    unlink(path);
}

/* A page-table entry that points back at the top table, and a module list
 * that loops: the reader stops with warnings. */
static void test_loops(void)
{
    dumpgen_spec s;
    char path[512];
    dumpgen *g;
    capture c;
    pt_error err;
    uint64_t epa, pml4 = 0, first;
    uint8_t b[8];
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    g = dumpgen_create(&s);
    PT_CHECK(g != NULL);
    if (g == NULL)
        return;
    /* the last module's Flink goes back to the first entry, not the head */
    first = dumpgen_addr(g, DG_ADDR_FIRST_MODULE);
    pt_put_le64(b, first);
    PT_CHECK(dumpgen_poke(g, first + 0x100 * (s.nmodules - 1), b, 8) == 0);
    /* the PDPTE over the tracker tables points at the PML4 */
    PT_CHECK(dumpgen_entry_pa(g, dumpgen_addr(g, DG_ADDR_TRACKER0), 1, &epa) == 0);
    pml4 = dumpgen_addr(g, DG_ADDR_DTB) & ~0xFFFull;
    pt_put_le64(b, pml4 | 3);
    PT_CHECK(dumpgen_poke_phys(g, epa, b, 8) == 0);
    gen_path(path, sizeof path, "loops.dmp");
    PT_CHECK(dumpgen_write(g, path) == 0);
    dumpgen_free(g);
    /* refused as partial before any record... */
    PT_CHECK_U64(gen_read(path, 0, &c, &err), PT_ERR_PARTIAL);
    PT_CHECK(capture_has_warning(&c, "loops back"));
    PT_CHECK_U64(c.samples, 0);
    PT_CHECK_U64(c.nmodules, 0);
    capture_free(&c);
    /* ...or read as far as it goes, each module once */
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_OK);
    PT_CHECK(capture_has_warning(&c, "loops back"));
    PT_CHECK_U64(c.samples, 1);
    PT_CHECK_U64(c.nmodules, s.nmodules);
    capture_free(&c);
    unlink(path);
}

static void test_kdbg_size_out_of_range(void)
{
    dumpgen_spec s;
    char path[512];
    dumpgen *g;
    capture c;
    pt_error err;
    uint8_t b[4];
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    g = dumpgen_create(&s);
    PT_CHECK(g != NULL);
    if (g == NULL)
        return;
    pt_put_le32(b, 0x7FFF0000);
    PT_CHECK(dumpgen_poke(g, dumpgen_addr(g, DG_ADDR_KDBG) + 0x14, b, 4) == 0);
    gen_path(path, sizeof path, "kdbg_size.dmp");
    PT_CHECK(dumpgen_write(g, path) == 0);
    dumpgen_free(g);
    PT_CHECK_U64(gen_read(path, 0, &c, &err), PT_ERR_PARTIAL);
    PT_CHECK(capture_has_warning(&c, "out of range"));
    PT_CHECK_U64(c.samples, 0);
    capture_free(&c);
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_OK);
    PT_CHECK_U64(c.samples, 1);
    PT_CHECK_U64(c.nrows, 0);
    PT_CHECK_U64(c.nmodules, s.nmodules);
    capture_free(&c);
    unlink(path);
}

/* PoolTrackTableSize of 2^31 - 1: not believed; the size comes from the
 * entries and the sums are still exact. */
static void test_absurd_tracker_size(void)
{
    dumpgen_spec s;
    char path[512];
    dumpgen *g;
    capture c;
    pt_error err;
    uint8_t b[8];
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    g = dumpgen_create(&s);
    PT_CHECK(g != NULL);
    if (g == NULL)
        return;
    pt_put_le64(b, 0x7FFFFFFF);
    PT_CHECK(dumpgen_poke(g, dumpgen_addr(g, DG_ADDR_POOLTRACKTABLE_VAR) - 8, b, 8) == 0);
    gen_path(path, sizeof path, "absurd_size.dmp");
    PT_CHECK(dumpgen_write(g, path) == 0);
    PT_CHECK_U64(gen_read(path, 0, &c, &err), PT_OK);
    PT_CHECK(capture_has_warning(&c, "no table size (2^k+1"));
    gen_check_rows(g, &s, &c);
    capture_free(&c);
    dumpgen_free(g);
    unlink(path);
}

/* The global table's pointer leads nowhere. */
static void test_tracker_unmapped(void)
{
    dumpgen_spec s;
    char path[512];
    dumpgen *g;
    capture c;
    pt_error err;
    uint8_t b[8];
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    g = dumpgen_create(&s);
    PT_CHECK(g != NULL);
    if (g == NULL)
        return;
    pt_put_le64(b, 0xFFFFC00000000000ull);
    PT_CHECK(dumpgen_poke(g, dumpgen_addr(g, DG_ADDR_POOLTRACKTABLE_VAR), b, 8) == 0);
    gen_path(path, sizeof path, "tracker_unmapped.dmp");
    PT_CHECK(dumpgen_write(g, path) == 0);
    dumpgen_free(g);
    PT_CHECK_U64(gen_read(path, 0, &c, &err), PT_ERR_PARTIAL);
    capture_free(&c);
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_OK);
    PT_CHECK(capture_has_warning(&c, "no per-tag pool usage"));
    PT_CHECK_U64(c.nrows, 0);
    PT_CHECK_U64(c.nmodules, s.nmodules);
    capture_free(&c);
    unlink(path);
}

/* One processor's table pointer leads nowhere: left out, marked partial. */
static void test_cpu_table_unreadable(void)
{
    dumpgen_spec s;
    char path[512];
    dumpgen *g;
    capture c;
    pt_error err;
    uint8_t b[8];
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    g = dumpgen_create(&s);
    PT_CHECK(g != NULL);
    if (g == NULL)
        return;
    pt_put_le64(b, 0xFFFFC00000000000ull);
    /* ExPoolTagTables[2] sits at .data + 0x40 + 2 * 8 */
    PT_CHECK(dumpgen_poke(g, dumpgen_addr(g, DG_ADDR_DATA_SECTION) + 0x50, b, 8) == 0);
    gen_path(path, sizeof path, "cpu_table.dmp");
    PT_CHECK(dumpgen_write(g, path) == 0);
    dumpgen_free(g);
    PT_CHECK_U64(gen_read(path, 0, &c, &err), PT_ERR_PARTIAL);
    PT_CHECK(capture_has_warning(&c, "ExPoolTagTables[2]"));
    PT_CHECK(capture_has_warning(&c, "a tracker table is missing from the sum"));
    capture_free(&c);
    unlink(path);
}

static void test_short_and_unknown(void)
{
    char path[512];
    uint8_t h[0x2000];
    capture c;
    pt_error err;
    int fd;
    size_t i;
    gen_path(path, sizeof path, "short.dmp");
    for (i = 0; i < sizeof h; i += 4)
        memcpy(h + i, "PAGE", 4);
    memcpy(h + 4, "DU64", 4);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    PT_CHECK(fd >= 0 && write(fd, h, 100) == 100);
    close(fd);
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_ERR_TRUNCATED);
    capture_free(&c);
    pt_put_le32(h + 0x30, 0x8664);
    pt_put_le32(h + 0xF98, 2); /* legacy summary dump */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    PT_CHECK(fd >= 0 && write(fd, h, sizeof h) == (ssize_t)sizeof h);
    close(fd);
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_ERR_UNSUPPORTED);
    capture_free(&c);
    pt_put_le32(h + 0xF98, 4); /* triage with no triage block */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    PT_CHECK(fd >= 0 && write(fd, h, sizeof h) == (ssize_t)sizeof h);
    close(fd);
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_ERR_TRUNCATED);
    capture_free(&c);
    pt_put_le32(h + 0x30, 0x1234); /* unknown machine */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    PT_CHECK(fd >= 0 && write(fd, h, sizeof h) == (ssize_t)sizeof h);
    close(fd);
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_ERR_UNSUPPORTED);
    capture_free(&c);
    unlink(path);
}

/* A real triage dump with its driver count or list offset broken. */
static void test_triage_damaged(void)
{
    char src_path[1024], path[512];
    const char *dir = getenv("PT_REAL_DATA");
    FILE *in, *out;
    char buf[65536];
    size_t n;
    capture c;
    pt_error err;
    snprintf(src_path, sizeof src_path, "%s/dumps/triage_x64.dmp",
             dir ? dir : "../shared/data/real");
    gen_path(path, sizeof path, "triage_damaged.dmp");
    in = fopen(src_path, "rb");
    out = fopen(path, "wb");
    PT_CHECK(in != NULL && out != NULL);
    if (in == NULL || out == NULL) {
        if (in) fclose(in);
        if (out) fclose(out);
        return;
    }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        PT_CHECK(fwrite(buf, 1, n, out) == n);
    fclose(in);
    fclose(out);
    patch32(path, 0x2000 + 0x34, 0x7FFFFFFF); /* DriverCount */
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_ERR_LIMIT);
    PT_CHECK(strstr(err.message, "DriverCount") != NULL);
    capture_free(&c);
    patch32(path, 0x2000 + 0x34, 151);
    patch32(path, 0x2000 + 0x30, 0x160000); /* DriverListOffset near the end */
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_ERR_CORRUPT);
    capture_free(&c);
    patch32(path, 0x2000 + 0x30, 0x10828);
    patch32(path, 0x104A8 + 0x14, 0x10); /* KDBG copy Size */
    PT_CHECK_U64(gen_read(path, 1, &c, &err), PT_OK);
    PT_CHECK(capture_has_warning(&c, "KDBG not found"));
    PT_CHECK_U64(c.nmodules, 151);
    capture_free(&c);
    unlink(path);
}

PT_TEST_MAIN(PT_TEST(test_run_past_end), PT_TEST(test_bad_run_counts), PT_TEST(test_rdmp_damaged),
             PT_TEST(test_bitmap_overclaims), PT_TEST(test_loops),
             PT_TEST(test_kdbg_size_out_of_range), PT_TEST(test_absurd_tracker_size),
             PT_TEST(test_tracker_unmapped), PT_TEST(test_cpu_table_unreadable),
             PT_TEST(test_short_and_unknown),
             PT_TEST(test_triage_damaged))
