/* etl_leaks.c - grouping outstanding allocations by tag and driver. */
#include "etl_leaks.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *etl_leaks_basename(const char *path)
{
    const char *b = path, *p;
    for (p = path; *p != '\0'; p++)
        if (*p == '\\' || *p == '/')
            b = p + 1;
    return b;
}

int etl_leaks_is_kernel_image(const char *path)
{
    static const char *const names[] = {"ntoskrnl.exe", "ntkrnlmp.exe", "ntkrnlpa.exe",
                                        "ntkrpamp.exe"};
    const char *b = etl_leaks_basename(path);
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(b, names[i]) == 0)
            return 1;
    return 0;
}

char *etl_leaks_format(const etl_leak_group *g, char *out, size_t cap)
{
    char tag[PT_TAG_TEXT_MAX];
    const char *where = "";
    char place[300];
    if (strcmp(g->module, "no stack") == 0)
        where = "with no stack";
    else if (strcmp(g->module, "unknown") == 0)
        where = "from an address in no image";
    if (*where == '\0') {
        snprintf(place, sizeof place, "allocated from %s+0x%" PRIx64,
                 etl_leaks_basename(g->module), g->offset);
        where = place;
    }
    snprintf(out, cap, "tag '%s' (%s): %" PRIu64 " outstanding allocation%s, %" PRIu64
             " bytes, %s", pt_tag_format(g->tag, tag), pt_pool_name(g->pool), g->count,
             g->count == 1 ? "" : "s", g->bytes, where);
    return out;
}

char *etl_leaks_stack_text(const pt_stack *stack, const pt_module *mods, size_t nmods,
                           char *out, size_t cap)
{
    size_t used = 0;
    uint32_t i;
    if (cap == 0)
        return out;
    out[0] = '\0';
    for (i = 0; i < stack->depth && used + 1 < cap; i++) {
        const char *mod;
        uint64_t off;
        int n;
        if (etl_leaks_frame(mods, nmods, stack->frames[i], &mod, &off) == 0)
            n = snprintf(out + used, cap - used, "%s%s+0x%" PRIx64, i ? " < " : "",
                         etl_leaks_basename(mod), off);
        else
            n = snprintf(out + used, cap - used, "%s0x%" PRIx64, i ? " < " : "", off);
        if (n < 0)
            break;
        used += (size_t)n < cap - used ? (size_t)n : cap - used - 1;
    }
    return out;
}

int etl_leaks_frame(const pt_module *mods, size_t nmods, uint64_t addr, const char **module,
                    uint64_t *offset)
{
    size_t i;
    for (i = 0; i < nmods; i++) {
        if (addr >= mods[i].base && addr - mods[i].base < mods[i].size) {
            *module = mods[i].name;
            *offset = addr - mods[i].base;
            return 0;
        }
    }
    *module = NULL;
    *offset = addr;
    return -1;
}

typedef struct leak_key {
    pt_tag tag;
    pt_pool pool;
    long module;            /* index in the sorted modules, -1 unknown, -2 no stack */
    uint64_t offset, size;
    uint64_t stack_id;
} leak_key;

static int by_base(const void *x, const void *y)
{
    const pt_module *a = *(const pt_module *const *)x, *b = *(const pt_module *const *)y;
    return a->base < b->base ? -1 : a->base > b->base;
}

static int by_id(const void *x, const void *y)
{
    const pt_stack *a = *(const pt_stack *const *)x, *b = *(const pt_stack *const *)y;
    return a->stack_id < b->stack_id ? -1 : a->stack_id > b->stack_id;
}

