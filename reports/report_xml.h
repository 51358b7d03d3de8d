/* report_xml.h - the canonical case report as XML (schema/report.xsd). */
#ifndef REPORT_XML_H
#define REPORT_XML_H

#include <stddef.h>

#include "pt_error.h"
#include "report_model.h"

/* The version of schema/report.xsd this writer produces (the root's
 * schemaVersion attribute). */
#define PT_REPORT_SCHEMA_VERSION "1"

/* Writes r to path as XML; deterministic (the only time in it is
 * r->generated).  PT_ERR_IO when the file cannot be written. */
pt_status pt_report_write_xml(const pt_report *r, const char *path, pt_error *err);

/* The same document in memory: *out (NUL-terminated, free() it), *len. */
pt_status pt_report_xml_string(const pt_report *r, char **out, size_t *len, pt_error *err);

#endif
