/* test_text_inspect.c - `pooltriage inspect` on real text outputs, on a
 * bundle holding them, and on files it must refuse; the --xml output is
 * validated against schema/inspect.xsd with libxml2.
 *
 * Usage (from ctest): test_text_inspect PATH-TO-POOLTRIAGE */
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <sys/wait.h>

#include "bundle.h"
#include "text_fixture.h"

static const char *tool;
static char work[4096];

/* Runs "TOOL inspect ARGS > out" and returns the exit status. */
static int run_inspect(const char *args, const char *out)
{
    char cmd[16384];
    int rc;
    if (snprintf(cmd, sizeof cmd, "'%s' inspect %s > '%s' 2> '%s.err'", tool, args, out, out) >=
        (int)sizeof cmd)
        return -1;
    rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc))
        return -1;
    return WEXITSTATUS(rc);
}

static int validates(const char *xml_path)
{
    const char *xsd = pt_test_path("PT_SOURCE_DIR", "schema/inspect.xsd");
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd);
    xmlSchemaPtr schema = pc ? xmlSchemaParse(pc) : NULL;
    xmlSchemaValidCtxtPtr vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
    xmlDocPtr doc = xmlReadFile(xml_path, NULL, XML_PARSE_NONET);
    int ok = vc != NULL && doc != NULL && xmlSchemaValidateDoc(vc, doc) == 0;
    if (doc)
        xmlFreeDoc(doc);
    if (vc)
        xmlSchemaFreeValidCtxt(vc);
    if (schema)
        xmlSchemaFree(schema);
    if (pc)
        xmlSchemaFreeParserCtxt(pc);
    return ok;
}

static char *out_text(const char *path)
{
    size_t len;
    return fx_slurp(path, &len);
}

static void make_bundle(const char *path)
{
    static const char *const members[][2] = {
        {"text/poolmon-01-msdocs-ntf-mapped.txt", "poolmon"},
        {"text/vm-06-msdocs-vm1-xp-x86.txt", "vm"},
        {"text/poolused-04-msdocs-poolused0-xp-total.txt", "poolused"},
        {"seed/ws2003-findstr-Leak.txt", "findstr"},
    };
    pt_bundle_info info;
    pt_bundle_writer *w = NULL;
    pt_error err;
    size_t i;

    memset(&info, 0, sizeof info);
    info.collector_version = "test";
    info.host = "TESTHOST";
    info.created = pt_filetime_from_unix(1700000000, 0);
    PT_CHECK_U64(pt_bundle_writer_open(path, &info, &w, &err), PT_OK);
    if (w == NULL)
        return;
    for (i = 0; i < sizeof members / sizeof members[0]; i++) {
        size_t len = 0;
        char *data = fx_slurp(PT_REAL(members[i][0]), &len);
        char name[256];
        PT_CHECK(data != NULL);
        snprintf(name, sizeof name, "evidence/%zu.txt", i + 1);
        PT_CHECK_U64(pt_bundle_add_buffer(w, name, members[i][1], data, len, NULL, 0, &err),
                     PT_OK);
        free(data);
    }
    PT_CHECK_U64(pt_bundle_writer_close(w, &err), PT_OK);
}

static void test_text_files(void)
{
    char out[4200], args[8192];
    char *text;

    snprintf(out, sizeof out, "%s/inspect-text.txt", work);
    snprintf(args, sizeof args, "'%s' '%s' '%s'", PT_REAL("text/poolmon-04-msdocs-session0-mapped.txt"),
             PT_REAL("seed/ws2012r2-livekd-poolused-t5-2.txt"),
             PT_REAL("text/vm-10-hyp3ri0n-lkd-win10-numa.txt"));
    PT_CHECK_U64(run_inspect(args, out), 0);
    text = out_text(out);
    PT_CHECK(text != NULL);
    if (text != NULL) {
        PT_CHECK(strstr(text, "kind: poolmon") != NULL);
        PT_CHECK(strstr(text, "variant: poolmon-screen-session") != NULL);
        PT_CHECK(strstr(text, "session-paged 16") != NULL);
        PT_CHECK(strstr(text, "kind: poolused") != NULL);
        PT_CHECK(strstr(text, "nonpaged 5, paged 5") != NULL);
        PT_CHECK(strstr(text, "command: !poolused /t5 2") != NULL);
        PT_CHECK(strstr(text, "title: Session 0 pool information") != NULL);
        PT_CHECK(strstr(text, "command: poolmon /s0 /g") != NULL);
        PT_CHECK(strstr(text, "kind: vm") != NULL);
        PT_CHECK(strstr(text, "command: !vm") != NULL);
        PT_CHECK(strstr(text, "warnings: 2") != NULL);
        free(text);
    }
}

