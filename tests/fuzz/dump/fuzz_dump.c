/* fuzz_dump.c - libFuzzer target for the crash dump reader: read (partial
 * results allowed) and describe over an in-memory dump. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dump_reader.h"

static pt_status ignore_fact(void *ctx, const char *name, const char *value)
{
    (void)ctx;
    (void)name;
    (void)value;
    return PT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pt_source *src = NULL;
    pt_read_options opt;
    pt_sink sink;
    pt_error err;

    if (pt_source_open_memory(data, size, "fuzz.dmp", &src, &err) != PT_OK)
        return 0;
    memset(&opt, 0, sizeof opt);
    opt.partial_ok = 1;
    memset(&sink, 0, sizeof sink);
    (void)pt_reader_dump.probe(data, size < PT_PROBE_BYTES ? size : PT_PROBE_BYTES);
    (void)pt_reader_dump.read(src, &opt, &sink, &err);
    (void)pt_reader_dump.describe(src, &opt, ignore_fact, NULL, &err);
    pt_source_close(src);
    return 0;
}
