/* text_util.h - small helpers the text readers share: line clean-up,
 * bounded number parsing, whitespace collapsing, probe searches, and the
 * sample time every text reader falls back to. */
#ifndef PT_TEXT_UTIL_H
#define PT_TEXT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "pt_reader.h"

/* Longest line a text reader keeps after clean-up (the line reader cuts
 * longer lines at PT_MAX_LINE). */
#define TEXT_LINE_MAX PT_MAX_LINE

/* Copies a raw line into out (capacity TEXT_LINE_MAX + 1), turning the
 * UTF-8 no-break space (C2 A0, what web pages and mail turn blanks into)
 * and other control bytes except TAB into plain spaces, and dropping a
 * UTF-8 byte-order mark.  Returns the new length. */
size_t text_clean_line(const char *in, size_t len, char *out);

/* Cuts an author's "//" remark off a line: "//" after two or more blanks
 * (a single blank or none is kept, so "http://x" and "a //b" stay).
 * Returns the new length. */
size_t text_strip_remark(char *s, size_t len);

/* Removes trailing blanks (space, TAB) in place; returns the new length. */
size_t text_rtrim(char *s, size_t len);

/* True when s begins with prefix, ASCII case-insensitive. */
int text_starts_with_ci(const char *s, const char *prefix);

/* Pointer past spaces and TABs. */
const char *text_skip_blanks(const char *p);

/* Copies s[0..len) into out (capacity cap), with each run of blanks made
 * one space and blanks at both ends removed.  Returns the length. */
size_t text_collapse(const char *s, size_t len, char *out, size_t cap);

/* Parses decimal digits at *p into *value.  Returns the number of digits
 * (0 when *p is not a digit), or -1 when the value overflows 64 bits;
 * *p is moved past the digits either way. */
int text_parse_u64(const char **p, uint64_t *value);

/* True when needle occurs in hay[0..len), ASCII case-insensitive. */
int text_contains(const uint8_t *hay, size_t len, const char *needle);
/* Number of lines in hay[0..len) that contain needle (case-insensitive). */
unsigned text_count_lines_with(const uint8_t *hay, size_t len, const char *needle);

/* True when one line of hay[0..len) contains every word of the
 * NULL-terminated list (case-sensitive), e.g. a table's header line. */
int text_line_has_all(const uint8_t *hay, size_t len, const char *const *words);

/* True when the first len bytes look like text: no NUL bytes and few
 * other control characters.  Every text probe checks this first. */
int text_looks_textual(const uint8_t *head, size_t len);

/* Text saved as UTF-16LE with a byte-order mark (PowerShell's `>` and
 * Out-File, Notepad's "Unicode") is read through a narrowing view: each
 * 16-bit code unit becomes one byte (U+00A0 a space, anything past ASCII
 * a '?'), so offsets map exactly: view offset N is file offset 2 + 2N.
 *
 * text_probe_view: when head is UTF-16LE, points *view at a narrowed copy
 * in *tmp (free it with free()); else *view = head.  Returns the view's
 * length; 0 when out of memory.
 * text_open_view: src itself, or a new narrowing source over it (close it
 * with pt_source_close when *view != src). */
size_t text_probe_view(const uint8_t *head, size_t len, const uint8_t **view, uint8_t **tmp);
pt_status text_open_view(pt_source *src, pt_source **view, pt_error *err);

/* A reader's probe over the text as it is, or narrowed through
 * text_probe_view when it is UTF-16LE: probe_text's score of that view
 * (0 when out of memory). */
typedef int (*text_probe_fn)(const uint8_t *head, size_t len);
int text_reader_probe(const uint8_t *head, size_t len, text_probe_fn probe_text);

/* A line reader over src, through the UTF-16 view when needed; close
 * both with text_lines_close. */
pt_status text_lines_open(pt_source *src, pt_line_reader *lr, pt_source **view,
                          pt_error *err);
void text_lines_close(pt_line_reader *lr, pt_source *src, pt_source *view);

/* The next line of lr, cleaned as text_clean_line does, into out (capacity
 * TEXT_LINE_MAX + 1): the same result, line_off and line_no as
 * pt_line_reader_next followed by text_clean_line, but a line that lies
 * whole in the reader's buffer is found with memchr and cleaned straight
 * from there (no byte loop, no second copy): the poolmon reader of a long
 * series reads millions of lines.  Returns 1 and *len, 0 at the end, -1 on
 * error. */
int text_line_next_clean(pt_line_reader *lr, char *out, size_t *len, pt_error *err);

/* A read pass over src's lines (through the UTF-16 view): each line cleaned
 * as text_clean_line does is handed to line_fn with its offset and number.
 * When line_fn returns something other than PT_OK, that status is returned
 * and err, if line_fn left it unset, says "stopped by the record sink" at
 * the line (name: the file as messages name it). */
typedef pt_status (*text_line_fn)(void *state, char *line, size_t len, uint64_t offset,
                                  unsigned long line_no);
pt_status text_read_lines(pt_source *src, const char *name, text_line_fn line_fn, void *state,
                          pt_error *err);

/* A describe pass over src's lines (through the UTF-16 view): each line
 * cleaned as text_clean_line does, its remark cut (text_strip_remark) when
 * strip_remark, its blanks collapsed (text_collapse) into at most
 * TEXT_DESCRIBE_COL - 1 bytes, and handed to line_fn until line_fn returns
 * something other than PT_OK (returned), the input ends, or max_lines
 * lines were read (0: no limit). */
#define TEXT_DESCRIBE_COL 512
typedef pt_status (*text_describe_line_fn)(void *state, const char *col);
pt_status text_describe_lines(pt_source *src, int strip_remark, unsigned long max_lines,
                              text_describe_line_fn line_fn, void *state, pt_error *err);

/* The time a sample gets when its file does not say: the command line's,
 * else the file's modification time, else unknown. */
void text_default_time(const pt_read_options *opt, pt_filetime *time,
                       const char **origin);

/* The name a sample records as its source. */
const char *text_source_name(const pt_source *src, const pt_read_options *opt);

/* Recognizes a line that holds only a time stamp, as a capture script
 * writes it before each snapshot.  Accepted, optionally after a label
 * "Date:", "Time:", "Timestamp:" or "Sample time:":
 *   2024-01-02 10:00[:SS[.fff]]   2024-01-02T10:00:00[.fff][Z]
 *   2024/01/02 10:00[:SS]
 *   Tuesday, January 2, 2024 10:00:00 AM   (PowerShell Get-Date)
 * Times without a zone are taken as UTC.  Returns 1 and *time, or 0. */
int text_parse_time_line(const char *line, pt_filetime *time);

/* "Debug session time: Thu Nov 14 10:00:00.000 2024 (UTC - 8:00)" (also
 * "(GMT-8)", older debuggers): the moment the dump was written or the
 * live session looked, converted to UTC.  Returns 1 and *time, or 0. */
int text_parse_debug_session_time(const char *line, pt_filetime *time);

#endif