static void test_xml_with_bundle_and_bad_files(void)
{
    char bundle[4200], out[4200], bad[4200], args[16384];
    char *xml;
    FILE *f;

    snprintf(bundle, sizeof bundle, "%s/inspect-case.ptb", work);
    snprintf(out, sizeof out, "%s/inspect.xml", work);
    snprintf(bad, sizeof bad, "%s/inspect-garbage.bin", work);
    make_bundle(bundle);
    f = fopen(bad, "wb");
    PT_CHECK(f != NULL);
    if (f != NULL) {
        fputs("\x01\x02 <not> & \"evidence\" \xff\xfe", f);
        fclose(f);
    }
    snprintf(args, sizeof args, "--xml '%s' '%s' '%s' '%s/no-such-file'", bundle,
             PT_REAL("text/poolmon-11-amf-book-vi-poolmon-b-win7x86.txt"), bad, work);
    /* a file of no known kind: non-zero exit, the others still reported */
    PT_CHECK_U64(run_inspect(args, out), PT_ERR_FORMAT);
    PT_CHECK(validates(out));
    xml = out_text(out);
    PT_CHECK(xml != NULL);
    if (xml != NULL) {
        PT_CHECK(strstr(xml, "host=\"TESTHOST\"") != NULL);
        PT_CHECK(strstr(xml, "members=\"4\"") != NULL);
        PT_CHECK(strstr(xml, "name=\"evidence/1.txt\" kind=\"poolmon\"") != NULL);
        PT_CHECK(strstr(xml, "<rows nonpaged=\"6\" paged=\"7\"") != NULL);
        PT_CHECK(strstr(xml, "<rows nonpaged=\"35\" paged=\"35\"") != NULL);
        PT_CHECK(strstr(xml, "counters=\"10\"") != NULL);
        PT_CHECK(strstr(xml, "<rows nonpaged=\"8\" paged=\"12\"") != NULL); /* poolmon-11 */
        PT_CHECK(strstr(xml, "code=\"4\"") != NULL);
        PT_CHECK(strstr(xml, "inspect-garbage.bin: not a kind of evidence") != NULL);
        PT_CHECK(strstr(xml, "no-such-file: cannot open") != NULL);
        free(xml);
    }
    /* only good files: exit 0, still valid */
    snprintf(args, sizeof args, "--xml '%s' '%s'", bundle + 0,
             PT_REAL("text/poolmon-01-msdocs-ntf-mapped.txt"));
    PT_CHECK_U64(run_inspect(args, out), PT_ERR_FORMAT); /* the findstr member */
    snprintf(args, sizeof args, "--xml '%s' '%s'", PT_REAL("seed/ws2003-x86-lkd-vm1.txt"),
             PT_REAL("text/poolmon-01-msdocs-ntf-mapped.txt"));
    PT_CHECK_U64(run_inspect(args, out), 0);
    PT_CHECK(validates(out));
}

static void test_usage(void)
{
    char out[4200];
    snprintf(out, sizeof out, "%s/inspect-usage.txt", work);
    PT_CHECK_U64(run_inspect("", out), PT_ERR_USAGE);
    PT_CHECK_U64(run_inspect("--bogus x", out), PT_ERR_USAGE);
}

int main(int argc, char **argv)
{
    static const pt_test_case cases[] = {PT_TEST(test_text_files),
                                         PT_TEST(test_xml_with_bundle_and_bad_files),
                                         PT_TEST(test_usage)};
    const char *build = getenv("PT_BUILD_DIR");
    if (argc < 2) {
        fprintf(stderr, "usage: %s POOLTRIAGE\n", argv[0]);
        return 2;
    }
    tool = argv[1];
    snprintf(work, sizeof work, "%s/test-text-inspect", build ? build : ".");
    {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", work);
        if (system(cmd) != 0)
            return 2;
    }
    return pt_test_run(cases, sizeof cases / sizeof cases[0]);
}
