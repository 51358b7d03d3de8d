/* test_dump_triage.c - the real triage dumps give exactly the values of
 * ../shared/data/real/dumps/README.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_capture.h"
#include "dump_file.h"
#include "dump_kdbg.h"
#include "dump_reader.h"
#include "dump_triage.h"
#include "pt_test.h"

typedef struct expect_driver {
    unsigned index;
    const char *name;
    uint64_t base, size;
    uint32_t timestamp;
} expect_driver;

typedef struct expect_dump {
    const char *file;
    uint64_t file_size;
    uint32_t machine, build, processors, bugcheck;
    uint64_t dtb, ps_loaded, params[4], kdbg_va, system_time, uptime;
    const char *crash_time, *variant, *arch;
    uint32_t size_of_dump, valid_offset, unloaded_count, driver_list, driver_count;
    uint32_t string_pool, string_pool_size, debugger_data, data_blocks, data_blocks_count;
    uint64_t top_of_stack;
    expect_driver drivers[7];
} expect_dump;

static const expect_dump expected[] = {
    {"triage_x64.dmp", 0x160AB4, 0x8664, 19041, 16, 0x1000007E, 0x1AD000,
     0xFFFFF8047C62A390ULL,
     {0xFFFFFFFFC0000005ULL, 0xFFFFF8048B58334CULL, 0xFFFF850429891EE8ULL,
      0xFFFF850429891720ULL},
     0xFFFFF8047C600B20ULL, 132583451029877657ULL, 37470697ULL, "2021-02-21T01:38:22.9877657Z",
     "dump-triage-x64", "x64", 0x13A28C, 0x13A288, 4, 0x10828, 151, 0x15D18, 0x3720, 0x104A8,
     0x19438, 1831, 0xFFFF850429890EE8ULL,
     {{0, "\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff8047ba00000ULL, 0x1046000, 0x0d8333e6},
      {1, "\\SystemRoot\\system32\\hal.dll", 0xfffff80479440000ULL, 0x6000, 0x1a7be8e9},
      {2, "\\SystemRoot\\system32\\kd.dll", 0xfffff80479450000ULL, 0xb000, 0xfe185fa8},
      {3, "\\SystemRoot\\System32\\drivers\\CLFS.SYS", 0xfffff80479490000ULL, 0x6a000,
       0x503208a5},
      {4, "\\SystemRoot\\System32\\drivers\\tm.sys", 0xfffff80479460000ULL, 0x27000,
       0x4eced593},
      {149,
       "\\SystemRoot\\System32\\DriverStore\\FileRepository\\swenum.inf_amd64_16a14542b63c02af"
       "\\swenum.sys",
       0xfffff8048b670000ULL, 0xc000, 0xe117266b},
      {150, "\\SystemRoot\\System32\\drivers\\rdpbus.sys", 0xfffff8048b680000ULL, 0xe000,
       0x84dfd52a}}},
    {"triage_arm64.dmp", 0x128FAC, 0xAA64, 22000, 8, 0x1C8, 0x946AA000,
     0xFFFFF803F3A2AA20ULL, {0x1B58, 0xFFFFF803F3A20860ULL, 0, 0}, 0xFFFFF803F3A00D00ULL,
     132760615181467095ULL, 7967053432ULL, "2021-09-14T02:51:58.1467095Z",
     "dump-triage-arm64", "arm64", 0xAC46C, 0xAC468, 11, 0xDE30, 245, 0x16800, 0x6EB0, 0xDAB0,
     0x1D6B0, 679, 0xFFFFE00E0E4BC4A0ULL,
     {{0, "\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff803f2e00000ULL, 0x103e000, 0xdf291b09},
      {1, "\\SystemRoot\\system32\\hal.dll", 0xfffff803f0110000ULL, 0x5000, 0x4f8e85a9},
      {2, "\\SystemRoot\\system32\\kd.dll", 0xfffff803f0120000ULL, 0xb000, 0x6c31a20e},
      {3,
       "\\SystemRoot\\System32\\DriverStore\\FileRepository\\halextqcwdogtimer7180.inf_arm64_"
       "ffdef74dedaf9445\\HalExtQCWdogTimer.dll",
       0xfffff803f0130000ULL, 0x9000, 0x5f8555ef},
      {4, "\\SystemRoot\\System32\\drivers\\CLFS.SYS", 0xfffff803f0170000ULL, 0x66000,
       0x7b3830e6},
      {243, "\\SystemRoot\\system32\\drivers\\wd\\WdNisDrv.sys", 0xfffff803fa210000ULL,
       0x18000, 0xda69b51f},
      {244, "\\SystemRoot\\System32\\drivers\\terminpt.sys", 0xfffff803fa230000ULL, 0xf000,
       0xf0f074c9}}},
};

static pt_source *open_real(const char *file)
{
    char path[1024];
    const char *dir = getenv("PT_REAL_DATA");
    pt_source *src = NULL;
    pt_error err;
    snprintf(path, sizeof path, "%s/dumps/%s", dir ? dir : "../shared/data/real", file);
    if (pt_source_open_file(path, &src, &err) != PT_OK) {
        fprintf(stderr, "cannot open %s: %s\n", path, err.message);
        return NULL;
    }
    return src;
}

static void check_header(const expect_dump *x)
{
    pt_source *src = open_real(x->file);
    dump_file *df = NULL;
    dump_triage t;
    dump_kdbg k;
    pt_error err;
    int i;
    PT_CHECK(src != NULL);
    if (src == NULL)
        return;
    PT_CHECK_U64(src->size, x->file_size);
    PT_CHECK_U64(dump_file_open(src, NULL, NULL, &df, &err), PT_OK);
    if (df == NULL) {
        pt_source_close(src);
        return;
    }
    PT_CHECK(df->is64);
    PT_CHECK_U64(df->dump_type, DUMP_TYPE_TRIAGE);
    PT_CHECK_U64(df->major_version, 0xF);
    PT_CHECK_U64(df->minor_version, x->build);
    PT_CHECK_U64(df->directory_table_base, x->dtb);
    PT_CHECK_U64(df->ps_loaded_module_list, x->ps_loaded);
    PT_CHECK_U64(df->machine, x->machine);
    PT_CHECK_U64(df->processors, x->processors);
    PT_CHECK_U64(df->bugcheck_code, x->bugcheck);
    for (i = 0; i < 4; i++)
        PT_CHECK_U64(df->bugcheck_param[i], x->params[i]);
    PT_CHECK_U64(df->kdbg_va, x->kdbg_va);
    PT_CHECK_U64(df->system_time, x->system_time);
    PT_CHECK_U64(df->system_uptime, x->uptime);
    PT_CHECK_U64(df->minidump_fields, 0xCFF);
    PT_CHECK_U64(df->product_type, 1);
    PT_CHECK_U64(df->suite_mask, 0x110);
    PT_CHECK_STR(dump_arch_name(df), x->arch);

    PT_CHECK_U64(dump_triage_read(df, &t, &err), PT_OK);
    PT_CHECK_U64(t.size_of_dump, x->size_of_dump);
    PT_CHECK_U64(t.valid_offset, x->valid_offset);
    PT_CHECK(t.valid_tag);
    PT_CHECK_U64(t.context_offset, 0x348);
    PT_CHECK_U64(t.exception_offset, 0xF00);
    PT_CHECK_U64(t.mm_offset, 0x2080);
    PT_CHECK_U64(t.unloaded_drivers_offset, 0x20D0);
    PT_CHECK_U64(t.unloaded_driver_count, x->unloaded_count);
    PT_CHECK_U64(t.driver_list_offset, x->driver_list);
    PT_CHECK_U64(t.driver_count, x->driver_count);
    PT_CHECK_U64(t.driver_stride, 0x90);
    PT_CHECK_U64(t.string_pool_offset, x->string_pool);
    PT_CHECK_U64(t.string_pool_size, x->string_pool_size);
    PT_CHECK_U64(t.top_of_stack, x->top_of_stack);
    PT_CHECK_U64(t.debugger_data_offset, x->debugger_data);
    PT_CHECK_U64(t.debugger_data_size, 0x380);
    PT_CHECK_U64(t.data_blocks_offset, x->data_blocks);
    PT_CHECK_U64(t.data_blocks_count, x->data_blocks_count);

    /* The KDBG copy: plain, KernBase = driver 0's base, list head = header's. */
    PT_CHECK_U64(dump_kdbg_load(df, &t, &k, &err), PT_OK);
    PT_CHECK(k.found);
    PT_CHECK(!k.encoded);
    PT_CHECK_U64(k.size, 0x380);
    PT_CHECK_U64(dump_kdbg_field(df, &k, KDBG_KERNBASE), x->drivers[0].base);
    PT_CHECK_U64(dump_kdbg_field(df, &k, KDBG_PSLOADEDMODULELIST), x->ps_loaded);
    PT_CHECK(dump_kdbg_field(df, &k, KDBG_POOLTRACKTABLE) != 0);
    dump_file_close(df);
    pt_source_close(src);
}

