/* fuzz_bundle.c - bytes as a bundle: open strict and partial, read every
 * member in pieces (bounded), verify.  Must never crash, hang or leak. */
#include <stdint.h>
#include <stdlib.h>

#include "bundle.h"

#define READ_CAP (4u * 1024 * 1024) /* bytes read per member at most */

static void read_members(pt_bundle *b)
{
    static uint8_t buf[65536];
    size_t i, n = pt_bundle_member_count(b);
    pt_error err;

    for (i = 0; i < n; i++) {
        pt_source *src = NULL;
        uint64_t off = 0;
        if (pt_bundle_open_member(b, i, &src, &err) != PT_OK)
            continue;
        while (off < src->size && off < READ_CAP) {
            size_t len = src->size - off < sizeof buf ? (size_t)(src->size - off) : sizeof buf;
            pt_status st = pt_source_read(src, off, buf, len, &err);
            if (st != PT_OK && st != PT_ERR_PARTIAL)
                break;
            off += len;
        }
        pt_source_close(src);
        (void)pt_bundle_member_attr(pt_bundle_member_at(b, i), "sample_time");
    }
    (void)pt_bundle_verify(b, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pt_source *mem = NULL;
    pt_bundle *b = NULL;
    pt_error err;
    int flags;

    if (pt_source_open_memory(data, size, "fuzz.ptb", &mem, &err) != PT_OK)
        return 0;
    for (flags = PT_BUNDLE_STRICT; flags <= PT_BUNDLE_ALLOW_PARTIAL; flags++) {
        if (pt_bundle_open_source(mem, flags, &b, &err) == PT_OK) {
            read_members(b);
            pt_bundle_close(b);
        }
    }
    pt_source_close(mem);
    return 0;
}
