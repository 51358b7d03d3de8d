/* text_vm.c - the `!vm` reader.
 *
 * `!vm` prints one counter per line, in pages with the size in Kb beside:
 *
 *   NonPagedPool Usage:    3250905 ( 13003620 Kb)
 *   NonPagedPool 0 Used:   1455190 ( 5820760 Kb)     (per node, 2012 R2)
 *   NonPagedPoolNx  1:       12233 (    48932 Kb)     (per node, Windows 10)
 *   Current:     98304Kb Free Space:     61044Kb     (page file lines)
 *   ******* 351175 kernel stack PTE allocations have failed ******
 *   unable to get nt!MmSystemLockPagesCount
 *   Session ID 0 @ 9a8c7000:  /  Paged Pool Usage: 2372K    (flag 4)
 *
 * and, without flag 1, a list of processes (lines without a colon),
 * which is skipped.  Every counter is kept under the name as printed (the
 * text before the colon, blanks collapsed), one record per unit: "pages"
 * and "Kb".  Page-file counters are named after their file
 * ("Page File \??\C:\pagefile.sys Current"), session counters after their
 * session ("Session 0 Paged Pool Usage").  Values are kept as printed,
 * even when they cannot be right (a wrapped 64-bit value); the report
 * says so, the reader does not fix it.  Banners ("*** ... ***") other
 * than the title and the debugger's error lines become warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_kdlog.h"
#include "text_readers.h"
#include "text_util.h"

#define VM_NAME_MAX 256

typedef struct vm_state {
    text_part_ctx part; /* first: text_kd_read fills it in */
    int in_sample;
    uint64_t samples;
    uint64_t counters;
    uint64_t counters_in_sample;
    char page_file[VM_NAME_MAX]; /* "Page File \??\C:\pagefile.sys" */
    char session[32];            /* "Session 0" inside a flag-4 section */
} vm_state;

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static pt_status vm_begin(vm_state *st)
{
    pt_sample_info info;

    if (st->in_sample)
        return PT_OK;
    memset(&info, 0, sizeof info);
    info.kind = PT_KIND_VM;
    info.source = st->part.name;
    info.variant = "vm";
    if (*st->part.file_time != 0) {
        info.time = *st->part.file_time;
        info.time_origin = "file";
    } else {
        text_default_time(st->part.opt, &info.time, &info.time_origin);
    }
    st->in_sample = 1;
    st->samples++;
    st->counters_in_sample = 0;
    st->page_file[0] = '\0';
    st->session[0] = '\0';
    return pt_sink_begin_sample(st->part.sink, &info);
}

static pt_status vm_end(vm_state *st)
{
    if (!st->in_sample)
        return PT_OK;
    st->in_sample = 0;
    return pt_sink_end_sample(st->part.sink);
}

static pt_status vm_counter(vm_state *st, const char *prefix, const char *name,
                            const char *unit, uint64_t value)
{
    char full[VM_NAME_MAX * 2];
    pt_counter c;
    pt_status rc = vm_begin(st);

    if (rc != PT_OK)
        return rc;
    if (prefix != NULL && prefix[0] != '\0')
        snprintf(full, sizeof full, "%s %s", prefix, name);
    else
        snprintf(full, sizeof full, "%s", name);
    c.name = full;
    c.unit = unit;
    c.value = value;
    st->counters++;
    st->counters_in_sample++;
    return pt_sink_counter(st->part.sink, &c);
}

static pt_status vm_warn_number(vm_state *st, const char *name)
{
    return pt_sink_warning(st->part.sink, st->part.name, st->part.line_off,
                           "line %lu: %s: number too large for 64 bits, not kept",
                           st->part.line_no, name);
}

/* "NAME: N ( M Kb)", "NAME: N Kb", "NAME: NK", repeated on one line for the
 * page-file lines.  Returns the number of counters found. */
