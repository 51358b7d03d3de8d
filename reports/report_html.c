/* report_html.c - the case report as one self-contained HTML file.
 *
 * The document is a libxml2 HTML tree (htmlNewDocNoDtD, xmlNewTextChild,
 * xmlNewProp; helpers in report_html_tree.c) serialized by
 * htmlDocDumpMemoryFormat, so every string from the evidence is a text
 * node or an attribute value that libxml2 escapes; nothing from the
 * evidence ever goes into the <style> element.  The chart is inline SVG
 * built as elements of the same tree (report_html_chart.c).  No external
 * resource of any kind is referenced; nothing depends on the clock.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>

#include "report_html.h"
#include "report_html_style.h"
#include "report_html_tree.h"

static const char *verdict_or_default(const char *verdict)
{
    return verdict != NULL ? verdict : "stable";
}

/* ---- head and masthead ------------------------------------------------- */

static void html_head(html_ctx *h, xmlNodePtr html, const pt_report *r)
{
    xmlNodePtr head = html_el(h, html, "head", NULL);
    xmlNodePtr meta = html_el(h, head, "meta", NULL);
    char title[512];

    html_attr(h, meta, "charset", "utf-8");
    meta = html_el(h, head, "meta", NULL);
    html_attr(h, meta, "name", "viewport");
    html_attr(h, meta, "content", "width=device-width, initial-scale=1");
    meta = html_el(h, head, "meta", NULL);
    html_attr(h, meta, "name", "generator");
    html_attr(h, meta, "content", "pooltriage");
    snprintf(title, sizeof title, "Pool leak case report: %.400s",
             r->case_name != NULL ? r->case_name : "(unnamed case)");
    html_el(h, head, "title", title);
    /* Our own constant stylesheet: the only raw text in the document. */
    html_el(h, head, "style", report_html_css);
}

static void html_meta_item(html_ctx *h, xmlNodePtr dl, const char *name, const char *value)
{
    xmlNodePtr div = html_el(h, dl, "div", NULL);
    html_el(h, div, "dt", name);
    html_el(h, div, "dd", value);
}

static void html_masthead(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr header = html_el_class(h, body, "header", "masthead", NULL);
    xmlNodePtr dl;
    char a[32], b[32], period[80], samples[32];

    html_el_class(h, header, "div", "kicker", "Kernel pool leak \xC2\xB7 case report");
    html_el(h, header, "h1", r->case_name != NULL ? r->case_name : "(unnamed case)");
    dl = html_el_class(h, header, "dl", "meta", NULL);
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
    xmlNodePtr tr = html_el(h, tbody, "tr", NULL);
    xmlNodePtr td;
    const char *evidence = c->evidence != NULL ? c->evidence : "literal";
    char cls[64];
    const char *origin = c->third_party > 0 ? "third-party"
                         : c->third_party == 0 ? "Microsoft" : "unknown";

    td = html_el(h, tr, "td", NULL);
    html_el_class(h, td, "strong", "driver", c->driver != NULL ? c->driver : "?");
    if (c->detail != NULL)
        html_el_class(h, td, "div", "detail", c->detail);
    snprintf(cls, sizeof cls, "evidence ev-%.40s", evidence);
    html_el_class(h, html_el(h, tr, "td", NULL), "span", cls, evidence);
    html_el_class(h, tr, "td", c->third_party > 0 ? "third-party" : NULL, origin);
    html_el(h, tr, "td", c->vendor != NULL ? c->vendor : "");
    td = html_el(h, tr, "td", c->file_version != NULL ? c->file_version : "");
    if (c->product_version != NULL && (c->file_version == NULL ||
                                       strcmp(c->product_version, c->file_version) != 0)) {
        xmlNodePtr small = html_el_class(h, td, "div", "detail", "product ");
        html_text(h, small, c->product_version);
    }
    html_el(h, tr, "td", c->signer != NULL ? c->signer : "\xE2\x80\x94");
    html_el(h, tr, "td", c->timestamp != NULL ? c->timestamp : "");
    html_el_class(h, tr, "td", "hash", c->sha256 != NULL ? c->sha256 : "");
}

