/* test_pe_drivers.c - the test drivers built by this folder's CMakeLists
 * from tests/data/pe: the call-site tags found are exactly those in the
 * sources, literals are reported apart, and the metadata (version
 * resource from testdrv.rc, signer from the certificate made by the build,
 * CodeView, checksum) is what the build put there. */
#include <stdlib.h>
#include <string.h>

#include "pe_collect.h"
#include "pe_driver.h"
#include "pe_metadata.h"
#include "pt_readers.h"
#include "pt_test.h"

static const char *driver_path(const char *name)
{
    return pt_test_path("PT_PE_DRIVERS", name);
}

static pt_tag tag_of(const char *text)
{
    pt_tag t = 0;
    pt_tag_parse(text, strlen(text), &t);
    return t;
}

typedef struct expected_call {
    const char *tag;
    const char *api;
    const char *how;
} expected_call;

/* testdrv.c, call by call (the frees and allocations with constant tags). */
static const expected_call testdrv_calls[] = {
    {"Glob", "ExAllocatePoolWithTag", PT_TAG_HOW_GLOBAL},
    {"Leak", "ExAllocatePoolWithTag", PT_TAG_HOW_IMMEDIATE},
    {"Leak", "ExFreePoolWithTag", PT_TAG_HOW_IMMEDIATE},
    {"Pol2", "ExAllocatePool2", PT_TAG_HOW_IMMEDIATE},
    {"Pol2", "ExFreePool2", PT_TAG_HOW_IMMEDIATE},
    {"Qota", "ExAllocatePoolWithQuotaTag", PT_TAG_HOW_IMMEDIATE},
    {"Qota", "ExFreePoolWithTag", PT_TAG_HOW_IMMEDIATE},
    {"Rodt", "ExAllocatePoolWithTag", PT_TAG_HOW_RODATA},
    {"TLas", "ExInitializeNPagedLookasideList", PT_TAG_HOW_IMMEDIATE},
    {"TPri", "ExAllocatePoolWithTagPriority", PT_TAG_HOW_IMMEDIATE},
    {"TPri", "ExFreePoolWithTag", PT_TAG_HOW_IMMEDIATE},
    {"Wrp1", "ExAllocatePoolWithTag", PT_TAG_HOW_WRAPPER},
    {"Wrp2", "ExAllocatePoolWithTag", PT_TAG_HOW_WRAPPER},
};

static const expected_call kmdfdrv_calls[] = {
    {"KmdE", "ExAllocatePoolWithTag", PT_TAG_HOW_IMMEDIATE},
    {"KmdE", "ExFreePoolWithTag", PT_TAG_HOW_IMMEDIATE},
    {"KmdL", "WdfLookasideListCreate", PT_TAG_HOW_IMMEDIATE},
    {"KmdM", "WdfMemoryCreate", PT_TAG_HOW_IMMEDIATE},
};

/* armdrv.c (ARM64): the tags are built by MOVZ+MOVK, so only "Glob"
 * (a global in .data) has its four bytes in the file. */
static const expected_call armdrv_calls[] = {
    {"AArm", "ExAllocatePoolWithTag", PT_TAG_HOW_IMMEDIATE},
    {"AArm", "ExFreePoolWithTag", PT_TAG_HOW_IMMEDIATE},
    {"Arm2", "ExAllocatePool2", PT_TAG_HOW_IMMEDIATE},
    {"Glob", "ExAllocatePoolWithTag", PT_TAG_HOW_GLOBAL},
    {"Wrp1", "ExAllocatePoolWithTag", PT_TAG_HOW_IMMEDIATE},
};

static struct pt_driver_record *analyze(const char *name, pt_arena *arena, const pt_tag *lits,
                                        size_t nlits)
{
    struct pt_driver_record *rec = NULL;
    pt_pe_options opt;
    pt_error err;
    pt_status st;

    memset(&opt, 0, sizeof opt);
    opt.literal_tags = lits;
    opt.literal_tag_count = nlits;
    st = pt_pe_analyze_file(driver_path(name), &opt, arena, &rec, &err);
    PT_CHECK_U64(st, PT_OK);
    if (st != PT_OK)
        fprintf(stderr, "%s\n", err.message);
    PT_CHECK(rec != NULL && rec->error == NULL);
    return rec;
}

