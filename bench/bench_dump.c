/* bench_dump.c - how long the dump reader takes over one dump, against
 * reading just the bytes it needs with plain pread, in the same run.
 *
 *   bench_dump DUMP [REPEAT]
 *
 * Prints the reader's best time (read of one sample: modules, tag rows,
 * counters, big allocations), the bytes it read, the best pread time over
 * the same byte ranges, and the ratio. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static int read_once(const char *path, counts *c, double *secs)
{
    pt_source *src = NULL;
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
    st = pt_source_open_file(path, &src, &err);
    if (st == PT_OK)
        st = pt_reader_dump.read(src, &opt, &sink, &err);
    pt_source_close(src);
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
        if (read_once(argv[1], &c, &t) != 0)
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
    dump_range_set_free(&set);
    pt_source_close(src);
    return 0;
}
