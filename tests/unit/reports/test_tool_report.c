/* test_tool_report.c - `pooltriage report`: its errors are clear and its
 * exit status is the pt_status code (runs the built pooltriage). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "archive.h"
#include "pt_test.h"

static char tool[2048];
static char collect_tool[2048];
static char dir[2048];

/* Runs `pooltriage ARGS`, stderr and stdout into files; returns the exit
 * status and fills out/errtext with what it printed. */
static int run_tool(const char *args, char *out, size_t out_size, char *errtext,
                    size_t err_size)
{
    char cmd[16384], path[2300];
    FILE *f;
    size_t n;
    int rc;

    snprintf(cmd, sizeof cmd, "'%s' %s >'%s/stdout' 2>'%s/stderr'", tool, args, dir, dir);
    rc = system(cmd);
    snprintf(path, sizeof path, "%s/stdout", dir);
    out[0] = '\0';
    if ((f = fopen(path, "rb")) != NULL) {
        n = fread(out, 1, out_size - 1, f);
        out[n] = '\0';
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/stderr", dir);
    errtext[0] = '\0';
    if ((f = fopen(path, "rb")) != NULL) {
        n = fread(errtext, 1, err_size - 1, f);
        errtext[n] = '\0';
        fclose(f);
    }
    return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_report_errors(void)
{
    char args[8192], db[2300], out[4096], err[4096];
    pt_archive *a = NULL;
    pt_error e;

    /* No archive there. */
    snprintf(args, sizeof args, "report c1 --xml '%s/r.xml' --db '%s/missing.db'", dir, dir);
    PT_CHECK_U64(run_tool(args, out, sizeof out, err, sizeof err), PT_ERR_NOT_FOUND);
    PT_CHECK(strstr(err, "missing.db") != NULL);
    PT_CHECK(strstr(err, "cannot open the case archive") != NULL);
    PT_CHECK(out[0] == '\0');

    /* Usage errors. */
    PT_CHECK_U64(run_tool("report", out, sizeof out, err, sizeof err), PT_ERR_USAGE);
    PT_CHECK(strstr(err, "which case?") != NULL);
    PT_CHECK_U64(run_tool("report c1", out, sizeof out, err, sizeof err), PT_ERR_USAGE);
    PT_CHECK(strstr(err, "--xml FILE and/or --html FILE") != NULL);
    PT_CHECK_U64(run_tool("report c1 --xml", out, sizeof out, err, sizeof err), PT_ERR_USAGE);
    PT_CHECK_U64(run_tool("report c1 --frob x", out, sizeof out, err, sizeof err),
                 PT_ERR_USAGE);
    PT_CHECK(strstr(err, "unknown option '--frob'") != NULL);

    /* An archive without that case. */
    snprintf(db, sizeof db, "%s/empty.db", dir);
    remove(db);
    pt_error_clear(&e);
    PT_CHECK_U64(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &e), PT_OK);
    if (a != NULL)
        pt_archive_close(a);
    snprintf(args, sizeof args, "report no-such-case --html '%s/r.html' --db '%s'", dir, db);
    PT_CHECK_U64(run_tool(args, out, sizeof out, err, sizeof err), PT_ERR_NOT_FOUND);
    PT_CHECK(strstr(err, "no-such-case") != NULL);
    PT_CHECK(out[0] == '\0');

    /* Outputs that cannot be written: refused before any work. */
    snprintf(args, sizeof args, "report c1 --xml '%s/no/such/dir/r.xml' --db '%s'", dir, db);
    PT_CHECK_U64(run_tool(args, out, sizeof out, err, sizeof err), PT_ERR_IO);
    PT_CHECK(strstr(err, "no/such/dir/r.xml") != NULL);
    PT_CHECK(strstr(err, "No such file or directory") != NULL);
    snprintf(args, sizeof args, "report c1 --html '%s' --db '%s'", dir, db);
    PT_CHECK_U64(run_tool(args, out, sizeof out, err, sizeof err), PT_ERR_IO);
    PT_CHECK(strstr(err, "is a directory") != NULL);
}

static int read_text(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL)
        return -1;
    n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    fclose(f);
    return 0;
}

static void check_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr obj = NULL;
    xmlChar *got = NULL;

    if (ctx != NULL) {
        xmlXPathRegisterNs(ctx, BAD_CAST "r", BAD_CAST "urn:pooltriage:report");
        obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    }
    if (obj != NULL)
        got = xmlXPathCastToString(obj);
    if (got == NULL || strcmp((const char *)got, want) != 0)
        fprintf(stderr, "xpath %s\n", expr);
    PT_CHECK_STR((const char *)got, want);
    xmlFree(got);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
}

