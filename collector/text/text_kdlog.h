/* text_kdlog.h - a debugger log that holds the output of several commands
 * (`!vm`, then `!poolused 2`, then `lm`...), as engineers save them with
 * .logopen or a LiveKd session.  Each command's output goes to the part
 * that reads it; other commands' output is skipped.  Internal to
 * collector/text/. */
#ifndef PT_TEXT_KDLOG_H
#define PT_TEXT_KDLOG_H

#include "pt_reader.h"

/* Where a part reads from and writes to, and the line it is at: the
 * first member of every part's state, filled in by text_kd_read. */
typedef struct text_part_ctx {
    const pt_read_options *opt;
    const pt_sink *sink;
    const char *name;
    /* the log's "Debug session time", 0 while unknown; read when a
     * sample begins */
    const pt_filetime *file_time;
    uint64_t line_off; /* the line being read */
    unsigned long line_no;
} text_part_ctx;

/* One kind of command output inside a log.  Its state is state_size
 * zeroed bytes beginning with a text_part_ctx; text_kd_read frees it. */
typedef struct text_part {
    size_t state_size;
    /* One cleaned line (NUL-terminated, may be modified), at the
     * context's line_off and line_no. */
    pt_status (*line)(void *state, char *line, size_t len);
    /* Another command's output begins, or the log ends: close the sample
     * in progress. */
    pt_status (*end_sample)(void *state);
    /* The end, after end_sample: PT_ERR_FORMAT (err set) when the part
     * found nothing it reads. */
    pt_status (*finish)(void *state, pt_error *err);
} text_part;

extern const text_part text_part_poolused;
extern const text_part text_part_vm;

typedef enum text_kd_command {
    TEXT_KD_POOLUSED = 0,
    TEXT_KD_VM = 1,
} text_kd_command;

/* Reads src as a debugger log.  Lines before the first command prompt go
 * to the part `first` (a pasted output often starts without its
 * prompt).  Succeeds when any part read something; else returns the
 * first part's error. */
pt_status text_kd_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                       pt_error *err, text_kd_command first);

#endif
