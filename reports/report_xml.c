/* report_xml.c - the canonical case report as XML (schema/report.xsd).
 *
 * Written with libxml2's xmlTextWriter into memory, then to the file, so
 * a failed write leaves no half report behind under the asked name.  Every
 * string from the evidence goes through report_clean (valid UTF-8, no
 * characters XML forbids) and libxml2 escapes it.  Sections are always
 * present, possibly empty, in a fixed order; nothing depends on the clock.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "report_text.h"
#include "report_xml.h"

#define REPORT_XML_NS "urn:pooltriage:report"

typedef struct xml_ctx {
    xmlTextWriterPtr w;
    report_buf buf;
    int failed;
    int oom;
} xml_ctx;

static void x_check(xml_ctx *x, int rc)
{
    if (rc < 0)
        x->failed = 1;
}

static void x_start(xml_ctx *x, const char *name)
{
    x_check(x, xmlTextWriterStartElement(x->w, BAD_CAST name));
}

static void x_end(xml_ctx *x)
{
    x_check(x, xmlTextWriterEndElement(x->w));
}

/* An attribute from evidence text; left out when the model has nothing. */
static void x_attr(xml_ctx *x, const char *name, const char *value)
{
    const char *clean;

    if (value == NULL)
        return;
    clean = report_clean(&x->buf, value, &x->oom);
    if (clean == NULL) {
        x->failed = 1;
        return;
    }
    x_check(x, xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST clean));
}

static void x_attr_u64(xml_ctx *x, const char *name, uint64_t v)
{
    char text[32];
    snprintf(text, sizeof text, "%" PRIu64, v);
    x_attr(x, name, text);
}

static void x_attr_hex(xml_ctx *x, const char *name, uint64_t v, int width)
{
    char text[32];
    snprintf(text, sizeof text, "0x%0*" PRIX64, width, v);
    x_attr(x, name, text);
}

static void x_attr_double(xml_ctx *x, const char *name, double v, int decimals)
{
    char text[48];
    x_attr(x, name, report_double(v, decimals, text));
}

static void x_attr_bool(xml_ctx *x, const char *name, int v)
{
    x_attr(x, name, v ? "true" : "false");
}

static void x_attr_time(xml_ctx *x, const char *name, pt_filetime t)
{
    char text[32];
    if (t != 0)
        x_attr(x, name, pt_filetime_format(t, text));
}

static void x_attr_tag(xml_ctx *x, pt_tag tag, const char *tag_text, pt_pool pool)
{
    char text[PT_TAG_TEXT_MAX], hex[16];
    x_attr(x, "tag", report_tag_text(tag, tag_text, text));
    x_attr(x, "tagHex", report_tag_hex(tag, hex));
    x_attr(x, "pool", pt_pool_name(pool));
}

/* <name>text</name>, left out when text is NULL. */
static void x_text_element(xml_ctx *x, const char *name, const char *text)
{
    const char *clean;

    if (text == NULL)
        return;
    clean = report_clean(&x->buf, text, &x->oom);
    if (clean == NULL) {
        x->failed = 1;
        return;
    }
    x_check(x, xmlTextWriterWriteElement(x->w, BAD_CAST name, BAD_CAST clean));
}

/* Text content of the open element. */
static void x_string(xml_ctx *x, const char *text)
{
    const char *clean = report_clean(&x->buf, text != NULL ? text : "", &x->oom);

    if (clean == NULL) {
        x->failed = 1;
        return;
    }
    x_check(x, xmlTextWriterWriteString(x->w, BAD_CAST clean));
}

static void x_description(xml_ctx *x, const char *description, const char *origin)
{
    if (description == NULL)
        return;
    x_start(x, "description");
    x_attr(x, "origin", origin);
    x_string(x, description);
    x_end(x);
}

static const char *third_party_word(int third_party)
{
    return third_party > 0 ? "yes" : third_party == 0 ? "no" : "unknown";
}