static void html_candidates(html_ctx *h, xmlNodePtr parent, const pt_report_suspect *s)
{
    static const char *const headers[] = {"Driver", "Evidence", "Origin", "Vendor",
                                          "Version", "Signer", "Date", "SHA-256", NULL};
    const char *strength = pt_report_evidence_strength(s);
    char note[256];
    size_t i;

    html_el(h, parent, "h4", "Candidate drivers");
    if (strcmp(strength, "none") == 0 || strcmp(strength, "weak") == 0) {
        if (strcmp(strength, "none") == 0)
            snprintf(note, sizeof note, "Evidence missing: no driver is tied to this tag. "
                     "Collect the driver files (--drivers) or a pool trace.");
        else
            snprintf(note, sizeof note, "Evidence weak: the tag's bytes merely occur in these "
                     "files (what findstr finds); no call site or stack confirms an owner.");
        html_el_class(h, parent, "p", "evidence-warning", note);
    }
    if (s->findstr_count > 0) {
        snprintf(note, sizeof note, "A findstr search for the tag would name %u driver file%s.",
                 s->findstr_count, s->findstr_count == 1 ? "" : "s");
        html_el_class(h, parent, "p", "findstr", note);
    }
    if (s->candidate_count == 0)
        return;
    {
        xmlNodePtr tbody = html_table(h, parent, "candidates", headers, NULL);
        for (i = 0; i < s->candidate_count; i++)
            html_candidate_row(h, tbody, &s->candidates[i]);
    }
}

static void html_fact_row(html_ctx *h, xmlNodePtr tbody, const char *name, const char *value)
{
    xmlNodePtr tr = html_el(h, tbody, "tr", NULL);
    html_el(h, tr, "th", name);
    html_el(h, tr, "td", value);
}

static void html_suspect(html_ctx *h, xmlNodePtr parent, const pt_report_suspect *s)
{
    const char *v = verdict_or_default(s->verdict);
    xmlNodePtr card = html_el_class(h, parent, "article", "suspect", NULL);
    xmlNodePtr head = html_el_class(h, card, "div", "suspect-head", NULL);
    xmlNodePtr tbody, td;
    char sentence[768], text[64], count[32], rank[16];

    snprintf(rank, sizeof rank, "#%d", s->rank);
    html_el_class(h, head, "span", "rank", rank);
    html_tag(h, head, s->tag, s->tag_text);
    html_el_class(h, head, "span", "pool", pt_pool_name(s->pool));
    html_el_class(h, head, "span", "badge", v);
    html_attr(h, head->last, "data-verdict", v);
    suspect_sentence(s, sentence, sizeof sentence);
    html_el_class(h, card, "p", "headline", sentence);
    if (s->reason != NULL)
        html_el_class(h, card, "p", "reason", s->reason);

    tbody = html_el(h, html_el_class(h, card, "table", "facts", NULL), "tbody", NULL);
    td = html_el(h, html_el(h, tbody, "tr", NULL), "th", "Bytes");
    html_bytes(h, td->parent, "td", s->bytes);
    html_fact_row(h, tbody, "Outstanding allocations", report_count(s->outstanding, count));
    html_fact_row(h, tbody, "Growth", s->samples > 1
                                          ? report_rate_human(s->growth_bytes_per_hour, text)
                                          : "not measurable from one sample");
    snprintf(text, sizeof text, "%s of %u interval%s", report_percent(s->persistence, count),
             s->samples > 1 ? s->samples - 1 : 0, s->samples == 2 ? "" : "s");
    html_fact_row(h, tbody, "Persistence", s->samples > 1 ? text : "single sample");
    html_fact_row(h, tbody, "Share of tagged pool", report_percent(s->share, text));
    if (s->description != NULL) {
        td = html_el(h, html_el(h, tbody, "tr", NULL), "th", "Description");
        td = html_el(h, td->parent, "td", s->description);
        if (s->description_origin != NULL) {
            xmlNodePtr origin = html_el_class(h, td, "span", "origin", " \xE2\x80\x94 from ");
            html_text(h, origin, s->description_origin);
        }
    }
    html_candidates(h, card, s);
}