/* The call-site rows, in sorted order, are exactly the expected calls. */
static void check_calls(const struct pt_driver_record *rec, const expected_call *want, size_t n)
{
    size_t i, got = 0;
    for (i = 0; i < rec->tag_count; i++) {
        const pt_driver_tag *t = &rec->tags[i];
        char text[PT_TAG_TEXT_MAX];
        if (t->evidence != PT_DRIVER_EV_CALLSITE)
            continue;
        pt_tag_format(t->tag, text);
        if (got < n) {
            PT_CHECK_STR(text, want[got].tag);
            PT_CHECK_STR(t->api, want[got].api);
            PT_CHECK_STR(t->how, want[got].how);
        } else {
            fprintf(stderr, "unexpected call-site tag %s (%s)\n", text, t->api);
        }
        PT_CHECK(t->function_rva != 0 && t->function_rva <= t->call_rva);
        PT_CHECK(t->call_rva < rec->size_of_image);
        got++;
    }
    PT_CHECK_U64(got, n);
}

static size_t literal_count(const struct pt_driver_record *rec, const char *tag)
{
    size_t i;
    for (i = 0; i < rec->tag_count; i++)
        if (rec->tags[i].evidence == PT_DRIVER_EV_LITERAL && rec->tags[i].tag == tag_of(tag))
            return (size_t)rec->tags[i].count;
    return 0;
}

static int has_callsite(const struct pt_driver_record *rec, const char *tag)
{
    size_t i;
    for (i = 0; i < rec->tag_count; i++)
        if (rec->tags[i].evidence == PT_DRIVER_EV_CALLSITE && rec->tags[i].tag == tag_of(tag))
            return 1;
    return 0;
}

static void check_version(const struct pt_driver_record *rec)
{
    const pt_driver_strings *en, *de;
    PT_CHECK(rec->has_version);
    PT_CHECK_U64(rec->file_version[0], 1);
    PT_CHECK_U64(rec->file_version[1], 2);
    PT_CHECK_U64(rec->file_version[2], 3);
    PT_CHECK_U64(rec->file_version[3], 4);
    PT_CHECK_U64(rec->product_version[0], 5);
    PT_CHECK_U64(rec->product_version[3], 8);
    PT_CHECK_U64(rec->file_flags, 2);
    PT_CHECK_U64(rec->file_os, 0x40004);
    PT_CHECK_U64(rec->file_type, 3);
    PT_CHECK_U64(rec->file_subtype, 7);
    PT_CHECK_U64(rec->strings_count, 2);
    if (rec->strings_count != 2)
        return;
    en = &rec->strings[0];
    de = &rec->strings[1];
    PT_CHECK_U64(en->lang, 0x409);
    PT_CHECK_U64(en->codepage, 0x4B0);
    PT_CHECK_STR(en->company_name, "Example Test Corp");
    PT_CHECK_STR(en->file_description, "Pool tag test driver");
    PT_CHECK_STR(en->file_version, "1.2.3.4 (test.build)");
    PT_CHECK_STR(en->product_name, "pooltriage test drivers");
    PT_CHECK_STR(en->product_version, "5.6.7.8");
    PT_CHECK_STR(en->original_filename, "testdrv.sys");
    PT_CHECK_STR(en->legal_copyright, "Copyright (C) Example Test Corp");
    PT_CHECK_STR(en->internal_name, "testdrv");
    PT_CHECK_U64(de->lang, 0x407);
    PT_CHECK_STR(de->company_name, "Beispiel Testfirma");
    /* U+00E4 U+00F6 U+00FC and U+1F600 (a surrogate pair) in UTF-8. */
    PT_CHECK_STR(de->file_description,
                 "Pooltag-Testtreiber \xC3\xA4\xC3\xB6\xC3\xBC \xF0\x9F\x98\x80");
    PT_CHECK_STR(de->legal_copyright, "(C) Beispiel Testfirma");
    PT_CHECK(de->internal_name == NULL);
}

static void test_x64_callsites_exact(void)
{
    pt_arena arena;
    struct pt_driver_record *rec;
    pt_tag lit = tag_of("LitX");

    pt_arena_init(&arena);
    rec = analyze("testdrv.sys", &arena, &lit, 1);
    if (rec != NULL) {
        check_calls(rec, testdrv_calls, sizeof testdrv_calls / sizeof testdrv_calls[0]);
        /* "LitX" is only bytes in .rdata: literal evidence, never a call site. */
        PT_CHECK(!has_callsite(rec, "LitX"));
        PT_CHECK_U64(literal_count(rec, "LitX"), 1);
        /* Literals of the call-site tags are reported apart: "Leak" is an
         * immediate twice (allocation and free). */
        PT_CHECK_U64(literal_count(rec, "Leak"), 2);
        PT_CHECK(rec->analysis_note == NULL);
    }
    pt_arena_free(&arena);
}

