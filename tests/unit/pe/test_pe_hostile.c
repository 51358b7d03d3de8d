/* test_pe_hostile.c - truncated, malformed and hostile PE files, made by
 * patching the test driver built by this folder's CMakeLists: each gives
 * a clear error for that file (naming it), never a crash or a hang, and a
 * directory scan goes on past them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pe_collect.h"
#include "pe_driver.h"
#include "pe_image.h"
#include "pt_byteorder.h"
#include "pt_test.h"

static uint8_t *load(const char *name, size_t *size)
{
    const char *path = pt_test_path("PT_PE_DRIVERS", name);
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long n;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n);
    if (data != NULL && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return data;
}

/* Analyzes a buffer; returns the status, copies the record's error. */
static pt_status analyze_buf(const uint8_t *data, size_t size, char *error, size_t cap,
                             char *note, size_t note_cap)
{
    pt_source *src = NULL;
    struct pt_driver_record *rec = NULL;
    pt_arena arena;
    pt_error err;
    pt_status st;

    error[0] = '\0';
    if (note != NULL)
        note[0] = '\0';
    PT_CHECK_U64(pt_source_open_memory(data, size, "hostile.sys", &src, &err), PT_OK);
    pt_arena_init(&arena);
    st = pt_pe_analyze(src, "hostile.sys", NULL, &arena, &rec, &err);
    PT_CHECK(rec != NULL);
    if (rec != NULL && rec->error != NULL)
        snprintf(error, cap, "%s", rec->error);
    if (rec != NULL && note != NULL && rec->analysis_note != NULL)
        snprintf(note, note_cap, "%s", rec->analysis_note);
    /* A failure is always named, with the file. */
    if (st != PT_OK)
        PT_CHECK(strstr(error, "hostile.sys") != NULL);
    pt_arena_free(&arena);
    pt_source_close(src);
    return st;
}

static void test_every_truncation(void)
{
    size_t size, cut;
    uint8_t *data = load("testdrv.sys", &size);
    char error[1024];
    int errors = 0;

    PT_CHECK(data != NULL);
    if (data == NULL)
        return;
    for (cut = 0; cut < size; cut += cut < 1024 ? 1 : 13) {
        uint8_t *copy = malloc(cut + 1);
        pt_status st;
        memcpy(copy, data, cut);
        st = analyze_buf(copy, cut, error, sizeof error, NULL, 0);
        if (st != PT_OK || error[0] != '\0')
            errors++;
        /* Cut inside the headers: a hard error for the file. */
        if (cut < 0x40)
            PT_CHECK(st == PT_ERR_FORMAT || st == PT_ERR_TRUNCATED);
        free(copy);
    }
    PT_CHECK(errors > 0);
    free(data);
}

static uint32_t pe_off(const uint8_t *d)
{
    return pt_le32(d + PE_DOS_LFANEW);
}

static void test_bad_headers(void)
{
    size_t size;
    uint8_t *data = load("testdrv.sys", &size);
    uint8_t *copy;
    char error[1024];
    uint32_t pe;

    if (data == NULL)
        return;
    copy = malloc(size);
    pe = pe_off(data);

    memcpy(copy, data, size);
    pt_put_le32(copy + PE_DOS_LFANEW, 0xFFFFFFF0u);
    PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, NULL, 0), PT_ERR_TRUNCATED);
    PT_CHECK(strstr(error, "e_lfanew") != NULL);

    memcpy(copy, data, size);
    copy[pe] = 'X';
    PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, NULL, 0), PT_ERR_FORMAT);
    PT_CHECK(strstr(error, "not a PE file") != NULL);

    /* Huge section count. */
    memcpy(copy, data, size);
    pt_put_le16(copy + pe + 4 + PE_COFF_NSECTIONS, 0xFFFF);
    PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, NULL, 0), PT_ERR_LIMIT);
    PT_CHECK(strstr(error, "65535 sections") != NULL);

    /* Section table out of bounds (SizeOfOptionalHeader pushes it past the end). */
    memcpy(copy, data, size);
    pt_put_le16(copy + pe + 4 + PE_COFF_OPTSIZE, 0xFFF0);
    PT_CHECK(analyze_buf(copy, size, error, sizeof error, NULL, 0) == PT_ERR_TRUNCATED);
    PT_CHECK(strstr(error, "runs past the end") != NULL);

    /* A text file and an MZ without PE. */
    PT_CHECK_U64(analyze_buf((const uint8_t *)"hello, world\n", 13, error, sizeof error, NULL, 0),
                 PT_ERR_FORMAT);
    memset(copy, 0, 0x80);
    copy[0] = 'M';
    copy[1] = 'Z';
    PT_CHECK_U64(analyze_buf(copy, 0x80, error, sizeof error, NULL, 0), PT_ERR_FORMAT);
    free(copy);
    free(data);
}

