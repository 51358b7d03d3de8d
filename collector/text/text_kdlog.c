/* text_kdlog.c - dispatching a debugger log's lines to the command
 * output readers (!poolused, !vm) by the prompt line before them. */
#include <stdlib.h>
#include <string.h>

#include "text_kdlog.h"
#include "text_util.h"

#define KD_PARTS 2
#define KD_OTHER (-1) /* some other command: its output is skipped */

static const text_part *const kd_parts[KD_PARTS] = {&text_part_poolused, &text_part_vm};

static int word_at(const char *p, const char *word)
{
    size_t n = strlen(word);
    return strncmp(p, word, n) == 0 && (p[n] == '\0' || p[n] == ' ' || p[n] == '\t');
}

/* The command a prompt line starts ("0: kd> !vm 4", "lkd> !poolused 2",
 * or a bare "!poolused /t5 2" pasted without its prompt); -2 when the
 * line is not a prompt. */
static int kd_command(const char *line)
{
    const char *p = text_skip_blanks(line), *prompt = strstr(p, "kd> ");

    if (prompt != NULL && (size_t)(prompt - p) <= 8)
        p = text_skip_blanks(prompt + 4);
    else if (*p != '!')
        return -2;
    if (word_at(p, "!poolused"))
        return TEXT_KD_POOLUSED;
    if (word_at(p, "!vm"))
        return TEXT_KD_VM;
    if (prompt == NULL)
        return -2; /* "!..." text that is not at a prompt */
    return *p == '\0' ? -2 : KD_OTHER; /* an empty prompt changes nothing */
}

/* A part's zeroed state with its context filled in; NULL when out of
 * memory. */
static void *kd_part_open(const text_part *part, const char *name, const pt_read_options *opt,
                          const pt_sink *sink, const pt_filetime *file_time)
{
    text_part_ctx *ctx = calloc(1, part->state_size);
    if (ctx == NULL)
        return NULL;
    ctx->opt = opt;
    ctx->sink = sink;
    ctx->name = name;
    ctx->file_time = file_time;
    return ctx;
}

/* A log being read: each part's state, the part reading now. */
typedef struct kd_log {
    void *state[KD_PARTS];
    int cur; /* a text_kd_command, or KD_OTHER */
    pt_filetime file_time;
} kd_log;

/* Follows the session time and the prompts; hands the line to the part
 * whose command's output it is. */
static pt_status kd_line(void *state, char *line, size_t len, uint64_t offset,
                         unsigned long line_no)
{
    kd_log *log = state;
    int cmd = kd_command(line);
    pt_filetime t;
    pt_status rc;

    if (text_parse_debug_session_time(line, &t))
        log->file_time = t;
    if (cmd != -2 && cmd != log->cur) {
        if (log->cur >= 0 && (rc = kd_parts[log->cur]->end_sample(log->state[log->cur])) != PT_OK)
            return rc;
        log->cur = cmd;
    }
    if (log->cur >= 0) {
        text_part_ctx *ctx = log->state[log->cur];
        ctx->line_off = offset;
        ctx->line_no = line_no;
        return kd_parts[log->cur]->line(ctx, line, len);
    }
    return PT_OK;
}

pt_status text_kd_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                       pt_error *err, text_kd_command first)
{
    const char *name = text_source_name(src, opt);
    kd_log log;
    pt_status rc, part_rc[KD_PARTS];
    int i;

    memset(&log, 0, sizeof log);
    log.cur = (int)first;
    for (i = 0; i < KD_PARTS; i++)
        log.state[i] = kd_part_open(kd_parts[i], name, opt, sink, &log.file_time);
    if (log.state[0] == NULL || log.state[1] == NULL) {
        rc = pt_error_set(err, PT_ERR_NOMEM, name, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    rc = text_read_lines(src, name, kd_line, &log, err);
    if (rc != PT_OK)
        goto out;
    /* the first part last, so its message is the one left in err */
    for (i = 0; i < KD_PARTS; i++) {
        int k = i == KD_PARTS - 1 ? (int)first : (i >= (int)first ? i + 1 : i);
        part_rc[k] = kd_parts[k]->end_sample(log.state[k]);
        if (part_rc[k] == PT_OK)
            part_rc[k] = kd_parts[k]->finish(log.state[k], err);
        if (part_rc[k] != PT_OK && part_rc[k] != PT_ERR_FORMAT) {
            rc = part_rc[k];
            goto out;
        }
    }
    rc = part_rc[first];
    for (i = 0; i < KD_PARTS; i++)
        if (part_rc[i] == PT_OK)
            rc = PT_OK;
    if (rc == PT_OK)
        pt_error_clear(err);
out:
    for (i = 0; i < KD_PARTS; i++)
        free(log.state[i]);
    return rc;
}
