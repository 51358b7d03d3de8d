/* report_html_tree.h - building the HTML report's libxml2 tree: the helpers
 * the report's sections and its chart share.
 *
 * Every helper takes evidence text as it is, makes it safe for XML
 * (report_clean) and hands it to libxml2 as a text node or an attribute
 * value, which the serializer escapes.  A failure is recorded in the
 * context (failed / oom) and the whole rendering fails at the end, so the
 * sections need not check each call.
 */
#ifndef REPORT_HTML_TREE_H
#define REPORT_HTML_TREE_H

#include <stdint.h>

#include <libxml/tree.h>

#include "pt_tag.h"
#include "report_model.h"
#include "report_text.h"

typedef struct html_ctx {
    xmlDocPtr doc;
    report_buf buf;  /* scratch for report_clean */
    int failed;
    int oom;
} html_ctx;

/* A child element holding text (NULL: empty); returns it. */
xmlNodePtr html_el(html_ctx *h, xmlNodePtr parent, const char *name, const char *text);
xmlNodePtr html_el_class(html_ctx *h, xmlNodePtr parent, const char *name, const char *cls,
                         const char *text);
/* An attribute; left out when value is NULL. */
void html_attr(html_ctx *h, xmlNodePtr node, const char *name, const char *value);
/* Text appended to an element (sentences built from parts). */
void html_text(html_ctx *h, xmlNodePtr parent, const char *text);
/* A byte count for people ("9.6 GB"), the exact count in its title. */
xmlNodePtr html_bytes(html_ctx *h, xmlNodePtr parent, const char *element, uint64_t bytes);
/* A count with thousands separators. */
xmlNodePtr html_count(html_ctx *h, xmlNodePtr parent, const char *element, uint64_t n);
/* A right-aligned number cell; a dash when the source does not give it. */
void html_num_cell(html_ctx *h, xmlNodePtr tr, int present, uint64_t n, int as_bytes);
/* A table with a header row (headers NULL-terminated, classes optional);
 * returns its tbody. */
xmlNodePtr html_table(html_ctx *h, xmlNodePtr parent, const char *cls,
                      const char *const *headers, const char *const *header_classes);
/* The tag in a code element, its raw value in the title. */
void html_tag(html_ctx *h, xmlNodePtr parent, pt_tag tag, const char *tag_text);
/* <section id=.. class=..><h2>title</h2>; returns the section. */
xmlNodePtr html_section(html_ctx *h, xmlNodePtr body, const char *id, const char *cls,
                        const char *title);

/* The "Top tags over time" section: an inline SVG line chart of the top
 * tags' bytes (report_html_chart.c). */
void html_chart(html_ctx *h, xmlNodePtr body, const pt_report *r);

#endif
