/* collect_run.c - runs a collection plan: check everything, then stream
 * the members into the bundle; on failure leave no bundle behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_collect.h"
#include "pt_platform.h"

struct pt_collect_ctx {
    const pt_collect_plan *plan;
    pt_bundle_writer *writer;
    char **names;
    size_t name_count, name_cap;
};

pt_bundle_writer *pt_collect_writer(pt_collect_ctx *ctx)
{
    return ctx->writer;
}

const pt_collect_plan *pt_collect_get_plan(pt_collect_ctx *ctx)
{
    return ctx->plan;
}

static int name_taken(const pt_collect_ctx *ctx, const char *name)
{
    size_t i;
    for (i = 0; i < ctx->name_count; i++)
        if (strcmp(ctx->names[i], name) == 0)
            return 1;
    return 0;
}

/* The last path component, with characters a member name may not hold
 * replaced by '_' and cut to 200 bytes. */
static void safe_basename(const char *path, char *out, size_t cap)
{
    const char *base = path, *p;
    size_t n = 0;
    for (p = path; *p != '\0'; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    for (p = base; *p != '\0' && n + 1 < cap && n < 200; p++) {
        unsigned char c = (unsigned char)*p;
        out[n++] = (c < 0x20 || c == 0x7f || c == ':' || c == '\\') ? '_' : (char)c;
    }
    out[n] = '\0';
    if (n == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        snprintf(out, cap, "file");
}

const char *pt_collect_member_name(pt_collect_ctx *ctx, const char *dir, const char *path,
                                   pt_error *err)
{
    char base[256], name[600];
    unsigned k;
    char *copy;

    safe_basename(path, base, sizeof base);
    snprintf(name, sizeof name, "%s/%s", dir, base);
    for (k = 2; name_taken(ctx, name); k++)
        snprintf(name, sizeof name, "%s/%u/%s", dir, k, base);
    if (ctx->name_count == ctx->name_cap) {
        size_t ncap = ctx->name_cap ? ctx->name_cap * 2 : 16;
        char **nn = realloc(ctx->names, ncap * sizeof *nn);
        if (nn == NULL) {
            pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
            return NULL;
        }
        ctx->names = nn;
        ctx->name_cap = ncap;
    }
    copy = malloc(strlen(name) + 1);
    if (copy == NULL) {
        pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
        return NULL;
    }
    strcpy(copy, name);
    ctx->names[ctx->name_count++] = copy;
    return copy;
}

pt_status pt_collect_add_file(pt_collect_ctx *ctx, const char *name, const char *kind,
                              const char *path, const pt_bundle_attr *extra,
                              size_t extra_count, pt_error *err)
{
    pt_bundle_attr attrs[32];
    char mtime[32];
    pt_file_info info;
    pt_error ignored;
    size_t n = 0, i;

    if (extra_count > 30)
        return pt_error_set(err, PT_ERR_USAGE, path, PT_NO_OFFSET, "too many attributes");
    attrs[n].key = "original_path";
    attrs[n++].value = path;
    if (pt_platform_stat(path, &info, &ignored) == PT_OK && info.modified != 0) {
        attrs[n].key = "mtime";
        /* whole seconds, like the samples' default time (collect_inputs.c) */
        attrs[n++].value = pt_filetime_format(info.modified - info.modified % 10000000u, mtime);
    }
    for (i = 0; i < extra_count; i++)
        attrs[n++] = extra[i];
    /* (a sparse dump's holes are written as zero records, never read) */
    return pt_bundle_add_file(ctx->writer, name, kind, path, attrs, n, err);
}

static const char *default_host(char *buf, size_t cap)
{
    pt_error ignored;
    return pt_platform_hostname(buf, cap, &ignored) == PT_OK ? buf : NULL;
}

/* The bundle must not overwrite one of its own inputs. */
static pt_status check_output(const pt_collect_plan *plan, pt_error *err)
{
    size_t i;
    int same;
    pt_status st;
    for (i = 0; i < plan->input_count; i++) {
        /* (by file identity: Windows' stat has no inode numbers) */
        if ((st = pt_platform_same_file(plan->output, plan->inputs[i].path, &same, err)) != PT_OK)
            return st;
        if (same)
            return pt_error_set(err, PT_ERR_USAGE, plan->output, PT_NO_OFFSET,
                                "the bundle would overwrite its own input");
    }
    return PT_OK;
}

pt_status pt_collect_run(const pt_collect_plan *plan, pt_error *err)
{
    pt_collect_ctx ctx;
    pt_bundle_info info;
    char host[256];
    size_t i;
    pt_status st;

    if (plan->output == NULL)
        return pt_error_set(err, PT_ERR_USAGE, NULL, PT_NO_OFFSET,
                            "no bundle named: give -o BUNDLE");
    if (plan->input_count == 0)
        return pt_error_set(err, PT_ERR_USAGE, NULL, PT_NO_OFFSET, "no evidence files given");
    if ((st = check_output(plan, err)) != PT_OK)
        return st;
    /* Everything is recognized before the bundle exists. */
    for (i = 0; i < plan->input_count; i++)
        if ((st = plan->inputs[i].type->check(plan, &plan->inputs[i], err)) != PT_OK) {
            pt_error_prefix(err, "nothing collected");
            return st;
        }
    memset(&ctx, 0, sizeof ctx);
    memset(&info, 0, sizeof info);
    ctx.plan = plan;
    info.collector_version = PT_VERSION;
    info.host = plan->host != NULL ? plan->host : default_host(host, sizeof host);
    info.case_hint = plan->case_hint;
    if ((st = pt_bundle_writer_open(plan->output, &info, &ctx.writer, err)) != PT_OK)
        return st;
    for (i = 0; i < plan->input_count && st == PT_OK; i++)
        st = plan->inputs[i].type->add(&ctx, &plan->inputs[i], err);
    if (st == PT_OK) {
        st = pt_bundle_writer_close(ctx.writer, err);
    } else {
        pt_bundle_writer_abort(ctx.writer);
        pt_error_prefix(err, "nothing collected");
    }
    if (st != PT_OK)
        pt_platform_remove(plan->output);
    for (i = 0; i < ctx.name_count; i++)
        free(ctx.names[i]);
    free(ctx.names);
    return st;
}

int pt_collect_main(int argc, char **argv, const char *progname)
{
    pt_collect_plan plan;
    pt_error err;
    pt_status st;

    pt_error_clear(&err);
    pt_collect_plan_init(&plan);
    st = pt_collect_parse_args(&plan, argc, argv, &err);
    if (st == PT_OK && plan.show_help) {
        pt_collect_print_help(stdout, progname);
    } else if (st == PT_OK && plan.show_version) {
        printf("%s %s (bundle format %d)\n", progname, PT_VERSION, PT_BUNDLE_FORMAT_VERSION);
    } else if (st == PT_OK) {
        st = pt_collect_run(&plan, &err);
        if (st == PT_OK)
            fprintf(stderr, "%s: wrote %s (%lu input%s)\n", progname, plan.output,
                    (unsigned long)plan.input_count, plan.input_count == 1 ? "" : "s");
    }
    if (st != PT_OK) {
        fprintf(stderr, "%s: %s\n", progname,
                err.message[0] ? err.message : pt_status_message(st));
        if (st == PT_ERR_USAGE)
            fprintf(stderr, "usage: %s [options] FILE... -o BUNDLE (see --help)\n", progname);
    }
    pt_collect_plan_free(&plan);
    return (int)st;
}
