/* report_html.c - the case report as one self-contained HTML file.
 *
 * The document is a libxml2 HTML tree (htmlNewDocNoDtD, xmlNewTextChild,
 * xmlNewProp) serialized by htmlDocDumpMemoryFormat, so every string from
 * the evidence is a text node or an attribute value that libxml2 escapes;
 * nothing from the evidence ever goes into the <style> element.  The chart
 * is inline SVG built as elements of the same tree.  No external resource
 * of any kind is referenced; nothing depends on the clock.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "report_html.h"
#include "report_html_style.h"
#include "report_text.h"

typedef struct html_ctx {
    xmlDocPtr doc;
    report_buf buf;
    int failed;
    int oom;
} html_ctx;

/* ---- tree helpers ------------------------------------------------------ */

/* A child element holding text (escaped on output); text may be NULL. */
static xmlNodePtr h_el(html_ctx *h, xmlNodePtr parent, const char *name, const char *text)
{
    const char *clean = NULL;
    xmlNodePtr node;

    if (text != NULL) {
        clean = report_clean(&h->buf, text, &h->oom);
        if (clean == NULL) {
            h->failed = 1;
            return parent;
        }
    }
    node = xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST clean);
    if (node == NULL) {
        h->failed = 1;
        return parent;
    }
    return node;
}

static void h_attr(html_ctx *h, xmlNodePtr node, const char *name, const char *value)
{
    const char *clean;

    if (value == NULL)
        return;
    clean = report_clean(&h->buf, value, &h->oom);
    if (clean == NULL || xmlNewProp(node, BAD_CAST name, BAD_CAST clean) == NULL)
        h->failed = 1;
}

static xmlNodePtr h_el_class(html_ctx *h, xmlNodePtr parent, const char *name,
                             const char *cls, const char *text)
{
    xmlNodePtr node = h_el(h, parent, name, text);
    h_attr(h, node, "class", cls);
    return node;
}

/* Appends text to an element (for sentences built from several parts). */
static void h_text(html_ctx *h, xmlNodePtr parent, const char *text)
{
    const char *clean = report_clean(&h->buf, text, &h->oom);
    xmlNodePtr node;

    if (clean == NULL) {
        h->failed = 1;
        return;
    }
    node = xmlNewDocText(h->doc, BAD_CAST clean);
    if (node == NULL || xmlAddChild(parent, node) == NULL)
        h->failed = 1;
}

/* A byte count for people, the exact value in the title. */
static xmlNodePtr h_bytes(html_ctx *h, xmlNodePtr parent, const char *element, uint64_t bytes)
{
    char human[32], exact[32], title[48];
    xmlNodePtr node = h_el(h, parent, element, report_bytes_human(bytes, human));

    snprintf(title, sizeof title, "%s bytes", report_count(bytes, exact));
    h_attr(h, node, "title", title);
    return node;
}

static xmlNodePtr h_count(html_ctx *h, xmlNodePtr parent, const char *element, uint64_t n)
{
    char text[32];
    return h_el(h, parent, element, report_count(n, text));
}

static void h_num_cell(html_ctx *h, xmlNodePtr tr, int present, uint64_t n, int as_bytes)
{
    xmlNodePtr td;

    if (!present) {
        td = h_el_class(h, tr, "td", "num missing", "\xE2\x80\x94");
        h_attr(h, td, "title", "not in this source");
        return;
    }
    td = as_bytes ? h_bytes(h, tr, "td", n) : h_count(h, tr, "td", n);
    h_attr(h, td, "class", "num");
}

static xmlNodePtr h_table(html_ctx *h, xmlNodePtr parent, const char *cls,
                          const char *const *headers, const char *const *header_classes)
{
    xmlNodePtr table = h_el_class(h, parent, "table", cls, NULL);
    xmlNodePtr tr = h_el(h, h_el(h, table, "thead", NULL), "tr", NULL);
    size_t i;

    for (i = 0; headers[i] != NULL; i++) {
        xmlNodePtr th = h_el(h, tr, "th", headers[i]);
        if (header_classes != NULL && header_classes[i] != NULL && header_classes[i][0])
            h_attr(h, th, "class", header_classes[i]);
    }
    return h_el(h, table, "tbody", NULL);
}

/* The tag in a code element, the raw value in its title. */
static void h_tag(html_ctx *h, xmlNodePtr parent, pt_tag tag, const char *tag_text)
{
    char text[PT_TAG_TEXT_MAX], hex[16], title[40];
    xmlNodePtr code = h_el_class(h, parent, "code", "tag", report_tag_text(tag, tag_text, text));

    snprintf(title, sizeof title, "raw tag %s", report_tag_hex(tag, hex));
    h_attr(h, code, "title", title);
}

static xmlNodePtr h_section(html_ctx *h, xmlNodePtr body, const char *id, const char *cls,
                            const char *title)
{
    xmlNodePtr section = h_el(h, body, "section", NULL);
    h_attr(h, section, "id", id);
    h_attr(h, section, "class", cls);
    h_el(h, section, "h2", title);
    return section;
}

static const char *verdict_or_default(const char *verdict)
{
    return verdict != NULL ? verdict : "stable";
}

/* ---- head and masthead ------------------------------------------------- */

static void html_head(html_ctx *h, xmlNodePtr html, const pt_report *r)
{
    xmlNodePtr head = h_el(h, html, "head", NULL);
    xmlNodePtr meta = h_el(h, head, "meta", NULL);
    char title[512];

    h_attr(h, meta, "charset", "utf-8");
    meta = h_el(h, head, "meta", NULL);
    h_attr(h, meta, "name", "viewport");
    h_attr(h, meta, "content", "width=device-width, initial-scale=1");
    meta = h_el(h, head, "meta", NULL);
    h_attr(h, meta, "name", "generator");
    h_attr(h, meta, "content", "pooltriage");
    snprintf(title, sizeof title, "Pool leak case report: %.400s",
             r->case_name != NULL ? r->case_name : "(unnamed case)");
    h_el(h, head, "title", title);
    /* Our own constant stylesheet: the only raw text in the document. */
    h_el(h, head, "style", report_html_css);
}

