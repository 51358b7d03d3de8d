/* report_text.h - text helpers the XML and HTML renderers share: making
 * evidence strings safe for XML (valid UTF-8, no forbidden characters) and
 * formatting numbers for people. */
#ifndef REPORT_TEXT_H
#define REPORT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_evidence.h"
#include "pt_tag.h"

/* A growable scratch buffer; the renderers reuse one for every string. */
typedef struct report_buf {
    char *data;
    size_t len;
    size_t cap;
} report_buf;

void report_buf_free(report_buf *b);
/* Appends n bytes of s, keeping the data NUL-terminated; -1 when out of
 * memory. */
int report_buf_append(report_buf *b, const char *s, size_t n);

/* Returns s made safe for an XML text node or attribute: valid UTF-8 is
 * kept, bytes that are not valid UTF-8 and characters XML 1.0 forbids
 * (C0 controls other than TAB, LF, CR; U+FFFE, U+FFFF) are written as the
 * text \xNN, as tags are.  The result lives in b until the next call;
 * NULL for NULL s or when out of memory (*oom set). */
const char *report_clean(report_buf *b, const char *s, int *oom);

/* "MPP." from the model's tag text, else (no text, or text that is not
 * printable ASCII of at most 16 characters) the raw tag formatted. */
const char *report_tag_text(pt_tag tag, const char *tag_text, char out[PT_TAG_TEXT_MAX]);
/* "0x2E50504D": the raw 32-bit value. */
char *report_tag_hex(pt_tag tag, char out[16]);

/* Bytes for people: "9.6 GB", "512 bytes" (binary units, as Windows shows). */
char *report_bytes_human(uint64_t bytes, char out[32]);
/* A rate: "12.4 MB/h", "-3.0 KB/h". */
char *report_rate_human(double bytes_per_hour, char out[40]);
/* 10354777664 -> "10,354,777,664". */
char *report_count(uint64_t n, char out[32]);
/* 0.9007 -> "90%" (one decimal below 10%). */
char *report_percent(double share, char out[16]);
/* Hours for people: "45 min", "7.5 h", "3.2 days". */
char *report_hours_human(double hours, char out[32]);
/* A double for XML (xsd:double), deterministic: "%.*f", or NaN/INF. */
char *report_double(double v, int decimals, char out[48]);
/* "2021-02-21 01:38 UTC" (minutes) for a chart or table; "unknown" for 0. */
char *report_time_short(pt_filetime t, char out[32]);

/* Writes len bytes to path (a failed write removes the file); the error
 * names the path and the reason. */
pt_status report_write_file(const char *path, const void *data, size_t len, pt_error *err);

#endif