static int vm_counters_on_line(vm_state *st, const char *line, pt_status *rc)
{
    const char *p = text_skip_blanks(line);
    int found = 0;

    *rc = PT_OK;
    while (*p != '\0') {
        const char *colon = strchr(p, ':');
        char name[VM_NAME_MAX];
        const char *v;
        uint64_t value = 0, kb = 0;
        int d, kd = 0;
        const char *prefix;

        if (colon == NULL)
            break;
        text_collapse(p, (size_t)(colon - p), name, sizeof name);
        v = text_skip_blanks(colon + 1);
        d = text_parse_u64(&v, &value);
        if (d == 0 || name[0] == '\0')
            break;
        if (d < 0) {
            *rc = vm_warn_number(st, name);
            return -1;
        }
        prefix = st->session[0] ? st->session : NULL;
        if (starts_with(name, "Current") || starts_with(name, "Free Space") ||
            starts_with(name, "Minimum") || starts_with(name, "Maximum"))
            prefix = st->page_file[0] ? st->page_file : "Page File";
        if (*v == 'K' || *v == 'k') {
            /* "98304Kb" or "2372K" */
            int has_b = v[1] == 'b' || v[1] == 'B';
            *rc = vm_counter(st, prefix, name, has_b ? "Kb" : "K", value);
            v += has_b ? 2 : 1;
        } else {
            const char *q = text_skip_blanks(v);
            if (q[0] == 'K' && (q[1] == 'b' || q[1] == 'B')) {
                *rc = vm_counter(st, prefix, name, "Kb", value);
                v = q + 2;
            } else if (q[0] == '(') {
                q = text_skip_blanks(q + 1);
                kd = text_parse_u64(&q, &kb);
                q = text_skip_blanks(q);
                *rc = vm_counter(st, prefix, name, "pages", value);
                if (*rc == PT_OK && kd > 0 && (q[0] == 'K' || q[0] == 'k'))
                    *rc = vm_counter(st, prefix, name, "Kb", kb);
                else if (*rc == PT_OK && kd < 0)
                    *rc = vm_warn_number(st, name);
                while (*q != '\0' && *q != ')')
                    q++;
                v = *q == ')' ? q + 1 : q;
            } else if (*q == '\0') {
                *rc = vm_counter(st, prefix, name, "pages", value);
                v = q;
            } else {
                break; /* "System Uptime: 12 days ...": not a counter */
            }
        }
        if (*rc != PT_OK)
            return -1;
        found++;
        p = text_skip_blanks(v);
    }
    return found;
}

/* "******* 351175 kernel stack PTE allocations have failed ******" and
 * the other banners between stars. */
static pt_status vm_banner(vm_state *st, const char *col)
{
    char text[512];
    const char *p = col, *t;
    size_t n;
    uint64_t value = 0;
    int d;

    while (*p == '*' || *p == ' ')
        p++;
    n = strlen(p);
    while (n > 0 && (p[n - 1] == '*' || p[n - 1] == ' '))
        n--;
    if (n >= sizeof text)
        n = sizeof text - 1;
    memcpy(text, p, n);
    text[n] = '\0';
    if (n == 0 || text_starts_with_ci(text, "Virtual Memory Usage"))
        return vm_begin(st);
    t = text;
    d = text_parse_u64(&t, &value);
    if (d > 0 && *t == ' ') {
        pt_status rc = vm_counter(st, NULL, t + 1, "count", value);
        if (rc != PT_OK)
            return rc;
    }
    return pt_sink_warning(st->part.sink, st->part.name, st->part.line_off,
                           "line %lu: !vm says: %s", st->part.line_no, text);
}