static void html_meta_item(html_ctx *h, xmlNodePtr dl, const char *name, const char *value)
{
    xmlNodePtr div = h_el(h, dl, "div", NULL);
    h_el(h, div, "dt", name);
    h_el(h, div, "dd", value);
}

static void html_masthead(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr header = h_el_class(h, body, "header", "masthead", NULL);
    xmlNodePtr dl;
    char a[32], b[32], period[80], samples[32];

    h_el_class(h, header, "div", "kicker", "Kernel pool leak \xC2\xB7 case report");
    h_el(h, header, "h1", r->case_name != NULL ? r->case_name : "(unnamed case)");
    dl = h_el_class(h, header, "dl", "meta", NULL);
    snprintf(samples, sizeof samples, "%u", r->sample_count);
    html_meta_item(h, dl, "Samples", samples);
    if (r->first_time != 0 && r->last_time != 0 && r->last_time != r->first_time)
        snprintf(period, sizeof period, "%s \xE2\x80\x93 %s", report_time_short(r->first_time, a),
                 report_time_short(r->last_time, b));
    else
        snprintf(period, sizeof period, "%s", report_time_short(r->last_time ? r->last_time
                                                                              : r->first_time, a));
    html_meta_item(h, dl, "Evidence time", period);
    html_meta_item(h, dl, "Sources", report_count(r->source_count, a));
    if (r->generated != NULL)
        html_meta_item(h, dl, "Generated", r->generated);
    if (r->tool_version != NULL)
        html_meta_item(h, dl, "pooltriage", r->tool_version);
}

/* ---- verdict ----------------------------------------------------------- */

/* The suspect's verdict as one plain sentence. */
static void suspect_sentence(const pt_report_suspect *s, char *out, size_t size)
{
    char tag[PT_TAG_TEXT_MAX], bytes[32], share[16], rate[40], count[32];
    const char *t = report_tag_text(s->tag, s->tag_text, tag);
    const char *pool = pt_pool_name(s->pool);
    const char *v = verdict_or_default(s->verdict);
    unsigned intervals = s->samples > 1 ? s->samples - 1 : 0;
    /* The model's persistence is a share; clamp it so nonsense cannot
     * overflow the count. */
    double persistence = s->persistence >= 0.0 && s->persistence <= 1.0 ? s->persistence
                         : s->persistence > 1.0                          ? 1.0
                                                                         : 0.0;
    unsigned grew = (unsigned)(persistence * intervals + 0.5);

    report_bytes_human(s->bytes, bytes);
    report_percent(s->share, share);
    report_rate_human(s->growth_bytes_per_hour, rate);
    if (strcmp(v, "leaked-allocations") == 0)
        snprintf(out, size, "Tag %s (%s): %s allocations (%s) were still outstanding at the end "
                 "of the trace: leaked allocations.", t, pool, report_count(s->outstanding, count),
                 bytes);
    else if (strcmp(v, "leaking") == 0 && !(s->share > 0.0))
        snprintf(out, size, "Tag %s (%s) grows %s in %u of %u intervals and holds %s: leaking.",
                 t, pool, rate, grew, intervals, bytes);
    else if (strcmp(v, "leaking") == 0)
        snprintf(out, size, "Tag %s (%s) grows %s in %u of %u intervals and holds %s, %s of "
                 "tagged %s pool: leaking.", t, pool, rate, grew, intervals, bytes, share, pool);
    else if (strcmp(v, "growing") == 0)
        snprintf(out, size, "Tag %s (%s) grows %s in %u of %u intervals and holds %s: growing, "
                 "but not steadily enough to call it a leak.", t, pool, rate, grew, intervals,
                 bytes);
    else if (intervals == 0)
        snprintf(out, size, "Tag %s (%s) holds %s, %s of tagged %s pool, in a single snapshot: "
                 "%s; a series is needed to call it a leak.", t, pool, bytes, share, pool, v);
    else
        snprintf(out, size, "Tag %s (%s) holds %s, %s of tagged %s pool, over %u samples "
                 "(%s): %s.", t, pool, bytes, share, pool, s->samples, rate, v);
}

static void html_candidate_row(html_ctx *h, xmlNodePtr tbody, const pt_report_candidate *c)
{
    xmlNodePtr tr = h_el(h, tbody, "tr", NULL);
    xmlNodePtr td;
    const char *evidence = c->evidence != NULL ? c->evidence : "literal";
    char cls[64];
    const char *origin = c->third_party > 0 ? "third-party"
                         : c->third_party == 0 ? "Microsoft" : "unknown";

    td = h_el(h, tr, "td", NULL);
    h_el_class(h, td, "strong", "driver", c->driver != NULL ? c->driver : "?");
    if (c->detail != NULL)
        h_el_class(h, td, "div", "detail", c->detail);
    snprintf(cls, sizeof cls, "evidence ev-%.40s", evidence);
    h_el_class(h, h_el(h, tr, "td", NULL), "span", cls, evidence);
    h_el_class(h, tr, "td", c->third_party > 0 ? "third-party" : NULL, origin);
    h_el(h, tr, "td", c->vendor != NULL ? c->vendor : "");
    td = h_el(h, tr, "td", c->file_version != NULL ? c->file_version : "");
    if (c->product_version != NULL && (c->file_version == NULL ||
                                       strcmp(c->product_version, c->file_version) != 0)) {
        xmlNodePtr small = h_el_class(h, td, "div", "detail", "product ");
        h_text(h, small, c->product_version);
    }
    h_el(h, tr, "td", c->signer != NULL ? c->signer : "\xE2\x80\x94");
    h_el(h, tr, "td", c->timestamp != NULL ? c->timestamp : "");
    h_el_class(h, tr, "td", "hash", c->sha256 != NULL ? c->sha256 : "");
}