/* Finds the file offset of a data directory's target in the driver. */
static int dir_info(const uint8_t *data, size_t size, int index, uint64_t *file_off,
                    uint32_t *dir_entry_off)
{
    pe_image img;
    pt_error err;
    if (pe_image_parse(&img, data, size, "t", &err) != PT_OK)
        return -1;
    *dir_entry_off = img.opt_offset + (img.pe32plus ? 112 : 96) + 8 * (uint32_t)index;
    *file_off = pe_rva_to_offset(&img, img.dirs[index].rva);
    return img.dirs[index].rva != 0 ? 0 : -1;
}

static void test_resource_loops_and_counts(void)
{
    size_t size;
    uint8_t *data = load("testdrv.sys", &size);
    uint8_t *copy;
    char error[1024];
    uint64_t root = 0;
    uint32_t entry = 0;

    if (data == NULL)
        return;
    copy = malloc(size);
    PT_CHECK(dir_info(data, size, PE_DIR_RESOURCE, &root, &entry) == 0);
    if (root == UINT64_MAX || root + 32 > size) {
        free(copy);
        free(data);
        return;
    }
    /* Root: one ID entry, RT_VERSION, pointing back at the root itself. */
    memcpy(copy, data, size);
    pt_put_le16(copy + root + 12, 0);
    pt_put_le16(copy + root + 14, 1);
    pt_put_le32(copy + root + 16, 16);
    pt_put_le32(copy + root + 20, 0x80000000u);
    PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, NULL, 0), PT_OK);
    PT_CHECK(strstr(error, "RT_VERSION") != NULL);

    /* Huge entry counts: bounded by the section, no hang. */
    memcpy(copy, data, size);
    pt_put_le16(copy + root + 12, 0xFFFF);
    pt_put_le16(copy + root + 14, 0xFFFF);
    PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, NULL, 0), PT_OK);

    /* A version data entry claiming 4 GB. */
    memcpy(copy, data, size);
    {
        /* Follow the real tree: root -> type -> name -> lang -> data entry. */
        uint32_t l1 = pt_le32(copy + root + 16 + 4) & 0x7FFFFFFF;
        uint32_t l2 = pt_le32(copy + root + l1 + 16 + 4) & 0x7FFFFFFF;
        uint32_t l3 = pt_le32(copy + root + l2 + 16 + 4);
        if (root + l3 + 8 <= size) {
            pt_put_le32(copy + root + l3 + 4, 0xFFFFFFF0u);
            PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, NULL, 0), PT_OK);
            PT_CHECK(strstr(error, "version resource") != NULL);
        }
    }
    free(copy);
    free(data);
}

