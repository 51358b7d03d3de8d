/* test_text_pooltag.c - the pooltag.txt / localtag.txt reader against
 * fixtures in tests/data/text whose every line the test knows. */
#include "text_fixture.h"
#include "text_readers.h"

static const rec_desc *find_desc(const recording *r, const char *pattern)
{
    size_t i;
    for (i = 0; i < r->ndescs; i++)
        if (strcmp(r->descs[i].pattern, pattern) == 0)
            return &r->descs[i];
    return NULL;
}

static void check_desc(const recording *r, const char *pattern, const char *binary,
                       const char *description, uint64_t line)
{
    const rec_desc *d = find_desc(r, pattern);
    PT_CHECK(d != NULL);
    if (d == NULL) {
        fprintf(stderr, "  missing %s\n", pattern);
        return;
    }
    PT_CHECK(fx_str_eq(d->binary, binary));
    PT_CHECK(fx_str_eq(d->description, description));
    PT_CHECK_U64(d->line, line);
    PT_CHECK(strstr(d->origin, "pooltag-sample.txt") != NULL ||
             strstr(d->origin, "localtag-sample.txt") != NULL);
}

static void test_pooltag(void)
{
    recording r;
    pt_error err;
    const rec_desc *d;

    PT_CHECK_U64(rec_read_file(&pt_reader_pooltag, PT_DATA("text/pooltag-sample.txt"), &r, &err),
                 PT_OK);
    PT_CHECK_U64(r.ndescs, 12);
    PT_CHECK_U64(r.nsamples, 0);
    check_desc(&r, "AdSv", "vmsrvc.sys", "Virtual Machines Additions Service", 11);
    check_desc(&r, "ARPC", NULL, "ATM ARP Client", 12); /* <unknown> */
    check_desc(&r, "Cc", "nt!cc", "Cache Manager allocations (catch-all)", 13);
    check_desc(&r, "Ntf?", "ntfs.sys", "NTFS allocations not listed below", 16);
    check_desc(&r, "Gh*", "win32k.sys", "GDI handle manager objects", 17);
    check_desc(&r, "Proc", "nt!ps", "Process objects", 18); /* remark cut */
    check_desc(&r, "Leak", "myfault.sys", "NotMyFault leak - test driver, do not ship", 19);
    check_desc(&r, "Strg", "<multiple>", "Rtl string buffers", 20);
    check_desc(&r, "IoWI", "nt!io", "Io work items", 24); /* indented */
    check_desc(&r, "IoNm", "nt!io", "Io parsing names", 25);
    check_desc(&r, "RaRS", NULL, "Raid unit resources", 26); /* two fields */
    d = find_desc(&r, "Cc");
    if (d != NULL) {
        const uint8_t b[4] = {'C', 'c', ' ', ' '};
        PT_CHECK_U64(d->tag, pt_tag_from_bytes(b));
    }
    d = find_desc(&r, "Leak");
    if (d != NULL)
        PT_CHECK_U64(d->tag, 0x6B61654Cu);
    PT_CHECK_U64(r.nwarnings, 1); /* "not a tag line at all" */
    rec_free(&r);
}

static void test_localtag(void)
{
    recording r;
    pt_error err;

    PT_CHECK_U64(rec_read_file(&pt_reader_pooltag, PT_DATA("text/localtag-sample.txt"), &r,
                               &err),
                 PT_OK);
    PT_CHECK_U64(r.ndescs, 4);
    check_desc(&r, "AfdB", "afd.sys", NULL, 1);
    check_desc(&r, "Leak", "myfault.sys", NULL, 2);
    check_desc(&r, "MPP", "ds4dsm.sys", NULL, 3);
    check_desc(&r, "Ddk", NULL, "default for driver allocated memory", 4);
    PT_CHECK_U64(r.nwarnings, 0);
    rec_free(&r);
}

static void test_bad_inputs(void)
{
    static const char only_comments[] = "rem nothing here\n// nor here\n\n";
    static const char long_pattern[] = "ThisIsNotATagAtAll - x.sys - y\nLeak - a.sys - b\n";
    recording r;
    pt_error err;
    size_t len = 0, cut;
    char *raw = fx_slurp(PT_DATA("text/pooltag-sample.txt"), &len);

    PT_CHECK_U64(rec_read_buffer(&pt_reader_pooltag, only_comments, sizeof only_comments - 1, &r,
                                 &err),
                 PT_ERR_FORMAT);
    PT_CHECK(strstr(err.message, "buffer") != NULL);
    rec_free(&r);
    PT_CHECK_U64(rec_read_buffer(&pt_reader_pooltag, long_pattern, sizeof long_pattern - 1, &r,
                                 &err),
                 PT_OK);
    PT_CHECK_U64(r.ndescs, 1);
    PT_CHECK_U64(r.nwarnings, 1);
    rec_free(&r);
    for (cut = 0; raw != NULL && cut <= len; cut++) {
        pt_status st = rec_read_buffer(&pt_reader_pooltag, raw, cut, &r, &err);
        PT_CHECK(st == PT_OK || st == PT_ERR_FORMAT);
        rec_free(&r);
    }
    free(raw);
}

static void test_utf16(void)
{
    fx_check_utf16_same(&pt_reader_pooltag, PT_DATA("text/pooltag-sample.txt"));
}

PT_TEST_MAIN(PT_TEST(test_pooltag), PT_TEST(test_localtag), PT_TEST(test_bad_inputs),
             PT_TEST(test_utf16))