static void html_candidates(html_ctx *h, xmlNodePtr parent, const pt_report_suspect *s)
{
    static const char *const headers[] = {"Driver", "Evidence", "Origin", "Vendor",
                                          "Version", "Signer", "Date", "SHA-256", NULL};
    const char *strength = pt_report_evidence_strength(s);
    char note[256];
    size_t i;

    h_el(h, parent, "h4", "Candidate drivers");
    if (strcmp(strength, "none") == 0 || strcmp(strength, "weak") == 0) {
        if (strcmp(strength, "none") == 0)
            snprintf(note, sizeof note, "Evidence missing: no driver is tied to this tag. "
                     "Collect the driver files (--drivers) or a pool trace.");
        else
            snprintf(note, sizeof note, "Evidence weak: the tag's bytes merely occur in these "
                     "files (what findstr finds); no call site or stack confirms an owner.");
        h_el_class(h, parent, "p", "evidence-warning", note);
    }
    if (s->findstr_count > 0) {
        snprintf(note, sizeof note, "A findstr search for the tag would name %u driver file%s.",
                 s->findstr_count, s->findstr_count == 1 ? "" : "s");
        h_el_class(h, parent, "p", "findstr", note);
    }
    if (s->candidate_count == 0)
        return;
    {
        xmlNodePtr tbody = h_table(h, parent, "candidates", headers, NULL);
        for (i = 0; i < s->candidate_count; i++)
            html_candidate_row(h, tbody, &s->candidates[i]);
    }
}

static void html_fact_row(html_ctx *h, xmlNodePtr tbody, const char *name, const char *value)
{
    xmlNodePtr tr = h_el(h, tbody, "tr", NULL);
    h_el(h, tr, "th", name);
    h_el(h, tr, "td", value);
}

static void html_suspect(html_ctx *h, xmlNodePtr parent, const pt_report_suspect *s)
{
    const char *v = verdict_or_default(s->verdict);
    xmlNodePtr card = h_el_class(h, parent, "article", "suspect", NULL);
    xmlNodePtr head = h_el_class(h, card, "div", "suspect-head", NULL);
    xmlNodePtr tbody, td;
    char sentence[768], text[64], count[32], rank[16];

    snprintf(rank, sizeof rank, "#%d", s->rank);
    h_el_class(h, head, "span", "rank", rank);
    h_tag(h, head, s->tag, s->tag_text);
    h_el_class(h, head, "span", "pool", pt_pool_name(s->pool));
    h_el_class(h, head, "span", "badge", v);
    h_attr(h, head->last, "data-verdict", v);
    suspect_sentence(s, sentence, sizeof sentence);
    h_el_class(h, card, "p", "headline", sentence);
    if (s->reason != NULL)
        h_el_class(h, card, "p", "reason", s->reason);

    tbody = h_el(h, h_el_class(h, card, "table", "facts", NULL), "tbody", NULL);
    td = h_el(h, h_el(h, tbody, "tr", NULL), "th", "Bytes");
    h_bytes(h, td->parent, "td", s->bytes);
    html_fact_row(h, tbody, "Outstanding allocations", report_count(s->outstanding, count));
    html_fact_row(h, tbody, "Growth", s->samples > 1
                                          ? report_rate_human(s->growth_bytes_per_hour, text)
                                          : "not measurable from one sample");
    snprintf(text, sizeof text, "%s of %u interval%s", report_percent(s->persistence, count),
             s->samples > 1 ? s->samples - 1 : 0, s->samples == 2 ? "" : "s");
    html_fact_row(h, tbody, "Persistence", s->samples > 1 ? text : "single sample");
    html_fact_row(h, tbody, "Share of tagged pool", report_percent(s->share, text));
    if (s->description != NULL) {
        td = h_el(h, h_el(h, tbody, "tr", NULL), "th", "Description");
        td = h_el(h, td->parent, "td", s->description);
        if (s->description_origin != NULL) {
            xmlNodePtr origin = h_el_class(h, td, "span", "origin", " \xE2\x80\x94 from ");
            h_text(h, origin, s->description_origin);
        }
    }
    html_candidates(h, card, s);
}

static void html_verdict(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr section = h_section(h, body, "verdict", "verdict", "Verdict");
    size_t i;

    if (r->summary != NULL)
        h_el_class(h, section, "p", "summary", r->summary);
    if (r->suspect_count == 0) {
        h_el_class(h, section, "p", "none",
                   r->tag_count == 0
                       ? "No pool tag data in this case: nothing to rank."
                       : "No suspect: no tag grows or stands out in this case's evidence.");
        return;
    }
    for (i = 0; i < r->suspect_count; i++)
        html_suspect(h, section, &r->suspects[i]);
}

static void html_leaked_stacks(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    static const char *const headers[] = {"Tag", "Pool", "Allocations", "Bytes",
                                          "Allocated from", NULL};
    static const char *const classes[] = {"", "", "num", "num", "", NULL};
    xmlNodePtr section, tbody;
    size_t i;

    if (r->leaked_stack_count == 0)
        return;
    section = h_section(h, body, "stacks", NULL, "Leaked allocations by stack");
    h_el_class(h, section, "p", "lead",
               "Allocations still outstanding at the end of the pool trace, grouped by tag and "
               "by the first frame outside the kernel's pool code: the strongest evidence of "
               "which driver allocated them.");
    tbody = h_table(h, section, "data", headers, classes);
    for (i = 0; i < r->leaked_stack_count; i++) {
        const pt_report_leaked_stack *l = &r->leaked_stacks[i];
        xmlNodePtr tr = h_el(h, tbody, "tr", NULL);
        xmlNodePtr td;
        char where[320];
        h_tag(h, h_el(h, tr, "td", NULL), l->tag, l->tag_text);
        h_el(h, tr, "td", pt_pool_name(l->pool));
        h_num_cell(h, tr, 1, l->count, 0);
        h_num_cell(h, tr, 1, l->bytes, 1);
        snprintf(where, sizeof where, "%.256s+0x%" PRIX64, l->module != NULL ? l->module : "?",
                 l->offset);
        td = h_el(h, tr, "td", NULL);
        h_el_class(h, td, "code", "frame", where);
        if (l->frames != NULL)
            h_el_class(h, td, "pre", "frames", l->frames);
    }
}

/* ---- system memory ----------------------------------------------------- */

