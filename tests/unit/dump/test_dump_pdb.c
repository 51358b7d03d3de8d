/* test_dump_pdb.c - a user PDB: a PE and PDB built here with clang and
 * lld-link (the variables named as in ntoskrnl), checked against
 * llvm-pdbutil; a generated dump whose kernel is that PE, with an encoded
 * KDBG the header cannot decode and variables the heuristics cannot pair,
 * reads exactly through the PDB (a file, and a symbol store folder). */
#include <sys/stat.h>

#include "dump_gen_check.h"
#include "dump_pdb.h"

static const char *const var_names[DG_RVA_COUNT] = {
    "PoolTrackTable",          "PoolTrackTableSize",          "ExPoolTagTables",
    "PoolTrackTableExpansion", "PoolTrackTableExpansionSize", "PoolBigPageTable",
    "PoolBigPageTableSize",    "KiWaitNever",                 "KiWaitAlways",
    "KdpDataBlockEncoded"};

/* The order makes pairs the heuristics would need non-adjacent. */
static const char nt_source[] =
    "unsigned long long PoolTrackTable;\n"
    "unsigned long long ExPoolTagTables[64];\n"
    "unsigned long long PoolBigPageTableSize;\n"
    "unsigned long long KiWaitNever;\n"
    "unsigned long long PoolTrackTableSize;\n"
    "unsigned long long PoolTrackTableExpansion;\n"
    "unsigned long long KiWaitAlways;\n"
    "unsigned long long PoolBigPageTable;\n"
    "unsigned long long PoolTrackTableExpansionSize;\n"
    "unsigned char KdpDataBlockEncoded;\n"
    "int DriverEntry(void) { return (int)PoolTrackTable + EXTRA; }\n";

static int build_pe(const char *dir, const char *name, int extra)
{
    char cmd[2048], src[600];
    FILE *f;
    snprintf(src, sizeof src, "%s/%s.c", dir, name);
    f = fopen(src, "w");
    if (f == NULL)
        return -1;
    fputs(nt_source, f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "clang --target=x86_64-pc-windows-msvc -DEXTRA=%d -c %s/%s.c -o %s/%s.obj && "
             "lld-link /nologo /driver /entry:DriverEntry /subsystem:native /nodefaultlib "
             "/debug /out:%s/%s.sys /pdb:%s/%s.pdb %s/%s.obj",
             extra, dir, name, dir, name, dir, name, dir, name, dir, name);
    return system(cmd) == 0 ? 0 : -1;
}

typedef struct pdbutil_syms {
    uint32_t section_va[16];
    uint32_t rva[DG_RVA_COUNT];
    char guid[40];
    unsigned age;
} pdbutil_syms;

/* The independent reading: llvm-pdbutil's publics (addr = SSSS:OOOO, in
 * decimal), section headers and summary. */
static int run_pdbutil(const char *pdb, pdbutil_syms *out)
{
    char cmd[1024], line[512], pending[128] = "";
    unsigned nsec = 0, seg[DG_RVA_COUNT] = {0}, off[DG_RVA_COUNT] = {0};
    FILE *p;
    int i;
    memset(out, 0, sizeof *out);
    snprintf(cmd, sizeof cmd, "llvm-pdbutil dump -publics -section-headers -summary %s", pdb);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    while (fgets(line, sizeof line, p) != NULL) {
        char *q;
        unsigned a, b;
        if ((q = strstr(line, "S_PUB32")) != NULL && (q = strchr(q, '`')) != NULL) {
            char *e = strchr(q + 1, '`');
            if (e != NULL) {
                *e = '\0';
                snprintf(pending, sizeof pending, "%s", q + 1);
            }
        } else if ((q = strstr(line, "addr = ")) != NULL && sscanf(q, "addr = %u:%u", &a, &b) == 2) {
            for (i = 0; i < DG_RVA_COUNT; i++)
                if (strcmp(pending, var_names[i]) == 0) {
                    seg[i] = a;
                    off[i] = b;
                }
            pending[0] = '\0';
        } else if (strstr(line, "virtual address") != NULL && nsec < 16) {
            out->section_va[nsec++] = (uint32_t)strtoul(line, NULL, 16);
        } else if ((q = strstr(line, "GUID: {")) != NULL) {
            size_t k = 0;
            for (q += 7; *q && *q != '}' && k + 1 < sizeof out->guid; q++)
                if (*q != '-')
                    out->guid[k++] = *q;
            out->guid[k] = '\0';
        } else if ((q = strstr(line, "Age: ")) != NULL) {
            out->age = (unsigned)strtoul(q + 5, NULL, 10);
        }
    }
    if (pclose(p) != 0)
        return -1;
    for (i = 0; i < DG_RVA_COUNT; i++) {
        if (seg[i] == 0 || seg[i] > nsec)
            return -1;
        out->rva[i] = out->section_va[seg[i] - 1] + off[i];
    }
    return 0;
}