static void html_verdict(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr section = html_section(h, body, "verdict", "verdict", "Verdict");
    size_t i;

    if (r->summary != NULL)
        html_el_class(h, section, "p", "summary", r->summary);
    if (r->suspect_count == 0) {
        html_el_class(h, section, "p", "none",
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
    section = html_section(h, body, "stacks", NULL, "Leaked allocations by stack");
    html_el_class(h, section, "p", "lead",
               "Allocations still outstanding at the end of the pool trace, grouped by tag and "
               "by the first frame outside the kernel's pool code: the strongest evidence of "
               "which driver allocated them.");
    tbody = html_table(h, section, "data", headers, classes);
    for (i = 0; i < r->leaked_stack_count; i++) {
        const pt_report_leaked_stack *l = &r->leaked_stacks[i];
        xmlNodePtr tr = html_el(h, tbody, "tr", NULL);
        xmlNodePtr td;
        char where[320];
        html_tag(h, html_el(h, tr, "td", NULL), l->tag, l->tag_text);
        html_el(h, tr, "td", pt_pool_name(l->pool));
        html_num_cell(h, tr, 1, l->count, 0);
        html_num_cell(h, tr, 1, l->bytes, 1);
        snprintf(where, sizeof where, "%.256s+0x%" PRIX64, l->module != NULL ? l->module : "?",
                 l->offset);
        td = html_el(h, tr, "td", NULL);
        html_el_class(h, td, "code", "frame", where);
        if (l->frames != NULL)
            html_el_class(h, td, "pre", "frames", l->frames);
    }
}

/* ---- system memory ----------------------------------------------------- */

static void html_pool_bar(html_ctx *h, xmlNodePtr parent, const pt_report_pool *p)
{
    xmlNodePtr row = html_el_class(h, parent, "div", "pool-row", NULL);
    xmlNodePtr bar, fill, figures;
    char style[64], text[160], pct[16], rate[40], hours[32];
    double share = p->max_bytes > 0 ? (double)p->usage_bytes / (double)p->max_bytes : 0.0;
    const char *level = share >= 0.9 ? "fill critical" : share >= 0.7 ? "fill high" : "fill";

    html_el_class(h, row, "div", "pool-name", p->name != NULL ? p->name : "?");
    bar = html_el_class(h, row, "div", "bar", NULL);
    fill = html_el_class(h, bar, "div", p->max_bytes > 0 ? level : "fill unknown", NULL);
    snprintf(style, sizeof style, "width:%.1f%%",
             p->max_bytes > 0 ? (share > 1.0 ? 100.0 : share * 100.0) : 100.0);
    html_attr(h, fill, "style", style);
    figures = html_el_class(h, row, "div", "pool-figures", NULL);
    html_bytes(h, figures, "strong", p->usage_bytes);
    if (p->max_bytes > 0) {
        html_text(h, figures, " of ");
        html_bytes(h, figures, "span", p->max_bytes);
        snprintf(text, sizeof text, " (%s)", report_percent(share, pct));
        html_text(h, figures, text);
    } else {
        html_text(h, figures, " \xE2\x80\x94 limit unknown");
    }
    if (p->growth_bytes_per_hour != 0.0 && isfinite(p->growth_bytes_per_hour)) {
        snprintf(text, sizeof text, "grows %s", report_rate_human(p->growth_bytes_per_hour, rate));
        html_el_class(h, row, "div", "pool-growth", text);
    }
    if (p->hours_to_exhaustion >= 0) {
        snprintf(text, sizeof text, "Exhausted in about %s at this rate",
                 report_hours_human(p->hours_to_exhaustion, hours));
        html_el_class(h, row, "div", "exhaustion", text);
    }
    if (p->note != NULL)
        html_el_class(h, row, "div", "note", p->note);
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
    section = html_section(h, body, "counters", "page", "Memory counters");
    tbody = html_table(h, section, "data compact counters", headers, classes);
    for (i = 0; i < r->counter_count; i++) {
        const pt_report_counter *c = &r->counters[i];
        const pt_report_counter *twin = NULL;
        xmlNodePtr tr, th;
        char text[80];
        int wrong = c->looks_wrong;

        if (i == 0 || !same_text(c->sample, r->counters[i - 1].sample)) {
            th = html_el(h, html_el_class(h, tbody, "tr", "group", NULL), "th",
                      c->sample != NULL ? c->sample : "(sample unknown)");
            html_attr(h, th, "colspan", "4");
        }
        if (i + 1 < r->counter_count && same_text(c->sample, r->counters[i + 1].sample) &&
            same_text(c->name, r->counters[i + 1].name) &&
            !same_text(c->unit, r->counters[i + 1].unit)) {
            twin = &r->counters[i + 1];
            wrong |= twin->looks_wrong;
        }
        tr = html_el(h, tbody, "tr", NULL);
        if (wrong)
            html_attr(h, tr, "class", "looks-wrong");
        html_el(h, tr, "td", c->name != NULL ? c->name : "");
        counter_value_text(c, text, sizeof text);
        html_el_class(h, tr, "td", "num", text);
        if (twin != NULL)
            counter_value_text(twin, text, sizeof text);
        html_el_class(h, tr, "td", "num", twin != NULL ? text : "");
        html_el_class(h, tr, "td", "flag", wrong ? "looks wrong" : "");
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
            html_el_class(h, section, "p", "wrong-lead",
                       "Counters that look wrong (wrapped or impossible values; not used as "
                       "limits):");
            ul = html_el_class(h, section, "ul", "wrong", NULL);
        }
        li = html_el(h, ul, "li", NULL);
        html_el(h, li, "strong", c->name != NULL ? c->name : "?");
        counter_value_text(c, text, sizeof text);
        html_text(h, li, " ");
        html_text(h, li, text);
        /* The same counter in its other unit goes on the same line. */
        if (i + 1 < r->counter_count && same_text(c->sample, r->counters[i + 1].sample) &&
            same_text(c->name, r->counters[i + 1].name) &&
            !same_text(c->unit, r->counters[i + 1].unit)) {
            counter_value_text(&r->counters[++i], text, sizeof text);
            html_text(h, li, " (");
            html_text(h, li, text);
            html_text(h, li, ")");
        }
        if (c->sample != NULL) {
            xmlNodePtr from = html_el_class(h, li, "span", "origin", " \xE2\x80\x94 ");
            html_text(h, from, c->sample);
        }
    }
}

static void html_memory(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr section = html_section(h, body, "memory", "page", "System memory");
    xmlNodePtr pools;
    size_t i;

    if (r->pool_count == 0 && r->fact_count == 0) {
        html_el_class(h, section, "p", "none",
                   r->counter_count == 0
                       ? "No memory counters in this case (add !vm output or a dump)."
                       : "No pool usage against a limit in this case; the counters are "
                         "listed below.");
        return;
    }
    if (r->pool_count > 0) {
        html_el(h, section, "h3", "Pools against their limits");
        pools = html_el_class(h, section, "div", "pools", NULL);
        for (i = 0; i < r->pool_count; i++)
            html_pool_bar(h, pools, &r->pools[i]);
    }
    html_wrong_counters(h, section, r);
    if (r->fact_count > 0) {
        xmlNodePtr tbody;
        html_el(h, section, "h3", "System");
        tbody = html_el(h, html_el_class(h, section, "table", "facts", NULL), "tbody", NULL);
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
    section = html_section(h, body, "modules", NULL, "Loaded modules");
    tbody = html_table(h, section, "data compact", headers, classes);
    for (i = 0; i < r->module_count; i++) {
        const pt_report_module *m = &r->modules[i];
        xmlNodePtr tr = html_el(h, tbody, "tr", NULL);
        char text[32];
        if (m->disk_note != NULL)
            html_attr(h, tr, "class", "looks-wrong");
        html_el(h, tr, "td", m->name != NULL ? m->name : "");
        snprintf(text, sizeof text, "0x%" PRIX64, m->base);
        html_el_class(h, tr, "td", "mono", text);
        html_num_cell(h, tr, 1, m->size, 1);
        snprintf(text, sizeof text, "0x%08" PRIX32, m->timestamp);
        html_el_class(h, tr, "td", "mono", text);
        snprintf(text, sizeof text, "0x%08" PRIX32, m->checksum);
        html_el_class(h, tr, "td", "mono", text);
        html_el(h, tr, "td", m->disk_note != NULL ? m->disk_note : "");
    }
}

/* ---- tags -------------------------------------------------------------- */

static void html_tag_rows(html_ctx *h, xmlNodePtr tbody, const pt_report *r, size_t count)
{
    size_t i;

    for (i = 0; i < count; i++) {
        const pt_report_tag *t = &r->tags[i];
        xmlNodePtr tr = html_el(h, tbody, "tr", NULL);
        xmlNodePtr td;
        char rank[24];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        html_el_class(h, tr, "td", "num", rank);
        html_tag(h, html_el(h, tr, "td", NULL), t->tag, t->tag_text);
        html_el(h, tr, "td", pt_pool_name(t->pool));
        html_num_cell(h, tr, (t->has & PT_HAS_ALLOCS) != 0, t->allocs, 0);
        html_num_cell(h, tr, (t->has & PT_HAS_FREES) != 0, t->frees, 0);
        html_num_cell(h, tr, (t->has & PT_HAS_OUTSTANDING) != 0, t->outstanding, 0);
        html_num_cell(h, tr, (t->has & PT_HAS_BYTES) != 0, t->bytes, 1);
        td = html_el(h, tr, "td", t->description != NULL ? t->description : "");
        if (t->binary != NULL) {
            xmlNodePtr bin = html_el_class(h, td, "div", "detail", "binary: ");
            html_text(h, bin, t->binary);
        }
        html_el_class(h, tr, "td", "origin", t->description_origin != NULL
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
    section = html_section(h, body, top ? "top-tags" : "tags", top ? NULL : "page",
                        top ? "Top tags" : "All tags");
    if (!top) {
        snprintf(lead, sizeof lead, "%zu tag%s at the last sample, largest first.",
                 r->tag_count, r->tag_count == 1 ? "" : "s");
        html_el_class(h, section, "p", "lead", r->tag_count ? lead : "No tag data in this case.");
        if (r->tag_count == 0)
            return;
    }
    tbody = html_table(h, section, "data tags", headers, classes);
    html_tag_rows(h, tbody, r, top ? top_count : r->tag_count);
}

/* ---- advisories, sources, past cases, warnings ------------------------- */

static void html_advisories(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr section = html_section(h, body, "advisories", NULL, "Known-issue advisories");
    size_t i;

    if (r->advisory_count == 0) {
        html_el_class(h, section, "p", "none", "No known-issue advisory matches this case.");
        return;
    }
    for (i = 0; i < r->advisory_count; i++) {
        const pt_report_advisory *a = &r->advisories[i];
        xmlNodePtr div = html_el_class(h, section, "div", "advisory", NULL);
        xmlNodePtr p = html_el(h, div, "p", NULL);
        html_el(h, p, "strong", a->driver != NULL ? a->driver : "(driver)");
        if (a->versions != NULL) {
            html_text(h, p, " ");
            html_text(h, p, a->versions);
        }
        if (a->vendor != NULL) {
            html_text(h, p, " (");
            html_text(h, p, a->vendor);
            html_text(h, p, ")");
        }
        html_text(h, p, " has a known leak in tag ");
        html_tag(h, p, a->tag, NULL);
        if (a->fixed_version != NULL) {
            html_text(h, p, ", fixed in ");
            html_text(h, p, a->fixed_version);
        }
        if (a->reference != NULL) {
            html_text(h, p, "; see ");
            html_el_class(h, p, "span", "reference", a->reference);
        }
        html_text(h, p, ".");
        if (a->text != NULL)
            html_el_class(h, div, "p", "detail", a->text);
    }
}

static void html_sources(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    static const char *const headers[] = {"Source", "Kind", "Sample time", "Size", "SHA-256",
                                          "Bundle", NULL};
    static const char *const classes[] = {"", "", "", "num", "", "", NULL};
    xmlNodePtr section = html_section(h, body, "sources", "page", "Data sources");
    xmlNodePtr tbody;
    size_t i;

    if (r->source_count == 0) {
        html_el_class(h, section, "p", "none", "No sources.");
        return;
    }
    tbody = html_table(h, section, "data compact", headers, classes);
    for (i = 0; i < r->source_count; i++) {
        const pt_report_source *s = &r->sources[i];
        xmlNodePtr tr = html_el(h, tbody, "tr", NULL);
        xmlNodePtr td = html_el(h, tr, "td", s->name != NULL ? s->name : "");
        if (s->partial)
            html_el_class(h, td, "span", "partial", " partial");
        td = html_el(h, tr, "td", s->kind != NULL ? s->kind : "");
        if (s->variant != NULL)
            html_el_class(h, td, "div", "detail", s->variant);
        html_el(h, tr, "td", s->sample_time != NULL ? s->sample_time : "");
        html_num_cell(h, tr, 1, s->size, 1);
        html_el_class(h, tr, "td", "hash", s->sha256 != NULL ? s->sha256 : "");
        html_el_class(h, tr, "td", "hash", s->bundle != NULL ? s->bundle : "");
    }
}

static void html_past_cases(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    static const char *const headers[] = {"Case", "Tag", "Driver", "Verdict", "When", NULL};
    xmlNodePtr section = html_section(h, body, "past-cases", NULL, "Past cases with the same suspect");
    xmlNodePtr tbody;
    size_t i;

    if (r->past_case_count == 0) {
        html_el_class(h, section, "p", "none", "No earlier case in the archive had these suspects.");
        return;
    }
    tbody = html_table(h, section, "data compact", headers, NULL);
    for (i = 0; i < r->past_case_count; i++) {
        const pt_report_past_case *p = &r->past_cases[i];
        xmlNodePtr tr = html_el(h, tbody, "tr", NULL);
        html_el(h, tr, "td", p->case_name != NULL ? p->case_name : "");
        html_el_class(h, html_el(h, tr, "td", NULL), "code", "tag", p->tag_text != NULL ? p->tag_text : "");
        html_el(h, tr, "td", p->driver != NULL ? p->driver : "");
        html_el(h, tr, "td", p->verdict != NULL ? p->verdict : "");
        html_el(h, tr, "td", p->when != NULL ? p->when : "");
    }
}

static void html_warnings(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr section, ul;
    size_t i;

    if (r->warning_count == 0)
        return;
    section = html_section(h, body, "warnings", NULL, "Warnings");
    ul = html_el_class(h, section, "ul", "warnings", NULL);
    for (i = 0; i < r->warning_count; i++)
        html_el(h, ul, "li", r->warnings[i] != NULL ? r->warnings[i] : "");
}

static void html_body(html_ctx *h, xmlNodePtr html, const pt_report *r)
{
    xmlNodePtr body = html_el(h, html, "body", NULL);

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
    html_el_class(h, body, "footer", NULL, "Made by pooltriage from the case archive. "
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
    html_attr(&h, html, "lang", "en");
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
