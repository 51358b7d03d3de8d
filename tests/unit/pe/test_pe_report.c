/* test_pe_report.c - the case report's driver side: a case with the real
 * Windows Server 2003 !poolused (top tag "Leak") and the test drivers:
 * the suspect's candidates are the drivers that pass "Leak" at a call
 * site, strongest first, with vendor, version and hash; the findstr count
 * is the files holding the bytes; the example advisory for testdrv.sys
 * 1.2.3.4 is matched. */
#include <stdlib.h>
#include <string.h>

#include "archive_import.h"
#include "case_report.h"
#include "pt_collect.h"
#include "pt_test.h"

static void test_report_candidates_and_advisory(void)
{
    const char *bundle = pt_test_path("PT_PE_WORK", "report-drivers.ptb");
    const char *db = pt_test_path("PT_PE_WORK", "report-drivers.db");
    char poolused[4200], advisories[4200];
    char *argv[7];
    pt_archive *a = NULL;
    pt_import_options opt;
    pt_import_result res;
    pt_report r;
    pt_error err;
    size_t i;

    snprintf(poolused, sizeof poolused, "%s",
             PT_REAL("seed/ws2003-x86-lkd-poolused-t5-2.txt"));
    snprintf(advisories, sizeof advisories, "%s/schema/advisories.example.xml",
             getenv("PT_SOURCE_DIR"));
    argv[0] = (char *)"pooltriage-collect";
    argv[1] = poolused;
    argv[2] = (char *)"--drivers";
    argv[3] = getenv("PT_PE_DRIVERS");
    argv[4] = (char *)"-o";
    argv[5] = (char *)bundle;
    argv[6] = NULL;
    remove(bundle);
    remove(db);
    PT_CHECK_U64(pt_collect_main(6, argv, "pooltriage-collect"), PT_OK);
    PT_CHECK_U64(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err), PT_OK);
    if (a == NULL)
        return;
    memset(&opt, 0, sizeof opt);
    opt.case_name = "report-case";
    PT_CHECK_U64(pt_archive_import_bundle(a, bundle, &opt, &res, &err), PT_OK);
    setenv("POOLTRIAGE_ADVISORIES", advisories, 1);
    pt_report_init(&r);
    PT_CHECK_U64(pt_case_build_report(a, "report-case", &r, &err), PT_OK);
    PT_CHECK(r.suspect_count >= 1);
    if (r.suspect_count >= 1) {
        const pt_report_suspect *s = &r.suspects[0];
        PT_CHECK_U64(s->tag, 0x6B61654Cu);
        PT_CHECK_U64(s->findstr_count, 4);
        PT_CHECK_U64(s->candidate_count, 4);
        for (i = 0; i < s->candidate_count; i++) {
            PT_CHECK_STR(s->candidates[i].evidence, "callsite");
            PT_CHECK_STR(s->candidates[i].vendor, "Example Test Corp");
            PT_CHECK_STR(s->candidates[i].file_version, "1.2.3.4");
            PT_CHECK_U64(s->candidates[i].third_party, 1);
            PT_CHECK(s->candidates[i].sha256 != NULL && strlen(s->candidates[i].sha256) == 64);
        }
        if (s->candidate_count == 4) {
            PT_CHECK_STR(s->candidates[0].driver, "testdrv.sys");
            PT_CHECK_STR(s->candidates[3].signer,
                         "C=US, O=Example Test Corp, CN=Example Test Corp Driver Signing");
        }
    }
    PT_CHECK_U64(r.advisory_count, 1);
    if (r.advisory_count == 1)
        PT_CHECK_STR(r.advisories[0].text,
                     "testdrv.sys 1.2.3.4 has a known nonpaged leak in tag Leak, fixed in "
                     "1.2.3.5, see https://example.com/kb/testdrv-leak");
    pt_report_free(&r);
    pt_archive_close(a);
}

PT_TEST_MAIN(PT_TEST(test_report_candidates_and_advisory))
