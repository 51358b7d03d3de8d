/* pt_reader.h - what an evidence reader is.
 *
 * Each evidence format has a reader with a probe (how sure it is, from the
 * first bytes, that a file is its kind), a read function that streams
 * normalized records into a pt_sink, and optionally describe, for inspect.
 * The table of all readers is collector/readers/pt_readers.h.
 */
#ifndef PT_READER_H
#define PT_READER_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_evidence.h"
#include "pt_source.h"

typedef struct pt_read_options {
    const char *display_name;   /* name to record as the sample's source */
    pt_filetime sample_time;    /* given on the command line; 0 = none */
    pt_filetime file_mtime;     /* fallback sample time; 0 = none */
    int partial_ok;             /* emit what can be read, mark it partial */
    const char *symbol_path;    /* PDB file or symbol store (dumps) */
} pt_read_options;

/* How many bytes of a file the probes see. */
#define PT_PROBE_BYTES 65536u

/* A named fact about a file, for `pooltriage inspect` ("build", "19041"). */
typedef pt_status (*pt_fact_fn)(void *ctx, const char *name, const char *value);

typedef struct pt_reader {
    pt_source_kind kind;
    const char *name;        /* "poolused", "vm", "poolmon", "pooltag", "dump", ... */
    /* 0 = not this kind ... 100 = certain. */
    int (*probe)(const uint8_t *head, size_t len);
    pt_status (*read)(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                      pt_error *err);
    /* Optional: facts beyond the records (format variant details, header
     * fields) for `inspect`; NULL when the records say all. */
    pt_status (*describe)(pt_source *src, const pt_read_options *opt, pt_fact_fn fact,
                          void *ctx, pt_error *err);
} pt_reader;

#endif