static void test_x86_callsites_exact(void)
{
    pt_arena arena;
    struct pt_driver_record *rec;
    pt_tag lit = tag_of("LitX");

    pt_arena_init(&arena);
    rec = analyze("testdrv32.sys", &arena, &lit, 1);
    if (rec != NULL) {
        check_calls(rec, testdrv_calls, sizeof testdrv_calls / sizeof testdrv_calls[0]);
        PT_CHECK_U64(rec->machine, 0x014C);
        PT_CHECK(!rec->pe32plus);
        PT_CHECK_U64(literal_count(rec, "LitX"), 1);
        PT_CHECK(!has_callsite(rec, "LitX"));
    }
    pt_arena_free(&arena);
}

static void test_kmdf_function_table(void)
{
    const char *names[] = {"kmdfdrv.sys", "kmdfdrv32.sys"};
    size_t i;
    for (i = 0; i < 2; i++) {
        pt_arena arena;
        struct pt_driver_record *rec;
        size_t k;
        int binds = 0;
        pt_arena_init(&arena);
        rec = analyze(names[i], &arena, NULL, 0);
        if (rec != NULL) {
            check_calls(rec, kmdfdrv_calls, sizeof kmdfdrv_calls / sizeof kmdfdrv_calls[0]);
            for (k = 0; k < rec->import_count; k++)
                if (rec->imports[k].name != NULL &&
                    strcmp(rec->imports[k].name, "WdfVersionBind") == 0 &&
                    strcmp(rec->imports[k].dll, "WDFLDR.SYS") == 0)
                    binds = 1;
            PT_CHECK(binds);
        }
        pt_arena_free(&arena);
    }
}

#ifdef PT_TEST_ARM64
static void test_arm64(void)
{
    pt_arena arena;
    struct pt_driver_record *rec = NULL;
    pt_error err;
    pt_arena_init(&arena);
    PT_CHECK_U64(pt_pe_analyze_file(pt_test_path("PT_PE_ARM64", "armdrv.sys"), NULL, &arena,
                                    &rec, &err), PT_OK);
    if (rec != NULL) {
        PT_CHECK_U64(rec->machine, 0xAA64);
        check_calls(rec, armdrv_calls, sizeof armdrv_calls / sizeof armdrv_calls[0]);
        /* What findstr would find: none of the MOVZ/MOVK-built tags. */
        PT_CHECK_U64(literal_count(rec, "AArm"), 0);
        PT_CHECK_U64(literal_count(rec, "Arm2"), 0);
        PT_CHECK_U64(literal_count(rec, "Glob"), 1);
        check_version(rec);
        PT_CHECK(rec->analysis_note == NULL);
    }
    pt_arena_free(&arena);
}
#define ARM64_TEST PT_TEST(test_arm64),
#else
#define ARM64_TEST
#endif

static void test_metadata(void)
{
    pt_arena arena;
    struct pt_driver_record *rec;
    size_t i;
    int alloc = 0;

    pt_arena_init(&arena);
    rec = analyze("testdrv.sys", &arena, NULL, 0);
    if (rec != NULL) {
        PT_CHECK_STR(rec->name, "testdrv.sys");
        PT_CHECK_U64(rec->machine, 0x8664);
        PT_CHECK(rec->pe32plus);
        PT_CHECK_U64(rec->subsystem, 1);
        PT_CHECK_U64(rec->image_base, 0x140000000ull);
        PT_CHECK(!rec->timestamp_is_hash);
        /* GNU ld writes a correct CheckSum. */
        PT_CHECK(rec->checksum_ok);
        PT_CHECK_U64(rec->checksum, rec->checksum_computed);
        PT_CHECK_U64(strlen(rec->sha256), 64);
        /* --build-id: an RSDS record with an empty PDB path (§1.7). */
        PT_CHECK(rec->has_codeview);
        PT_CHECK_STR(rec->codeview_format, "RSDS");
        PT_CHECK_STR(rec->pdb_name, "");
        PT_CHECK_U64(strlen(rec->codeview_guid), 36);
        PT_CHECK_STR(rec->signature, "none");
        PT_CHECK(rec->signer_subject == NULL);
        PT_CHECK(!pt_driver_is_microsoft(rec));
        check_version(rec);
        for (i = 0; i < rec->import_count; i++)
            if (rec->imports[i].name != NULL &&
                strcmp(rec->imports[i].name, "ExAllocatePoolWithTag") == 0 &&
                strcmp(rec->imports[i].dll, "ntoskrnl.exe") == 0)
                alloc = 1;
        PT_CHECK(alloc);
    }
    pt_arena_free(&arena);
    pt_arena_init(&arena);
    rec = analyze("testdrv32.sys", &arena, NULL, 0);
    if (rec != NULL) {
        check_version(rec);
        PT_CHECK(rec->checksum_ok);
        PT_CHECK_U64(rec->image_base, 0x10000);
    }
    pt_arena_free(&arena);
}