static void html_pool_bar(html_ctx *h, xmlNodePtr parent, const pt_report_pool *p)
{
    xmlNodePtr row = h_el_class(h, parent, "div", "pool-row", NULL);
    xmlNodePtr bar, fill, figures;
    char style[64], text[160], pct[16], rate[40], hours[32];
    double share = p->max_bytes > 0 ? (double)p->usage_bytes / (double)p->max_bytes : 0.0;
    const char *level = share >= 0.9 ? "fill critical" : share >= 0.7 ? "fill high" : "fill";

    h_el_class(h, row, "div", "pool-name", p->name != NULL ? p->name : "?");
    bar = h_el_class(h, row, "div", "bar", NULL);
    fill = h_el_class(h, bar, "div", p->max_bytes > 0 ? level : "fill unknown", NULL);
    snprintf(style, sizeof style, "width:%.1f%%",
             p->max_bytes > 0 ? (share > 1.0 ? 100.0 : share * 100.0) : 100.0);
    h_attr(h, fill, "style", style);
    figures = h_el_class(h, row, "div", "pool-figures", NULL);
    h_bytes(h, figures, "strong", p->usage_bytes);
    if (p->max_bytes > 0) {
        h_text(h, figures, " of ");
        h_bytes(h, figures, "span", p->max_bytes);
        snprintf(text, sizeof text, " (%s)", report_percent(share, pct));
        h_text(h, figures, text);
    } else {
        h_text(h, figures, " \xE2\x80\x94 limit unknown");
    }
    if (p->growth_bytes_per_hour != 0.0 && isfinite(p->growth_bytes_per_hour)) {
        snprintf(text, sizeof text, "grows %s", report_rate_human(p->growth_bytes_per_hour, rate));
        h_el_class(h, row, "div", "pool-growth", text);
    }
    if (p->hours_to_exhaustion >= 0) {
        snprintf(text, sizeof text, "Exhausted in about %s at this rate",
                 report_hours_human(p->hours_to_exhaustion, hours));
        h_el_class(h, row, "div", "exhaustion", text);
    }
    if (p->note != NULL)
        h_el_class(h, row, "div", "note", p->note);
}

static int same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* "6,288,149 pages" */
static void counter_value_text(const pt_report_counter *c, char *out, size_t size)
{
    char n[32];
    snprintf(out, size, "%s", report_count(c->value, n));
    if (c->unit != NULL && c->unit[0] != '\0') {
        size_t len = strlen(out);
        snprintf(out + len, size - len, " %.32s", c->unit);
    }
}

/* The counters grouped by sample, a counter printed in two units (pages
 * and Kb) on one row; the counters that look wrong are marked. */
static void html_counters(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    static const char *const headers[] = {"Counter", "Value", "Also", "", NULL};
    static const char *const classes[] = {"", "num", "num", "", NULL};
    xmlNodePtr section, tbody;
    size_t i;

    if (r->counter_count == 0)
        return;
    section = h_section(h, body, "counters", "page", "Memory counters");
    tbody = h_table(h, section, "data compact counters", headers, classes);
    for (i = 0; i < r->counter_count; i++) {
        const pt_report_counter *c = &r->counters[i];
        const pt_report_counter *twin = NULL;
        xmlNodePtr tr, th;
        char text[80];
        int wrong = c->looks_wrong;

        if (i == 0 || !same_text(c->sample, r->counters[i - 1].sample)) {
            th = h_el(h, h_el_class(h, tbody, "tr", "group", NULL), "th",
                      c->sample != NULL ? c->sample : "(sample unknown)");
            h_attr(h, th, "colspan", "4");
        }
        if (i + 1 < r->counter_count && same_text(c->sample, r->counters[i + 1].sample) &&
            same_text(c->name, r->counters[i + 1].name) &&
            !same_text(c->unit, r->counters[i + 1].unit)) {
            twin = &r->counters[i + 1];
            wrong |= twin->looks_wrong;
        }
        tr = h_el(h, tbody, "tr", NULL);
        if (wrong)
            h_attr(h, tr, "class", "looks-wrong");
        h_el(h, tr, "td", c->name != NULL ? c->name : "");
        counter_value_text(c, text, sizeof text);
        h_el_class(h, tr, "td", "num", text);
        if (twin != NULL)
            counter_value_text(twin, text, sizeof text);
        h_el_class(h, tr, "td", "num", twin != NULL ? text : "");
        h_el_class(h, tr, "td", "flag", wrong ? "looks wrong" : "");
        if (twin != NULL)
            i++;
    }
}

/* The counters whose values cannot be right, called out where the pools are. */
static void html_wrong_counters(html_ctx *h, xmlNodePtr section, const pt_report *r)
{
    xmlNodePtr ul = NULL;
    size_t i;

    for (i = 0; i < r->counter_count; i++) {
        const pt_report_counter *c = &r->counters[i];
        char text[80];
        xmlNodePtr li;
        if (!c->looks_wrong)
            continue;
        if (ul == NULL) {
            h_el_class(h, section, "p", "wrong-lead",
                       "Counters that look wrong (wrapped or impossible values; not used as "
                       "limits):");
            ul = h_el_class(h, section, "ul", "wrong", NULL);
        }
        li = h_el(h, ul, "li", NULL);
        h_el(h, li, "strong", c->name != NULL ? c->name : "?");
        counter_value_text(c, text, sizeof text);
        h_text(h, li, " ");
        h_text(h, li, text);
        /* The same counter in its other unit goes on the same line. */
        if (i + 1 < r->counter_count && same_text(c->sample, r->counters[i + 1].sample) &&
            same_text(c->name, r->counters[i + 1].name) &&
            !same_text(c->unit, r->counters[i + 1].unit)) {
            counter_value_text(&r->counters[++i], text, sizeof text);
            h_text(h, li, " (");
            h_text(h, li, text);
            h_text(h, li, ")");
        }
        if (c->sample != NULL) {
            xmlNodePtr from = h_el_class(h, li, "span", "origin", " \xE2\x80\x94 ");
            h_text(h, from, c->sample);
        }
    }
}