static int validate(xmlDocPtr doc)
{
    char xsd[2048];
    xmlSchemaParserCtxtPtr pctx;
    xmlSchemaPtr schema;
    xmlSchemaValidCtxtPtr vctx;
    int rc = -1;
    const char *src = getenv("PT_SOURCE_DIR");

    snprintf(xsd, sizeof xsd, "%s/schema/report.xsd", src != NULL ? src : "../..");
    pctx = xmlSchemaNewParserCtxt(xsd);
    schema = pctx != NULL ? xmlSchemaParse(pctx) : NULL;
    xmlSchemaFreeParserCtxt(pctx);
    if (schema == NULL)
        return -1;
    vctx = xmlSchemaNewValidCtxt(schema);
    if (vctx != NULL)
        rc = xmlSchemaValidateDoc(vctx, doc);
    xmlSchemaFreeValidCtxt(vctx);
    xmlSchemaFree(schema);
    return rc;
}

/* The real 2012 R2 outputs through collect, import and report: the XML the
 * analyzer's model gives validates and carries the seed README's values. */
static void test_report_real_case(void)
{
    static char html_text[1 << 20];
    char cmd[16384], args[8192], out[4096], err[4096], path[2300];
    const char *real = getenv("PT_REAL_DATA");
    xmlDocPtr doc;
    int rc;

    if (real == NULL)
        real = "../shared/data/real";
    snprintf(path, sizeof path, "%s/seed.db", dir);
    remove(path);
    snprintf(cmd, sizeof cmd,
             "'%s' '%s/seed/ws2012r2-livekd-vm4.txt' '%s/seed/ws2012r2-livekd-poolused-t5-2.txt'"
             " -o '%s/seed.bundle' >/dev/null 2>&1",
             collect_tool, real, real, dir);
    rc = system(cmd);
    PT_CHECK(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    snprintf(args, sizeof args, "import '%s/seed.bundle' --case seed-2012r2 --db '%s/seed.db'",
             dir, dir);
    PT_CHECK_U64(run_tool(args, out, sizeof out, err, sizeof err), 0);
    snprintf(args, sizeof args,
             "report seed-2012r2 --xml '%s/seed.xml' --html '%s/seed.html' --db '%s/seed.db'",
             dir, dir, dir);
    PT_CHECK_U64(run_tool(args, out, sizeof out, err, sizeof err), 0);
    PT_CHECK(strstr(out, "seed.xml") != NULL && strstr(out, "seed.html") != NULL);

    snprintf(path, sizeof path, "%s/seed.xml", dir);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    PT_CHECK(doc != NULL);
    if (doc != NULL) {
        PT_CHECK(validate(doc) == 0);
        check_xpath(doc, "string(//r:suspect[1]/@tag)", "MPP.");
        check_xpath(doc, "string(//r:suspect[1]/@bytes)", "10354777664");
        check_xpath(doc, "string(//r:suspect[1]/@outstanding)", "49781288");
        check_xpath(doc, "string(//r:suspect[1]/@pool)", "nonpaged");
        check_xpath(doc, "string(//r:suspect[1]/@verdict)", "large");
        check_xpath(doc, "string(//r:pool[@name='NonPagedPool']/@usageBytes)", "13315706880");
        check_xpath(doc, "string(//r:counter[@name='Commit limit'][@unit='pages']/@value)",
                    "12841749");
        xmlFreeDoc(doc);
    }
    snprintf(path, sizeof path, "%s/seed.html", dir);
    PT_CHECK(read_text(path, html_text, sizeof html_text) == 0);
    PT_CHECK(strstr(html_text, "Tag MPP. (nonpaged) holds 9.6 GB, 90% of tagged nonpaged pool, "
                               "in a single snapshot: large; a series is needed to call it a "
                               "leak.") != NULL);
}

int main(void)
{
    static const pt_test_case cases[] = {PT_TEST(test_report_errors),
                                         PT_TEST(test_report_real_case)};
    const char *build = getenv("PT_BUILD_DIR");

    snprintf(tool, sizeof tool, "%s/analyzer/pooltriage", build != NULL ? build : ".");
    snprintf(collect_tool, sizeof collect_tool, "%s/collector/pooltriage-collect",
             build != NULL ? build : ".");
    snprintf(dir, sizeof dir, "%s/test-output/tool-report", build != NULL ? build : ".");
    mkdir(build != NULL ? build : ".", 0777);
    {
        char parent[2100];
        snprintf(parent, sizeof parent, "%s/test-output", build != NULL ? build : ".");
        mkdir(parent, 0777);
    }
    mkdir(dir, 0777);
    return pt_test_run(cases, sizeof cases / sizeof cases[0]);
}