static void x_candidate(xml_ctx *x, const pt_report_candidate *c)
{
    x_start(x, "candidate");
    x_attr(x, "driver", c->driver != NULL ? c->driver : "");
    x_attr(x, "evidence", c->evidence != NULL ? c->evidence : "literal");
    x_attr(x, "thirdParty", third_party_word(c->third_party));
    x_text_element(x, "detail", c->detail);
    x_text_element(x, "vendor", c->vendor);
    x_text_element(x, "fileVersion", c->file_version);
    x_text_element(x, "productVersion", c->product_version);
    x_text_element(x, "signer", c->signer);
    x_text_element(x, "timestamp", c->timestamp);
    x_text_element(x, "sha256", c->sha256);
    x_end(x);
}

static void x_suspects(xml_ctx *x, const pt_report *r)
{
    size_t i, j;

    x_start(x, "suspects");
    for (i = 0; i < r->suspect_count; i++) {
        const pt_report_suspect *s = &r->suspects[i];
        x_start(x, "suspect");
        x_attr_u64(x, "rank", (uint64_t)(s->rank > 0 ? s->rank : (int)i + 1));
        x_attr_tag(x, s->tag, s->tag_text, s->pool);
        x_attr(x, "verdict", s->verdict != NULL ? s->verdict : "stable");
        x_attr_u64(x, "bytes", s->bytes);
        x_attr_u64(x, "outstanding", s->outstanding);
        x_attr_double(x, "growthBytesPerHour", s->growth_bytes_per_hour, 1);
        x_attr_double(x, "persistence", s->persistence, 4);
        x_attr_double(x, "share", s->share, 4);
        x_attr_u64(x, "samples", s->samples);
        if (s->findstr_count > 0)
            x_attr_u64(x, "findstrCount", s->findstr_count);
        x_text_element(x, "reason", s->reason);
        x_description(x, s->description, s->description_origin);
        x_start(x, "candidates");
        x_attr(x, "evidenceStrength", pt_report_evidence_strength(s));
        for (j = 0; j < s->candidate_count; j++)
            x_candidate(x, &s->candidates[j]);
        x_end(x);
        x_end(x);
    }
    x_end(x);
}

static void x_leaked_stacks(xml_ctx *x, const pt_report *r)
{
    size_t i;

    x_start(x, "leakedStacks");
    for (i = 0; i < r->leaked_stack_count; i++) {
        const pt_report_leaked_stack *l = &r->leaked_stacks[i];
        x_start(x, "leakedStack");
        x_attr_tag(x, l->tag, l->tag_text, l->pool);
        x_attr_u64(x, "count", l->count);
        x_attr_u64(x, "bytes", l->bytes);
        x_attr(x, "module", l->module != NULL ? l->module : "");
        x_attr_hex(x, "offset", l->offset, 1);
        x_text_element(x, "frames", l->frames);
        x_end(x);
    }
    x_end(x);
}

static void x_system_memory(xml_ctx *x, const pt_report *r)
{
    size_t i;

    x_start(x, "systemMemory");
    for (i = 0; i < r->pool_count; i++) {
        const pt_report_pool *p = &r->pools[i];
        x_start(x, "pool");
        x_attr(x, "name", p->name != NULL ? p->name : "");
        x_attr_u64(x, "usageBytes", p->usage_bytes);
        if (p->max_bytes > 0) {
            x_attr_u64(x, "maxBytes", p->max_bytes);
            x_attr_double(x, "usedShare", (double)p->usage_bytes / (double)p->max_bytes, 4);
        }
        x_attr_double(x, "growthBytesPerHour", p->growth_bytes_per_hour, 1);
        if (p->hours_to_exhaustion >= 0)
            x_attr_double(x, "hoursToExhaustion", p->hours_to_exhaustion, 2);
        x_text_element(x, "note", p->note);
        x_end(x);
    }
    for (i = 0; i < r->counter_count; i++) {
        const pt_report_counter *c = &r->counters[i];
        x_start(x, "counter");
        x_attr(x, "sample", c->sample);
        x_attr(x, "name", c->name != NULL ? c->name : "");
        x_attr(x, "unit", c->unit != NULL ? c->unit : "");
        x_attr_u64(x, "value", c->value);
        x_attr_bool(x, "looksWrong", c->looks_wrong);
        x_end(x);
    }
    x_end(x);
}

static void x_facts(xml_ctx *x, const pt_report *r)
{
    size_t i;

    x_start(x, "systemFacts");
    for (i = 0; i < r->fact_count; i++) {
        x_start(x, "fact");
        x_attr(x, "name", r->facts[i].name != NULL ? r->facts[i].name : "");
        x_string(x, r->facts[i].value);
        x_end(x);
    }
    x_end(x);
}