static void check_read(const expect_dump *x)
{
    pt_source *src = open_real(x->file);
    pt_read_options opt;
    capture c;
    pt_sink sink;
    pt_error err;
    size_t i;
    PT_CHECK(src != NULL);
    if (src == NULL)
        return;
    capture_init(&c, &sink);
    memset(&opt, 0, sizeof opt);
    PT_CHECK_U64(pt_reader_dump.probe((const uint8_t *)"PAGEDU64", 8), 100);
    PT_CHECK_U64(pt_reader_dump.read(src, &opt, &sink, &err), PT_OK);
    PT_CHECK_U64(c.samples, 1);
    PT_CHECK_U64(c.ended, 1);
    PT_CHECK_U64(c.info.kind, PT_KIND_DUMP);
    PT_CHECK_U64(c.info.time, x->system_time);
    PT_CHECK_STR(c.info.time_origin, "crash");
    PT_CHECK_STR(c.info.variant, x->variant);
    PT_CHECK_U64(c.nmodules, x->driver_count);
    PT_CHECK_U64(c.nrows, 0);
    PT_CHECK_U64(c.nallocs, 0);
    PT_CHECK_U64(c.ncounters, 0);
    PT_CHECK(capture_has_warning(&c, "no pool data"));
    for (i = 0; i < 7 && c.nmodules == x->driver_count; i++) {
        const expect_driver *d = &x->drivers[i];
        const cap_module *m = &c.modules[d->index];
        PT_CHECK_STR(m->name, d->name);
        PT_CHECK_U64(m->m.base, d->base);
        PT_CHECK_U64(m->m.size, d->size);
        PT_CHECK_U64(m->m.timestamp, d->timestamp);
    }
    if (x->machine == 0x8664 && c.nmodules > 143) {
        /* The PE header of ntoskrnl (README): CheckSum 0xA5938C; and the
         * faulting address lies in amdppm.sys, entry 143. */
        PT_CHECK_U64(c.modules[0].m.checksum, 0xA5938C);
        PT_CHECK(strstr(c.modules[143].name, "amdppm.sys") != NULL);
        PT_CHECK_U64(c.modules[143].m.base, 0xFFFFF8048B580000ULL);
        PT_CHECK_U64(c.modules[143].m.size, 0x3B000);
    }
    for (i = 0; i < c.nmodules; i++)
        PT_CHECK(c.modules[i].m.base >= 0xFFFF800000000000ULL);
    capture_free(&c);
    pt_source_close(src);
}

