/* bench_etl.c - ETL reader throughput: reads a trace through the ETL
 * reader (container, decompression, merge, pool analysis, samples) into a
 * sink that only counts, and prints events per second, MB/s and the peak
 * resident memory.  Used by bench/run-etl.sh. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "etl_analysis.h"
#include "etl_file.h"
#include "etl_reader.h"
#include "pt_source.h"

typedef struct counts {
    uint64_t samples, rows, allocations, stacks, modules;
} counts;

static pt_status on_begin(void *ctx, const pt_sample_info *i) { (void)i; ((counts *)ctx)->samples++; return PT_OK; }
static pt_status on_row(void *ctx, const pt_tag_row *r) { (void)r; ((counts *)ctx)->rows++; return PT_OK; }
static pt_status on_alloc(void *ctx, const pt_allocation *a) { (void)a; ((counts *)ctx)->allocations++; return PT_OK; }
static pt_status on_stack(void *ctx, const pt_stack *s) { (void)s; ((counts *)ctx)->stacks++; return PT_OK; }
static pt_status on_module(void *ctx, const pt_module *m) { (void)m; ((counts *)ctx)->modules++; return PT_OK; }

typedef struct feed_ctx {
    etl_analysis *a;
    pt_error *err;
} feed_ctx;

static pt_status feed(void *ctx, const etl_event *ev)
{
    feed_ctx *fc = ctx;
    return etl_analysis_event(fc->a, ev, fc->err);
}

static double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void) { return clock_seconds(CLOCK_MONOTONIC); }
static double cpu_now(void) { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }

int main(int argc, char **argv)
{
    pt_source *src;
    pt_error err;
    etl_file *f;
    etl_analysis *a;
    feed_ctx fc;
    pt_sink sink;
    counts c;
    struct rusage ru;
    double t0, t1, c0, c1;
    const etl_stats *s;
    const etl_pool_totals *tot;
    uint64_t pool;

    if (argc != 2) {
        fprintf(stderr, "usage: bench_etl TRACE.etl\n");
        return 1;
    }
    memset(&c, 0, sizeof c);
    memset(&sink, 0, sizeof sink);
    sink.ctx = &c;
    sink.begin_sample = on_begin;
    sink.tag_row = on_row;
    sink.allocation = on_alloc;
    sink.stack = on_stack;
    sink.module = on_module;
    t0 = now();
    c0 = cpu_now();
    if (pt_source_open_file(argv[1], &src, &err) != PT_OK || etl_file_open(src, &f, &err) != PT_OK ||
        etl_analysis_create(f, -1, &a, &err) != PT_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    fc.a = a;
    fc.err = &err;
    if (getenv("ETL_NO_LOOKAHEAD") == NULL)
        etl_file_set_lookahead(f, etl_analysis_lookahead, a);
    if (etl_file_walk(f, 1, feed, &fc, &err) != PT_OK ||
        etl_analysis_emit(a, &sink, argv[1], "etl", &err) != PT_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    t1 = now();
    c1 = cpu_now();
    s = etl_analysis_stats(a);
    tot = etl_analysis_totals(a);
    pool = s->pool_alloc + s->pool_free + s->pool_alloc_session + s->pool_free_session;
    getrusage(RUSAGE_SELF, &ru);
    printf("file_bytes %" PRIu64 "\n", src->size);
    printf("seconds %.3f\n", t1 - t0);
    printf("cpu_seconds %.3f\n", c1 - c0);
    printf("events %" PRIu64 "\n", s->events);
    printf("pool_events %" PRIu64 "\n", pool);
    printf("events_per_sec %.0f\n", (double)s->events / (t1 - t0));
    printf("pool_events_per_sec %.0f\n", (double)pool / (t1 - t0));
    printf("pool_events_per_cpu_sec %.0f\n", (double)pool / (c1 - c0));
    printf("mb_per_sec %.1f\n", (double)src->size / 1e6 / (t1 - t0));
    printf("samples %" PRIu64 " rows %" PRIu64 " outstanding %" PRIu64 " stacks %" PRIu64
           " modules %" PRIu64 "\n", c.samples, c.rows, c.allocations, c.stacks, c.modules);
    printf("peak_outstanding %" PRIu64 " stacks_joined %" PRIu64 "\n", tot->peak_outstanding,
           tot->stacks_joined);
    printf("max_rss_kb %ld\n", ru.ru_maxrss);
    etl_analysis_free(a);
    etl_file_close(f);
    pt_source_close(src);
    return 0;
}
