/* fuzz_pe.c - libFuzzer target for the PE reader (headers, imports,
 * version resource, debug directory, Authenticode DER, Zydis call-site
 * analysis, literals) and for the driver-metadata member reader. */
#include <stdint.h>
#include <string.h>

#include "pe_driver.h"
#include "pe_metadata.h"

static pt_status ignore_record(void *ctx, const struct pt_driver_record *rec)
{
    (void)ctx;
    (void)rec;
    return PT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const pt_tag literals[] = {0x6B61654Cu, 0x20505050u};
    struct pt_driver_record *rec = NULL;
    pt_source *src = NULL;
    pt_pe_options opt;
    pt_arena arena;
    pt_error err;

    if (pt_source_open_memory(data, size, "fuzz.sys", &src, &err) != PT_OK)
        return 0;
    memset(&opt, 0, sizeof opt);
    opt.literal_tags = literals;
    opt.literal_tag_count = 2;
    pt_arena_init(&arena);
    (void)pt_pe_analyze(src, "fuzz.sys", &opt, &arena, &rec, &err);
    if (rec != NULL) {
        /* The record must also survive the metadata writer. */
        pt_pe_buf buf = {0};
        pt_driver_metadata_header(&buf);
        pt_driver_metadata_append(&buf, rec);
        pt_pe_buf_free(&buf);
    }
    pt_arena_free(&arena);
    (void)pt_driver_metadata_read(src, ignore_record, NULL, &err);
    pt_source_close(src);
    return 0;
}