static int by_key(const void *x, const void *y)
{
    const leak_key *a = x, *b = y;
    if (a->tag != b->tag)
        return a->tag < b->tag ? -1 : 1;
    if (a->pool != b->pool)
        return a->pool < b->pool ? -1 : 1;
    if (a->module != b->module)
        return a->module < b->module ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static int by_bytes(const void *x, const void *y)
{
    const etl_leak_group *a = x, *b = y;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->tag < b->tag ? -1 : a->tag > b->tag;
}

/* The module holding addr (modules sorted by base), or -1. */
static long module_of(const pt_module *const *m, size_t n, uint64_t addr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m[mid]->base <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* lo-1 is the last module with base <= addr; a few before it are
     * checked too, for images that overlap (one unloaded, one loaded) */
    for (hi = 0; lo > 0 && hi < 8; lo--, hi++) {
        const pt_module *c = m[lo - 1];
        if (addr - c->base < c->size)
            return (long)(lo - 1);
    }
    return -1;
}

/* The first frame, from the deepest, that is not in the kernel image. */
static void attribute(const pt_stack *s, const pt_module *const *m, size_t nm, long *mod,
                      uint64_t *offset)
{
    uint32_t i;
    long first_mod = -1;
    uint64_t first_addr = 0;
    for (i = 0; i < s->depth; i++) {
        long k = module_of(m, nm, s->frames[i]);
        if (i == 0) {
            first_mod = k;
            first_addr = s->frames[i];
        }
        if (k >= 0 && etl_leaks_is_kernel_image(m[k]->name))
            continue;
        *mod = k;
        *offset = k >= 0 ? s->frames[i] - m[k]->base : s->frames[i];
        return;
    }
    /* all in the kernel (its own allocations): the deepest frame */
    *mod = first_mod;
    *offset = first_mod >= 0 ? first_addr - m[first_mod]->base : first_addr;
}

pt_status etl_leaks_group(const pt_allocation *allocs, size_t nallocs, const pt_stack *stacks,
                          size_t nstacks, const pt_module *mods, size_t nmods,
                          etl_leak_group **out, size_t *nout, pt_error *err)
{
    const pt_module **m = NULL;
    const pt_stack **s = NULL;
    leak_key *keys = NULL;
    etl_leak_group *groups = NULL;
    size_t i, nk = 0, ng = 0;
    pt_status st = PT_OK;

    *out = NULL;
    *nout = 0;
    m = malloc((nmods ? nmods : 1) * sizeof *m);
    s = malloc((nstacks ? nstacks : 1) * sizeof *s);
    keys = malloc((nallocs ? nallocs : 1) * sizeof *keys);
    groups = malloc((nallocs ? nallocs : 1) * sizeof *groups);
    if (m == NULL || s == NULL || keys == NULL || groups == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    for (i = 0; i < nmods; i++)
        m[i] = &mods[i];
    qsort(m, nmods, sizeof *m, by_base);
    for (i = 0; i < nstacks; i++)
        s[i] = &stacks[i];
    qsort(s, nstacks, sizeof *s, by_id);
    for (i = 0; i < nallocs; i++) {
        leak_key *k;
        const pt_stack *found = NULL;
        if (allocs[i].freed)
            continue;
        k = &keys[nk++];
        k->tag = allocs[i].tag;
        k->pool = allocs[i].pool;
        k->size = allocs[i].size;
        k->module = -2;
        k->offset = 0;
        k->stack_id = allocs[i].stack_id;
        if (allocs[i].stack_id != 0) {
            size_t lo = 0, hi = nstacks;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (s[mid]->stack_id < allocs[i].stack_id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < nstacks && s[lo]->stack_id == allocs[i].stack_id)
                found = s[lo];
        }
        if (found != NULL && found->depth > 0)
            attribute(found, m, nmods, &k->module, &k->offset);
    }
    qsort(keys, nk, sizeof *keys, by_key);
    for (i = 0; i < nk; i++) {
        etl_leak_group *g;
        if (ng == 0 || by_key(&keys[i], &keys[i - 1]) != 0) {
            g = &groups[ng++];
            g->tag = keys[i].tag;
            g->pool = keys[i].pool;
            g->module = keys[i].module >= 0 ? m[keys[i].module]->name
                        : keys[i].module == -1 ? "unknown"
                                               : "no stack";
            g->offset = keys[i].offset;
            g->count = 0;
            g->bytes = 0;
            g->stack_id = keys[i].stack_id;
        }
        g = &groups[ng - 1];
        g->count++;
        g->bytes += keys[i].size;
    }
    qsort(groups, ng, sizeof *groups, by_bytes);
    *out = groups;
    *nout = ng;
    groups = NULL;
out:
    free(m);
    free(s);
    free(keys);
    free(groups);
    return st;
}

/* ---- collector sink ---- */

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t n;
    void *p;
    if (need <= *cap)
        return 0;
    n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    p = realloc(*arr, n * elem);
    if (p == NULL)
        return -1;
    *arr = p;
    *cap = n;
    return 0;
}

static pt_status collect_alloc(void *ctx, const pt_allocation *a)
{
    etl_leak_collector *c = ctx;
    if (grow((void **)&c->allocs, &c->cap_allocs, c->nallocs + 1, sizeof *c->allocs) != 0) {
        c->failed = 1;
        return PT_ERR_NOMEM;
    }
    c->allocs[c->nallocs++] = *a;
    return PT_OK;
}

static pt_status collect_stack(void *ctx, const pt_stack *s)
{
    etl_leak_collector *c = ctx;
    uint64_t *f;
    if (grow((void **)&c->stacks, &c->cap_stacks, c->nstacks + 1, sizeof *c->stacks) != 0 ||
        (f = malloc((s->depth ? s->depth : 1) * sizeof *f)) == NULL) {
        c->failed = 1;
        return PT_ERR_NOMEM;
    }
    if (s->depth)
        memcpy(f, s->frames, s->depth * sizeof *f);
    c->stacks[c->nstacks] = *s;
    c->stacks[c->nstacks++].frames = f;
    return PT_OK;
}

static pt_status collect_module(void *ctx, const pt_module *m)
{
    etl_leak_collector *c = ctx;
    char *name;
    if (grow((void **)&c->mods, &c->cap_mods, c->nmods + 1, sizeof *c->mods) != 0 ||
        (name = malloc(strlen(m->name) + 1)) == NULL) {
        c->failed = 1;
        return PT_ERR_NOMEM;
    }
    memcpy(name, m->name, strlen(m->name) + 1);
    c->mods[c->nmods] = *m;
    c->mods[c->nmods++].name = name;
    return PT_OK;
}

void etl_leak_collector_sink(etl_leak_collector *c, pt_sink *sink)
{
    memset(c, 0, sizeof *c);
    memset(sink, 0, sizeof *sink);
    sink->ctx = c;
    sink->allocation = collect_alloc;
    sink->stack = collect_stack;
    sink->module = collect_module;
}

void etl_leak_collector_free(etl_leak_collector *c)
{
    size_t i;
    for (i = 0; i < c->nstacks; i++)
        free((void *)c->stacks[i].frames);
    for (i = 0; i < c->nmods; i++)
        free((void *)c->mods[i].name);
    free(c->allocs);
    free(c->stacks);
    free(c->mods);
    memset(c, 0, sizeof *c);
}