typedef struct facts {
    char names[128][48];
    char values[128][520];
    int n;
} facts;

static pt_status keep_fact(void *ctx, const char *name, const char *value)
{
    facts *f = ctx;
    if (f->n < 128) {
        snprintf(f->names[f->n], 48, "%s", name);
        snprintf(f->values[f->n], 520, "%s", value);
        f->n++;
    }
    return PT_OK;
}

static const char *fact(const facts *f, const char *name)
{
    int i;
    for (i = 0; i < f->n; i++)
        if (strcmp(f->names[i], name) == 0)
            return f->values[i];
    return NULL;
}

static void check_describe(const expect_dump *x)
{
    pt_source *src = open_real(x->file);
    facts *f = calloc(1, sizeof *f);
    char buf[64];
    pt_error err;
    PT_CHECK(src != NULL && f != NULL);
    if (src == NULL || f == NULL) {
        free(f);
        pt_source_close(src);
        return;
    }
    PT_CHECK_U64(pt_reader_dump.describe(src, NULL, keep_fact, f, &err), PT_OK);
    PT_CHECK_STR(fact(f, "dump_type"), "4 (triage)");
    PT_CHECK_STR(fact(f, "architecture"), x->arch);
    snprintf(buf, sizeof buf, "%u", x->build);
    PT_CHECK_STR(fact(f, "build"), buf);
    snprintf(buf, sizeof buf, "%u", x->processors);
    PT_CHECK_STR(fact(f, "processors"), buf);
    snprintf(buf, sizeof buf, "0x%08X", x->bugcheck);
    PT_CHECK_STR(fact(f, "bugcheck"), buf);
    PT_CHECK_STR(fact(f, "crash_time"), x->crash_time);
    snprintf(buf, sizeof buf, "%u", x->driver_count);
    PT_CHECK_STR(fact(f, "drivers"), buf);
    PT_CHECK(fact(f, "kdbg") != NULL && strncmp(fact(f, "kdbg"), "found", 5) == 0);
    PT_CHECK(fact(f, "pool_data") != NULL && strncmp(fact(f, "pool_data"), "none", 4) == 0);
    snprintf(buf, sizeof buf, "%u", x->unloaded_count);
    PT_CHECK_STR(fact(f, "unloaded_drivers"), buf);
    PT_CHECK_STR(fact(f, "partial"), "no");
    if (x->machine == 0x8664) /* the README: parameter 2 lies inside amdppm.sys */
        PT_CHECK_STR(fact(f, "bugcheck_parameter_module"),
                     "parameter 2 0xFFFFF8048B58334C is in "
                     "\\SystemRoot\\System32\\drivers\\amdppm.sys+0x334C");
    free(f);
    pt_source_close(src);
}

static void test_x64_header(void) { check_header(&expected[0]); }
static void test_arm64_header(void) { check_header(&expected[1]); }
static void test_x64_read(void) { check_read(&expected[0]); }
static void test_arm64_read(void) { check_read(&expected[1]); }
static void test_x64_describe(void) { check_describe(&expected[0]); }
static void test_arm64_describe(void) { check_describe(&expected[1]); }

PT_TEST_MAIN(PT_TEST(test_x64_header), PT_TEST(test_arm64_header), PT_TEST(test_x64_read),
             PT_TEST(test_arm64_read), PT_TEST(test_x64_describe), PT_TEST(test_arm64_describe))
