/* dump_capture.h - a pt_sink that keeps everything a reader emits, for the
 * dump tests. */
#ifndef DUMP_CAPTURE_H
#define DUMP_CAPTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pt_evidence.h"

typedef struct cap_module {
    char name[512];
    pt_module m;
} cap_module;

typedef struct cap_counter {
    char name[64];
    uint64_t value;
} cap_counter;

typedef struct capture {
    int samples, ended;
    pt_sample_info info;
    char variant[64], time_origin[32];
    cap_module *modules;
    size_t nmodules;
    pt_tag_row *rows;
    size_t nrows;
    cap_counter *counters;
    size_t ncounters;
    pt_allocation *allocs;
    size_t nallocs;
    char warnings[64][512];
    size_t nwarnings;
} capture;

static inline void *cap_push(void *arr, size_t *n, size_t elem)
{
    char *p = realloc(arr, (*n + 1) * elem);
    if (p == NULL)
        abort();
    memset(p + *n * elem, 0, elem);
    (*n)++;
    return p;
}

static inline pt_status cap_begin(void *ctx, const pt_sample_info *info)
{
    capture *c = ctx;
    c->samples++;
    c->info = *info;
    snprintf(c->variant, sizeof c->variant, "%s", info->variant ? info->variant : "");
    snprintf(c->time_origin, sizeof c->time_origin, "%s",
             info->time_origin ? info->time_origin : "");
    c->info.variant = c->variant;
    c->info.time_origin = c->time_origin;
    c->info.source = NULL;
    c->info.host = NULL;
    return PT_OK;
}

static inline pt_status cap_module_fn(void *ctx, const pt_module *m)
{
    capture *c = ctx;
    cap_module *e;
    c->modules = cap_push(c->modules, &c->nmodules, sizeof *c->modules);
    e = &c->modules[c->nmodules - 1];
    snprintf(e->name, sizeof e->name, "%s", m->name ? m->name : "");
    e->m = *m;
    e->m.name = e->name;
    return PT_OK;
}

static inline pt_status cap_row(void *ctx, const pt_tag_row *r)
{
    capture *c = ctx;
    c->rows = cap_push(c->rows, &c->nrows, sizeof *c->rows);
    c->rows[c->nrows - 1] = *r;
    c->rows[c->nrows - 1].tag_text = NULL;
    c->rows[c->nrows - 1].description = NULL;
    c->rows[c->nrows - 1].binary = NULL;
    return PT_OK;
}

static inline pt_status cap_counter_fn(void *ctx, const pt_counter *k)
{
    capture *c = ctx;
    c->counters = cap_push(c->counters, &c->ncounters, sizeof *c->counters);
    snprintf(c->counters[c->ncounters - 1].name, 64, "%s", k->name);
    c->counters[c->ncounters - 1].value = k->value;
    return PT_OK;
}

static inline pt_status cap_alloc(void *ctx, const pt_allocation *a)
{
    capture *c = ctx;
    c->allocs = cap_push(c->allocs, &c->nallocs, sizeof *c->allocs);
    c->allocs[c->nallocs - 1] = *a;
    return PT_OK;
}

static inline pt_status cap_end(void *ctx)
{
    ((capture *)ctx)->ended++;
    return PT_OK;
}

static inline pt_status cap_warning(void *ctx, const char *source, uint64_t offset, const char *msg)
{
    capture *c = ctx;
    (void)source;
    (void)offset;
    if (getenv("DUMP_TEST_VERBOSE"))
        fprintf(stderr, "warning: %s\n", msg);
    if (c->nwarnings < 64)
        snprintf(c->warnings[c->nwarnings++], 512, "%s", msg);
    return PT_OK;
}

static inline void capture_init(capture *c, pt_sink *s)
{
    memset(c, 0, sizeof *c);
    memset(s, 0, sizeof *s);
    s->ctx = c;
    s->begin_sample = cap_begin;
    s->module = cap_module_fn;
    s->tag_row = cap_row;
    s->counter = cap_counter_fn;
    s->allocation = cap_alloc;
    s->end_sample = cap_end;
    s->warning = cap_warning;
}

static inline void capture_free(capture *c)
{
    free(c->modules);
    free(c->rows);
    free(c->counters);
    free(c->allocs);
    memset(c, 0, sizeof *c);
}

static inline int capture_has_warning(const capture *c, const char *needle)
{
    size_t i;
    for (i = 0; i < c->nwarnings; i++)
        if (strstr(c->warnings[i], needle) != NULL)
            return 1;
    return 0;
}

static inline const pt_tag_row *capture_row(const capture *c, pt_tag tag, pt_pool pool)
{
    size_t i;
    for (i = 0; i < c->nrows; i++)
        if (c->rows[i].tag == tag && c->rows[i].pool == pool)
            return &c->rows[i];
    return NULL;
}

static inline int capture_counter(const capture *c, const char *name, uint64_t *value)
{
    size_t i;
    for (i = 0; i < c->ncounters; i++)
        if (strcmp(c->counters[i].name, name) == 0) {
            *value = c->counters[i].value;
            return 1;
        }
    return 0;
}

#endif