static void html_memory(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr section = h_section(h, body, "memory", "page", "System memory");
    xmlNodePtr pools;
    size_t i;

    if (r->pool_count == 0 && r->fact_count == 0) {
        h_el_class(h, section, "p", "none",
                   r->counter_count == 0
                       ? "No memory counters in this case (add !vm output or a dump)."
                       : "No pool usage against a limit in this case; the counters are "
                         "listed below.");
        return;
    }
    if (r->pool_count > 0) {
        h_el(h, section, "h3", "Pools against their limits");
        pools = h_el_class(h, section, "div", "pools", NULL);
        for (i = 0; i < r->pool_count; i++)
            html_pool_bar(h, pools, &r->pools[i]);
    }
    html_wrong_counters(h, section, r);
    if (r->fact_count > 0) {
        xmlNodePtr tbody;
        h_el(h, section, "h3", "System");
        tbody = h_el(h, h_el_class(h, section, "table", "facts", NULL), "tbody", NULL);
        for (i = 0; i < r->fact_count; i++)
            html_fact_row(h, tbody, r->facts[i].name != NULL ? r->facts[i].name : "",
                          r->facts[i].value != NULL ? r->facts[i].value : "");
    }
}

static void html_modules(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    static const char *const headers[] = {"Module", "Base", "Size", "TimeDateStamp",
                                          "CheckSum", "On disk", NULL};
    static const char *const classes[] = {"", "", "num", "", "", "", NULL};
    xmlNodePtr section, tbody;
    size_t i;

    if (r->module_count == 0)
        return;
    section = h_section(h, body, "modules", NULL, "Loaded modules");
    tbody = h_table(h, section, "data compact", headers, classes);
    for (i = 0; i < r->module_count; i++) {
        const pt_report_module *m = &r->modules[i];
        xmlNodePtr tr = h_el(h, tbody, "tr", NULL);
        char text[32];
        if (m->disk_note != NULL)
            h_attr(h, tr, "class", "looks-wrong");
        h_el(h, tr, "td", m->name != NULL ? m->name : "");
        snprintf(text, sizeof text, "0x%" PRIX64, m->base);
        h_el_class(h, tr, "td", "mono", text);
        h_num_cell(h, tr, 1, m->size, 1);
        snprintf(text, sizeof text, "0x%08" PRIX32, m->timestamp);
        h_el_class(h, tr, "td", "mono", text);
        snprintf(text, sizeof text, "0x%08" PRIX32, m->checksum);
        h_el_class(h, tr, "td", "mono", text);
        h_el(h, tr, "td", m->disk_note != NULL ? m->disk_note : "");
    }
}

/* ---- tags -------------------------------------------------------------- */

static void html_tag_rows(html_ctx *h, xmlNodePtr tbody, const pt_report *r, size_t count)
{
    size_t i;

    for (i = 0; i < count; i++) {
        const pt_report_tag *t = &r->tags[i];
        xmlNodePtr tr = h_el(h, tbody, "tr", NULL);
        xmlNodePtr td;
        char rank[24];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        h_el_class(h, tr, "td", "num", rank);
        h_tag(h, h_el(h, tr, "td", NULL), t->tag, t->tag_text);
        h_el(h, tr, "td", pt_pool_name(t->pool));
        h_num_cell(h, tr, (t->has & PT_HAS_ALLOCS) != 0, t->allocs, 0);
        h_num_cell(h, tr, (t->has & PT_HAS_FREES) != 0, t->frees, 0);
        h_num_cell(h, tr, (t->has & PT_HAS_OUTSTANDING) != 0, t->outstanding, 0);
        h_num_cell(h, tr, (t->has & PT_HAS_BYTES) != 0, t->bytes, 1);
        td = h_el(h, tr, "td", t->description != NULL ? t->description : "");
        if (t->binary != NULL) {
            xmlNodePtr bin = h_el_class(h, td, "div", "detail", "binary: ");
            h_text(h, bin, t->binary);
        }
        h_el_class(h, tr, "td", "origin", t->description_origin != NULL
                                              ? t->description_origin : "");
    }
}

static void html_tags(html_ctx *h, xmlNodePtr body, const pt_report *r, int top)
{
    static const char *const headers[] = {"#", "Tag", "Pool", "Allocs", "Frees",
                                          "Outstanding", "Bytes", "Description",
                                          "Description from", NULL};
    static const char *const classes[] = {"num", "", "", "num", "num", "num", "num", "", "",
                                          NULL};
    size_t top_count = r->top_tag_count < r->tag_count ? r->top_tag_count : r->tag_count;
    xmlNodePtr section, tbody;
    char lead[160];

    if (top && top_count == 0)
        return;
    section = h_section(h, body, top ? "top-tags" : "tags", top ? NULL : "page",
                        top ? "Top tags" : "All tags");
    if (!top) {
        snprintf(lead, sizeof lead, "%zu tag%s at the last sample, largest first.",
                 r->tag_count, r->tag_count == 1 ? "" : "s");
        h_el_class(h, section, "p", "lead", r->tag_count ? lead : "No tag data in this case.");
        if (r->tag_count == 0)
            return;
    }
    tbody = h_table(h, section, "data tags", headers, classes);
    html_tag_rows(h, tbody, r, top ? top_count : r->tag_count);
}

/* ---- the chart --------------------------------------------------------- */

#define CHART_W 960.0
#define CHART_H 380.0
#define CHART_LEFT 84.0
#define CHART_RIGHT 24.0
#define CHART_TOP 18.0
#define CHART_BOTTOM 56.0
#define CHART_MAX_SERIES 10
/* Over 200 days, time labels show the date only (FILETIME units). */
#define CHART_LONG_SPAN (200ull * 86400ull * 10000000ull)

static const char *const chart_colors[CHART_MAX_SERIES] = {
    "#c0392b", "#1f5fa6", "#2e8b57", "#d68910", "#7d3c98",
    "#16a085", "#a04000", "#5d6d7e", "#b7950b", "#c2185b"};

typedef struct chart_frame {
    pt_filetime t0, t1;
    uint64_t y_max;      /* top of the axis */
    uint64_t y_step;
    double unit;         /* bytes per label unit */
    const char *unit_name;
} chart_frame;

static double chart_x(const chart_frame *f, pt_filetime t)
{
    double span = (double)(f->t1 - f->t0);
    return CHART_LEFT + (span > 0 ? (double)(t - f->t0) / span : 0.5) *
                            (CHART_W - CHART_LEFT - CHART_RIGHT);
}

static double chart_y(const chart_frame *f, uint64_t bytes)
{
    double plot = CHART_H - CHART_TOP - CHART_BOTTOM;
    return CHART_TOP + plot - (f->y_max > 0 ? (double)bytes / (double)f->y_max : 0.0) * plot;
}