static void test_signed(void)
{
    const char *names[] = {"testdrv_signed.sys", "testdrv_dual.sys"};
    size_t i;
    for (i = 0; i < 2; i++) {
        pt_arena arena;
        struct pt_driver_record *rec;
        pt_arena_init(&arena);
        rec = analyze(names[i], &arena, NULL, 0);
        if (rec != NULL) {
            PT_CHECK_STR(rec->signature, "embedded");
            PT_CHECK_STR(rec->signer_subject,
                         "C=US, O=Example Test Corp, CN=Example Test Corp Driver Signing");
            /* Self-signed: the issuer is the subject. */
            PT_CHECK_STR(rec->signer_issuer, rec->signer_subject);
            PT_CHECK_U64(rec->signature_count, i == 0 ? 1 : 2);
            /* osslsigncode updates the CheckSum over the signed file. */
            PT_CHECK(rec->checksum_ok);
            check_calls(rec, testdrv_calls, sizeof testdrv_calls / sizeof testdrv_calls[0]);
        }
        pt_arena_free(&arena);
    }
}

/* ---- metadata member round trip ----------------------------------------- */

typedef struct collected {
    pt_arena arena;
    size_t count;
    char names[16][64];
    char first_text[256];
    size_t callsites[16];
    size_t kmde_literal_in_testdrv;
    struct pt_driver_record copy;
    int have_copy;
} collected;

static pt_status on_record(void *ctx, const struct pt_driver_record *rec)
{
    collected *c = ctx;
    size_t i;
    if (c->count < 16) {
        snprintf(c->names[c->count], sizeof c->names[0], "%s", rec->name);
        for (i = 0; i < rec->tag_count; i++)
            if (rec->tags[i].evidence == PT_DRIVER_EV_CALLSITE)
                c->callsites[c->count]++;
    }
    if (strcmp(rec->name, "testdrv.sys") == 0) {
        const pt_driver_strings *s = pt_driver_main_strings(rec);
        PT_CHECK(s != NULL);
        if (s != NULL)
            snprintf(c->first_text, sizeof c->first_text, "%s|%u.%u.%u.%u|%s|%s", s->company_name,
                     rec->file_version[0], rec->file_version[1], rec->file_version[2],
                     rec->file_version[3], rec->codeview_format, rec->signature);
        PT_CHECK_U64(rec->strings_count, 2);
        if (rec->strings_count == 2)
            PT_CHECK_STR(rec->strings[1].file_description,
                         "Pooltag-Testtreiber \xC3\xA4\xC3\xB6\xC3\xBC \xF0\x9F\x98\x80");
        PT_CHECK(rec->checksum_ok);
        PT_CHECK_U64(strlen(rec->sha256), 64);
        PT_CHECK(rec->import_count > 5);
    }
    if (strcmp(rec->name, "testdrv_signed.sys") == 0)
        PT_CHECK_STR(rec->signer_subject,
                     "C=US, O=Example Test Corp, CN=Example Test Corp Driver Signing");
    c->count++;
    return PT_OK;
}

