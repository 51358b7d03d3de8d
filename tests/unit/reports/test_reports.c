/* test_reports.c - the XML and HTML renderers: golden files, the schema,
 * escaping of hostile strings, number formatting, write errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "pt_test.h"
#include "report_html.h"
#include "report_text.h"
#include "report_xml.h"
#include "test_report_models.h"

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : fallback;
}

static void path_join(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

/* A scratch output path in the build tree. */
static void out_path(char *out, size_t size, const char *name)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/test-output", env_or("PT_BUILD_DIR", "."));
    mkdir(dir, 0777);
    path_join(out, size, dir, name);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;

    *len = 0;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)size + 1);
        if (data != NULL && fread(data, 1, (size_t)size, f) == (size_t)size) {
            data[size] = '\0';
            *len = (size_t)size;
        } else {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    return data;
}

static int write_all(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (f == NULL)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Compares a rendered file with tests/golden/NAME byte for byte;
 * PT_UPDATE_GOLDEN=1 rewrites the golden file instead. */
static void check_golden(const char *rendered, const char *name)
{
    char golden[2048];
    char *got, *want;
    size_t got_len, want_len;

    snprintf(golden, sizeof golden, "%s/tests/golden/%s", env_or("PT_SOURCE_DIR", "../.."),
             name);
    got = read_all(rendered, &got_len);
    PT_CHECK(got != NULL);
    if (got == NULL)
        return;
    if (getenv("PT_UPDATE_GOLDEN") != NULL && strcmp(getenv("PT_UPDATE_GOLDEN"), "1") == 0) {
        PT_CHECK(write_all(golden, got, got_len) == 0);
        printf("updated %s\n", golden);
        free(got);
        return;
    }
    want = read_all(golden, &want_len);
    if (want == NULL)
        fprintf(stderr, "missing golden file %s (run with PT_UPDATE_GOLDEN=1)\n", golden);
    PT_CHECK(want != NULL);
    if (want != NULL) {
        int same = got_len == want_len && memcmp(got, want, got_len) == 0;
        if (!same)
            fprintf(stderr, "%s differs from %s\n", rendered, golden);
        PT_CHECK(same);
    }
    free(got);
    free(want);
}

/* ---- XML helpers ------------------------------------------------------- */

static int xml_errors;

static void count_xml_error(void *ctx, const char *msg, ...)
{
    va_list ap;
    (void)ctx;
    xml_errors++;
    va_start(ap, msg);
    vfprintf(stderr, msg, ap);
    va_end(ap);
}

/* 0 when the document validates against schema/report.xsd. */
static int validate_doc(xmlDocPtr doc)
{
    char xsd[2048];
    xmlSchemaParserCtxtPtr pctx;
    xmlSchemaPtr schema = NULL;
    xmlSchemaValidCtxtPtr vctx = NULL;
    int rc = -1;

    snprintf(xsd, sizeof xsd, "%s/schema/report.xsd", env_or("PT_SOURCE_DIR", "../.."));
    pctx = xmlSchemaNewParserCtxt(xsd);
    if (pctx == NULL)
        return -1;
    schema = xmlSchemaParse(pctx);
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

static xmlDocPtr parse_xml_file(const char *path)
{
    return xmlReadFile(path, NULL, XML_PARSE_NONET);
}

/* The string value of an XPath expression (with r: bound to the report
 * namespace); caller frees. */
static char *xpath_string(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr obj;
    char *out = NULL;

    if (ctx == NULL)
        return NULL;
    xmlXPathRegisterNs(ctx, BAD_CAST "r", BAD_CAST "urn:pooltriage:report");
    obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    if (obj != NULL) {
        xmlChar *s = xmlXPathCastToString(obj);
        out = s != NULL ? strdup((const char *)s) : NULL;
        xmlFree(s);
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return out;
}

static void check_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
    char *got = xpath_string(doc, expr);
    if (got == NULL || strcmp(got, want) != 0)
        fprintf(stderr, "xpath %s\n", expr);
    PT_CHECK_STR(got, want);
    free(got);
}

static htmlDocPtr parse_html_counting(const char *path, int *errors);

/* Renders model to NAME.xml and NAME.html; checks both against golden. */
static void render_and_compare(pt_report *r, const char *name, int golden)
{
    char xml[2048], html[2048], file[256];
    pt_error err;
    xmlDocPtr doc;

    pt_error_clear(&err);
    snprintf(file, sizeof file, "%s.xml", name);
    out_path(xml, sizeof xml, file);
    PT_CHECK_U64(pt_report_write_xml(r, xml, &err), PT_OK);
    snprintf(file, sizeof file, "%s.html", name);
    out_path(html, sizeof html, file);
    PT_CHECK_U64(pt_report_write_html(r, html, &err), PT_OK);
    if (err.code != PT_OK)
        fprintf(stderr, "%s\n", err.message);
    doc = parse_xml_file(xml);
    PT_CHECK(doc != NULL);
    if (doc != NULL) {
        PT_CHECK(validate_doc(doc) == 0);
        xmlFreeDoc(doc);
    }
    {
        int errors = -1;
        htmlDocPtr hdoc = parse_html_counting(html, &errors);
        PT_CHECK(hdoc != NULL);
        PT_CHECK(errors == 0);
        xmlFreeDoc(hdoc);
    }
    if (golden) {
        snprintf(file, sizeof file, "%s.xml", name);
        check_golden(xml, file);
        snprintf(file, sizeof file, "%s.html", name);
        check_golden(html, file);
    }
}

/* ---- tests ------------------------------------------------------------- */

static void test_formatting(void)
{
    char b[48];

    PT_CHECK_STR(report_bytes_human(10354777664ull, b), "9.6 GB");
    PT_CHECK_STR(report_bytes_human(1023, b), "1023 bytes");
    PT_CHECK_STR(report_bytes_human(1, b), "1 byte");
    PT_CHECK_STR(report_bytes_human(1024, b), "1.0 KB");
    PT_CHECK_STR(report_bytes_human(113664000ull, b), "108 MB");
    PT_CHECK_STR(report_bytes_human(1073741823ull, b), "1.0 GB");
    PT_CHECK_STR(report_bytes_human(UINT64_MAX, b), "16.0 EB");
    PT_CHECK_STR(report_count(10354777664ull, b), "10,354,777,664");
    PT_CHECK_STR(report_count(0, b), "0");
    PT_CHECK_STR(report_count(999, b), "999");
    PT_CHECK_STR(report_count(1000, b), "1,000");
    PT_CHECK_STR(report_percent(10354777664.0 / 11496509728.0, b), "90%");
    PT_CHECK_STR(report_percent(0.0512, b), "5.1%");
    PT_CHECK_STR(report_rate_human(12.4 * 1024 * 1024, b), "12.4 MB/h");
    PT_CHECK_STR(report_rate_human(-3072, b), "-3.0 KB/h");
    PT_CHECK_STR(report_hours_human(0.5, b), "30 min");
    PT_CHECK_STR(report_hours_human(49.55, b), "2.1 days");
    PT_CHECK_STR(report_hours_human(-1, b), "unknown");
    PT_CHECK_STR(report_tag_hex(0x6B61654Cu, b), "0x6B61654C");
    {
        char t[PT_TAG_TEXT_MAX];
        PT_CHECK_STR(report_tag_text(0x6B61654Cu, "Leak", t), "Leak");
        PT_CHECK_STR(report_tag_text(0x6B61654Cu, NULL, t), "Leak");
        PT_CHECK_STR(report_tag_text(0x0050504Du, "", t), "MPP\\x00");
        /* Not a tag's text: too long, or raw bytes. */
        PT_CHECK_STR(report_tag_text(0x6B61654Cu, "a description, not a tag", t), "Leak");
        PT_CHECK_STR(report_tag_text(0x6B61654Cu, "L\xC3\xA9k", t), "Leak");
    }
    PT_CHECK_STR(report_double(0.0 / 0.0, 2, b), "NaN");
    PT_CHECK_STR(report_time_short((13416912000ull + 3600) * 10000000ull, b),
                 "2026-03-02 09:00 UTC");
}

static void test_clean_text(void)
{
    report_buf buf = {NULL, 0, 0};
    int oom = 0;

    PT_CHECK_STR(report_clean(&buf, HOSTILE_BYTES, &oom), HOSTILE_BYTES_CLEAN);
    /* Valid UTF-8 passes untouched: Korean from the seed findstr output. */
    PT_CHECK_STR(report_clean(&buf, "SerCx.sys... \xEB\x93\xB1\xEB\x93\xB1", &oom),
                 "SerCx.sys... \xEB\x93\xB1\xEB\x93\xB1");
    /* Overlong, surrogate, past U+10FFFF, truncated: each byte escaped. */
    PT_CHECK_STR(report_clean(&buf, "\xC0\xAF", &oom), "\\xC0\\xAF");
    PT_CHECK_STR(report_clean(&buf, "\xED\xA0\x80", &oom), "\\xED\\xA0\\x80");
    PT_CHECK_STR(report_clean(&buf, "\xF4\x90\x80\x80", &oom), "\\xF4\\x90\\x80\\x80");
    PT_CHECK_STR(report_clean(&buf, "x\xE2\x82", &oom), "x\\xE2\\x82");
    PT_CHECK_STR(report_clean(&buf, "\xEF\xBF\xBE", &oom), "\\xEF\\xBF\\xBE");
    PT_CHECK_STR(report_clean(&buf, "tab\tnl\ncr\r", &oom), "tab\tnl\ncr\r");
    PT_CHECK_STR(report_clean(&buf, "", &oom), "");
    PT_CHECK(report_clean(&buf, NULL, &oom) == NULL);
    PT_CHECK(oom == 0);
    report_buf_free(&buf);
}

static void test_mpp_case(void)
{
    pt_report r;
    char xml[2048];
    xmlDocPtr doc;

    model_mpp_case(&r);
    render_and_compare(&r, "report-mpp-2012r2", 1);
    out_path(xml, sizeof xml, "report-mpp-2012r2.xml");
    doc = parse_xml_file(xml);
    PT_CHECK(doc != NULL);
    if (doc != NULL) {
        check_xpath(doc, "string(/r:caseReport/r:suspects/r:suspect[1]/@tag)", "MPP.");
        check_xpath(doc, "string(/r:caseReport/r:suspects/r:suspect[1]/@bytes)", "10354777664");
        check_xpath(doc, "string(/r:caseReport/r:suspects/r:suspect[1]/@verdict)", "large");
        check_xpath(doc, "string(/r:caseReport/r:suspects/r:suspect[1]/@share)", "0.9007");
        check_xpath(doc, "string(/r:caseReport/r:suspects/r:suspect[1]/@findstrCount)", "16");
        check_xpath(doc, "string(count(//r:candidate[@thirdParty='yes']))", "2");
        check_xpath(doc, "string(/r:caseReport/r:suspects/r:suspect[1]/r:candidates/"
                         "@evidenceStrength)", "weak");
        check_xpath(doc, "string(//r:counter[@name='NonPagedPool Max']/@looksWrong)", "true");
        check_xpath(doc, "string(//r:pool[@name='NonPagedPool']/@usageBytes)", "13315706880");
        check_xpath(doc, "string(count(//r:pool/@maxBytes))", "0");
        check_xpath(doc, "string(//r:source[@name='ws2012r2-livekd-vm4.txt']/@sha256)",
                    "54213fc717208f5751302ed88cc45de33c0a68af6af57fb331dee678fc31be20");
        xmlFreeDoc(doc);
    }
    pt_report_free(&r);
}

static void test_series_case(void)
{
    pt_report r;
    char xml[2048], html[2048];
    xmlDocPtr doc;
    char *text;
    size_t len;

    model_series_case(&r);
    render_and_compare(&r, "report-series-leak", 1);
    out_path(xml, sizeof xml, "report-series-leak.xml");
    doc = parse_xml_file(xml);
    PT_CHECK(doc != NULL);
    if (doc != NULL) {
        check_xpath(doc, "string(//r:suspect[1]/@verdict)", "leaking");
        check_xpath(doc, "string(//r:suspect[1]/@growthBytesPerHour)", "13002342.4");
        check_xpath(doc, "string(//r:suspect[1]/@persistence)", "0.9583");
        check_xpath(doc, "string(//r:suspect[1]/r:candidates/@evidenceStrength)", "strong");
        check_xpath(doc, "string(//r:suspect[1]/r:candidates/r:candidate[1]/@evidence)",
                    "stack");
        check_xpath(doc, "string(count(//r:tagSeries))", "4");
        check_xpath(doc, "string(count(//r:tagSeries[1]/r:point))", "25");
        check_xpath(doc, "string(//r:tagSeries[1]/r:point[1]/@time)",
                    "2026-03-02T08:00:00.0000000Z");
        check_xpath(doc, "string(//r:tagSeries[1]/r:point[1]/@bytes)", "188743680");
        check_xpath(doc, "string(//r:tag[5]/@tag)", "Wfp\\x01");
        check_xpath(doc, "string(//r:tag[5]/@tagHex)", "0x01706657");
        check_xpath(doc, "string(count(//r:tag[@top='true']))", "4");
        check_xpath(doc, "string(//r:pool[1]/@hoursToExhaustion)", "49.55");
        check_xpath(doc, "string(//r:module[1]/@timestamp)", "0x684D3C2C");
        check_xpath(doc, "string(//r:leakedStack[1]/@offset)", "0x1A2F0");
        check_xpath(doc, "string(//r:source[2]/@partial)", "true");
        xmlFreeDoc(doc);
    }
    /* The HTML says the verdict in plain words and draws the chart. */
    out_path(html, sizeof html, "report-series-leak.html");
    text = read_all(html, &len);
    PT_CHECK(text != NULL);
    if (text != NULL) {
        PT_CHECK(strstr(text, "grows 12.4 MB/h in 23 of 24 intervals") != NULL);
        PT_CHECK(strstr(text, "<svg") != NULL);
        PT_CHECK(strstr(text, "<polyline") != NULL);
        PT_CHECK(strstr(text, "Exhausted in about 2.1 days") != NULL);
        char title[64], exact[32];
        snprintf(title, sizeof title, "title=\"%s bytes\"",
                 report_count(series_bytes[0][SERIES_POINTS - 1], exact));
        PT_CHECK(strstr(text, title) != NULL);
        PT_CHECK_STR(exact, "486,748,979");
        PT_CHECK(strstr(text, "http:") == NULL && strstr(text, "https:") == NULL);
        PT_CHECK(strstr(text, "<link") == NULL && strstr(text, "<img") == NULL);
        PT_CHECK(strstr(text, "<script") == NULL);
        free(text);
    }
    pt_report_free(&r);
}

static void test_mpp_html_words(void)
{
    pt_report r;
    char html[2048];
    char *text;
    size_t len;

    model_mpp_case(&r);
    out_path(html, sizeof html, "report-mpp-words.html");
    PT_CHECK_U64(pt_report_write_html(&r, html, NULL), PT_OK);
    text = read_all(html, &len);
    PT_CHECK(text != NULL);
    if (text != NULL) {
        PT_CHECK(strstr(text, "Tag MPP. (nonpaged) holds 9.6 GB, 90% of tagged nonpaged pool, "
                              "in a single snapshot: large; a series is needed to call it a "
                              "leak.") != NULL);
        PT_CHECK(strstr(text, "Evidence weak") != NULL);
        PT_CHECK(strstr(text, "would name 16 driver files") != NULL);
        PT_CHECK(strstr(text, "title=\"10,354,777,664 bytes\"") != NULL);
        PT_CHECK(strstr(text, "there is no series to chart") != NULL);
        PT_CHECK(strstr(text, "<svg") == NULL);
        free(text);
    }
    pt_report_free(&r);
}

static void test_empty_case(void)
{
    pt_report r;
    model_empty_case(&r);
    render_and_compare(&r, "report-empty", 1);
    pt_report_free(&r);
}

/* libxml2 2.9's HTML parser predates HTML5: "unknown tag" for these
 * elements is its ignorance, not a fault in the document. */
static int html5_element(const char *msg)
{
    static const char *const known[] = {"section", "header", "footer", "article", "figure",
                                        "figcaption", "svg", "g", "line", "polyline",
                                        "circle", "text", NULL};
    size_t i;
    for (i = 0; known[i] != NULL; i++) {
        char want[64];
        snprintf(want, sizeof want, "Tag %s invalid", known[i]);
        if (strstr(msg, want) != NULL)
            return 1;
    }
    return 0;
}

static int html_errors;

static void count_html_error(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    if (e->domain == XML_FROM_HTML && e->code == XML_HTML_UNKNOWN_TAG && e->message != NULL &&
        html5_element(e->message))
        return;
    html_errors++;
    fprintf(stderr, "html error %d: %s", e->code, e->message ? e->message : "?\n");
}

/* Parses an HTML file with libxml2, counting the errors that are faults. */
static htmlDocPtr parse_html_counting(const char *path, int *errors)
{
    htmlDocPtr doc;

    html_errors = 0;
    xmlSetStructuredErrorFunc(NULL, count_html_error);
    doc = htmlReadFile(path, "UTF-8", HTML_PARSE_NONET);
    xmlSetStructuredErrorFunc(NULL, NULL);
    *errors = html_errors;
    return doc;
}

static int count_elements(xmlNodePtr node, const char *name)
{
    int n = 0;
    for (; node != NULL; node = node->next) {
        if (node->type == XML_ELEMENT_NODE && xmlStrcasecmp(node->name, BAD_CAST name) == 0)
            n++;
        n += count_elements(node->children, name);
    }
    return n;
}

static void test_hostile_strings(void)
{
    pt_report r;
    char xml[2048], html[2048];
    xmlDocPtr doc;
    htmlDocPtr hdoc;
    char *text;
    size_t len;

    model_hostile_case(&r);
    render_and_compare(&r, "report-hostile", 0);
    out_path(xml, sizeof xml, "report-hostile.xml");
    out_path(html, sizeof html, "report-hostile.html");

    xml_errors = 0;
    xmlSetGenericErrorFunc(NULL, count_xml_error);
    doc = parse_xml_file(xml);
    xmlSetGenericErrorFunc(NULL, NULL);
    PT_CHECK(doc != NULL);
    PT_CHECK(xml_errors == 0);
    if (doc != NULL) {
        check_xpath(doc, "string(/r:caseReport/@case)", HOSTILE_SCRIPT);
        check_xpath(doc, "string(/r:caseReport/r:summary)", HOSTILE_AMP);
        check_xpath(doc, "string(//r:suspect/@reason)", "");
        check_xpath(doc, "string(//r:suspect/r:reason)", HOSTILE_BYTES_CLEAN);
        check_xpath(doc, "string(//r:suspect/@tag)", "\"&<>");
        check_xpath(doc, "string(//r:candidate/r:vendor)", HOSTILE_BYTES_CLEAN);
        check_xpath(doc, "string(//r:fact/@name)", HOSTILE_AMP);
        xmlFreeDoc(doc);
    }

    text = read_all(html, &len);
    PT_CHECK(text != NULL);
    if (text != NULL) {
        PT_CHECK(strstr(text, "<script") == NULL);
        PT_CHECK(strstr(text, "&lt;script&gt;") != NULL);
        PT_CHECK(strstr(text, "Tom &amp; Jerry") != NULL);
        PT_CHECK(strstr(text, "\xff") == NULL && strstr(text, "\x1b") == NULL);
        free(text);
    }
    {
        int errors = -1;
        hdoc = parse_html_counting(html, &errors);
        PT_CHECK(hdoc != NULL);
        PT_CHECK(errors == 0);
    }
    if (hdoc != NULL) {
        xmlNodePtr root = xmlDocGetRootElement(hdoc);
        xmlChar *title = NULL;
        PT_CHECK(count_elements(root, "script") == 0);
        PT_CHECK(count_elements(root, "b") == 0);
        PT_CHECK(count_elements(root, "style") == 1);
        /* The chart was drawn, its legend escaped. */
        PT_CHECK(count_elements(root, "polyline") == 1);
        {
            xmlNodePtr n = root;
            /* html > head > ... > title */
            for (n = root->children; n != NULL && xmlStrcmp(n->name, BAD_CAST "head"); n = n->next)
                ;
            for (n = n ? n->children : NULL; n && xmlStrcmp(n->name, BAD_CAST "title"); n = n->next)
                ;
            if (n != NULL)
                title = xmlNodeGetContent(n);
        }
        PT_CHECK_STR((const char *)title, "Pool leak case report: " HOSTILE_SCRIPT);
        xmlFree(title);
        xmlFreeDoc(hdoc);
    }
    pt_report_free(&r);
}

/* The schema rejects what the writer must never produce. */
static void test_schema_rejects(void)
{
    pt_report r;
    char xml[2048];
    char *text, *p;
    size_t len;
    xmlDocPtr doc;

    model_series_case(&r);
    out_path(xml, sizeof xml, "report-schema.xml");
    PT_CHECK_U64(pt_report_write_xml(&r, xml, NULL), PT_OK);
    pt_report_free(&r);
    text = read_all(xml, &len);
    PT_CHECK(text != NULL);
    if (text == NULL)
        return;

    /* An unknown verdict word. */
    p = strstr(text, "verdict=\"leaking\"");
    PT_CHECK(p != NULL);
    if (p != NULL) {
        memcpy(p, "verdict=\"leakinG\"", 17);
        doc = xmlReadMemory(text, (int)len, "broken.xml", NULL, XML_PARSE_NONET);
        PT_CHECK(doc != NULL);
        if (doc != NULL) {
            PT_CHECK(validate_doc(doc) != 0);
            xmlFreeDoc(doc);
        }
        memcpy(p, "verdict=\"leaking\"", 17);
    }
    /* An unknown pool type. */
    p = strstr(text, "pool=\"nonpaged\"");
    PT_CHECK(p != NULL);
    if (p != NULL) {
        memcpy(p, "pool=\"nonpagex\"", 15);
        doc = xmlReadMemory(text, (int)len, "broken.xml", NULL, XML_PARSE_NONET);
        PT_CHECK(doc != NULL && validate_doc(doc) != 0);
        xmlFreeDoc(doc);
        memcpy(p, "pool=\"nonpaged\"", 15);
    }
    /* An unknown evidence kind. */
    p = strstr(text, "evidence=\"stack\"");
    PT_CHECK(p != NULL);
    if (p != NULL) {
        memcpy(p, "evidence=\"stock\"", 16);
        doc = xmlReadMemory(text, (int)len, "broken.xml", NULL, XML_PARSE_NONET);
        PT_CHECK(doc != NULL && validate_doc(doc) != 0);
        xmlFreeDoc(doc);
        memcpy(p, "evidence=\"stack\"", 16);
    }
    /* An element the schema does not know, where <warnings> must be. */
    p = strstr(text, "<warnings");
    PT_CHECK(p != NULL);
    if (p != NULL) {
        memcpy(p, "<warnin_s", 9);
        doc = xmlReadMemory(text, (int)len, "broken.xml", NULL, XML_PARSE_NONET);
        PT_CHECK(doc == NULL || validate_doc(doc) != 0);
        xmlFreeDoc(doc);
        memcpy(p, "<warnings", 9);
    }
    /* A wrong schema version. */
    p = strstr(text, "schemaVersion=\"1\"");
    PT_CHECK(p != NULL);
    if (p != NULL) {
        memcpy(p, "schemaVersion=\"9\"", 17);
        doc = xmlReadMemory(text, (int)len, "broken.xml", NULL, XML_PARSE_NONET);
        PT_CHECK(doc != NULL && validate_doc(doc) != 0);
        xmlFreeDoc(doc);
        memcpy(p, "schemaVersion=\"1\"", 17);
    }
    /* And restored, it validates again. */
    doc = xmlReadMemory(text, (int)len, "restored.xml", NULL, XML_PARSE_NONET);
    PT_CHECK(doc != NULL && validate_doc(doc) == 0);
    xmlFreeDoc(doc);
    free(text);
}

static void test_write_errors(void)
{
    pt_report r;
    pt_error err;
    const char *bad = "/nonexistent-dir-for-pooltriage/report.xml";

    model_empty_case(&r);
    pt_error_clear(&err);
    PT_CHECK_U64(pt_report_write_xml(&r, bad, &err), PT_ERR_IO);
    PT_CHECK(strstr(err.message, bad) != NULL);
    PT_CHECK(strstr(err.message, "No such file or directory") != NULL);
    pt_error_clear(&err);
    PT_CHECK_U64(pt_report_write_html(&r, "/nonexistent-dir-for-pooltriage/r.html", &err),
                 PT_ERR_IO);
    PT_CHECK(strstr(err.message, "/nonexistent-dir-for-pooltriage/r.html") != NULL);
    pt_report_free(&r);
}

/* Same model, same bytes: nothing depends on the clock or on addresses. */
static void test_deterministic(void)
{
    pt_report r;
    char a[2048], b[2048];
    char *x, *y;
    size_t xl, yl;

    model_series_case(&r);
    out_path(a, sizeof a, "det-a.html");
    out_path(b, sizeof b, "det-b.html");
    PT_CHECK_U64(pt_report_write_html(&r, a, NULL), PT_OK);
    PT_CHECK_U64(pt_report_write_html(&r, b, NULL), PT_OK);
    x = read_all(a, &xl);
    y = read_all(b, &yl);
    PT_CHECK(x != NULL && y != NULL && xl == yl && memcmp(x, y, xl) == 0);
    free(x);
    free(y);
    pt_report_free(&r);
}

/* The in-memory renderings are the files' bytes. */
static void test_memory_matches_file(void)
{
    pt_report r;
    char path[2048];
    char *mem = NULL, *file;
    size_t mem_len = 0, file_len;

    model_series_case(&r);
    out_path(path, sizeof path, "memory.xml");
    PT_CHECK_U64(pt_report_write_xml(&r, path, NULL), PT_OK);
    PT_CHECK_U64(pt_report_xml_string(&r, &mem, &mem_len, NULL), PT_OK);
    file = read_all(path, &file_len);
    PT_CHECK(mem != NULL && file != NULL && mem_len == file_len &&
             memcmp(mem, file, mem_len) == 0);
    free(mem);
    free(file);
    out_path(path, sizeof path, "memory.html");
    PT_CHECK_U64(pt_report_write_html(&r, path, NULL), PT_OK);
    PT_CHECK_U64(pt_report_html_string(&r, &mem, &mem_len, NULL), PT_OK);
    file = read_all(path, &file_len);
    PT_CHECK(mem != NULL && file != NULL && mem_len == file_len &&
             memcmp(mem, file, mem_len) == 0);
    free(mem);
    free(file);
    pt_report_free(&r);
}

PT_TEST_MAIN(PT_TEST(test_formatting), PT_TEST(test_clean_text), PT_TEST(test_mpp_case),
             PT_TEST(test_mpp_html_words), PT_TEST(test_series_case), PT_TEST(test_empty_case),
             PT_TEST(test_hostile_strings), PT_TEST(test_schema_rejects),
             PT_TEST(test_write_errors), PT_TEST(test_deterministic),
             PT_TEST(test_memory_matches_file))