typedef struct mine {
    uint32_t rva[DG_RVA_COUNT];
    int found;
} mine;

static pt_status take(void *ctx, const char *name, uint32_t rva)
{
    mine *m = ctx;
    int i;
    for (i = 0; i < DG_RVA_COUNT; i++)
        if (strcmp(name, var_names[i]) == 0) {
            m->rva[i] = rva;
            m->found++;
        }
    return PT_OK;
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long len;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)len);
    if (buf != NULL && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return buf;
}

static pt_status read_with(const char *path, const char *symbol_path, capture *c, pt_error *err)
{
    pt_source *src = NULL;
    pt_read_options opt;
    pt_sink sink;
    pt_status st;
    capture_init(c, &sink);
    memset(&opt, 0, sizeof opt);
    opt.symbol_path = symbol_path;
    st = pt_source_open_file(path, &src, err);
    if (st == PT_OK)
        st = pt_reader_dump.read(src, &opt, &sink, err);
    pt_source_close(src);
    return st;
}

static void test_user_pdb(void)
{
    const char *dir = gen_tmpdir();
    char pe[600], pdb[600], pdb2[600], dmp[600], store[600], cmd[2048];
    pdbutil_syms ref;
    mine got;
    dumpgen_spec s;
    pt_source *src = NULL;
    dump_pdb *p = NULL;
    uint8_t *image;
    size_t image_size = 0;
    capture c;
    pt_error err;
    int i;

    PT_CHECK(build_pe(dir, "nt", 0) == 0);
    PT_CHECK(build_pe(dir, "other", 1) == 0);
    snprintf(pe, sizeof pe, "%s/nt.sys", dir);
    snprintf(pdb, sizeof pdb, "%s/nt.pdb", dir);
    snprintf(pdb2, sizeof pdb2, "%s/other.pdb", dir);
    PT_CHECK(run_pdbutil(pdb, &ref) == 0);

    /* the PDB reader against llvm-pdbutil */
    memset(&got, 0, sizeof got);
    PT_CHECK_U64(pt_source_open_file(pdb, &src, &err), PT_OK);
    if (src != NULL)
        PT_CHECK_U64(dump_pdb_open(src, &p, &err), PT_OK);
    if (p != NULL)
        PT_CHECK_U64(dump_pdb_each_public(p, take, &got, &err), PT_OK);
    PT_CHECK_U64(got.found, DG_RVA_COUNT);
    for (i = 0; i < DG_RVA_COUNT; i++)
        PT_CHECK_U64(got.rva[i], ref.rva[i]);
    dump_pdb_close(p);
    pt_source_close(src);

    /* a dump whose kernel is nt.sys */
    image = slurp(pe, &image_size);
    PT_CHECK(image != NULL);
    if (image == NULL)
        return;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    s.kernel_image = image;
    s.kernel_image_size = image_size;
    for (i = 0; i < DG_RVA_COUNT; i++)
        s.rva[i] = ref.rva[i];
    s.kdbg_encoded = 1;
    s.hide_active_head = 1;
    /* ntoskrnl's TimeDateStamp is the built PE's */
    s.modules[0].timestamp = (uint32_t)image[image[0x3C] | image[0x3D] << 8] == 'P'
                                 ? (uint32_t)image[(image[0x3C] | image[0x3D] << 8) + 8] |
                                       (uint32_t)image[(image[0x3C] | image[0x3D] << 8) + 9] << 8 |
                                       (uint32_t)image[(image[0x3C] | image[0x3D] << 8) + 10] << 16 |
                                       (uint32_t)image[(image[0x3C] | image[0x3D] << 8) + 11] << 24
                                 : 0;
    {
        dumpgen *g = dumpgen_create(&s);
        PT_CHECK(g != NULL);
        snprintf(dmp, sizeof dmp, "%s/pdb_kernel.dmp", dir);
        PT_CHECK(g != NULL && dumpgen_write(g, dmp) == 0);

        /* plain KDBG, no PDB: the heuristics cannot pair the expansion
         * table's variables, and the sums say a table is missing */
        {
            dumpgen_spec plain = s;
            dumpgen *g2;
            char dmp2[700];
            plain.kdbg_encoded = 0;
            plain.hide_active_head = 0;
            g2 = dumpgen_create(&plain);
            snprintf(dmp2, sizeof dmp2, "%s.plain", dmp);
            PT_CHECK(g2 != NULL && dumpgen_write(g2, dmp2) == 0);
            PT_CHECK_U64(read_with(dmp2, NULL, &c, &err), PT_ERR_PARTIAL);
            PT_CHECK(capture_has_warning(&c, "a tracker table is missing from the sum"));
            PT_CHECK(capture_has_warning(&c, "PoolTrackTableExpansion not found"));
            PT_CHECK(capture_has_warning(&c, "PoolBigPageTable not found"));
            capture_free(&c);
            PT_CHECK_U64(read_with(dmp2, pdb, &c, &err), PT_OK);
            if (g2 != NULL)
                gen_check_rows(g2, &plain, &c);
            gen_check_big(&plain, &c);
            capture_free(&c);
            dumpgen_free(g2);
            unlink(dmp2);
        }

        /* without the PDB: the encoded KDBG cannot be decoded */
        (void)read_with(dmp, NULL, &c, &err);
        PT_CHECK(capture_has_warning(&c, "KDBG not found"));
        PT_CHECK_U64(c.nrows, 0);
        capture_free(&c);

        /* with the PDB file: everything exactly */
        PT_CHECK_U64(read_with(dmp, pdb, &c, &err), PT_OK);
        if (g != NULL) {
            gen_check_rows(g, &s, &c);
            gen_check_modules(&s, g, &c);
            gen_check_counters(g, &s, &c);
        }
        gen_check_big(&s, &c);
        capture_free(&c);

        /* a symbol store: <store>/nt.pdb/<GUID><age>/nt.pdb */
        snprintf(store, sizeof store, "%s/store", dir);
        snprintf(cmd, sizeof cmd, "mkdir -p %s/nt.pdb/%s%X && cp %s %s/nt.pdb/%s%X/nt.pdb", store,
                 ref.guid, ref.age, pdb, store, ref.guid, ref.age);
        PT_CHECK(system(cmd) == 0);
        PT_CHECK_U64(read_with(dmp, store, &c, &err), PT_OK);
        if (g != NULL)
            gen_check_rows(g, &s, &c);
        capture_free(&c);

        /* another build's PDB: refused, nothing read through it */
        (void)read_with(dmp, pdb2, &c, &err);
        PT_CHECK(capture_has_warning(&c, "does not match the kernel"));
        PT_CHECK_U64(c.nrows, 0);
        capture_free(&c);
        dumpgen_free(g);
    }
    free(image);
}

/* A PDB that is not one, and one cut short: clear errors. */
static void test_bad_pdb(void)
{
    char path[600];
    pt_source *src = NULL;
    dump_pdb *p = NULL;
    pt_error err;
    FILE *f;
    uint8_t junk[4096];
    memset(junk, 0, sizeof junk);
    memcpy(junk, "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0", 32);
    junk[0x20] = 0; /* block size 0x1000 */
    junk[0x21] = 0x10;
    junk[0x28] = 200; /* 200 blocks, far more than the file */
    gen_path(path, sizeof path, "bad.pdb");
    f = fopen(path, "wb");
    PT_CHECK(f != NULL && fwrite(junk, 1, sizeof junk, f) == sizeof junk);
    if (f != NULL)
        fclose(f);
    PT_CHECK_U64(pt_source_open_file(path, &src, &err), PT_OK);
    if (src != NULL)
        PT_CHECK_U64(dump_pdb_open(src, &p, &err), PT_ERR_CORRUPT);
    PT_CHECK(p == NULL);
    pt_source_close(src);
    unlink(path);
}

PT_TEST_MAIN(PT_TEST(test_user_pdb), PT_TEST(test_bad_pdb))