static void x_modules(xml_ctx *x, const pt_report *r)
{
    size_t i;

    x_start(x, "modules");
    for (i = 0; i < r->module_count; i++) {
        const pt_report_module *m = &r->modules[i];
        x_start(x, "module");
        x_attr(x, "name", m->name != NULL ? m->name : "");
        x_attr_hex(x, "base", m->base, 1);
        x_attr_u64(x, "size", m->size);
        x_attr_hex(x, "timestamp", m->timestamp, 8);
        x_attr_hex(x, "checksum", m->checksum, 8);
        x_text_element(x, "diskNote", m->disk_note);
        x_end(x);
    }
    x_end(x);
}

static void x_tags(xml_ctx *x, const pt_report *r)
{
    size_t i;

    x_start(x, "tags");
    x_attr_u64(x, "count", r->tag_count);
    x_attr_u64(x, "topCount", r->top_tag_count < r->tag_count ? r->top_tag_count : r->tag_count);
    for (i = 0; i < r->tag_count; i++) {
        const pt_report_tag *t = &r->tags[i];
        x_start(x, "tag");
        x_attr_u64(x, "rank", i + 1);
        x_attr_bool(x, "top", i < r->top_tag_count);
        x_attr_tag(x, t->tag, t->tag_text, t->pool);
        if (t->has & PT_HAS_ALLOCS)
            x_attr_u64(x, "allocs", t->allocs);
        if (t->has & PT_HAS_FREES)
            x_attr_u64(x, "frees", t->frees);
        if (t->has & PT_HAS_OUTSTANDING)
            x_attr_u64(x, "outstanding", t->outstanding);
        if (t->has & PT_HAS_BYTES)
            x_attr_u64(x, "bytes", t->bytes);
        x_description(x, t->description, t->description_origin);
        x_text_element(x, "binary", t->binary);
        x_end(x);
    }
    x_end(x);
}

static void x_series(xml_ctx *x, const pt_report *r)
{
    size_t i, j;

    x_start(x, "series");
    for (i = 0; i < r->series_count; i++) {
        const pt_report_series *s = &r->series[i];
        x_start(x, "tagSeries");
        x_attr_tag(x, s->tag, s->tag_text, s->pool);
        for (j = 0; j < s->point_count; j++) {
            x_start(x, "point");
            x_attr_time(x, "time", s->times != NULL ? s->times[j] : 0);
            x_attr_u64(x, "bytes", s->bytes != NULL ? s->bytes[j] : 0);
            x_end(x);
        }
        x_end(x);
    }
    x_end(x);
}

static void x_sources(xml_ctx *x, const pt_report *r)
{
    size_t i;

    x_start(x, "sources");
    for (i = 0; i < r->source_count; i++) {
        const pt_report_source *s = &r->sources[i];
        x_start(x, "source");
        x_attr(x, "name", s->name != NULL ? s->name : "");
        x_attr(x, "kind", s->kind != NULL ? s->kind : "unknown");
        x_attr(x, "variant", s->variant);
        x_attr_u64(x, "size", s->size);
        x_attr(x, "sha256", s->sha256);
        x_attr(x, "bundle", s->bundle);
        x_attr(x, "sampleTime", s->sample_time);
        x_attr_bool(x, "partial", s->partial);
        x_end(x);
    }
    x_end(x);
}

static void x_past_cases(xml_ctx *x, const pt_report *r)
{
    size_t i;

    x_start(x, "pastCases");
    for (i = 0; i < r->past_case_count; i++) {
        const pt_report_past_case *p = &r->past_cases[i];
        x_start(x, "pastCase");
        x_attr(x, "case", p->case_name != NULL ? p->case_name : "");
        x_attr(x, "tag", p->tag_text);
        x_attr(x, "driver", p->driver);
        x_attr(x, "verdict", p->verdict);
        x_attr(x, "when", p->when);
        x_end(x);
    }
    x_end(x);
}