static void test_collect_metadata_round_trip(void)
{
    const char *dirs[1];
    char *text = NULL;
    size_t len = 0;
    pt_pe_collect_stats stats;
    pt_source *src = NULL;
    pt_error err;
    collected c;

    memset(&c, 0, sizeof c);
    dirs[0] = getenv("PT_PE_DRIVERS");
    PT_CHECK(dirs[0] != NULL);
    if (dirs[0] == NULL)
        return;
    PT_CHECK_U64(pt_pe_metadata_for_dirs(dirs, 1, &text, &len, &stats, &err), PT_OK);
    PT_CHECK_U64(stats.files, 6);
    PT_CHECK_U64(stats.unreadable, 0);
    /* testdrv x3 (13 each), testdrv32 (13), kmdfdrv x2 (4 each). */
    PT_CHECK_U64(stats.callsite_tags, 13 * 4 + 4 * 2);
    PT_CHECK(text != NULL && pt_driver_metadata_probe((const uint8_t *)text, len) == 100);
    /* "KmdE" is a call-site tag of kmdfdrv only, so testdrv.sys carries no
     * literal for it, while "Leak" (testdrv's) is counted in every file
     * that has the bytes. */
    PT_CHECK(strstr(text, "tag\tliteral\t0x6B61654C\tLeak") != NULL);
    PT_CHECK_U64(pt_source_open_memory(text, len, "drivers/metadata.txt", &src, &err), PT_OK);
    PT_CHECK_U64(pt_driver_metadata_read(src, on_record, &c, &err), PT_OK);
    PT_CHECK_U64(c.count, 6);
    /* The walk is sorted by name. */
    PT_CHECK_STR(c.names[0], "kmdfdrv.sys");
    PT_CHECK_STR(c.names[2], "testdrv.sys");
    PT_CHECK_U64(c.callsites[0], 4);
    PT_CHECK_U64(c.callsites[2], 13);
    PT_CHECK_STR(c.first_text, "Example Test Corp|1.2.3.4|RSDS|none");
    pt_source_close(src);
    /* Cut short: the last record without "end" is refused as truncated. */
    if (len > 8) {
        size_t cut = len - 5; /* inside the final "end\n" */
        memset(&c, 0, sizeof c);
        PT_CHECK_U64(pt_source_open_memory(text, cut, "cut", &src, &err), PT_OK);
        PT_CHECK_U64(pt_driver_metadata_read(src, on_record, &c, &err), PT_ERR_TRUNCATED);
        PT_CHECK_U64(c.count, 5);
        pt_source_close(src);
    }
    free(text);
}

/* ---- the readers through the registry ----------------------------------- */

static int driver_records;
static pt_status count_driver(void *ctx, const struct pt_driver_record *rec)
{
    (void)ctx;
    driver_records++;
    PT_CHECK_STR(rec->name, "testdrv32.sys");
    return PT_OK;
}

static int facts_seen;
static pt_status on_fact(void *ctx, const char *name, const char *value)
{
    (void)ctx;
    if (strcmp(name, "file_version") == 0) {
        PT_CHECK_STR(value, "1.2.3.4");
        facts_seen++;
    }
    if (strcmp(name, "CompanyName") == 0) {
        PT_CHECK_STR(value, "Example Test Corp");
        facts_seen++;
    }
    if (strcmp(name, "machine") == 0) {
        PT_CHECK_STR(value, "x86");
        facts_seen++;
    }
    return PT_OK;
}

static void test_registry_reader(void)
{
    pt_source *src = NULL;
    const pt_reader *reader = NULL;
    pt_read_options opt;
    pt_sink sink;
    pt_error err;

    PT_CHECK_U64(pt_source_open_file(driver_path("testdrv32.sys"), &src, &err), PT_OK);
    if (src == NULL)
        return;
    PT_CHECK_U64(pt_readers_detect(src, &reader, &err), PT_OK);
    PT_CHECK(reader != NULL && strcmp(reader->name, "pe") == 0);
    memset(&opt, 0, sizeof opt);
    opt.display_name = "testdrv32.sys";
    memset(&sink, 0, sizeof sink);
    sink.driver = count_driver;
    if (reader != NULL) {
        PT_CHECK_U64(reader->read(src, &opt, &sink, &err), PT_OK);
        PT_CHECK_U64(reader->describe(src, &opt, on_fact, NULL, &err), PT_OK);
    }
    PT_CHECK_U64(driver_records, 1);
    PT_CHECK_U64(facts_seen, 3);
    pt_source_close(src);
}

PT_TEST_MAIN(PT_TEST(test_x64_callsites_exact), PT_TEST(test_x86_callsites_exact),
             PT_TEST(test_kmdf_function_table), ARM64_TEST PT_TEST(test_metadata), PT_TEST(test_signed),
             PT_TEST(test_collect_metadata_round_trip), PT_TEST(test_registry_reader))