/* A "nice" axis: 1, 2, 2.5 or 5 times a power of ten of a binary unit. */
static void chart_scale(chart_frame *f, uint64_t max_bytes)
{
    static const char *const names[] = {"bytes", "KB", "MB", "GB", "TB", "PB"};
    static const double nice[] = {1.0, 2.0, 2.5, 5.0, 10.0};
    double unit = 1.0, raw, mag = 1.0;
    int u = 0;
    size_t i;

    if (max_bytes == 0)
        max_bytes = 1;
    while ((double)max_bytes / unit >= 1024.0 && u < 5) {
        unit *= 1024.0;
        u++;
    }
    raw = (double)max_bytes / unit / 5.0;
    while (mag * 10.0 <= raw)
        mag *= 10.0;
    while (mag > raw && mag > 1e-3)
        mag /= 10.0;
    for (i = 0; i < sizeof nice / sizeof nice[0]; i++)
        if (nice[i] * mag >= raw)
            break;
    if (i == sizeof nice / sizeof nice[0])
        i--;
    f->unit = unit;
    f->unit_name = names[u];
    f->y_step = (uint64_t)ceil(nice[i] * mag * unit);
    if (f->y_step == 0)
        f->y_step = 1;
    {
        uint64_t steps = max_bytes / f->y_step + (max_bytes % f->y_step != 0);
        /* Near 2^64 the rounded-up top would wrap: keep the maximum. */
        f->y_max = steps > UINT64_MAX / f->y_step ? max_bytes : steps * f->y_step;
    }
}

static xmlNodePtr svg_el(html_ctx *h, xmlNodePtr parent, const char *name, const char *cls)
{
    xmlNodePtr node = h_el(h, parent, name, NULL);
    h_attr(h, node, "class", cls);
    return node;
}

static void svg_num_attr(html_ctx *h, xmlNodePtr node, const char *name, double v)
{
    char text[32];
    snprintf(text, sizeof text, "%.1f", v);
    h_attr(h, node, name, text);
}

static void svg_line(html_ctx *h, xmlNodePtr parent, const char *cls, double x1, double y1,
                     double x2, double y2)
{
    xmlNodePtr line = svg_el(h, parent, "line", cls);
    svg_num_attr(h, line, "x1", x1);
    svg_num_attr(h, line, "y1", y1);
    svg_num_attr(h, line, "x2", x2);
    svg_num_attr(h, line, "y2", y2);
}

static void svg_text(html_ctx *h, xmlNodePtr parent, const char *cls, double x, double y,
                     const char *anchor, const char *text)
{
    xmlNodePtr node = h_el(h, parent, "text", text);
    h_attr(h, node, "class", cls);
    svg_num_attr(h, node, "x", x);
    svg_num_attr(h, node, "y", y);
    h_attr(h, node, "text-anchor", anchor);
}

static void chart_axes(html_ctx *h, xmlNodePtr svg, const chart_frame *f)
{
    xmlNodePtr grid = svg_el(h, svg, "g", "axes");
    double x0 = CHART_LEFT, x1 = CHART_W - CHART_RIGHT, y_base = CHART_H - CHART_BOTTOM;
    uint64_t v;
    int i;
    char label[48];

    for (v = 0; v <= f->y_max; v += f->y_step) {
        double y = chart_y(f, v), shown = (double)v / f->unit;
        svg_line(h, grid, v == 0 ? "axis" : "grid", x0, y, x1, y);
        if (v == 0)
            snprintf(label, sizeof label, "0");
        else if (fabs(shown - floor(shown + 0.5)) < 1e-9)
            snprintf(label, sizeof label, "%.0f %s", shown, f->unit_name);
        else
            snprintf(label, sizeof label, "%.1f %s", shown, f->unit_name);
        svg_text(h, grid, "tick", x0 - 8, y + 4, "end", label);
        if (f->y_max - v < f->y_step)
            break;
    }
    svg_line(h, grid, "axis", x0, CHART_TOP, x0, y_base);
    for (i = 0; i <= 5; i++) {
        /* Integer steps: the span may be anything up to 2^64. */
        pt_filetime span = f->t1 - f->t0;
        pt_filetime t = f->t0 + span / 5 * (pt_filetime)i + span % 5 * (pt_filetime)i / 5;
        double x = chart_x(f, t);
        char when[32];
        const char *tick = report_time_short(t, when);
        if (strlen(when) >= 16) {
            /* "YYYY-MM-DD HH:MM UTC": the date alone over long spans, else
             * "MM-DD HH:MM". */
            when[span > CHART_LONG_SPAN ? 10 : 16] = '\0';
            tick = span > CHART_LONG_SPAN ? when : when + 5;
        }
        svg_line(h, grid, "tickmark", x, y_base, x, y_base + 5);
        svg_text(h, grid, "tick", x, y_base + 20, i == 0 ? "start" : i == 5 ? "end" : "middle",
                 tick);
        if (f->t1 == f->t0)
            break;
    }
    svg_text(h, grid, "axis-title", (x0 + x1) / 2, CHART_H - 8, "middle", "time (UTC)");
}

static void chart_series(html_ctx *h, xmlNodePtr svg, const chart_frame *f,
                         const pt_report_series *s, const char *color)
{
    xmlNodePtr g = svg_el(h, svg, "g", "series");
    xmlNodePtr line = svg_el(h, g, "polyline", "line");
    report_buf points = {NULL, 0, 0};
    char style[64], pt[48];
    size_t i;

    snprintf(style, sizeof style, "stroke:%s", color);
    h_attr(h, line, "style", style);
    for (i = 0; i < s->point_count; i++) {
        int n = snprintf(pt, sizeof pt, "%s%.1f,%.1f", i ? " " : "", chart_x(f, s->times[i]),
                         chart_y(f, s->bytes[i]));
        size_t need = points.len + (size_t)n + 1;
        if (need > points.cap) {
            size_t cap = points.cap ? points.cap * 2 : 256;
            char *p;
            while (cap < need)
                cap *= 2;
            p = realloc(points.data, cap);
            if (p == NULL) {
                h->oom = h->failed = 1;
                report_buf_free(&points);
                return;
            }
            points.data = p;
            points.cap = cap;
        }
        memcpy(points.data + points.len, pt, (size_t)n + 1);
        points.len += (size_t)n;
    }
    h_attr(h, line, "points", points.data != NULL ? points.data : "");
    report_buf_free(&points);
    if (s->point_count <= 60) {
        snprintf(style, sizeof style, "fill:%s", color);
        for (i = 0; i < s->point_count; i++) {
            xmlNodePtr dot = svg_el(h, g, "circle", "dot");
            svg_num_attr(h, dot, "cx", chart_x(f, s->times[i]));
            svg_num_attr(h, dot, "cy", chart_y(f, s->bytes[i]));
            h_attr(h, dot, "r", "2.5");
            h_attr(h, dot, "style", style);
        }
    }
}