static void test_directories_out_of_bounds(void)
{
    size_t size;
    uint8_t *data = load("testdrv.sys", &size);
    uint8_t *copy;
    char error[1024], note[256];
    uint64_t off = 0;
    uint32_t entry = 0;

    if (data == NULL)
        return;
    copy = malloc(size);

    /* Import directory pointing at code: garbage descriptors. */
    memcpy(copy, data, size);
    if (dir_info(data, size, PE_DIR_IMPORT, &off, &entry) == 0) {
        pt_put_le32(copy + entry, 0x1000);
        PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, NULL, 0), PT_OK);
        PT_CHECK(error[0] != '\0');
        /* Import directory past the image. */
        pt_put_le32(copy + entry, 0x7FFFFFF0u);
        PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, NULL, 0), PT_OK);
        PT_CHECK(strstr(error, "import directory") != NULL);
    }
    /* Debug directory with a huge count. */
    memcpy(copy, data, size);
    if (dir_info(data, size, PE_DIR_DEBUG, &off, &entry) == 0) {
        pt_put_le32(copy + entry + 4, 0xFFFFFFF0u);
        PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, NULL, 0), PT_OK);
        PT_CHECK(strstr(error, "debug directory") != NULL);
    }
    /* Security directory past the end of the file. */
    memcpy(copy, data, size);
    dir_info(data, size, PE_DIR_SECURITY, &off, &entry);
    pt_put_le32(copy + entry, (uint32_t)size + 100);
    pt_put_le32(copy + entry + 4, 64);
    PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, NULL, 0), PT_OK);
    PT_CHECK(strstr(error, "security directory") != NULL);
    /* Exception directory whose entries all span the whole code many times
     * over: decoding is bounded. */
    memcpy(copy, data, size);
    if (dir_info(data, size, PE_DIR_EXCEPTION, &off, &entry) == 0 && off != UINT64_MAX) {
        uint32_t count = pt_le32(copy + entry + 4) / 12, i;
        for (i = 0; i < count && off + 12 * (i + 1) <= size; i++) {
            pt_put_le32(copy + off + 12 * i, 0x1000);
            pt_put_le32(copy + off + 12 * i + 4, 0x1000 + (60u << 20));
        }
        PT_CHECK_U64(analyze_buf(copy, size, error, sizeof error, note, sizeof note), PT_OK);
    }
    free(copy);
    free(data);
}

static void test_garbled_signature(void)
{
    size_t size, i;
    uint8_t *data = load("testdrv_signed.sys", &size);
    uint8_t *copy;
    char error[1024];
    uint64_t off = 0;
    uint32_t entry = 0, sec_off, sec_size;
    int readable = 0, unreadable = 0;

    if (data == NULL)
        return;
    copy = malloc(size);
    dir_info(data, size, PE_DIR_SECURITY, &off, &entry);
    sec_off = pt_le32(data + entry);
    sec_size = pt_le32(data + entry + 4);
    PT_CHECK(sec_off > 0 && sec_off + sec_size <= size);
    /* Flip each byte of the first 600 of the DER in turn. */
    for (i = 8; i < 600 && sec_off + i < size; i++) {
        pt_status st;
        memcpy(copy, data, size);
        copy[sec_off + i] ^= 0xFF;
        st = analyze_buf(copy, size, error, sizeof error, NULL, 0);
        PT_CHECK_U64(st, PT_OK);
        if (error[0] != '\0')
            unreadable++;
        else
            readable++;
    }
    PT_CHECK(unreadable > 0);
    free(copy);
    free(data);
}

/* Code outside .pdata (leaf functions have no unwind data): the seed
 * driver tiny64.sys (tests/fuzz/pe/make_corpus.py) with its one .pdata
 * entry cut to the first instruction still gives both call sites, at the
 * RVAs the generator laid out (0x214 and 0x226). */