static void x_advisories(xml_ctx *x, const pt_report *r)
{
    size_t i;
    char text[PT_TAG_TEXT_MAX], hex[16];

    x_start(x, "advisories");
    for (i = 0; i < r->advisory_count; i++) {
        const pt_report_advisory *a = &r->advisories[i];
        x_start(x, "advisory");
        x_attr(x, "tag", report_tag_text(a->tag, NULL, text));
        x_attr(x, "tagHex", report_tag_hex(a->tag, hex));
        x_attr(x, "vendor", a->vendor);
        x_attr(x, "driver", a->driver);
        x_attr(x, "versions", a->versions);
        x_attr(x, "fixedVersion", a->fixed_version);
        x_attr(x, "reference", a->reference);
        x_text_element(x, "text", a->text);
        x_end(x);
    }
    x_end(x);
}

static void x_warnings(xml_ctx *x, const pt_report *r)
{
    size_t i;

    x_start(x, "warnings");
    for (i = 0; i < r->warning_count; i++)
        x_text_element(x, "warning", r->warnings[i] != NULL ? r->warnings[i] : "");
    x_end(x);
}

static void x_document(xml_ctx *x, const pt_report *r)
{
    x_check(x, xmlTextWriterSetIndent(x->w, 1));
    x_check(x, xmlTextWriterSetIndentString(x->w, BAD_CAST "  "));
    x_check(x, xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL));
    x_check(x, xmlTextWriterStartElementNS(x->w, NULL, BAD_CAST "caseReport",
                                           BAD_CAST REPORT_XML_NS));
    x_attr(x, "schemaVersion", PT_REPORT_SCHEMA_VERSION);
    x_attr(x, "case", r->case_name != NULL ? r->case_name : "");
    x_attr(x, "generated", r->generated);
    x_attr(x, "toolVersion", r->tool_version);
    x_attr_u64(x, "samples", r->sample_count);
    x_attr_time(x, "firstTime", r->first_time);
    x_attr_time(x, "lastTime", r->last_time);
    x_text_element(x, "summary", r->summary);
    x_suspects(x, r);
    x_leaked_stacks(x, r);
    x_system_memory(x, r);
    x_facts(x, r);
    x_modules(x, r);
    x_tags(x, r);
    x_series(x, r);
    x_sources(x, r);
    x_past_cases(x, r);
    x_advisories(x, r);
    x_warnings(x, r);
    x_end(x);
    x_check(x, xmlTextWriterEndDocument(x->w));
}

/* Renders into out; name is what errors call the document. */
static pt_status report_xml_render(const pt_report *r, xmlBufferPtr out, const char *name,
                                   pt_error *err)
{
    xml_ctx x;
    pt_status st = PT_OK;

    memset(&x, 0, sizeof x);
    x.w = xmlNewTextWriterMemory(out, 0);
    if (x.w == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, name, PT_NO_OFFSET, "out of memory");
    x_document(&x, r);
    xmlFreeTextWriter(x.w); /* flushes into out */
    if (x.oom)
        st = pt_error_set(err, PT_ERR_NOMEM, name, PT_NO_OFFSET, "out of memory");
    else if (x.failed)
        st = pt_error_set(err, PT_ERR_INTERNAL, name, PT_NO_OFFSET,
                          "libxml2 could not write the XML report");
    report_buf_free(&x.buf);
    return st;
}

pt_status pt_report_xml_string(const pt_report *r, char **out, size_t *len, pt_error *err)
{
    xmlBufferPtr buf = xmlBufferCreate();
    pt_status st;

    *out = NULL;
    *len = 0;
    if (buf == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    st = report_xml_render(r, buf, "XML report", err);
    if (st == PT_OK) {
        size_t n = (size_t)xmlBufferLength(buf);
        *out = malloc(n + 1);
        if (*out == NULL) {
            st = pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
        } else {
            memcpy(*out, xmlBufferContent(buf), n);
            (*out)[n] = '\0';
            *len = n;
        }
    }
    xmlBufferFree(buf);
    return st;
}

pt_status pt_report_write_xml(const pt_report *r, const char *path, pt_error *err)
{
    xmlBufferPtr buf = xmlBufferCreate();
    pt_status st;

    if (buf == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
    st = report_xml_render(r, buf, path, err);
    if (st == PT_OK)
        st = report_write_file(path, xmlBufferContent(buf), (size_t)xmlBufferLength(buf), err);
    xmlBufferFree(buf);
    return st;
}
