/* pt_source.h - a random-access byte source with a name.
 *
 * Every reader takes its input through a pt_source, so the same code reads
 * a file on disk, a buffer in memory (fuzzing, tests) or a member inside a
 * bundle (read chunk by chunk, never inflated whole).
 */
#ifndef PT_SOURCE_H
#define PT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"

typedef struct pt_source pt_source;

struct pt_source {
    char *name;    /* for messages: a path, or "bundle.ptb:member" */
    uint64_t size; /* total bytes */
    /* Reads exactly len bytes at off into buf.  Returns PT_OK, or an error
     * (PT_ERR_TRUNCATED when off+len is past size). */
    pt_status (*read_at)(pt_source *src, uint64_t off, void *buf, size_t len,
                         pt_error *err);
    void (*close)(pt_source *src);
    void *impl;
};

/* Opens a file for reading.  The source owns the descriptor. */
pt_status pt_source_open_file(const char *path, pt_source **out, pt_error *err);

/* Wraps a buffer the caller keeps alive; name is copied. */
pt_status pt_source_open_memory(const void *data, size_t size, const char *name,
                                pt_source **out, pt_error *err);

/* Reads len bytes at off; bounds are checked before the call. */
pt_status pt_source_read(pt_source *src, uint64_t off, void *buf, size_t len,
                         pt_error *err);

/* Frees the source; NULL is fine. */
void pt_source_close(pt_source *src);

/* A forward reader of text lines over a source, with bounded memory: a line
 * longer than max_line is returned cut, with *cut set. */
typedef struct pt_line_reader {
    pt_source *src;
    uint64_t pos;       /* offset of the next unread byte in src */
    uint64_t line_off;  /* offset of the line last returned */
    unsigned long line_no;
    char *buf;
    size_t buf_len, buf_pos, buf_cap;
    char *line;
    size_t line_cap;
} pt_line_reader;

pt_status pt_line_reader_init(pt_line_reader *lr, pt_source *src, pt_error *err);
/* Returns 1 and the line (without CR/LF, NUL-terminated) in *line and its
 * length in *len, 0 at the end, or -1 on error (err set). */
int pt_line_reader_next(pt_line_reader *lr, const char **line, size_t *len,
                        pt_error *err);
void pt_line_reader_free(pt_line_reader *lr);

#define PT_MAX_LINE 65536

#endif
