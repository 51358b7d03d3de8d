/* report_html_tree.c - the HTML report's tree helpers (report_html_tree.h). */
#include <stdio.h>

#include "report_html_tree.h"

/* A child element holding text (escaped on output); text may be NULL. */
xmlNodePtr html_el(html_ctx *h, xmlNodePtr parent, const char *name, const char *text)
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

void html_attr(html_ctx *h, xmlNodePtr node, const char *name, const char *value)
{
    const char *clean;

    if (value == NULL)
        return;
    clean = report_clean(&h->buf, value, &h->oom);
    if (clean == NULL || xmlNewProp(node, BAD_CAST name, BAD_CAST clean) == NULL)
        h->failed = 1;
}

xmlNodePtr html_el_class(html_ctx *h, xmlNodePtr parent, const char *name,
                             const char *cls, const char *text)
{
    xmlNodePtr node = html_el(h, parent, name, text);
    html_attr(h, node, "class", cls);
    return node;
}

/* Appends text to an element (for sentences built from several parts). */
void html_text(html_ctx *h, xmlNodePtr parent, const char *text)
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
xmlNodePtr html_bytes(html_ctx *h, xmlNodePtr parent, const char *element, uint64_t bytes)
{
    char human[32], exact[32], title[48];
    xmlNodePtr node = html_el(h, parent, element, report_bytes_human(bytes, human));

    snprintf(title, sizeof title, "%s bytes", report_count(bytes, exact));
    html_attr(h, node, "title", title);
    return node;
}

xmlNodePtr html_count(html_ctx *h, xmlNodePtr parent, const char *element, uint64_t n)
{
    char text[32];
    return html_el(h, parent, element, report_count(n, text));
}

void html_num_cell(html_ctx *h, xmlNodePtr tr, int present, uint64_t n, int as_bytes)
{
    xmlNodePtr td;

    if (!present) {
        td = html_el_class(h, tr, "td", "num missing", "\xE2\x80\x94");
        html_attr(h, td, "title", "not in this source");
        return;
    }
    td = as_bytes ? html_bytes(h, tr, "td", n) : html_count(h, tr, "td", n);
    html_attr(h, td, "class", "num");
}

xmlNodePtr html_table(html_ctx *h, xmlNodePtr parent, const char *cls,
                          const char *const *headers, const char *const *header_classes)
{
    xmlNodePtr table = html_el_class(h, parent, "table", cls, NULL);
    xmlNodePtr tr = html_el(h, html_el(h, table, "thead", NULL), "tr", NULL);
    size_t i;

    for (i = 0; headers[i] != NULL; i++) {
        xmlNodePtr th = html_el(h, tr, "th", headers[i]);
        if (header_classes != NULL && header_classes[i] != NULL && header_classes[i][0])
            html_attr(h, th, "class", header_classes[i]);
    }
    return html_el(h, table, "tbody", NULL);
}

/* The tag in a code element, the raw value in its title. */
void html_tag(html_ctx *h, xmlNodePtr parent, pt_tag tag, const char *tag_text)
{
    char text[PT_TAG_TEXT_MAX], hex[16], title[40];
    xmlNodePtr code = html_el_class(h, parent, "code", "tag", report_tag_text(tag, tag_text, text));

    snprintf(title, sizeof title, "raw tag %s", report_tag_hex(tag, hex));
    html_attr(h, code, "title", title);
}

xmlNodePtr html_section(html_ctx *h, xmlNodePtr body, const char *id, const char *cls,
                            const char *title)
{
    xmlNodePtr section = html_el(h, body, "section", NULL);
    html_attr(h, section, "id", id);
    html_attr(h, section, "class", cls);
    html_el(h, section, "h2", title);
    return section;
}
