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

pt_status text_kd_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                       pt_error *err, text_kd_command first)
{
    const char *name = text_source_name(src, opt);
    void *state[KD_PARTS] = {NULL, NULL};
    pt_line_reader lr;
    pt_source *view = NULL;
    char *clean = NULL;
    const char *raw;
    size_t raw_len;
    pt_status rc, part_rc[KD_PARTS];
    int cur = (int)first, r, i;
    pt_filetime file_time = 0;

    rc = text_lines_open(src, &lr, &view, err);
    if (rc != PT_OK)
        return rc;
    clean = malloc(TEXT_LINE_MAX + 1);
    for (i = 0; i < KD_PARTS; i++)
        state[i] = kd_part_open(kd_parts[i], name, opt, sink, &file_time);
    if (clean == NULL || state[0] == NULL || state[1] == NULL) {
        rc = pt_error_set(err, PT_ERR_NOMEM, name, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    while ((r = pt_line_reader_next(&lr, &raw, &raw_len, err)) == 1) {
        size_t n = text_clean_line(raw, raw_len, clean);
        int cmd = kd_command(clean);
        pt_filetime t;
        if (text_parse_debug_session_time(clean, &t))
            file_time = t;
        if (cmd != -2 && cmd != cur) {
            if (cur >= 0 && (rc = kd_parts[cur]->end_sample(state[cur])) != PT_OK)
                goto stopped;
            cur = cmd;
        }
        if (cur >= 0) {
            text_part_ctx *ctx = state[cur];
            ctx->line_off = lr.line_off;
            ctx->line_no = lr.line_no;
            rc = kd_parts[cur]->line(state[cur], clean, n);
            if (rc != PT_OK)
                goto stopped;
        }
    }
    if (r < 0) {
        rc = err != NULL && err->code != PT_OK ? err->code : PT_ERR_IO;
        goto out;
    }
    /* the first part last, so its message is the one left in err */
    for (i = 0; i < KD_PARTS; i++) {
        int k = i == KD_PARTS - 1 ? (int)first : (i >= (int)first ? i + 1 : i);
        part_rc[k] = kd_parts[k]->end_sample(state[k]);
        if (part_rc[k] == PT_OK)
            part_rc[k] = kd_parts[k]->finish(state[k], err);
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
    goto out;
stopped:
    if (err != NULL && err->code == PT_OK)
        pt_error_set(err, rc, name, lr.line_off, "stopped by the record sink");
out:
    for (i = 0; i < KD_PARTS; i++)
        free(state[i]);
    free(clean);
    text_lines_close(&lr, src, view);
    return rc;
}