static int series_usable(const pt_report_series *s)
{
    return s->point_count > 0 && s->times != NULL && s->bytes != NULL;
}

static void chart_legend(html_ctx *h, xmlNodePtr parent, const pt_report *r, size_t shown)
{
    xmlNodePtr ul = h_el_class(h, parent, "ul", "legend", NULL);
    size_t i, k = 0;

    for (i = 0; i < r->series_count && k < shown; i++) {
        const pt_report_series *s = &r->series[i];
        xmlNodePtr li, swatch;
        char style[48], text[96], first[32], last[32];
        if (!series_usable(s))
            continue;
        li = h_el(h, ul, "li", NULL);
        swatch = h_el_class(h, li, "span", "swatch", "");
        snprintf(style, sizeof style, "background:%s", chart_colors[k % CHART_MAX_SERIES]);
        h_attr(h, swatch, "style", style);
        h_tag(h, li, s->tag, s->tag_text);
        snprintf(text, sizeof text, " %s: %s \xE2\x86\x92 %s", pt_pool_name(s->pool),
                 report_bytes_human(s->bytes[0], first),
                 report_bytes_human(s->bytes[s->point_count - 1], last));
        h_text(h, li, text);
        k++;
    }
}

static void html_chart(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr section, figure, svg;
    chart_frame f;
    uint64_t max_bytes = 0;
    size_t i, j, k, shown = 0, points = 0;
    char box[64], caption[160];

    memset(&f, 0, sizeof f);
    for (i = 0; i < r->series_count && shown < CHART_MAX_SERIES; i++) {
        const pt_report_series *s = &r->series[i];
        if (!series_usable(s))
            continue;
        for (j = 0; j < s->point_count; j++) {
            if (points == 0 || s->times[j] < f.t0)
                f.t0 = s->times[j];
            if (points == 0 || s->times[j] > f.t1)
                f.t1 = s->times[j];
            if (s->bytes[j] > max_bytes)
                max_bytes = s->bytes[j];
            points++;
        }
        shown++;
    }
    section = h_section(h, body, "chart", NULL, "Top tags over time");
    if (shown == 0 || r->sample_count < 2 || f.t1 == f.t0) {
        h_el_class(h, section, "p", "none",
                   r->sample_count == 0
                       ? "No samples in this case: nothing to chart."
                   : r->sample_count == 1
                       ? "A single sample: there is no series to chart. A series of poolmon "
                         "snapshots (or a pool trace) shows whether a tag grows."
                   : shown > 0
                       ? "All samples carry the same time: there is no series to chart."
                       : "The top tags have no samples over time: nothing to chart.");
        return;
    }
    chart_scale(&f, max_bytes);
    figure = h_el_class(h, section, "figure", "chart", NULL);
    svg = svg_el(h, figure, "svg", NULL);
    snprintf(box, sizeof box, "0 0 %.0f %.0f", CHART_W, CHART_H);
    h_attr(h, svg, "viewBox", box);
    h_attr(h, svg, "role", "img");
    h_attr(h, svg, "aria-label", "bytes of the top tags over time");
    h_attr(h, svg, "preserveAspectRatio", "xMidYMid meet");
    chart_axes(h, svg, &f);
    /* Drawn last to first so the top tag (the likely suspect) lies on top. */
    for (k = shown; k > 0; k--) {
        for (i = 0, j = 0; i < r->series_count; i++) {
            if (!series_usable(&r->series[i]))
                continue;
            if (++j == k)
                break;
        }
        chart_series(h, svg, &f, &r->series[i], chart_colors[(k - 1) % CHART_MAX_SERIES]);
    }
    snprintf(caption, sizeof caption, "Outstanding bytes per tag, %zu tag%s over %u samples "
             "(linear scale).", shown, shown == 1 ? "" : "s", r->sample_count);
    h_el(h, figure, "figcaption", caption);
    chart_legend(h, figure, r, shown);
}

/* ---- advisories, sources, past cases, warnings ------------------------- */

static void html_advisories(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr section = h_section(h, body, "advisories", NULL, "Known-issue advisories");
    size_t i;

    if (r->advisory_count == 0) {
        h_el_class(h, section, "p", "none", "No known-issue advisory matches this case.");
        return;
    }
    for (i = 0; i < r->advisory_count; i++) {
        const pt_report_advisory *a = &r->advisories[i];
        xmlNodePtr div = h_el_class(h, section, "div", "advisory", NULL);
        xmlNodePtr p = h_el(h, div, "p", NULL);
        h_el(h, p, "strong", a->driver != NULL ? a->driver : "(driver)");
        if (a->versions != NULL) {
            h_text(h, p, " ");
            h_text(h, p, a->versions);
        }
        if (a->vendor != NULL) {
            h_text(h, p, " (");
            h_text(h, p, a->vendor);
            h_text(h, p, ")");
        }
        h_text(h, p, " has a known leak in tag ");
        h_tag(h, p, a->tag, NULL);
        if (a->fixed_version != NULL) {
            h_text(h, p, ", fixed in ");
            h_text(h, p, a->fixed_version);
        }
        if (a->reference != NULL) {
            h_text(h, p, "; see ");
            h_el_class(h, p, "span", "reference", a->reference);
        }
        h_text(h, p, ".");
        if (a->text != NULL)
            h_el_class(h, div, "p", "detail", a->text);
    }
}

