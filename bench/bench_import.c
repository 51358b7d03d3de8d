/* bench_import.c - import speed of the archive (issue 2's benchmark: 1,000
 * poolmon snapshots x 3,000 tags), without the test suite.
 *
 *   bench_import [--snapshots N] [--tags M] [--dir DIR]
 *
 * Measures, on one core:
 *   load     the archive alone: records fed straight into the import sink
 *            (prepared statements, interned tags, one transaction)
 *   import   a bundle of the same series, end to end: open, verify every
 *            member, poolmon reader, load, suspects, commit
 *   analyze  growth/persistence/verdicts over the whole case
 *   report   pt_case_build_report of the case
 * and prints CPU seconds (one core) and rows per second for each, with the
 * wall-clock seconds of the whole run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tests/gen/archive_fixture.h"
#include "analysis.h"
#include "bundle.h"
#include "case_report.h"

/* CPU time of this process: the figure for "on one core", and steady when
 * the machine is busy with other work (wall time is printed beside it). */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One snapshot as `poolmon /b` text, as tests/gen/gen_series_bundle.c writes it. */
static size_t snapshot_text(char *buf, size_t cap, unsigned s, unsigned tags)
{
    size_t n = 0;
    unsigned i;
    n += (size_t)snprintf(buf + n, cap - n,
                          " Memory: 8388148K Avail: 4194304K  PageFlts:  1234   InRam Krnl: "
                          "5004K P:158756K\n Commit:1535208K Limit:16777216K Peak:2779016K  "
                          "          Pool N:1000K P:2000K\n System pool information\n"
                          " Tag  Type     Allocs            Frees            Diff   Bytes      "
                          "Per Alloc\n\n");
    for (i = 0; i < tags && n < cap; i++) {
        series_row r;
        uint64_t diff;
        series_row_at(i, s, &r);
        diff = r.allocs - r.frees;
        n += (size_t)snprintf(buf + n, cap - n,
                              " %s %-5s %10llu (   0) %10llu (   0) %8llu %10llu (     0) %8llu\n",
                              r.tag, r.paged ? "Paged" : "Nonp", (unsigned long long)r.allocs,
                              (unsigned long long)r.frees, (unsigned long long)diff,
                              (unsigned long long)r.bytes,
                              (unsigned long long)(diff != 0 ? r.bytes / diff : 0));
    }
    return n < cap ? n : cap;
}

static int write_series_bundle(const char *path, unsigned snapshots, unsigned tags)
{
    size_t cap = (size_t)tags * 100 + 4096;
    char *buf = malloc(cap);
    pt_bundle_info info;
    pt_bundle_writer *w = NULL;
    pt_error err;
    unsigned s;

    memset(&info, 0, sizeof info);
    info.collector_version = "bench_import";
    info.host = "BENCH";
    if (buf == NULL || pt_bundle_writer_open(path, &info, &w, &err) != PT_OK)
        goto fail;
    for (s = 0; s < snapshots; s++) {
        char name[64], when[32];
        pt_bundle_attr attr = {"time_given", when};
        size_t len = snapshot_text(buf, cap, s, tags);
        snprintf(name, sizeof name, "poolmon/poolmon-%05u.txt", s + 1);
        pt_filetime_format(pt_filetime_from_unix(series_time_unix(s), 0), when);
        if (pt_bundle_add_buffer(w, name, "poolmon", buf, len, &attr, 1, &err) != PT_OK)
            goto fail;
    }
    free(buf);
    return pt_bundle_writer_close(w, &err) == PT_OK ? 0 : -1;
fail:
    fprintf(stderr, "bench_import: cannot write the bundle: %s\n", err.message);
    if (w != NULL)
        pt_bundle_writer_abort(w);
    free(buf);
    return -1;
}

int main(int argc, char **argv)
{
    unsigned snapshots = 1000, tags = 3000;
    const char *dir = "/tmp";
    char db[4096], db2[4096], bundle[4096];
    pt_archive *a = NULL;
    pt_import_options opt;
    pt_import_result res;
    pt_case_analysis an;
    pt_report report;
    pt_error err;
    double wall0, t0, load_s, import_s, analyze_s, report_s, rows;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--snapshots") == 0 && i + 1 < argc)
            snapshots = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--tags") == 0 && i + 1 < argc)
            tags = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_import [--snapshots N] [--tags M] [--dir DIR]\n");
            return 1;
        }
    }
    if (snapshots == 0 || tags < 2 || tags > 200000)
        return 1;
    rows = (double)snapshots * tags;
    wall0 = wall_seconds();
    snprintf(db, sizeof db, "%s/bench-load-%ld.db", dir, (long)getpid());
    snprintf(db2, sizeof db2, "%s/bench-import-%ld.db", dir, (long)getpid());
    snprintf(bundle, sizeof bundle, "%s/bench-series-%ld.ptb", dir, (long)getpid());

    /* The archive alone. */
    if (pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err) != PT_OK)
        goto fail;
    t0 = now_seconds();
    if (fixture_load_series(a, "bench", snapshots, tags, pt_analysis_store_suspects, &err) != PT_OK)
        goto fail;
    load_s = now_seconds() - t0;
    t0 = now_seconds();
    if (pt_case_analyze(a, 1, &an, &err) != PT_OK)
        goto fail;
    analyze_s = now_seconds() - t0;
    printf("bench_import: %u snapshots x %u tags = %.0f tag rows\n", snapshots, tags, rows);
    printf("  load (sink -> archive, suspects) %8.3f s  %10.0f rows/s\n", load_s, rows / load_s);
    printf("  analyze                          %8.3f s  %10.0f rows/s  (top: '%s' %s)\n",
           analyze_s, rows / analyze_s, an.trend_count ? an.trends[0].tag_text : "-",
           an.trend_count ? an.trends[0].verdict : "-");
    pt_case_analysis_free(&an);
    pt_report_init(&report);
    t0 = now_seconds();
    if (pt_case_build_report(a, "bench", &report, &err) != PT_OK)
        goto fail;
    report_s = now_seconds() - t0;
    printf("  report model                     %8.3f s\n", report_s);
    pt_report_free(&report);
    pt_archive_close(a);
    a = NULL;

    /* End to end from a bundle. */
    if (write_series_bundle(bundle, snapshots, tags) != 0)
        return 2;
    if (pt_archive_open(db2, PT_ARCHIVE_CREATE, &a, &err) != PT_OK)
        goto fail;
    memset(&opt, 0, sizeof opt);
    opt.after_load = pt_analysis_store_suspects;
    t0 = now_seconds();
    if (pt_archive_import_bundle(a, bundle, &opt, &res, &err) != PT_OK)
        goto fail;
    import_s = now_seconds() - t0;
    printf("  import (bundle -> archive)       %8.3f s  %10.0f rows/s  (%llu rows read)\n",
           import_s, rows / import_s, (unsigned long long)res.counts.tag_rows);
    pt_archive_close(a);
    printf("  (CPU seconds of this process; wall clock for the whole run %.3f s)\n",
           wall_seconds() - wall0);
    unlink(db);
    unlink(db2);
    unlink(bundle);
    return 0;
fail:
    fprintf(stderr, "bench_import: %s\n", err.message);
    pt_archive_close(a);
    unlink(db);
    unlink(db2);
    unlink(bundle);
    return 2;
}
