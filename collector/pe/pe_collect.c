/* pe_collect.c - walking driver directories and writing the
 * driver-metadata member. */
#include "pe_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "pe_metadata.h"
#include "pt_platform.h"
#include "pt_source.h"

/* ---- the walk ----------------------------------------------------------- */

static int driver_extension(const char *name)
{
    static const char *const exts[] = {".sys", ".dll", ".exe", ".drv", ".efi"};
    size_t n = strlen(name), i;
    for (i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (n > 4 && strcasecmp(name + n - 4, exts[i]) == 0)
            return 1;
    return 0;
}

static int starts_mz(const char *path)
{
    unsigned char m[2];
    pt_source *src = NULL;
    pt_error ignored;
    int yes;
    if (pt_source_open_file(path, &src, &ignored) != PT_OK)
        return 0;
    yes = src->size >= 2 && pt_source_read(src, 0, m, 2, &ignored) == PT_OK && m[0] == 'M' &&
          m[1] == 'Z';
    pt_source_close(src);
    return yes;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What path is, for the walk: a symbolic link to a file counts as that
 * file, a link to a directory as neither (not followed). */
static int walk_entry_info(const char *path, pt_file_info *info)
{
#ifdef _WIN32
    pt_error ignored;
    return pt_platform_stat(path, info, &ignored) == PT_OK;
#else
    struct stat sb;
    memset(info, 0, sizeof *info);
    if (lstat(path, &sb) != 0)
        return 0;
    if (S_ISLNK(sb.st_mode)) {
        info->is_regular = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    } else {
        info->is_regular = S_ISREG(sb.st_mode);
        info->is_directory = S_ISDIR(sb.st_mode);
    }
    return 1;
#endif
}

#ifdef _WIN32
#define PATH_SEPARATOR "\\"
#else
#define PATH_SEPARATOR "/"
#endif

static int ends_with_separator(const char *path)
{
    size_t n = strlen(path);
    return n > 0 && (path[n - 1] == '/' || path[n - 1] == '\\');
}

static pt_status walk(const char *path, int depth, pt_pe_file_fn fn, void *ctx, pt_error *err);

static pt_status walk_dir(const char *path, int depth, pt_pe_file_fn fn, void *ctx, pt_error *err)
{
    pt_dir *d = NULL;
    const char *name;
    int is_directory;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    pt_status st = PT_OK;

    if (depth > PT_PE_MAX_DEPTH)
        return PT_OK;
    if ((st = pt_dir_open(path, &d, err)) != PT_OK)
        return st;
    for (;;) {
        if ((st = pt_dir_next(d, &name, &is_directory, err)) != PT_OK)
            goto out;
        if (name == NULL)
            break;
        if (n == cap) {
            char **nn;
            cap = cap ? cap * 2 : 64;
            nn = realloc(names, cap * sizeof *nn);
            if (nn == NULL) {
                st = pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
                goto out;
            }
            names = nn;
        }
        names[n] = strdup(name);
        if (names[n] == NULL) {
            st = pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
            goto out;
        }
        n++;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, name_cmp);
    for (i = 0; i < n && st == PT_OK; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(len);
        if (child == NULL) {
            st = pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
            break;
        }
        snprintf(child, len, "%s%s%s", path, ends_with_separator(path) ? "" : PATH_SEPARATOR,
                 names[i]);
        st = walk(child, depth + 1, fn, ctx, err);
        free(child);
    }
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    pt_dir_close(d);
    return st;
}

static pt_status walk(const char *path, int depth, pt_pe_file_fn fn, void *ctx, pt_error *err)
{
    pt_file_info info;
    const char *base = strrchr(path, '/'), *back = strrchr(path, '\\');

    if (back != NULL && (base == NULL || back > base))
        base = back;
    base = base != NULL ? base + 1 : path;
    if (!walk_entry_info(path, &info))
        return depth == 0 ? pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot stat")
                          : PT_OK;
    if (info.is_directory)
        return walk_dir(path, depth, fn, ctx, err);
    if (!info.is_regular)
        return PT_OK;
    if (depth == 0 || driver_extension(base) || starts_mz(path))
        return fn(ctx, path);
    return PT_OK;
}

pt_status pt_pe_walk(const char *path, pt_pe_file_fn fn, void *ctx, pt_error *err)
{
    return walk(path, 0, fn, ctx, err);
}

/* ---- collection --------------------------------------------------------- */

/* Distinct call-site tags over all files (bounded). */
#define MAX_UNION_TAGS 4096

typedef struct collect_state {
    pt_tag *tags;
    size_t tag_count;
    pt_pe_buf buf;
    pt_pe_collect_stats *stats;
    pt_bundle_writer *w;
    int with_binaries;
    pt_error *err;
} collect_state;

static pt_status gather_tags(void *ctx, const char *path)
{
    collect_state *c = ctx;
    pt_pe_options opt;
    struct pt_driver_record *rec = NULL;
    pt_arena arena;
    pt_error ignored;
    size_t i, j;

    memset(&opt, 0, sizeof opt);
    opt.no_hash = 1;
    pt_arena_init(&arena);
    if (pt_pe_analyze_file(path, &opt, &arena, &rec, &ignored) == PT_ERR_NOMEM) {
        pt_arena_free(&arena);
        return pt_error_set(c->err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
    }
    for (i = 0; rec != NULL && i < rec->tag_count; i++) {
        if (rec->tags[i].evidence != PT_DRIVER_EV_CALLSITE)
            continue;
        for (j = 0; j < c->tag_count && c->tags[j] != rec->tags[i].tag; j++)
            ;
        if (j == c->tag_count && c->tag_count < MAX_UNION_TAGS)
            c->tags[c->tag_count++] = rec->tags[i].tag;
    }
    pt_arena_free(&arena);
    return PT_OK;
}

static pt_status add_binary(collect_state *c, const struct pt_driver_record *rec)
{
    pt_bundle_attr attrs[2];
    char name[600];
    pt_source *src = NULL;
    size_t i, o = 0;
    pt_status st;

    /* Member names stay relative and plain: the base name with anything
     * but [A-Za-z0-9._-] replaced, under a per-file number. */
    o = (size_t)snprintf(name, sizeof name, "drivers/bin/%zu/", c->stats->binaries);
    for (i = 0; rec->name[i] != '\0' && o + 1 < sizeof name && i < 255; i++) {
        char ch = rec->name[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '.' || ch == '_' || ch == '-';
        name[o++] = ok && !(i == 0 && ch == '.') ? ch : '_';
    }
    name[o] = '\0';
    attrs[0].key = "original_path";
    attrs[0].value = rec->path;
    attrs[1].key = "sha256";
    attrs[1].value = rec->sha256;
    st = pt_source_open_file(rec->path, &src, c->err);
    if (st != PT_OK)
        return st;
    st = pt_bundle_add_source(c->w, name, PT_DRIVER_BINARY_KIND, src, attrs, 2, c->err);
    pt_source_close(src);
    if (st == PT_OK)
        c->stats->binaries++;
    return st;
}

static pt_status record_file(void *ctx, const char *path)
{
    collect_state *c = ctx;
    pt_pe_options opt;
    struct pt_driver_record *rec = NULL;
    pt_arena arena;
    pt_error file_err;
    pt_status st = PT_OK;
    size_t i;

    memset(&opt, 0, sizeof opt);
    opt.literal_tags = c->tags;
    opt.literal_tag_count = c->tag_count;
    pt_arena_init(&arena);
    pt_error_clear(&file_err);
    if (pt_pe_analyze_file(path, &opt, &arena, &rec, &file_err) == PT_ERR_NOMEM || rec == NULL) {
        st = pt_error_set(c->err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    pt_driver_metadata_append(&c->buf, rec);
    if (c->buf.failed) {
        st = pt_error_set(c->err, PT_ERR_LIMIT, path, PT_NO_OFFSET,
                          "driver metadata is over %u bytes (or out of memory)",
                          PT_DRIVERS_MAX_MEMBER);
        goto out;
    }
    c->stats->files++;
    if (rec->error != NULL)
        c->stats->unreadable++;
    for (i = 0; i < rec->tag_count; i++)
        if (rec->tags[i].evidence == PT_DRIVER_EV_CALLSITE)
            c->stats->callsite_tags++;
    if (c->with_binaries && c->w != NULL && rec->sha256[0] != '\0')
        st = add_binary(c, rec);
out:
    pt_arena_free(&arena);
    return st;
}

static pt_status scan_dirs(collect_state *c, const char *const *dirs, size_t dir_count)
{
    size_t i;
    pt_status st = PT_OK;

    c->tags = malloc(MAX_UNION_TAGS * sizeof *c->tags);
    if (c->tags == NULL)
        return pt_error_set(c->err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    /* Pass 1: the call-site tags of every file; pass 2: the records, with
     * literal counts of all those tags. */
    for (i = 0; i < dir_count && st == PT_OK; i++)
        st = pt_pe_walk(dirs[i], gather_tags, c, c->err);
    if (st == PT_OK)
        pt_driver_metadata_header(&c->buf);
    for (i = 0; i < dir_count && st == PT_OK; i++)
        st = pt_pe_walk(dirs[i], record_file, c, c->err);
    if (st == PT_OK && c->buf.failed)
        st = pt_error_set(c->err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    return st;
}

pt_status pt_pe_metadata_for_dirs(const char *const *dirs, size_t dir_count, char **out,
                                  size_t *out_len, pt_pe_collect_stats *stats, pt_error *err)
{
    pt_pe_collect_stats local;
    collect_state c;
    pt_status st;

    memset(&c, 0, sizeof c);
    memset(&local, 0, sizeof local);
    c.stats = stats != NULL ? stats : &local;
    memset(c.stats, 0, sizeof *c.stats);
    c.err = err;
    st = scan_dirs(&c, dirs, dir_count);
    free(c.tags);
    if (st != PT_OK) {
        pt_pe_buf_free(&c.buf);
        return st;
    }
    *out = c.buf.data;
    *out_len = c.buf.len;
    return PT_OK;
}

pt_status pt_pe_collect_dir(pt_bundle_writer *w, const char *const *dirs, size_t dir_count,
                            int with_binaries, pt_pe_collect_stats *stats, pt_error *err)
{
    pt_pe_collect_stats local;
    collect_state c;
    pt_status st;

    memset(&c, 0, sizeof c);
    memset(&local, 0, sizeof local);
    c.stats = stats != NULL ? stats : &local;
    memset(c.stats, 0, sizeof *c.stats);
    c.err = err;
    c.w = w;
    c.with_binaries = with_binaries;
    st = scan_dirs(&c, dirs, dir_count);
    free(c.tags);
    if (st == PT_OK)
        st = pt_bundle_add_buffer(w, PT_DRIVERS_MEMBER, PT_DRIVERS_KIND, c.buf.data, c.buf.len,
                                  NULL, 0, err);
    pt_pe_buf_free(&c.buf);
    return st;
}