static void html_sources(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    static const char *const headers[] = {"Source", "Kind", "Sample time", "Size", "SHA-256",
                                          "Bundle", NULL};
    static const char *const classes[] = {"", "", "", "num", "", "", NULL};
    xmlNodePtr section = h_section(h, body, "sources", "page", "Data sources");
    xmlNodePtr tbody;
    size_t i;

    if (r->source_count == 0) {
        h_el_class(h, section, "p", "none", "No sources.");
        return;
    }
    tbody = h_table(h, section, "data compact", headers, classes);
    for (i = 0; i < r->source_count; i++) {
        const pt_report_source *s = &r->sources[i];
        xmlNodePtr tr = h_el(h, tbody, "tr", NULL);
        xmlNodePtr td = h_el(h, tr, "td", s->name != NULL ? s->name : "");
        if (s->partial)
            h_el_class(h, td, "span", "partial", " partial");
        td = h_el(h, tr, "td", s->kind != NULL ? s->kind : "");
        if (s->variant != NULL)
            h_el_class(h, td, "div", "detail", s->variant);
        h_el(h, tr, "td", s->sample_time != NULL ? s->sample_time : "");
        h_num_cell(h, tr, 1, s->size, 1);
        h_el_class(h, tr, "td", "hash", s->sha256 != NULL ? s->sha256 : "");
        h_el_class(h, tr, "td", "hash", s->bundle != NULL ? s->bundle : "");
    }
}

static void html_past_cases(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    static const char *const headers[] = {"Case", "Tag", "Driver", "Verdict", "When", NULL};
    xmlNodePtr section = h_section(h, body, "past-cases", NULL, "Past cases with the same suspect");
    xmlNodePtr tbody;
    size_t i;

    if (r->past_case_count == 0) {
        h_el_class(h, section, "p", "none", "No earlier case in the archive had these suspects.");
        return;
    }
    tbody = h_table(h, section, "data compact", headers, NULL);
    for (i = 0; i < r->past_case_count; i++) {
        const pt_report_past_case *p = &r->past_cases[i];
        xmlNodePtr tr = h_el(h, tbody, "tr", NULL);
        h_el(h, tr, "td", p->case_name != NULL ? p->case_name : "");
        h_el_class(h, h_el(h, tr, "td", NULL), "code", "tag", p->tag_text != NULL ? p->tag_text : "");
        h_el(h, tr, "td", p->driver != NULL ? p->driver : "");
        h_el(h, tr, "td", p->verdict != NULL ? p->verdict : "");
        h_el(h, tr, "td", p->when != NULL ? p->when : "");
    }
}

static void html_warnings(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr section, ul;
    size_t i;

    if (r->warning_count == 0)
        return;
    section = h_section(h, body, "warnings", NULL, "Warnings");
    ul = h_el_class(h, section, "ul", "warnings", NULL);
    for (i = 0; i < r->warning_count; i++)
        h_el(h, ul, "li", r->warnings[i] != NULL ? r->warnings[i] : "");
}

static void html_body(html_ctx *h, xmlNodePtr html, const pt_report *r)
{
    xmlNodePtr body = h_el(h, html, "body", NULL);

    html_masthead(h, body, r);
    html_verdict(h, body, r);
    html_leaked_stacks(h, body, r);
    html_memory(h, body, r);
    html_chart(h, body, r);
    html_tags(h, body, r, 1);
    html_advisories(h, body, r);
    html_modules(h, body, r);
    html_past_cases(h, body, r);
    html_tags(h, body, r, 0);
    html_counters(h, body, r);
    html_sources(h, body, r);
    html_warnings(h, body, r);
    h_el_class(h, body, "footer", NULL, "Made by pooltriage from the case archive. "
                        "Exact byte counts are in each figure's tooltip; the XML report holds "
                        "the same data for scripts.");
}

/* Builds and serializes the document: *mem (xmlFree it), *size. */
static pt_status report_html_render(const pt_report *r, xmlChar **mem, int *size,
                                    const char *name, pt_error *err)
{
    html_ctx h;
    xmlNodePtr html;
    pt_status st = PT_OK;

    *mem = NULL;
    *size = 0;
    memset(&h, 0, sizeof h);
    h.doc = htmlNewDocNoDtD(NULL, NULL);
    if (h.doc == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, name, PT_NO_OFFSET, "out of memory");
    if (xmlCreateIntSubset(h.doc, BAD_CAST "html", NULL, NULL) == NULL)
        h.failed = 1;
    html = xmlNewDocNode(h.doc, NULL, BAD_CAST "html", NULL);
    if (html == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, name, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    xmlDocSetRootElement(h.doc, html);
    h_attr(&h, html, "lang", "en");
    html_head(&h, html, r);
    html_body(&h, html, r);
    if (h.oom || h.failed) {
        st = pt_error_set(err, h.oom ? PT_ERR_NOMEM : PT_ERR_INTERNAL, name, PT_NO_OFFSET,
                          "could not build the HTML report");
        goto out;
    }
    htmlDocDumpMemoryFormat(h.doc, mem, size, 1);
    if (*mem == NULL || *size <= 0)
        st = pt_error_set(err, PT_ERR_NOMEM, name, PT_NO_OFFSET,
                          "libxml2 could not serialize the HTML report");
out:
    report_buf_free(&h.buf);
    xmlFreeDoc(h.doc);
    return st;
}

pt_status pt_report_html_string(const pt_report *r, char **out, size_t *len, pt_error *err)
{
    xmlChar *mem = NULL;
    int size = 0;
    pt_status st = report_html_render(r, &mem, &size, "HTML report", err);

    *out = NULL;
    *len = 0;
    if (st == PT_OK) {
        *out = malloc((size_t)size + 1);
        if (*out == NULL) {
            st = pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
        } else {
            memcpy(*out, mem, (size_t)size);
            (*out)[size] = '\0';
            *len = (size_t)size;
        }
    }
    xmlFree(mem);
    return st;
}

pt_status pt_report_write_html(const pt_report *r, const char *path, pt_error *err)
{
    xmlChar *mem = NULL;
    int size = 0;
    pt_status st = report_html_render(r, &mem, &size, path, err);

    if (st == PT_OK)
        st = report_write_file(path, mem, (size_t)size, err);
    xmlFree(mem);
    return st;
}
