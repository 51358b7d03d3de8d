/* test_pe_advisories.c - schema/advisories.example.xml loads; matched
 * against a case holding the test drivers, exactly the testdrv.sys entry
 * matches (name, version 1.2.3.4 within its range, tag "Leak" used at a
 * call site); malformed advisory files are refused naming the entry. */
#include <stdlib.h>
#include <string.h>

#include "advisories.h"
#include "archive_import.h"
#include "pt_collect.h"
#include "pt_test.h"

static void test_versions(void)
{
    uint16_t a[4], b[4];
    PT_CHECK(pt_version_parse("1.2.3.4", a) == 0);
    PT_CHECK(pt_version_parse("1.2.3.5", b) == 0);
    PT_CHECK(pt_version_compare(a, b) < 0);
    PT_CHECK(pt_version_parse("1.2", b) == 0 && b[2] == 0 && b[3] == 0);
    PT_CHECK(pt_version_compare(a, b) > 0);
    PT_CHECK(pt_version_parse("1.2.3.4.5", a) != 0);
    PT_CHECK(pt_version_parse("65536", a) != 0);
    PT_CHECK(pt_version_parse("1..2", a) != 0);
    PT_CHECK(pt_version_parse("", a) != 0);
}

static void test_load_example(void)
{
    pt_advisory_set set;
    pt_error err;
    char path[4200];
    snprintf(path, sizeof path, "%s/schema/advisories.example.xml", getenv("PT_SOURCE_DIR"));
    PT_CHECK_U64(pt_advisories_load(path, &set, &err), PT_OK);
    PT_CHECK_U64(set.count, 3);
    if (set.count == 3) {
        PT_CHECK_STR(set.items[0].driver, "ds4dsm.sys");
        PT_CHECK_U64(set.items[0].tag, 0x2050504Du); /* "MPP " padded */
        PT_CHECK(!set.items[0].has_min && set.items[0].has_max);
        PT_CHECK_U64(set.items[1].tag, 0x6B61654Cu);
        PT_CHECK_STR(set.items[2].fixed_version, "1.2.3.5");
    }
    pt_advisories_free(&set);
}

typedef struct matches {
    int n;
    char sentence[1024];
} matches;

static pt_status on_match(void *ctx, const pt_advisory_match *m)
{
    matches *k = ctx;
    k->n++;
    snprintf(k->sentence, sizeof k->sentence, "%s", m->sentence);
    return PT_OK;
}

static void test_match_case(void)
{
    const char *bundle = pt_test_path("PT_PE_WORK", "advisory-drivers.ptb");
    const char *db = pt_test_path("PT_PE_WORK", "advisory-drivers.db");
    char *argv[] = {(char *)"pooltriage-collect", (char *)"--drivers", getenv("PT_PE_DRIVERS"),
                    (char *)"-o", (char *)bundle, NULL};
    char path[4200];
    pt_advisory_set set;
    pt_archive *a = NULL;
    pt_import_options opt;
    pt_import_result res;
    pt_error err;
    matches k;

    snprintf(path, sizeof path, "%s/schema/advisories.example.xml", getenv("PT_SOURCE_DIR"));
    remove(bundle);
    remove(db);
    PT_CHECK_U64(pt_collect_main(5, argv, "pooltriage-collect"), PT_OK);
    PT_CHECK_U64(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err), PT_OK);
    if (a == NULL)
        return;
    memset(&opt, 0, sizeof opt);
    opt.case_name = "advisory-case";
    PT_CHECK_U64(pt_archive_import_bundle(a, bundle, &opt, &res, &err), PT_OK);
    PT_CHECK_U64(pt_advisories_load(path, &set, &err), PT_OK);
    memset(&k, 0, sizeof k);
    PT_CHECK_U64(pt_advisories_match(a, res.case_id, &set, on_match, &k, &err), PT_OK);
    PT_CHECK_U64(k.n, 1);
    PT_CHECK_STR(k.sentence, "testdrv.sys 1.2.3.4 has a known nonpaged leak in tag Leak, fixed "
                             "in 1.2.3.5, see https://example.com/kb/testdrv-leak");
    /* Out of range: the same advisory with max 1.2.3.3 does not match. */
    set.items[2].max[3] = 3;
    memset(&k, 0, sizeof k);
    PT_CHECK_U64(pt_advisories_match(a, res.case_id, &set, on_match, &k, &err), PT_OK);
    PT_CHECK_U64(k.n, 0);
    pt_advisories_free(&set);
    pt_archive_close(a);
}

static pt_status load_text(const char *text, pt_error *err)
{
    const char *path = pt_test_path("PT_PE_WORK", "advisory-bad.xml");
    FILE *f = fopen(path, "wb");
    pt_advisory_set set;
    pt_status rc;
    fputs(text, f);
    fclose(f);
    rc = pt_advisories_load(path, &set, err);
    if (rc == PT_OK)
        pt_advisories_free(&set);
    return rc;
}

static void test_malformed(void)
{
    pt_error err;
    PT_CHECK_U64(load_text("<advisories", &err), PT_ERR_CORRUPT);
    PT_CHECK_U64(load_text("<other xmlns='urn:pooltriage:advisories:1'/>", &err), PT_ERR_FORMAT);
    PT_CHECK_U64(load_text("<advisories xmlns='urn:pooltriage:advisories:1' version='1'>\n"
                           "<advisory id='a'><vendor>V</vendor><driver>x.sys</driver>\n"
                           "<versions min='1.x'/><tag>Leak</tag><reference>r</reference>"
                           "</advisory></advisories>",
                           &err),
                 PT_ERR_CORRUPT);
    PT_CHECK(strstr(err.message, "line 2") != NULL && strstr(err.message, "min") != NULL);
    PT_CHECK_U64(load_text("<advisories xmlns='urn:pooltriage:advisories:1' version='1'>"
                           "<advisory id='a'><vendor>V</vendor><driver>x.sys</driver>"
                           "<versions/><tag>TooLong</tag><reference>r</reference>"
                           "</advisory></advisories>",
                           &err),
                 PT_ERR_CORRUPT);
    PT_CHECK(strstr(err.message, "tag") != NULL);
    /* An external entity is not fetched nor expanded. */
    PT_CHECK(load_text("<!DOCTYPE a [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                       "<advisories xmlns='urn:pooltriage:advisories:1' version='1'>"
                       "<advisory id='a'><vendor>&e;</vendor><driver>x.sys</driver>"
                       "<versions/><tag>Leak</tag><reference>r</reference>"
                       "</advisory></advisories>",
                       &err) == PT_OK);
}

PT_TEST_MAIN(PT_TEST(test_versions), PT_TEST(test_load_example), PT_TEST(test_match_case),
             PT_TEST(test_malformed))
