/* report_html_style.h - the HTML report's inline stylesheet (a constant:
 * nothing from the evidence ever goes into it). */
#ifndef REPORT_HTML_STYLE_H
#define REPORT_HTML_STYLE_H

extern const char report_html_css[];

#endif
