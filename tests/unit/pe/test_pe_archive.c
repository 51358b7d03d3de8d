/* test_pe_archive.c - driver records through the archive: a metadata-only
 * bundle of the test drivers imported (migration 002), the candidates of a
 * tag strongest first with the findstr count, and export --drivers. */
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "archive_drivers.h"
#include "archive_import.h"
#include "pt_collect.h"
#include "pt_test.h"

typedef struct cands {
    size_t n;
    char names[8][64];
    int evidence[8];
    char api[8][64];
} cands;

static pt_status on_candidate(void *ctx, const pt_driver_candidate *c)
{
    cands *k = ctx;
    if (k->n < 8) {
        snprintf(k->names[k->n], sizeof k->names[0], "%s", c->name);
        k->evidence[k->n] = c->evidence;
        snprintf(k->api[k->n], sizeof k->api[0], "%s", c->api != NULL ? c->api : "");
        PT_CHECK_STR(c->company, "Example Test Corp");
        PT_CHECK_STR(c->file_version, "1.2.3.4");
        PT_CHECK(!c->microsoft);
        PT_CHECK(c->sha256 != NULL && strlen(c->sha256) == 64);
    }
    k->n++;
    return PT_OK;
}

static void test_import_candidates_export(void)
{
    const char *bundle = pt_test_path("PT_PE_WORK", "archive-drivers.ptb");
    const char *db = pt_test_path("PT_PE_WORK", "archive-drivers.db");
    const char *csv = pt_test_path("PT_PE_WORK", "archive-drivers.csv");
    char *argv[] = {(char *)"pooltriage-collect", (char *)"--drivers", getenv("PT_PE_DRIVERS"),
                    (char *)"-o", (char *)bundle, NULL};
    pt_archive *a = NULL;
    pt_import_options opt;
    pt_import_result res;
    pt_error err;
    unsigned findstr = 0;
    cands k;
    FILE *f;
    char line[2048];
    int lines = 0, signed_line = 0;

    remove(bundle);
    remove(db);
    PT_CHECK_U64(pt_collect_main(5, argv, "pooltriage-collect"), PT_OK);
    PT_CHECK_U64(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err), PT_OK);
    if (a == NULL)
        return;
    memset(&opt, 0, sizeof opt);
    opt.case_name = "drivers-case";
    PT_CHECK_U64(pt_archive_import_bundle(a, bundle, &opt, &res, &err), PT_OK);

    /* "KmdM": the two KMDF drivers at a WdfMemoryCreate call site, and
     * literal in exactly those two files. */
    memset(&k, 0, sizeof k);
    PT_CHECK_U64(pt_archive_tag_candidates(a, res.case_id, 0x4D646D4Bu, on_candidate, &k,
                                           &findstr, &err), PT_OK);
    PT_CHECK_U64(k.n, 2);
    PT_CHECK_STR(k.names[0], "kmdfdrv.sys");
    PT_CHECK_STR(k.names[1], "kmdfdrv32.sys");
    PT_CHECK_U64(k.evidence[0], PT_DRIVER_EV_CALLSITE);
    PT_CHECK_STR(k.api[0], "WdfMemoryCreate");
    PT_CHECK_U64(findstr, 2);

    /* "Leak": the four testdrv builds, each by its allocation call. */
    memset(&k, 0, sizeof k);
    PT_CHECK_U64(pt_archive_tag_candidates(a, res.case_id, 0x6B61654Cu, on_candidate, &k,
                                           &findstr, &err), PT_OK);
    PT_CHECK_U64(k.n, 4);
    PT_CHECK_STR(k.api[0], "ExAllocatePoolWithTag");
    PT_CHECK_U64(findstr, 4);

    f = fopen(csv, "w+b");
    PT_CHECK(f != NULL);
    if (f != NULL) {
        PT_CHECK_U64(pt_export_drivers_csv(a, res.case_id, f, &err), PT_OK);
        rewind(f);
        while (fgets(line, sizeof line, f) != NULL) {
            if (lines == 0)
                PT_CHECK_STR(line, "name,path,size,sha256,machine,timestamp,timestamp_is_hash,"
                                   "checksum_ok,file_version,product_version,company,"
                                   "description,product,signature,signer,vendor,"
                                   "callsite_tags,error\n");
            if (strncmp(line, "testdrv.sys,", 12) == 0)
                PT_CHECK(strstr(line, ",none,,third-party,Glob Leak Pol2 Qota Rodt TLas TPri "
                                      "Wrp1 Wrp2,\n") != NULL);
            if (strncmp(line, "testdrv_signed.sys,", 19) == 0) {
                signed_line = 1;
                PT_CHECK(strstr(line, ",x64,") != NULL);
                PT_CHECK(strstr(line, ",embedded,\"C=US, O=Example Test Corp, CN=Example Test "
                                      "Corp Driver Signing\",third-party,") != NULL);
            }
            lines++;
        }
        fclose(f);
    }
    PT_CHECK_U64(lines, 7);
    PT_CHECK(signed_line);
    pt_archive_close(a);
}

PT_TEST_MAIN(PT_TEST(test_import_candidates_export))