static pt_status vm_line(vm_state *st, char *line, size_t len)
{
    char col[1024];
    pt_status rc = PT_OK;

    len = text_strip_remark(line, len);
    len = text_rtrim(line, len);
    if (text_collapse(line, len, col, sizeof col) == 0) {
        st->session[0] = '\0';
        return PT_OK;
    }
    if (strstr(col, "!vm") != NULL && strstr(col, "> ") != NULL) {
        /* a new command: a new sample when the last one holds counters */
        if (st->in_sample && st->counters_in_sample > 0)
            rc = vm_end(st);
        return rc;
    }
    if (col[0] == '*')
        return vm_banner(st, col);
    if (text_starts_with_ci(col, "unable to") || text_starts_with_ci(col, "error ") ||
        strstr(col, "Unable to") != NULL) {
        rc = vm_begin(st);
        if (rc != PT_OK)
            return rc;
        return pt_sink_warning(st->part.sink, st->part.name, st->part.line_off,
                               "line %lu: !vm could not read a value: %s", st->part.line_no, col);
    }
    if (starts_with(col, "Page File:")) {
        snprintf(st->page_file, sizeof st->page_file, "Page File %s",
                 text_skip_blanks(col + 10));
        return vm_begin(st);
    }
    if (starts_with(col, "No Name for Paging File")) {
        snprintf(st->page_file, sizeof st->page_file, "Page File (no name)");
        return vm_begin(st);
    }
    if (starts_with(col, "Session ID ")) {
        const char *p = col + 11;
        uint64_t id = 0;
        if (text_parse_u64(&p, &id) > 0)
            snprintf(st->session, sizeof st->session, "Session %llu",
                     (unsigned long long)id);
        return PT_OK;
    }
    if (starts_with(col, "Terminal Server Memory Usage"))
        return PT_OK;
    if (vm_counters_on_line(st, col, &rc) <= 0)
        return rc; /* process lists and other lines without counters */
    return rc;
}

/* ---- the part of a debugger log ---- */

static pt_status vm_part_line(void *state, char *line, size_t len)
{
    return vm_line(state, line, len);
}

static pt_status vm_part_end_sample(void *state)
{
    return vm_end(state);
}

static pt_status vm_finish(void *state, pt_error *err)
{
    const vm_state *st = state;
    if (st->counters == 0)
        return pt_error_set(err, PT_ERR_FORMAT, st->part.name, PT_NO_OFFSET,
                            "no !vm counters (\"NonPagedPool Usage: N ( M Kb)\") found");
    return PT_OK;
}

const text_part text_part_vm = {sizeof(vm_state), vm_part_line, vm_part_end_sample,
                                vm_finish};

static pt_status vm_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                         pt_error *err)
{
    return text_kd_read(src, opt, sink, err, TEXT_KD_VM);
}

/* Pool and commit counter names that only !vm prints together. */
static int vm_probe_text(const uint8_t *head, size_t len)
{
    static const char *const keys[] = {"NonPagedPool Usage:", "NonPagedPool Max:",
                                       "PagedPool Usage:",    "PagedPool Maximum:",
                                       "Committed pages:",    "Commit limit:",
                                       "Available Pages:",    "Free System PTEs:"};
    int score = 0;
    size_t i;

    if (!text_looks_textual(head, len))
        return 0;
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (text_contains(head, len, keys[i]))
            score += 15;
    if (text_contains(head, len, "Virtual Memory Usage"))
        score += 30;
    if (text_contains(head, len, "!vm"))
        score += 20;
    if (score < 45)
        return 0;
    return score > 100 ? 100 : score;
}

/* What vm_describe has told so far. */
typedef struct vm_facts {
    pt_fact_fn fact;
    void *ctx;
    int commands;
} vm_facts;

/* A "!vm" command at a prompt, with its flags. */
static pt_status vm_describe_line(void *state, const char *col)
{
    vm_facts *facts = state;
    const char *cmd = strstr(col, "!vm");
    if (cmd != NULL && strstr(col, "> ") != NULL && facts->commands++ < 8)
        return facts->fact(facts->ctx, "command", cmd);
    return PT_OK;
}

/* Facts beyond the records: the command and its flags (from the first
 * 100000 lines). */
static pt_status vm_describe(pt_source *src, const pt_read_options *opt, pt_fact_fn fact,
                             void *ctx, pt_error *err)
{
    vm_facts facts = {fact, ctx, 0};
    (void)opt;
    return text_describe_lines(src, 1, 100000, vm_describe_line, &facts, err);
}

/* Probes the text as it is, or narrowed when it is UTF-16LE. */
static int vm_probe(const uint8_t *head, size_t len)
{
    return text_reader_probe(head, len, vm_probe_text);
}

const pt_reader pt_reader_vm = {
    .kind = PT_KIND_VM,
    .name = "vm",
    .probe = vm_probe,
    .read = vm_read,
    .describe = vm_describe,
};
