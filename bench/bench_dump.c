/* bench_dump.c - how long the dump reader takes over one dump, against
 * reading just the bytes it needs with plain pread, in the same run.
 *
 *   bench_dump DUMP [REPEAT]
 *
 * Prints the reader's best time (read of one sample: modules, tag rows,
 * counters, big allocations), the bytes it read, the best pread time over
 * the same byte ranges, and the ratio; then the same import from a bundle
 * holding the dump reduced (--dump-reduce) to those ranges. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "dump_reader.h"
#include "dump_reduce.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct counts {
    uint64_t rows, modules, allocs, counters;
} counts;

static pt_status count_row(void *c, const pt_tag_row *r) { (void)r; ((counts *)c)->rows++; return PT_OK; }
static pt_status count_mod(void *c, const pt_module *m) { (void)m; ((counts *)c)->modules++; return PT_OK; }
static pt_status count_alloc(void *c, const pt_allocation *a) { (void)a; ((counts *)c)->allocs++; return PT_OK; }
static pt_status count_ctr(void *c, const pt_counter *k) { (void)k; ((counts *)c)->counters++; return PT_OK; }

/* Reads the dump at path, or member 0 of the bundle at path. */
static int read_once(const char *path, int bundle, counts *c, double *secs)
{
    pt_source *src = NULL;
    pt_bundle *b = NULL;
    pt_read_options opt;
    pt_sink sink;
    pt_error err;
    double t0 = now();
    pt_status st;
    memset(&opt, 0, sizeof opt);
    memset(&sink, 0, sizeof sink);
    memset(c, 0, sizeof *c);
    sink.ctx = c;
    sink.tag_row = count_row;
    sink.module = count_mod;
    sink.allocation = count_alloc;
    sink.counter = count_ctr;
    if (bundle) {
        st = pt_bundle_open(path, PT_BUNDLE_STRICT, &b, &err);
        if (st == PT_OK)
            st = pt_bundle_open_member(b, 0, &src, &err);
    } else {
        st = pt_source_open_file(path, &src, &err);
    }
    if (st == PT_OK)
        st = pt_reader_dump.read(src, &opt, &sink, &err);
    pt_source_close(src);
    pt_bundle_close(b);
    *secs = now() - t0;
    if (st != PT_OK) {
        fprintf(stderr, "bench_dump: %s\n", err.message);
        return -1;
    }
    return 0;
}

static double pread_ranges(const char *path, const dump_range_set *set)
{
    double t0 = now();
    int fd = open(path, O_RDONLY);
    uint8_t *buf = malloc(1 << 20);
    size_t i;
    if (fd < 0 || buf == NULL) {
        free(buf);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    for (i = 0; i < set->count; i++) {
        uint64_t off = set->ranges[i].offset, left = set->ranges[i].length;
        while (left > 0) {
            size_t n = left < (1u << 20) ? (size_t)left : (1u << 20);
            if (pread(fd, buf, n, (off_t)off) != (ssize_t)n)
                break;
            off += n;
            left -= n;
        }
    }
    close(fd);
    free(buf);
    return now() - t0;
}

static int reduce_and_time(const char *path, pt_source *src, int repeat)
{
    char bpath[4096];
    pt_bundle_writer *w = NULL;
    pt_bundle_info info;
    pt_error err;
    double t0, t_reduce, best = 1e9, t;
    counts c;
    int i;
    FILE *f;
    long bsize = 0;

    snprintf(bpath, sizeof bpath, "%.4000s.reduced.ptb", path);
    memset(&info, 0, sizeof info);
    info.collector_version = "bench";
    t0 = now();
    if (pt_bundle_writer_open(bpath, &info, &w, &err) != PT_OK ||
        dump_reduce_to_bundle(w, "MEMORY.DMP", src, NULL, 0, NULL, &err) != PT_OK ||
        pt_bundle_writer_close(w, &err) != PT_OK) {
        fprintf(stderr, "bench_dump: %s\n", err.message);
        return -1;
    }
    t_reduce = now() - t0;
    for (i = 0; i < repeat; i++) {
        if (read_once(bpath, 1, &c, &t) != 0)
            return -1;
        if (t < best)
            best = t;
    }
    f = fopen(bpath, "rb");
    if (f != NULL && fseek(f, 0, SEEK_END) == 0)
        bsize = ftell(f);
    if (f != NULL)
        fclose(f);
    printf("  reduced: bundle %.1f KiB written in %.2f ms; import from it %.2f ms (%" PRIu64
           " tag rows, %" PRIu64 " big allocations)\n",
           (double)bsize / 1024, t_reduce * 1e3, best * 1e3, c.rows, c.allocs);
    unlink(bpath);
    return 0;
}

int main(int argc, char **argv)
{
    int repeat = argc > 2 ? atoi(argv[2]) : 5, i;
    double best = 1e9, best_pread = 1e9, t;
    dump_range_set set;
    pt_source *src = NULL;
    pt_error err;
    counts c;

    if (argc < 2) {
        fprintf(stderr, "usage: bench_dump DUMP [REPEAT]\n");
        return 1;
    }
    if (pt_source_open_file(argv[1], &src, &err) != PT_OK ||
        dump_reduce_ranges(src, NULL, &set, &err) != PT_OK) {
        fprintf(stderr, "bench_dump: %s\n", err.message);
        pt_source_close(src);
        return 1;
    }
    for (i = 0; i < repeat; i++) {
        if (read_once(argv[1], 0, &c, &t) != 0)
            return 1;
        if (t < best)
            best = t;
        t = pread_ranges(argv[1], &set);
        if (t >= 0 && t < best_pread)
            best_pread = t;
    }
    printf("%s: %.2f GiB, reader %.2f ms (%" PRIu64 " tag rows, %" PRIu64 " modules, %" PRIu64
           " big allocations, %" PRIu64 " counters)\n",
           argv[1], (double)src->size / (1u << 30), best * 1e3, c.rows, c.modules, c.allocs,
           c.counters);
    printf("  needed: %zu ranges, %.2f MiB; pread of those: %.2f ms; ratio reader/pread %.2f\n",
           set.count, (double)set.bytes / (1u << 20), best_pread * 1e3,
           best_pread > 0 ? best / best_pread : 0.0);
    if (reduce_and_time(argv[1], src, repeat) != 0)
        return 1;
    dump_range_set_free(&set);
    pt_source_close(src);
    return 0;
}