static void test_leaf_code_outside_pdata(void)
{
    char path[4200];
    FILE *f;
    uint8_t data[4096];
    size_t size;
    pe_image img;
    pt_error err;
    pt_source *src = NULL;
    struct pt_driver_record *rec = NULL;
    pt_arena arena;
    uint64_t pdata;
    size_t i, calls = 0;

    snprintf(path, sizeof path, "%s/tests/fuzz/pe/corpus/tiny64.sys", getenv("PT_SOURCE_DIR"));
    f = fopen(path, "rb");
    PT_CHECK(f != NULL);
    if (f == NULL)
        return;
    size = fread(data, 1, sizeof data, f);
    fclose(f);
    PT_CHECK_U64(pe_image_parse(&img, data, size, "tiny64.sys", &err), PT_OK);
    pdata = pe_rva_to_offset(&img, img.dirs[PE_DIR_EXCEPTION].rva);
    PT_CHECK(pdata != UINT64_MAX && pdata + 12 <= size);
    if (pdata == UINT64_MAX || pdata + 12 > size)
        return;
    PT_CHECK_U64(pt_le32(data + pdata), 0x200);
    pt_put_le32(data + pdata + 4, 0x204); /* just "sub rsp, 0x28" */
    PT_CHECK_U64(pt_source_open_memory(data, size, "leaf.sys", &src, &err), PT_OK);
    pt_arena_init(&arena);
    PT_CHECK_U64(pt_pe_analyze(src, "leaf.sys", NULL, &arena, &rec, &err), PT_OK);
    for (i = 0; rec != NULL && i < rec->tag_count; i++) {
        const pt_driver_tag *t = &rec->tags[i];
        if (t->evidence != PT_DRIVER_EV_CALLSITE)
            continue;
        PT_CHECK_U64(t->tag, 0x6B61654Cu);
        PT_CHECK_U64(t->call_rva, calls == 0 ? 0x214 : 0x226);
        PT_CHECK_STR(t->api, calls == 0 ? "ExAllocatePoolWithTag" : "ExFreePoolWithTag");
        PT_CHECK_U64(t->function_rva, 0x204);
        calls++;
    }
    PT_CHECK_U64(calls, 2);
    pt_arena_free(&arena);
    pt_source_close(src);
}

/* A directory with a good driver, a truncated one, a text file named .sys
 * and an unrelated file: three records, two with reasons. */

static void test_scan_goes_on(void)
{
    const char *work = getenv("PT_PE_WORK");
    char dir[4096], path[4200];
    size_t size;
    uint8_t *data = load("testdrv.sys", &size);
    const char *dirs[1];
    char *text = NULL;
    size_t len = 0;
    pt_pe_collect_stats stats;
    pt_error err;
    FILE *f;

    PT_CHECK(work != NULL && data != NULL);
    if (work == NULL || data == NULL) {
        free(data);
        return;
    }
    snprintf(dir, sizeof dir, "%s/hostile-scan", work);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/a_good.sys", dir);
    f = fopen(path, "wb");
    fwrite(data, 1, size, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/b_cut.sys", dir);
    f = fopen(path, "wb");
    fwrite(data, 1, 300, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/c_text.sys", dir);
    f = fopen(path, "wb");
    fputs("not a driver\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/d_notes.txt", dir);
    f = fopen(path, "wb");
    fputs("notes\n", f);
    fclose(f);
    dirs[0] = dir;
    PT_CHECK_U64(pt_pe_metadata_for_dirs(dirs, 1, &text, &len, &stats, &err), PT_OK);
    PT_CHECK_U64(stats.files, 3);
    PT_CHECK_U64(stats.unreadable, 2);
    PT_CHECK(text != NULL && strstr(text, "b_cut.sys\nname\tb_cut.sys") != NULL);
    PT_CHECK(text != NULL && strstr(text, "error\t4\t") != NULL);
    free(text);
    free(data);
}

PT_TEST_MAIN(PT_TEST(test_every_truncation), PT_TEST(test_bad_headers),
             PT_TEST(test_resource_loops_and_counts), PT_TEST(test_directories_out_of_bounds),
             PT_TEST(test_garbled_signature), PT_TEST(test_leaf_code_outside_pdata),
             PT_TEST(test_scan_goes_on))
