/* bench_pe.c - driver files: metadata (with SHA-256 and the checksum) and
 * call-site tag evidence for every PE file under DIR, as
 * `pooltriage tags --drivers DIR` and `pooltriage-collect --drivers DIR`
 * do it.  Prints files, bytes, call-site rows and seconds.
 *
 *   bench_pe [--no-hash] [--metadata-only] [--decode-all] DIR
 *
 * --decode-all decodes every file's code even when it imports no pool API
 * (Wine's modules do not): the cost for a tree of real drivers, which all do.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pe_collect.h"
#include "pe_driver.h"

typedef struct bench {
    pt_pe_options opt;
    size_t files, errors, callsites;
    unsigned long long bytes;
} bench;

static pt_status one_file(void *ctx, const char *path)
{
    bench *b = ctx;
    struct pt_driver_record *rec = NULL;
    pt_arena arena;
    pt_error err;
    size_t i;

    pt_arena_init(&arena);
    if (pt_pe_analyze_file(path, &b->opt, &arena, &rec, &err) == PT_ERR_NOMEM) {
        pt_arena_free(&arena);
        return PT_ERR_NOMEM;
    }
    if (rec != NULL) {
        b->files++;
        b->bytes += rec->size;
        if (rec->error != NULL)
            b->errors++;
        for (i = 0; i < rec->tag_count; i++)
            if (rec->tags[i].evidence == PT_DRIVER_EV_CALLSITE)
                b->callsites++;
    }
    pt_arena_free(&arena);
    return PT_OK;
}

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    pt_error err;
    bench b;
    int a;

    memset(&b, 0, sizeof b);
    for (a = 1; a < argc - 1; a++) {
        if (strcmp(argv[a], "--no-hash") == 0)
            b.opt.no_hash = 1;
        else if (strcmp(argv[a], "--metadata-only") == 0)
            b.opt.no_callsites = 1;
        else if (strcmp(argv[a], "--decode-all") == 0)
            b.opt.force_decode = 1;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: bench_pe [--no-hash] [--metadata-only] [--decode-all] DIR\n");
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (pt_pe_walk(argv[argc - 1], one_file, &b, &err) != PT_OK) {
        fprintf(stderr, "bench_pe: %s\n", err.message);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("files %zu bytes %llu unreadable %zu callsites %zu seconds %.4f\n", b.files, b.bytes,
           b.errors, b.callsites,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
