/* gen_series_bundle.c - writes the poolmon series of poolmon_series.h (the
 * model the analysis tests use) as files or straight into a bundle.
 *
 *   gen_series_bundle [--samples N] [--tags M] (--dir DIR | --bundle FILE)
 *
 * Each sample is a `poolmon /b` style snapshot (Memory/Commit header with
 * Pool N/P, the System pool information table).  --dir writes one file per
 * sample (poolmon-00001.txt ...); --bundle writes a bundle whose members
 * carry each sample's time as the "time_given" attribute (as
 * `pooltriage-collect --time` records it).  The truth (poolmon_series.h): "Leak"
 * grows 64 KiB per sample, "Big " is the largest tag and flat, the others
 * wander with no trend.  Prints the truth on stdout.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "poolmon_series.h"

typedef struct text_buf {
    char *data;
    size_t len, cap;
} text_buf;

static int buf_printf(text_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int buf_printf(text_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return 0;
        }
        b->cap = b->cap * 2 + (size_t)n + 1;
        b->data = realloc(b->data, b->cap);
        if (b->data == NULL)
            return -1;
    }
}

/* One snapshot as poolmon prints it with /b (sorted by bytes is not
 * needed for readers; rows are in tag order). */
static int write_snapshot(text_buf *b, unsigned sample, unsigned tags)
{
    uint64_t pool_n = 0, pool_p = 0;
    series_row r;
    unsigned i;

    for (i = 0; i < tags; i++) {
        series_row_at(i, sample, &r);
        if (r.paged)
            pool_p += r.bytes;
        else
            pool_n += r.bytes;
    }
    b->len = 0;
    if (buf_printf(b,
                   " Memory: 8388148K Avail: 4194304K  PageFlts:  1234   InRam Krnl: 5004K "
                   "P:158756K\n"
                   " Commit:1535208K Limit:16777216K Peak:2779016K            Pool N:%lluK "
                   "P:%lluK\n"
                   " System pool information\n"
                   " Tag  Type     Allocs            Frees            Diff   Bytes      "
                   "Per Alloc\n\n",
                   (unsigned long long)(pool_n / 1024), (unsigned long long)(pool_p / 1024)) != 0)
        return -1;
    for (i = 0; i < tags; i++) {
        uint64_t diff;
        series_row_at(i, sample, &r);
        diff = r.allocs - r.frees;
        if (buf_printf(b, " %s %-5s %10llu (   0) %10llu (   0) %8llu %10llu (     0) %8llu\n",
                       r.tag, r.paged ? "Paged" : "Nonp", (unsigned long long)r.allocs,
                       (unsigned long long)r.frees, (unsigned long long)diff,
                       (unsigned long long)r.bytes,
                       (unsigned long long)(diff != 0 ? r.bytes / diff : 0)) != 0)
            return -1;
    }
    return 0;
}

static int write_file(const char *path, const text_buf *b)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(b->data, 1, b->len, f) != b->len) {
        if (f != NULL)
            fclose(f);
        return -1;
    }
    return fclose(f);
}

static int add_member(pt_bundle_writer *w, unsigned s, const text_buf *b)
{
    char name[64], when[32];
    pt_bundle_attr attr;
    pt_error err;

    snprintf(name, sizeof name, "poolmon/poolmon-%05u.txt", s + 1);
    pt_filetime_format(pt_filetime_from_unix(series_time_unix(s), 0), when);
    attr.key = "time_given";
    attr.value = when;
    if (pt_bundle_add_buffer(w, name, "poolmon", b->data, b->len, &attr, 1, &err) != PT_OK) {
        fprintf(stderr, "gen_series_bundle: %s\n", err.message);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned samples = 100, tags = 3000, s;
    const char *dir = NULL, *bundle = NULL;
    pt_bundle_writer *w = NULL;
    pt_bundle_info info;
    text_buf b = {NULL, 0, 0};
    pt_error err;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc)
            samples = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--tags") == 0 && i + 1 < argc)
            tags = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--bundle") == 0 && i + 1 < argc)
            bundle = argv[++i];
        else
            dir = NULL, bundle = NULL, i = argc;
    }
    if ((dir == NULL) == (bundle == NULL) || samples == 0 || tags < 2 || tags > 200000) {
        fprintf(stderr, "usage: gen_series_bundle [--samples N] [--tags M] "
                        "(--dir DIR | --bundle FILE)\n");
        return 1;
    }
    if (dir != NULL && mkdir(dir, 0777) != 0 && errno != EEXIST) {
        perror(dir);
        return 2;
    }
    if (bundle != NULL) {
        memset(&info, 0, sizeof info);
        info.collector_version = "gen_series_bundle";
        info.host = "GENERATED";
        info.created = pt_filetime_from_unix(series_time_unix(samples), 0);
        info.case_hint = NULL;
        if (pt_bundle_writer_open(bundle, &info, &w, &err) != PT_OK) {
            fprintf(stderr, "gen_series_bundle: %s\n", err.message);
            return 2;
        }
    }
    for (s = 0; s < samples; s++) {
        if (write_snapshot(&b, s, tags) != 0)
            goto fail;
        if (dir != NULL) {
            char path[4096];
            snprintf(path, sizeof path, "%s/poolmon-%05u.txt", dir, s + 1);
            if (write_file(path, &b) != 0)
                goto fail;
        } else if (add_member(w, s, &b) != 0) {
            goto fail;
        }
    }
    if (w != NULL && pt_bundle_writer_close(w, &err) != PT_OK) {
        fprintf(stderr, "gen_series_bundle: %s\n", err.message);
        free(b.data);
        return 2;
    }
    printf("samples %u tags %u rows %llu\nleaking %s nonpaged +%u bytes per sample "
           "(%u s apart)\nlarge-flat %s nonpaged %llu bytes\n",
           samples, tags, (unsigned long long)samples * tags, SERIES_LEAK_TAG, SERIES_LEAK_STEP,
           SERIES_INTERVAL_SECONDS, SERIES_BIG_TAG, (unsigned long long)SERIES_BIG_BYTES);
    free(b.data);
    return 0;
fail:
    fprintf(stderr, "gen_series_bundle: cannot write the series\n");
    if (w != NULL)
        pt_bundle_writer_abort(w);
    free(b.data);
    return 2;
}
