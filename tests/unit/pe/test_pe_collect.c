/* test_pe_collect.c - `pooltriage-collect --drivers DIR [--with-binaries]`:
 * the bundle carries one driver-metadata member that the "drivers" reader
 * reads back with every call-site tag (metadata only, the default), and
 * with --with-binaries also each driver file, byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "pe_collect.h"
#include "pe_driver.h"
#include "pt_collect.h"
#include "pt_readers.h"
#include "pt_sha256.h"
#include "pt_test.h"

typedef struct seen {
    size_t drivers, callsites, testdrv_callsites, errors;
    int signed_seen;
} seen;

static pt_status on_driver(void *ctx, const struct pt_driver_record *rec)
{
    seen *s = ctx;
    size_t i, n = 0;
    s->drivers++;
    if (rec->error != NULL)
        s->errors++;
    for (i = 0; i < rec->tag_count; i++)
        if (rec->tags[i].evidence == PT_DRIVER_EV_CALLSITE)
            n++;
    s->callsites += n;
    if (strcmp(rec->name, "testdrv.sys") == 0) {
        char text[PT_TAG_TEXT_MAX];
        s->testdrv_callsites = n;
        /* Strongest first: call sites sort before literals. */
        PT_CHECK(rec->tag_count > 0 && rec->tags[0].evidence == PT_DRIVER_EV_CALLSITE);
        PT_CHECK_STR(pt_tag_format(rec->tags[0].tag, text), "Glob");
        PT_CHECK_STR(rec->strings[0].company_name, "Example Test Corp");
    }
    if (strcmp(rec->name, "testdrv_signed.sys") == 0) {
        PT_CHECK_STR(rec->signer_subject,
                     "C=US, O=Example Test Corp, CN=Example Test Corp Driver Signing");
        s->signed_seen = 1;
    }
    return PT_OK;
}

static void collect(const char *bundle, int with_binaries)
{
    const char *drivers = getenv("PT_PE_DRIVERS");
    char *argv[8];
    int argc = 0;

    argv[argc++] = (char *)"pooltriage-collect";
    argv[argc++] = (char *)"--drivers";
    argv[argc++] = (char *)drivers;
    if (with_binaries)
        argv[argc++] = (char *)"--with-binaries";
    argv[argc++] = (char *)"-o";
    argv[argc++] = (char *)bundle;
    argv[argc] = NULL;
    remove(bundle);
    PT_CHECK_U64(pt_collect_main(argc, argv, "pooltriage-collect"), PT_OK);
}

static void check_bundle(const char *path, int with_binaries)
{
    pt_bundle *b = NULL;
    pt_error err;
    size_t i, binaries = 0, metadata = 0;
    seen s;

    memset(&s, 0, sizeof s);
    PT_CHECK_U64(pt_bundle_open(path, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b == NULL) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    PT_CHECK_U64(pt_bundle_verify(b, &err), PT_OK);
    for (i = 0; i < pt_bundle_member_count(b); i++) {
        const pt_bundle_member *m = pt_bundle_member_at(b, i);
        if (strcmp(m->kind, PT_DRIVERS_KIND) == 0) {
            pt_source *src = NULL;
            const pt_reader *reader = NULL;
            pt_sink sink;
            metadata++;
            PT_CHECK_STR(m->name, PT_DRIVERS_MEMBER);
            PT_CHECK_U64(pt_bundle_open_member(b, i, &src, &err), PT_OK);
            PT_CHECK_U64(pt_readers_detect(src, &reader, &err), PT_OK);
            PT_CHECK(reader != NULL && strcmp(reader->name, "drivers") == 0);
            memset(&sink, 0, sizeof sink);
            sink.ctx = &s;
            sink.driver = on_driver;
            if (reader != NULL)
                PT_CHECK_U64(reader->read(src, NULL, &sink, &err), PT_OK);
            pt_source_close(src);
        } else if (strcmp(m->kind, PT_DRIVER_BINARY_KIND) == 0) {
            /* The manifest's member hash is over chunk hashes
             * (schema/bundle-format.md); the record's sha256 attribute is
             * the file's own, and the member's bytes are the file's. */
            const char *orig = pt_bundle_member_attr(m, "original_path");
            uint8_t digest[PT_SHA256_LEN];
            char hex[PT_SHA256_HEX_LEN + 1];
            FILE *f = orig != NULL ? fopen(orig, "rb") : NULL;
            pt_source *src = NULL;
            binaries++;
            PT_CHECK(f != NULL);
            PT_CHECK_U64(pt_bundle_open_member(b, i, &src, &err), PT_OK);
            if (f != NULL && src != NULL) {
                uint8_t *file_bytes = malloc(1 << 20), *member_bytes = malloc(1 << 20);
                size_t n = fread(file_bytes, 1, 1 << 20, f);
                PT_CHECK_U64(src->size, n);
                if (src->size == n) {
                    PT_CHECK_U64(pt_source_read(src, 0, member_bytes, n, &err), PT_OK);
                    PT_CHECK(memcmp(file_bytes, member_bytes, n) == 0);
                }
                pt_sha256_buffer(file_bytes, n, digest);
                pt_sha256_hex(digest, hex);
                PT_CHECK_STR(pt_bundle_member_attr(m, "sha256"), hex);
                free(file_bytes);
                free(member_bytes);
            }
            if (f != NULL)
                fclose(f);
            pt_source_close(src);
        }
    }
    PT_CHECK_U64(metadata, 1);
    PT_CHECK_U64(binaries, with_binaries ? 6 : 0);
    PT_CHECK_U64(s.drivers, 6);
    PT_CHECK_U64(s.errors, 0);
    PT_CHECK_U64(s.testdrv_callsites, 13);
    PT_CHECK_U64(s.callsites, 13 * 4 + 4 * 2);
    PT_CHECK(s.signed_seen);
    pt_bundle_close(b);
}

static void test_metadata_only(void)
{
    const char *bundle = pt_test_path("PT_PE_WORK", "drivers-metadata.ptb");
    collect(bundle, 0);
    check_bundle(bundle, 0);
}

static void test_with_binaries(void)
{
    const char *bundle = pt_test_path("PT_PE_WORK", "drivers-binaries.ptb");
    collect(bundle, 1);
    check_bundle(bundle, 1);
}

static void test_missing_dir_refused(void)
{
    const char *bundle = pt_test_path("PT_PE_WORK", "drivers-missing.ptb");
    char *argv[] = {(char *)"pooltriage-collect", (char *)"--drivers",
                    (char *)"/nonexistent/drivers", (char *)"-o", (char *)bundle, NULL};
    FILE *f;
    remove(bundle);
    PT_CHECK_U64(pt_collect_main(5, argv, "pooltriage-collect"), PT_ERR_IO);
    f = fopen(bundle, "rb");
    PT_CHECK(f == NULL);
    if (f != NULL)
        fclose(f);
}

PT_TEST_MAIN(PT_TEST(test_metadata_only), PT_TEST(test_with_binaries),
             PT_TEST(test_missing_dir_refused))
