/* report_html.h - the case report as one self-contained HTML file. */
#ifndef REPORT_HTML_H
#define REPORT_HTML_H

#include <stddef.h>

#include "pt_error.h"
#include "report_model.h"

/* Writes r to path as HTML (inline CSS and SVG, no network access);
 * every string from the evidence is escaped by libxml2.  PT_ERR_IO when
 * the file cannot be written. */
pt_status pt_report_write_html(const pt_report *r, const char *path, pt_error *err);

/* The same document in memory: *out (NUL-terminated, free() it), *len. */
pt_status pt_report_html_string(const pt_report *r, char **out, size_t *len, pt_error *err);

#endif
