/* etlgen_main.c - command line for the pool-trace generator (benchmarks,
 * hand checks): etlgen OUT.etl [options]; prints the ground truth. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etlgen.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: etlgen OUT.etl [--x86] [--cpus N] [--compress] [--steps N]\n"
            "       [--walks|--keys|--nostacks] [--system|--compact] [--server2003]\n"
            "       [--leak-every N] [--leak-size N] [--window N] [--buffer-size N]\n");
}

int main(int argc, char **argv)
{
    etlgen_config c;
    etlgen_truth t;
    FILE *f;
    int i;
    if (argc < 2) {
        usage();
        return 1;
    }
    etlgen_defaults(&c);
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : "0";
        if (strcmp(a, "--x86") == 0) c.ptr64 = 0;
        else if (strcmp(a, "--compress") == 0) c.compress = 1;
        else if (strcmp(a, "--walks") == 0) c.stack_mode = 1;
        else if (strcmp(a, "--keys") == 0) c.stack_mode = 2;
        else if (strcmp(a, "--nostacks") == 0) c.stack_mode = 0;
        else if (strcmp(a, "--system") == 0) c.perfinfo = 0;
        else if (strcmp(a, "--compact") == 0) c.perfinfo = 2;
        else if (strcmp(a, "--server2003") == 0) c.server2003 = 1;
        else if (strcmp(a, "--cpus") == 0) { c.cpus = (unsigned)strtoul(v, NULL, 0); i++; }
        else if (strcmp(a, "--steps") == 0) { c.steps = strtoull(v, NULL, 0); i++; }
        else if (strcmp(a, "--leak-every") == 0) { c.leak_every = (unsigned)strtoul(v, NULL, 0); i++; }
        else if (strcmp(a, "--leak-size") == 0) { c.leak_size = (uint32_t)strtoul(v, NULL, 0); i++; }
        else if (strcmp(a, "--window") == 0) { c.window = (unsigned)strtoul(v, NULL, 0); i++; }
        else if (strcmp(a, "--buffer-size") == 0) { c.buffer_size = (uint32_t)strtoul(v, NULL, 0); i++; }
        else { usage(); return 1; }
    }
    f = fopen(argv[1], "wb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    if (etlgen_write(&c, f, &t) != 0 || fclose(f) != 0) {
        fprintf(stderr, "etlgen: writing %s failed\n", argv[1]);
        return 1;
    }
    printf("events %" PRIu64 "\nbuffers %" PRIu64 "\ncompressed %" PRIu64
           "\npool_allocs %" PRIu64 "\npool_frees %" PRIu64 "\nsession_allocs %" PRIu64
           "\nsession_frees %" PRIu64 "\nstack_walks %" PRIu64 "\nkey_refs %" PRIu64
           "\nleak_allocs %" PRIu64 "\nleak_bytes %" PRIu64 "\nleak_offset 0x%" PRIX64 "\n",
           t.events, t.buffers, t.compressed_buffers, t.pool_allocs, t.pool_frees,
           t.session_allocs, t.session_frees, t.stack_walks, t.key_refs, t.leak_allocs,
           t.leak_bytes, t.leak_offset);
    return 0;
}
